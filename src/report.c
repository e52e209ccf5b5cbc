#include "report.h"

#include <stdbool.h>
#include <string.h>

#include "jsonout.h"

static void add_document(JsonBuilder *b, const struct doc_row *d)
{
	json_builder_begin_object(b);
	jsonout_string(b, "kind", d->kind);
	jsonout_string(b, "filename", d->filename);
	jsonout_string(b, "content_type", d->content_type);
	jsonout_int_or_null(b, "size", d->size, true);
	jsonout_int_or_null(b, "pages", d->pages, d->pages >= 0);
	jsonout_string(b, "sha256", d->sha256);
	json_builder_end_object(b);
}

static void add_application(JsonBuilder *b, const struct app_row *a)
{
	char **problems = g_strsplit(a->problems, " ", -1);

	json_builder_begin_object(b);
	jsonout_string(b, "ref", a->ref);
	jsonout_string(b, "email", a->email);
	jsonout_string(b, "name", a->name);
	jsonout_string(b, "state", app_state_name(a->state));
	jsonout_string(b, "edition", a->edition);
	jsonout_int_or_null(b, "batch", a->batch_id, a->batch_id != 0);
	jsonout_string(b, "received_at", a->received_at);
	json_builder_set_member_name(b, "problems");
	json_builder_begin_array(b);
	for (char **p = problems; *p != NULL; p++)
		if (**p != '\0')
			jsonout_value(b, *p);
	json_builder_end_array(b);
	json_builder_set_member_name(b, "documents");
	json_builder_begin_array(b);
	for (guint i = 0; i < a->documents->len; i++)
		add_document(b, g_ptr_array_index(a->documents, i));
	json_builder_end_array(b);
	json_builder_end_object(b);
	g_strfreev(problems);
}

char *report_applications_json(GPtrArray *apps)
{
	JsonBuilder *b = json_builder_new();

	json_builder_begin_array(b);
	for (guint i = 0; i < apps->len; i++)
		add_application(b, g_ptr_array_index(apps, i));
	json_builder_end_array(b);
	return jsonout_finish(b);
}

char *report_application_json(const struct app_row *app)
{
	JsonBuilder *b = json_builder_new();

	add_application(b, app);
	return jsonout_finish(b);
}

char *report_outbox_json(GPtrArray *rows)
{
	JsonBuilder *b = json_builder_new();

	json_builder_begin_array(b);
	for (guint i = 0; i < rows->len; i++) {
		const struct outbox_row *r = g_ptr_array_index(rows, i);

		json_builder_begin_object(b);
		jsonout_string(b, "to", r->to_addr);
		jsonout_string(b, "template", r->template_name);
		/* 'sending' is an internal step; for scripts it is still waiting to go out. */
		jsonout_string(b, "state", strcmp(r->state, "sending") == 0 ? "queued" : r->state);
		jsonout_int_or_null(b, "attempts", r->attempts, true);
		jsonout_string(b, "message_id", r->message_id);
		jsonout_string(b, "ref", r->ref);
		jsonout_string(b, "last_error", r->last_error);
		jsonout_string(b, "next_attempt_at", r->next_attempt_at);
		json_builder_end_object(b);
	}
	json_builder_end_array(b);
	return jsonout_finish(b);
}

/* printf's %-*s pads bytes, not characters; names are UTF-8. */
static void cell(FILE *out, const char *text, int width)
{
	long chars = g_utf8_strlen(text ? text : "", -1);

	fputs(text ? text : "", out);
	for (long i = chars; i < width; i++)
		fputc(' ', out);
}

void report_applications_table(FILE *out, GPtrArray *apps)
{
	if (apps->len == 0) {
		fputs("no applications\n", out);
		return;
	}
	fprintf(out, "%-16s %-12s %-21s %-32s %s\n", "REF", "STATE", "RECEIVED", "EMAIL",
		"PROBLEMS");
	for (guint i = 0; i < apps->len; i++) {
		const struct app_row *a = g_ptr_array_index(apps, i);

		cell(out, a->ref, 16);
		fputc(' ', out);
		cell(out, app_state_name(a->state), 12);
		fputc(' ', out);
		cell(out, a->received_at, 21);
		fputc(' ', out);
		cell(out, a->email, 32);
		fprintf(out, " %s\n", a->problems[0] ? a->problems : "-");
	}
}

void report_application_text(FILE *out, const struct app_row *a)
{
	fprintf(out, "Reference:  %s\nApplicant:  %s <%s>\nState:      %s\nEdition:    %s\n",
		a->ref, a->name, a->email, app_state_name(a->state),
		a->edition ? a->edition : "(next edition)");
	if (a->batch_id != 0)
		fprintf(out, "Batch:      %" G_GINT64_FORMAT "\n", a->batch_id);
	fprintf(out, "Received:   %s\nProblems:   %s\nDocuments:\n", a->received_at,
		a->problems[0] ? a->problems : "none");
	if (a->documents->len == 0)
		fputs("  none\n", out);
	for (guint i = 0; i < a->documents->len; i++) {
		const struct doc_row *d = g_ptr_array_index(a->documents, i);

		fprintf(out, "  %-7s %s (%s, %" G_GINT64_FORMAT " bytes", d->kind,
			d->filename ? d->filename : "(no name)", d->content_type, d->size);
		if (d->pages >= 0)
			fprintf(out, ", %d pages", d->pages);
		fputs(")\n", out);
	}
}

void report_outbox_table(FILE *out, GPtrArray *rows)
{
	if (rows->len == 0) {
		fputs("outbox empty\n", out);
		return;
	}
	fprintf(out, "%-8s %-16s %-18s %-32s %-8s %s\n", "STATE", "REF", "TEMPLATE", "TO",
		"ATTEMPTS", "LAST ERROR");
	for (guint i = 0; i < rows->len; i++) {
		const struct outbox_row *r = g_ptr_array_index(rows, i);

		fprintf(out, "%-8s %-16s %-18s ", r->state, r->ref ? r->ref : "-",
			r->template_name);
		cell(out, r->to_addr, 32);
		fprintf(out, " %-8d %s\n", r->attempts, r->last_error ? r->last_error : "-");
	}
}

/* RFC 4180: quoted when it holds a comma, a quote or a line break; quotes doubled. Always
 * valid UTF-8, and a cell a spreadsheet would run as a formula (=, +, -, @, tab, CR first: a
 * name like "=HYPERLINK(...)") starts with a quote mark instead (OWASP's advice). */
static void csv_field(FILE *out, const char *text, bool last)
{
	char *valid = g_utf8_make_valid(text ? text : "", -1);
	const char *s = valid;
	bool formula = strchr("=+-@\t\r", s[0]) != NULL && s[0] != '\0';

	if (strpbrk(s, ",\"\r\n") == NULL && !formula) {
		fputs(s, out);
	} else {
		fputs(formula ? "\"'" : "\"", out);
		for (; *s != '\0'; s++) {
			if (*s == '"')
				fputc('"', out);
			fputc(*s, out);
		}
		fputc('"', out);
	}
	fputs(last ? "\r\n" : ",", out);
	g_free(valid);
}

static char *pages_of(const struct app_row *a, const char *kind)
{
	for (guint i = 0; i < a->documents->len; i++) {
		const struct doc_row *d = g_ptr_array_index(a->documents, i);

		if (strcmp(d->kind, kind) == 0)
			return d->pages >= 0 ? g_strdup_printf("%d", d->pages) : g_strdup("");
	}
	return g_strdup("");
}

void report_applications_csv(FILE *out, GPtrArray *apps)
{
	static const char *const header[] = {
		"ref",	       "name",	   "email",	   "state",
		"received_at", "cv_pages", "letter_pages", "problems"
	};

	for (size_t i = 0; i < G_N_ELEMENTS(header); i++)
		csv_field(out, header[i], i + 1 == G_N_ELEMENTS(header));
	for (guint i = 0; i < apps->len; i++) {
		const struct app_row *a = g_ptr_array_index(apps, i);
		char *cv = pages_of(a, "cv"), *letter = pages_of(a, "letter");

		csv_field(out, a->ref, false);
		csv_field(out, a->name, false);
		csv_field(out, a->email, false);
		csv_field(out, app_state_name(a->state), false);
		csv_field(out, a->received_at, false);
		csv_field(out, cv, false);
		csv_field(out, letter, false);
		csv_field(out, a->problems, true);
		g_free(cv);
		g_free(letter);
	}
}
