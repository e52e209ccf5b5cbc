#include "template_spec.h"

#include <string.h>

/* The sets of variables that one function fills for many templates. */
#define LETTER "name email reference programme registration_url edition" /* letter_vars_new() */
#define BATCH                                                                                    \
	"programme batch opens closes last_day count token reminder_days part parts part_label " \
	"part_note"				     /* digest.c */
#define REPLY "programme sender subject authserv_id" /* commission.c reply_vars() */
#define LINE  REPLY " line ref state earlier"	     /* commission.c add_line() */

static const struct template_spec specs[] = {
	/* To applicants. */
	{ "acknowledgement", false, LETTER " batch_closes notes", "intake.c settle()" },
	{ "updated", false, LETTER " batch_closes notes", "intake.c settle()" },
	{ "incomplete", false, LETTER " missing notes", "intake.c settle()" },
	{ "next-edition", false, LETTER " notes", "intake.c settle()" },
	{ "late-documents", false, LETTER, "intake.c late_documents()" },
	{ "unchanged", false, LETTER, "intake.c resent()" },
	{ "confirm-change", false, LETTER, "confirm.c confirm_ask()" },
	{ "inquiry", false, LETTER, "intake.c inquiry()" },
	{ "too-large", false, LETTER " limit_mb", "intake.c too_large()" },
	{ "edition-open", false, LETTER " batch_closes missing status", "rollover.c open_one()" },
	{ "edition-open-complete", true, LETTER " batch_closes missing", "rollover.c open_one()" },
	{ "edition-open-incomplete", true, LETTER " batch_closes missing",
	  "rollover.c open_one()" },
	{ "accepted", false, LETTER, "application.c" },
	{ "discarded", false, LETTER, "application.c" },
	{ "reserve", false, LETTER, "application.c" },
	{ "withdrawn", false, LETTER, "application.c" },
	{ "missing-cv", true, "", "letter.c letter_missing_text()" },
	{ "missing-letter", true, "", "letter.c letter_missing_text()" },
	{ "note-cv-too-long", true, "", "intake.c notes_text()" },
	{ "note-letter-too-long", true, "", "intake.c notes_text()" },
	{ "note-unreadable-document", true, "", "intake.c notes_text()" },
	{ "note-unsupported-format", true, "", "intake.c notes_text()" },
	/* To the commission. */
	{ "digest", false, BATCH " applications documents_note", "digest.c" },
	{ "digest-documents-files", true, BATCH, "digest.c part_attachments()" },
	{ "digest-documents-dossier", true, BATCH " dossier", "digest.c part_attachments()" },
	{ "dossier-cover-heading", true, BATCH, "dossier_cover.c heading()" },
	{ "dossier-cover-columns", true, "", "dossier_cover.c column_headings()" },
	{ "dossier-cover-attached-cell", true, "", "dossier_cover.c pages_cell()" },
	{ "dossier-cover-attached", true, LETTER " document attachment",
	  "dossier_cover.c attached_notes()" },
	{ "dossier-letter", true, "", "dossier_cover.c dossier_document_name()" },
	{ "dossier-cv", true, "", "dossier_cover.c dossier_document_name()" },
	{ "dossier-stamp", true, LETTER " document pages", "dossier.c applicant_request()" },
	{ "dossier-bookmark-applicant", true, LETTER, "dossier.c applicant_request()" },
	{ "dossier-bookmark-document", true, LETTER " document pages",
	  "dossier.c applicant_request()" },
	{ "reminder", false, BATCH " applications digest_date", "digest.c" },
	{ "digest-row", true, LETTER " received cv_pages letter_pages problems", "digest.c" },
	{ "digest-part-label", true, "part parts", "digest.c part_vars()" },
	{ "digest-part-note", true, "part parts count total", "digest.c part_vars()" },
	{ "digest-documents-omitted", true, LETTER " size_mb limit_mb", "digest.c part_vars()" },
	{ "decision_transcript", false, LINE " results", "commission.c decide_all()" },
	{ "decision_refused", false, LINE " reason results", "commission.c refuse()" },
	{ "decision_refused_summary", false, "programme count refusals",
	  "commission.c commission_refusal_summary()" },
	{ "transcript-applied", true, LINE, "commission.c add_line()" },
	{ "transcript-unchanged", true, LINE, "commission.c add_line()" },
	{ "transcript-final", true, LINE, "commission.c add_line()" },
	{ "transcript-not-in-review", true, LINE, "commission.c add_line()" },
	{ "transcript-unknown", true, LINE, "commission.c add_line()" },
	{ "transcript-other-batch", true, LINE, "commission.c add_line()" },
	{ "transcript-other-part", true, LINE, "commission.c add_line()" },
	{ "transcript-no-reference", true, LINE, "commission.c add_line()" },
	{ "transcript-ignored", true, LINE, "commission.c add_line()" },
	{ "transcript-malformed", true, LINE, "commission.c add_line()" },
	{ "transcript-truncated", true, LINE, "commission.c add_line()" },
	{ "transcript-none", true, LINE, "commission.c add_line()" },
	{ "transcript-refused", true, LINE " reason", "commission.c refuse()" },
	{ "refused-not-member", true, REPLY, "commission.c refuse()" },
	{ "refused-no-token", true, REPLY, "commission.c refuse()" },
	{ "refused-not-authenticated", true, REPLY, "commission.c refuse()" },
	{ "refused-token-expired", true, REPLY, "commission.c refuse()" },
	/* To the office. */
	{ "delivery-failures", false, "programme count failures", "outbox.c" },
	{ "failure-row", true, "to template ref error", "outbox.c failure_rows()" },
	{ "quarantined", false, "programme uid attempts spool_path", "inbox.c tell_office()" },
	{ "oauth2-refused", false, "programme problem fix", "oauth2_notice.c" },
	{ "quarantine-summary", false, "programme count messages", "quarantine_summary.c" },
	{ "quarantine-row", true, "id received reason", "quarantine_summary.c row_vars()" },
};

const struct template_spec *template_spec_find(const char *name, bool snippet)
{
	for (size_t i = 0; i < G_N_ELEMENTS(specs); i++)
		if (specs[i].snippet == snippet && strcmp(specs[i].name, name) == 0)
			return &specs[i];
	return NULL;
}

const struct template_spec *template_spec_all(size_t *count_r)
{
	*count_r = G_N_ELEMENTS(specs);
	return specs;
}

char **template_spec_names(const struct template_spec *spec)
{
	/* Names are separated by single spaces; "" splits into no names. */
	return g_strsplit(spec->vars, " ", -1);
}

int template_spec_vars(const struct template_spec *spec, GHashTable *vars, GHashTable **out_r,
		       struct err *err)
{
	char **names = template_spec_names(spec);
	GHashTable *out = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	int ret = 0;

	for (char **n = names; *n != NULL && ret == 0; n++) {
		const char *value = vars ? g_hash_table_lookup(vars, *n) : NULL;

		if (value == NULL)
			ret = err_set(err, ERR_FATAL,
				      "template %s: {{%s}} was not filled (by %s; see "
				      "template_spec.c)",
				      spec->name, *n, spec->supplier);
		else
			g_hash_table_insert(out, g_strdup(*n), (gpointer)value);
	}
	g_strfreev(names);
	if (ret < 0)
		g_hash_table_destroy(out);
	else
		*out_r = out;
	return ret;
}
