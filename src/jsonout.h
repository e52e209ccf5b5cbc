/* jsonout.h — writing JSON with json-glib's builder: the few steps report.c (admitctl's
 * --json) and gdpr.c (exports) share. */
#ifndef ADMITD_JSONOUT_H
#define ADMITD_JSONOUT_H

#include <stdbool.h>

#include <glib.h>
#include <json-glib/json-glib.h>

/* "name": "value", or "name": null when value is NULL. Bytes that are not UTF-8 (a file name
 * from an old mail client) become U+FFFD, so the document is always valid JSON. */
void jsonout_string(JsonBuilder *b, const char *name, const char *value);
/* An array element, made valid UTF-8 the same way. */
void jsonout_value(JsonBuilder *b, const char *value);
/* "name": value, or "name": null when not present. */
void jsonout_int_or_null(JsonBuilder *b, const char *name, gint64 value, bool present);
/* The builder's document as indented text (owned); the builder is released. */
char *jsonout_finish(JsonBuilder *b);

#endif
