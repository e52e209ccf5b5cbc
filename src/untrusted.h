/* untrusted.h — text a sender wrote that we show to people (display names, subjects, file
 * names), made safe once, where it is read: one line that cannot pass for a line of our own
 * (nor for a decision in the digest a member quotes), with no invisible characters. */
#ifndef ADMITD_UNTRUSTED_H
#define ADMITD_UNTRUSTED_H

#include <stddef.h>

/* Limits in characters for what mail.c reads. */
#define UNTRUSTED_NAME_MAX     100
#define UNTRUSTED_SUBJECT_MAX  200
#define UNTRUSTED_FILENAME_MAX 120

/* A new string (g_free): `text` as valid UTF-8 (bad bytes become U+FFFD), line breaks, tabs
 * and Unicode spaces as one space, control and format characters (C0, C1, U+2028/2029,
 * zero-width, bidi overrides and isolates, BOM) removed, trimmed, and at most max_chars
 * characters, followed by "…" when cut. NULL gives "". */
char *untrusted_line(const char *text, size_t max_chars);

/* Cuts UTF-8 text in place to at most max_bytes, at a character boundary. */
void untrusted_cut(char *text, size_t max_bytes);

#endif
