/* report.h — what admitctl prints: aligned tables for people, JSON for scripts (the shapes
 * DESIGN.md promises). Returned strings belong to the caller. */
#ifndef ADMITD_REPORT_H
#define ADMITD_REPORT_H

#include <stdio.h>

#include <glib.h>

#include "store.h"

/* JSON array of applications (struct app_row *), each with its documents. */
char *report_applications_json(GPtrArray *apps);
/* JSON object of one application. */
char *report_application_json(const struct app_row *app);
/* JSON array of outbox rows (struct outbox_row *). */
char *report_outbox_json(GPtrArray *rows);

void report_applications_table(FILE *out, GPtrArray *apps);
void report_application_text(FILE *out, const struct app_row *app);
void report_outbox_table(FILE *out, GPtrArray *rows);

/* The applications of a batch as CSV (RFC 4180, a header row) for the commission's minutes. */
void report_applications_csv(FILE *out, GPtrArray *apps);

#endif
