/* notify.h — telling systemd how the daemon is doing (sd_notify): READY, STATUS lines a person
 * can read, WATCHDOG pings, RELOADING and STOPPING. Does nothing when not run by systemd
 * (no NOTIFY_SOCKET). */
#ifndef ADMITD_NOTIFY_H
#define ADMITD_NOTIFY_H

#include <stdbool.h>

void notify_init(void);
void notify_ready(void);
void notify_reloading(void);
void notify_stopping(void);
void notify_status(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Pings the watchdog when a quarter of its interval has passed since the last ping. Cheap: call it
 * from every loop that may run long (each message, each letter, each second of sleep). */
void notify_alive(void);

/* Whether SIGTERM asked us to stop; long loops finish the item in hand and return. */
bool notify_stop_requested(void);
void notify_request_stop(void);

#endif
