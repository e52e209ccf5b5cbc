/* timeutil.h — the clock, and time as text in the store and in JSON (ISO 8601, UTC). */
#ifndef ADMITD_TIMEUTIL_H
#define ADMITD_TIMEUTIL_H

#include <glib.h>

/* Seconds since the epoch: the real clock, unless time_set_now() fixed it (the --now option,
 * so tests and office dry-runs can cross batch boundaries without waiting). */
gint64 time_now(void);
void time_set_now(gint64 t);
/* The --now option of both programs: fixes the clock at `text` (time_parse forms), or prints
 * "PROGRAM: --now TEXT: not an ISO 8601 time" on stderr and returns -1 (exit EX_USAGE). */
int time_set_now_option(const char *program, const char *text);

/* Parses "2026-03-01", "2026-03-01T10:00:00Z" or "2026-03-01T10:00:00+01:00".
 * Returns 0 and sets *t_r, or -1. */
int time_parse(const char *text, gint64 *t_r);

/* "2026-03-01T09:00:00Z"; belongs to the caller. */
char *time_iso8601(gint64 t);

/* The UTC calendar day of t. */
void time_day(gint64 t, GDate *day_r);

/* "2026-03-01" for a day; belongs to the caller. */
char *time_day_text(const GDate *day);

/* "2026-03-01": the UTC day of t; belongs to the caller. */
char *time_day_text_at(gint64 t);

#endif
