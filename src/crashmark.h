/* crashmark.h — which message admitd was processing when it crashed. While a message is parsed
 * or filed its UID is noted here; when admitd dies of a fault (SIGSEGV, SIGBUS, SIGILL,
 * SIGFPE, or SIGABRT: an abort, and the signal systemd's watchdog sends), a handler writes it
 * to SPOOL/crashed and syncs it before dying. The next poll counts it against that message
 * (the store's attempts). A power cut, or a kill by an operator, leaves no mark: it is nobody's
 * fault, and no message is set aside for it. */
#ifndef ADMITD_CRASHMARK_H
#define ADMITD_CRASHMARK_H

#include <stdbool.h>
#include <stdint.h>

/* Installs the handlers; the mark goes in DIR (the spool). Call once, early. */
void crashmark_install(const char *dir);
/* The message in hand, or none. Cheap: called for each message. */
void crashmark_set(uint32_t uidvalidity, uint32_t uid);
void crashmark_clear(void);
/* The mark an earlier crash left: true and the message, and the mark is removed. */
bool crashmark_take(uint32_t *uidvalidity_r, uint32_t *uid_r);

#endif
