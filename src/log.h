/* log.h — one line per event, `subject key=value ...`, to stderr; under journald, to the
 * journal with structured fields taken from the line (ref= becomes ADMITD_REF, batch= becomes
 * ADMITD_BATCH, message_id=<...> becomes ADMITD_MESSAGE_ID), so
 * `journalctl -u admitd ADMITD_REF=AI4G-2026-0042` tells one application's story.
 * Never log credentials. */
#ifndef ADMITD_LOG_H
#define ADMITD_LOG_H

#include <stddef.h>

void log_init(const char *program);
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* The value of `key=` in a log line (up to the next space, <> removed), or "" when absent. */
void log_field(const char *line, const char *key, char *out, size_t len);

#endif
