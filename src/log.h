/* log.h — one line per event, `subject key=value ...`, to stderr.
 * Under systemd, stderr goes to the journal, which adds time and unit; the line carries a
 * sd-daemon(3) priority prefix there so errors show as errors. Never log credentials. */
#ifndef ADMITD_LOG_H
#define ADMITD_LOG_H

void log_init(const char *program);
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
