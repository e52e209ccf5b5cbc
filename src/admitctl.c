/* admitctl — the operator's command line: what is in the store, for people and for scripts. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>
#include <sys/stat.h>

#include <glib/gstdio.h>

#include "batch.h"
#include "config.h"
#include "digest.h"
#include "dossier.h"
#include "application.h"
#include "decision.h"
#include "gdpr.h"
#include "letter.h"
#include "log.h"
#include "template.h"
#include "template_spec.h"
#include "timeutil.h"
#include "err.h"
#include "ctl_quarantine.h"
#include "mail.h"
#include "oauth2.h"
#include "oauth2_login.h"
#include "tokenfile.h"
#include "report.h"
#include "store.h"

#define DEFAULT_CONFIG "/etc/admitd/admitd.conf"

struct ctl {
	struct config *cfg;
	struct store *st;
	bool json;
	bool csv;
	bool force;
	bool yes;		  /* --yes: no confirmation prompt */
	const char *out;	  /* --out DIR */
	int64_t batch;		  /* --batch */
	int part;		  /* --part, 0: none */
	struct app_filter filter; /* --state */
};

static void usage(FILE *out)
{
	fputs("usage: admitctl [-c FILE] COMMAND\n"
	      "  status                      applications by state, outbox, last poll and error\n"
	      "  list [--state S] [--json]   applications\n"
	      "  show REF [--json]           one application and its documents\n"
	      "  outbox [--json]             replies: queued, sent, failed\n"
	      "  history REF                 the audit trail of one application\n"
	      "  decide REF accept|discard|reserve [--force]\n"
	      "                              record a decision and queue the applicant's letter\n"
	      "  withdraw REF                withdraw an application at the applicant's request\n"
	      "  batch list                  batches, their windows and counts\n"
	      "  batch close                 close the current batch now and queue its digest\n"
	      "  batch resend B              queue batch B's digest again (after a refusal)\n"
	      "  preview TEMPLATE REF        print a letter as it would go to that applicant\n"
	      "  resend REF                  queue again the letters to REF that failed\n"
	      "  export --batch B --csv|--json   a batch as a spreadsheet or JSON\n"
	      "  dossier --batch B [--part K] --out FILE\n"
	      "                              the PDF the commission got for batch B (part K)\n"
	      "  oauth login [device|code]   sign in for admitd's OAuth2 refresh token (from any\n"
	      "                              browser; nothing needs to reach this server)\n"
	      "  oauth status                which OAuth2 token admitd holds, and until when\n"
	      "  quarantine list | show ID | release ID\n"
	      "                              mail set aside; release files it again, once\n"
	      "  gdpr export EMAIL [--out DIR]   everything stored about a person, with files\n"
	      "  gdpr erase EMAIL [--yes]    erase a person's data (asks to confirm)\n"
	      "options: -c FILE (default " DEFAULT_CONFIG "), --json, --state S, --force,\n"
	      "         --now TIME (act as if it were TIME, ISO 8601)\n",
	      out);
}

static int fail(const struct err *err)
{
	fprintf(stderr, "admitctl: %s\n", err->text);
	return err_exit_code(err);
}

static void print_current_batch(struct ctl *c)
{
	struct batch_row b = { 0 };
	struct err err = { 0 };

	if (batch_current(c->st, time_now(), &b, &err) == 1)
		printf("Current batch   %" G_GINT64_FORMAT
		       ": %d applications, goes to the commission "
		       "on %s\n",
		       b.id, b.applications, b.closes_on);
	else
		printf("Current batch   none open (the next complete application opens one)\n");
	batch_row_clear(&b);
}

/* What the office must act on: the commission never got a digest, or a server refused an
 * email for its size. Nothing is printed when nothing waits. */
static int print_attention(struct ctl *c, struct err *err)
{
	GPtrArray *rows = NULL;
	char *oauth = NULL;

	if (store_outbox_attention(c->st, &rows, err) < 0)
		return -1;
	if (store_state_get(c->st, "oauth2_problem", &oauth, err) < 0) {
		g_ptr_array_free(rows, TRUE);
		return -1;
	}
	if (rows->len > 0 || (oauth != NULL && oauth[0] != '\0'))
		printf("Needs attention\n");
	if (oauth != NULL && oauth[0] != '\0')
		printf("  admitd cannot log in: %s\n", oauth);
	g_free(oauth);
	for (guint i = 0; i < rows->len; i++) {
		const struct outbox_row *r = g_ptr_array_index(rows, i);
		bool commission = strcmp(r->template_name, "digest") == 0 ||
				  strcmp(r->template_name, "reminder") == 0;

		printf("  %s to %s failed: %s\n", r->template_name, r->to_addr,
		       r->last_error ? r->last_error : "");
		if (commission)
			printf("    the commission did not get it; after raising the server's "
			       "limit or "
			       "lowering commission.max_message_bytes: admitctl batch resend BATCH "
			       "(admitctl batch list)\n");
		else if (r->ref != NULL)
			printf("    then: admitctl resend %s\n", r->ref);
	}
	g_ptr_array_free(rows, TRUE);
	return 0;
}

/* The bytes and files under `dir`, subfolders included. */
static void folder_size(const char *dir, gint64 *bytes, int *files)
{
	GDir *d = g_dir_open(dir, 0, NULL);
	const char *name;

	while (d != NULL && (name = g_dir_read_name(d)) != NULL) {
		char *path = g_build_filename(dir, name, NULL);
		GStatBuf st;

		if (g_lstat(path, &st) == 0 && S_ISDIR(st.st_mode))
			folder_size(path, bytes, files);
		else if (g_lstat(path, &st) == 0 && S_ISREG(st.st_mode))
			*bytes += st.st_size, (*files)++;
		g_free(path);
	}
	if (d != NULL)
		g_dir_close(d);
}

/* What the spool holds and since when, by kind of mail: what retention.*_days will purge. */
static int print_spool(struct ctl *c, struct err *err)
{
	GPtrArray *rows = NULL;
	gint64 bytes = 0;
	int files = 0;

	if (store_spool_oldest(c->st, &rows, err) < 0)
		return -1;
	folder_size(c->cfg->storage.spool, &bytes, &files);
	printf("Spool           %.1f MB in %d files (%s)\n", (double)bytes / 1e6, files,
	       c->cfg->storage.spool);
	for (guint i = 0; i < rows->len; i++)
		printf("  %s\n", (const char *)g_ptr_array_index(rows, i));
	g_ptr_array_free(rows, TRUE);
	return 0;
}

/* Never "none" while an email to the commission has failed. */
static const char *last_error_text(const char *last_error, int attention)
{
	if (last_error != NULL && last_error[0] != '\0')
		return last_error;
	return attention > 0 ? "none in the cycle; see Needs attention" : "none";
}

static int cmd_status(struct ctl *c)
{
	GHashTable *counts = NULL;
	char *last_poll = NULL, *last_error = NULL, *held = NULL;
	struct err err = { 0 };

	if (store_counts(c->st, &counts, &err) < 0 ||
	    store_state_get(c->st, "last_poll", &last_poll, &err) < 0 ||
	    store_state_get(c->st, "last_error", &last_error, &err) < 0 ||
	    store_state_get(c->st, "replies_held", &held, &err) < 0) {
		if (counts != NULL)
			g_hash_table_destroy(counts);
		g_free(last_poll);
		return fail(&err);
	}
	printf("%s\n\nApplications\n", c->cfg->programme.name);
	for (int s = 0; s < APP_STATE_COUNT; s++)
		printf("  %-13s %d\n", app_state_name(s),
		       GPOINTER_TO_INT(g_hash_table_lookup(counts, app_state_name(s))));
	printf("Outbox\n");
	static const char *const outbox_states[] = { "queued", "sending", "sent", "failed" };
	for (size_t i = 0; i < G_N_ELEMENTS(outbox_states); i++) {
		char *key = g_strconcat("outbox:", outbox_states[i], NULL);

		printf("  %-13s %d\n", outbox_states[i],
		       GPOINTER_TO_INT(g_hash_table_lookup(counts, key)));
		g_free(key);
	}
	print_current_batch(c);
	printf("Quarantined     %d messages (admitctl quarantine list)\n",
	       GPOINTER_TO_INT(g_hash_table_lookup(counts, "messages:quarantined")));
	printf("Replies held    %s (rate limits)\n", held ? held : "0");
	printf("Last poll       %s\nLast error      %s\n", last_poll ? last_poll : "never",
	       last_error_text(last_error,
			       GPOINTER_TO_INT(g_hash_table_lookup(counts, "attention"))));
	if (print_spool(c, &err) < 0 || print_attention(c, &err) < 0) {
		g_hash_table_destroy(counts);
		g_free(last_poll);
		g_free(last_error);
		g_free(held);
		return fail(&err);
	}
	g_hash_table_destroy(counts);
	g_free(last_poll);
	g_free(last_error);
	g_free(held);
	return EX_OK;
}

static int print_apps(struct ctl *c, const char *ref)
{
	struct app_filter f = c->filter;
	GPtrArray *apps = NULL;
	struct err err = { 0 };
	char *json;

	f.ref = ref;
	if (store_applications(c->st, &f, &apps, &err) < 0)
		return fail(&err);
	if (ref != NULL && apps->len == 0) {
		fprintf(stderr, "admitctl: no application %s\n", ref);
		g_ptr_array_free(apps, TRUE);
		return EX_DATAERR;
	}
	if (c->json) {
		json = ref ? report_application_json(g_ptr_array_index(apps, 0))
			   : report_applications_json(apps);
		puts(json);
		g_free(json);
	} else if (ref != NULL) {
		report_application_text(stdout, g_ptr_array_index(apps, 0));
	} else {
		report_applications_table(stdout, apps);
	}
	g_ptr_array_free(apps, TRUE);
	return EX_OK;
}

static int cmd_outbox(struct ctl *c)
{
	GPtrArray *rows = NULL;
	struct err err = { 0 };

	if (store_outbox_list(c->st, NULL, &rows, &err) < 0)
		return fail(&err);
	if (c->json) {
		char *json = report_outbox_json(rows);

		puts(json);
		g_free(json);
	} else {
		report_outbox_table(stdout, rows);
	}
	g_ptr_array_free(rows, TRUE);
	return EX_OK;
}

static int cmd_history(struct ctl *c, const char *ref)
{
	GPtrArray *lines = NULL;
	struct err err = { 0 };

	if (store_history(c->st, ref, &lines, &err) < 0)
		return fail(&err);
	if (lines->len == 0)
		fprintf(stderr, "admitctl: no history for %s\n", ref);
	for (guint i = 0; i < lines->len; i++)
		puts(g_ptr_array_index(lines, i));
	g_ptr_array_free(lines, TRUE);
	return EX_OK;
}

/* Letters already sent about ref, for the office to follow up by hand after --force. */
static void print_sent_letters(struct ctl *c, const char *ref)
{
	GPtrArray *rows = NULL;
	struct err err = { 0 };

	if (store_outbox_list(c->st, ref, &rows, &err) < 0)
		return;
	for (guint i = 0; i < rows->len; i++) {
		const struct outbox_row *r = g_ptr_array_index(rows, i);

		if (strcmp(r->state, "sent") == 0)
			printf("  already sent to %s: %s\n", r->to_addr, r->template_name);
	}
	g_ptr_array_free(rows, TRUE);
}

/* What admitctl decide or withdraw did, in words; the exit code. */
static int report_change(const char *ref, enum application_result result, enum app_state before,
			 enum app_state after, const char *refusal)
{
	switch (result) {
	case APPLICATION_APPLIED:
		printf("%s: %s -> %s; the letter is queued and admitd sends it on its next cycle\n",
		       ref, app_state_name(before), app_state_name(after));
		return EX_OK;
	case APPLICATION_UNCHANGED:
		printf("%s: already %s; nothing changed\n", ref, app_state_name(after));
		return EX_OK;
	case APPLICATION_FINAL:
	case APPLICATION_NOT_IN_REVIEW:
	case APPLICATION_OTHER_BATCH: /* admitctl decides any batch and part */
	case APPLICATION_OTHER_PART:
		fprintf(stderr, "admitctl: %s is %s; %s\n", ref, app_state_name(before), refusal);
		return EX_DATAERR;
	case APPLICATION_UNKNOWN:
		break;
	}
	fprintf(stderr, "admitctl: no application %s\n", ref);
	return EX_DATAERR;
}

static int cmd_decide(struct ctl *c, const char *ref, const char *verdict_name)
{
	struct application_decision in = { .ref = ref, .force = c->force };
	enum application_result result;
	enum app_state before;
	struct err err = { 0 };
	char *by;
	int rc;

	if (!decision_verdict_from_name(verdict_name, &in.verdict)) {
		fprintf(stderr, "admitctl: decide: \"%s\" is not accept, discard or reserve\n",
			verdict_name);
		return EX_USAGE;
	}
	by = g_strdup_printf("admitctl:%s", g_get_user_name());
	in.decided_by = by;
	if (store_begin(c->st, &err) < 0 ||
	    application_decide(c->st, c->cfg, &in, time_now(), &result, &before, &err) < 0 ||
	    store_commit(c->st, &err) < 0) {
		store_rollback(c->st);
		g_free(by);
		return fail(&err);
	}
	g_free(by);
	rc = report_change(ref, result, before, decision_verdict_state(in.verdict),
			   "use --force to decide anyway");
	/* The office may need to write to the applicant about what they were already told. */
	if ((result == APPLICATION_APPLIED && c->force) || result == APPLICATION_FINAL ||
	    result == APPLICATION_NOT_IN_REVIEW)
		print_sent_letters(c, ref);
	return rc;
}

static int cmd_withdraw(struct ctl *c, const char *ref)
{
	enum application_result result;
	enum app_state before;
	struct err err = { 0 };
	char *by = g_strdup_printf("admitctl:%s", g_get_user_name());

	if (store_begin(c->st, &err) < 0 ||
	    application_withdraw(c->st, c->cfg, ref, by, time_now(), &result, &before, &err) < 0 ||
	    store_commit(c->st, &err) < 0) {
		store_rollback(c->st);
		g_free(by);
		return fail(&err);
	}
	g_free(by);
	return report_change(ref, result, before, APP_WITHDRAWN, "it cannot be withdrawn");
}

static int cmd_batch_list(struct ctl *c)
{
	GPtrArray *rows = NULL;
	struct err err = { 0 };

	if (store_batches(c->st, &rows, &err) < 0)
		return fail(&err);
	if (rows->len == 0)
		puts("no batches");
	else
		printf("%-6s %-10s %-10s %-7s %-12s %-9s %s\n", "BATCH", "OPENS", "CLOSES", "STATE",
		       "APPLICATIONS", "UNDECIDED", "CLOSED AT");
	for (guint i = 0; i < rows->len; i++) {
		const struct batch_row *b = g_ptr_array_index(rows, i);

		printf("%-6" G_GINT64_FORMAT " %-10s %-10s %-7s %-12d %-9d %s\n", b->id,
		       b->opens_on, b->closes_on, b->state, b->applications, b->undecided,
		       b->closed_at ? b->closed_at : "-");
	}
	g_ptr_array_free(rows, TRUE);
	return EX_OK;
}

static int cmd_batch_close(struct ctl *c)
{
	struct err err = { 0 };
	int64_t id;
	int reviewed = 0;
	int found = batch_close_current(c->st, c->cfg, time_now(), &id, &reviewed, &err);

	if (found < 0)
		return fail(&err);
	if (found == 0) {
		puts("no open batch for the current window: nothing to close");
		return EX_OK;
	}
	if (reviewed == 0)
		printf("batch %" G_GINT64_FORMAT " closed; it was empty, no digest\n", id);
	else
		printf("batch %" G_GINT64_FORMAT
		       " closed: %d applications in review; the digest is "
		       "queued and admitd sends it on its next cycle\n",
		       id, reviewed);
	return EX_OK;
}

static int cmd_batch_resend(struct ctl *c, const char *id_text)
{
	struct err err = { 0 };
	char *end = NULL;
	gint64 id = g_ascii_strtoll(id_text, &end, 10);
	int count = 0;

	if (end == id_text || *end != '\0' || id <= 0) {
		fprintf(stderr, "admitctl: batch resend: \"%s\" is not a batch number\n", id_text);
		return EX_USAGE;
	}
	if (batch_resend(c->st, c->cfg, id, time_now(), &count, &err) < 0)
		return fail(&err);
	if (count == 0)
		printf("batch %" G_GINT64_FORMAT
		       ": no application waits for a decision; nothing sent\n",
		       id);
	else
		printf("batch %" G_GINT64_FORMAT
		       ": the digest of %d undecided applications is queued "
		       "again (parts of at most %d bytes) and admitd sends it on its next cycle\n",
		       id, count, c->cfg->commission.max_message_bytes);
	return EX_OK;
}

static int cmd_gdpr_export(struct ctl *c, const char *email)
{
	char *dir = c->out ? g_strdup(c->out) : g_strdup_printf("admitd-export-%s", email);
	struct err err = { 0 };
	bool found = false;
	int rc = EX_OK;

	if (gdpr_export(c->st, email, dir, &found, &err) < 0)
		rc = fail(&err);
	else if (!found)
		printf("%s: nothing is stored about %s (an empty export was written)\n", dir,
		       email);
	else
		printf("%s: person.json with the documents, messages and letters of %s\n", dir,
		       email);
	g_free(dir);
	return rc;
}

/* Erasing cannot be undone: a person types the address again, or a script says --yes. */
static bool confirmed(struct ctl *c, const char *email)
{
	char line[512];

	if (c->yes)
		return true;
	if (!isatty(STDIN_FILENO)) {
		fputs("admitctl: gdpr erase needs --yes when not run from a terminal\n", stderr);
		return false;
	}
	printf("This erases the documents, messages and letters of %s for good.\n"
	       "Type the address again to confirm: ",
	       email);
	fflush(stdout);
	return fgets(line, sizeof(line), stdin) != NULL && strcmp(g_strstrip(line), email) == 0;
}

static int cmd_gdpr_erase(struct ctl *c, const char *email)
{
	struct err err = { 0 };
	struct gdpr_erasure e;

	if (!confirmed(c, email)) {
		fputs("admitctl: not erased\n", stderr);
		return EX_USAGE;
	}
	if (gdpr_erase(c->st, c->cfg, email, time_now(), &e, &err) < 0)
		return fail(&err);
	printf("%s: erased\n"
	       "  applications     %d (each keeps its reference, state and dates; %d under way "
	       "now withdrawn)\n"
	       "  documents        %d\n  messages         %d (their raw copies deleted)\n"
	       "  letters to them  %d\n  events           %d (their details cleared)\n"
	       "  decisions        %d (reasons cleared)\n  waiting changes  %d\n"
	       "  letters naming them to the commission or office  %d (bodies removed; %d not "
	       "yet sent, withdrawn)\n"
	       "  digests queued again without them  %d\n"
	       "  others' replies quoting them  %d (raw copies deleted)\n"
	       "  files deleted    %d\n"
	       "The store is compacted: nothing of them is left in the database, its log or the "
	       "spool.\nThe erasure is recorded as %s (the SHA-256 of the address).\n"
	       "The messages in the mailbox's processed folder are not touched by admitd: delete "
	       "them there too.\n",
	       email, e.rows.applications, e.rows.withdrawn, e.rows.documents, e.rows.messages,
	       e.rows.letters, e.rows.events, e.rows.decisions, e.rows.pending,
	       e.commission_letters, e.withdrawn_letters, e.digests_again, e.commission_replies,
	       e.files, e.hash);
	return EX_OK;
}

static int cmd_export(struct ctl *c)
{
	struct app_filter f = { .batch_id = c->batch };
	GPtrArray *apps = NULL;
	struct err err = { 0 };

	if (c->batch <= 0 || c->csv == c->json) {
		fputs("admitctl: export needs --batch B and one of --csv or --json\n", stderr);
		return EX_USAGE;
	}
	if (store_applications(c->st, &f, &apps, &err) < 0)
		return fail(&err);
	if (c->csv) {
		report_applications_csv(stdout, apps);
	} else {
		char *json = report_applications_json(apps);

		puts(json);
		g_free(json);
	}
	g_ptr_array_free(apps, TRUE);
	return EX_OK;
}

/* The applications of part K of a closed batch (all of them without --part). */
static int dossier_apps(struct ctl *c, const struct batch_row *b, int parts, GPtrArray **apps_r)
{
	struct app_filter f = { .batch_id = b->id };
	GPtrArray *apps = NULL;
	struct err err = { 0 };

	if (c->part > parts) {
		fprintf(stderr, "admitctl: dossier: batch %" G_GINT64_FORMAT " has %d part%s\n",
			b->id, parts, parts == 1 ? "" : "s");
		return EX_USAGE;
	}
	if (store_applications(c->st, &f, &apps, &err) < 0)
		return fail(&err);
	for (guint i = apps->len; c->part > 0 && i-- > 0;)
		if (((struct app_row *)g_ptr_array_index(apps, i))->digest_part != c->part)
			g_ptr_array_remove_index(apps, i);
	*apps_r = apps;
	return EX_OK;
}

static void print_dossier(const char *out, const struct dossier *d, guint count)
{
	GHashTableIter it;
	gpointer doc, name;

	printf("%s: %d pages, %u applications\n", out, d->pages, count);
	g_hash_table_iter_init(&it, d->separate);
	while (g_hash_table_iter_next(&it, &doc, &name))
		printf("  not in it (the digest attaches it as it came): %s\n", (char *)name);
}

static int write_dossier(struct ctl *c, const struct batch_row *b, GPtrArray *apps, int parts)
{
	struct err err = { 0 };
	struct dossier d = { 0 };
	int part = c->part > 0 ? c->part : 1, of = c->part > 0 ? parts : 1;
	GHashTable *vars = digest_vars_new(c->cfg, b, apps, part, of, apps->len, false, &err);
	int rc = EX_OK;

	if (vars == NULL || dossier_build(c->cfg, vars, apps, &d, &err) < 0 ||
	    dossier_save(&d, c->out, &err) < 0) {
		rc = fail(&err);
	} else {
		print_dossier(c->out, &d, apps->len);
	}
	dossier_clear(&d);
	if (vars != NULL)
		g_hash_table_destroy(vars);
	return rc;
}

static int cmd_dossier(struct ctl *c)
{
	struct batch_row b = { 0 };
	struct err err = { 0 };
	GPtrArray *apps = NULL;
	int parts = 1, found, rc;

	if (c->batch <= 0 || c->out == NULL) {
		fputs("admitctl: dossier needs --batch B and --out FILE\n", stderr);
		return EX_USAGE;
	}
	if ((found = store_batch_get(c->st, c->batch, &b, &err)) < 0 ||
	    (found == 1 && store_batch_parts(c->st, b.id, &parts, &err) < 0)) {
		batch_row_clear(&b);
		return fail(&err);
	}
	if (found == 0 || b.token == NULL) {
		fprintf(stderr,
			"admitctl: dossier: batch %" G_GINT64_FORMAT " %s; a batch's dossier "
			"is made when it closes (admitctl batch close)\n",
			c->batch, found == 0 ? "does not exist" : "is still open");
		batch_row_clear(&b);
		return found == 0 ? EX_DATAERR : EX_USAGE;
	}
	rc = dossier_apps(c, &b, parts, &apps);
	if (rc == EX_OK && apps->len == 0) {
		fprintf(stderr,
			"admitctl: dossier: batch %" G_GINT64_FORMAT " has no applications "
			"in that part\n",
			b.id);
		rc = EX_DATAERR;
	}
	if (rc == EX_OK)
		rc = write_dossier(c, &b, apps, parts);
	if (apps != NULL)
		g_ptr_array_free(apps, TRUE);
	batch_row_clear(&b);
	return rc;
}

static int cmd_resend(struct ctl *c, const char *ref)
{
	struct err err = { 0 };
	int count = 0;

	if (store_outbox_requeue(c->st, ref, time_now(), &count, &err) < 0)
		return fail(&err);
	if (count == 0)
		printf("%s: no failed letters to send again\n", ref);
	else
		printf("%s: %d letter(s) queued again; admitd sends them on its next cycle\n", ref,
		       count);
	return EX_OK;
}

/* A preview shows "[notes]" for what only the moment of sending can fill. The table does not
 * own its keys: interned names live as long as the program. */
static void fill_placeholders(GHashTable *vars, const char *template_name)
{
	const struct template_spec *spec = template_spec_find(template_name, false);
	char **names = spec ? template_spec_names(spec) : NULL;

	for (char **n = names; n != NULL && *n != NULL; n++)
		if (g_hash_table_lookup(vars, *n) == NULL)
			g_hash_table_insert(vars, (gpointer)g_intern_string(*n),
					    g_strdup_printf("[%s]", *n));
	g_strfreev(names);
}

static int cmd_preview(struct ctl *c, const char *template_name, const char *ref)
{
	struct app_filter f = { .ref = ref };
	GPtrArray *apps = NULL;
	struct err err = { 0 };
	char *subject = NULL, *body = NULL, *missing = NULL;
	int rc = EX_OK;

	if (store_applications(c->st, &f, &apps, &err) < 0)
		return fail(&err);
	if (apps->len == 0) {
		fprintf(stderr, "admitctl: no application %s\n", ref);
		g_ptr_array_free(apps, TRUE);
		return EX_DATAERR;
	}
	const struct app_row *a = g_ptr_array_index(apps, 0);
	GHashTable *vars = letter_vars_new(c->cfg, a->name, a->email, a->ref, a->edition);
	struct batch_row b = { 0 };

	if (a->batch_id != 0 && store_batch_get(c->st, a->batch_id, &b, &err) == 1)
		g_hash_table_insert(vars, "batch_closes", g_strdup(b.closes_on));
	batch_row_clear(&b);
	if (letter_missing_text(c->cfg, strstr(a->problems, "missing-cv") == NULL,
				strstr(a->problems, "missing-letter") == NULL, &missing, &err) == 0)
		g_hash_table_insert(vars, "missing", missing);
	fill_placeholders(vars, template_name);
	if (template_render(c->cfg->templates.search, template_name, vars, &subject, &body, &err) <
	    0)
		rc = fail(&err);
	else
		printf("To: %s <%s>\nSubject: %s\n\n%s", a->name, a->email, subject, body);
	g_free(subject);
	g_free(body);
	g_hash_table_destroy(vars);
	g_ptr_array_free(apps, TRUE);
	return rc;
}

static int cmd_oauth_login(struct ctl *c, const char *kind)
{
	const struct config_oauth2 *o = &c->cfg->oauth2;
	struct err err = { 0 };
	int ret;

	if (!o->configured) {
		fprintf(stderr, "admitctl: %s has no oauth2 group\n", c->cfg->path);
		return EX_CONFIG;
	}
	if (kind == NULL)
		kind = oauth2_login_kind(o);
	if (g_strcmp0(kind, "device") == 0 && o->device_authorization_url != NULL)
		ret = oauth2_login_device(o, stdout, &err);
	else if (g_strcmp0(kind, "code") == 0 && o->authorization_url != NULL)
		ret = oauth2_login_code(o, stdin, stdout, &err);
	else {
		fprintf(stderr,
			"admitctl: oauth login %s: set oauth2.device_authorization_url or "
			"oauth2.authorization_url for this provider\n",
			kind ? kind : "");
		return EX_CONFIG;
	}
	return ret < 0 ? fail(&err) : EX_OK;
}

static int cmd_oauth_status(struct ctl *c)
{
	const struct config_oauth2 *o = &c->cfg->oauth2;
	struct token_record t = { 0 };
	char *expires = NULL, *problem = NULL;
	struct err err = { 0 };
	int got;

	if (!o->configured) {
		printf("OAuth2          not configured (imap.auth = \"%s\", smtp.auth = \"%s\")\n",
		       c->cfg->imap.auth, c->cfg->smtp.auth);
		return EX_OK;
	}
	printf("Provider        %s, grant %s\nToken endpoint  %s\nUsed by         "
	       "imap: %s, smtp: %s\n",
	       o->provider, o->grant, o->token_url,
	       strcmp(c->cfg->imap.auth, "oauth2") == 0 ? "yes" : "no",
	       strcmp(c->cfg->smtp.auth, "oauth2") == 0 ? "yes" : "no");
	if (strcmp(o->grant, "refresh_token") != 0)
		printf("Refresh token   not used (the client secret obtains each token)\n");
	else if ((got = tokenfile_load(o->token_file, &t, &err)) < 0)
		printf("Refresh token   unreadable: %s\n", err.text);
	else if (got == 0)
		printf("Refresh token   none yet: run admitctl oauth login\n");
	else
		printf("Refresh token   held since %s (%s), in %s%s\n", t.obtained, t.via,
		       o->token_file,
		       g_strcmp0(t.client_id, o->client_id) == 0
			       ? ""
			       : "; issued to another client_id: run admitctl oauth login");
	token_record_clear(&t);
	if (c->st != NULL && (store_state_get(c->st, "oauth2_access_expires", &expires, &err) < 0 ||
			      store_state_get(c->st, "oauth2_problem", &problem, &err) < 0)) {
		g_free(expires);
		return fail(&err);
	}
	printf("Access token    %s%s\n",
	       expires && *expires ? "held by admitd until " : "none held",
	       expires && *expires ? expires : "");
	printf("Problem         %s\n", problem && *problem ? problem : "none");
	g_free(expires);
	g_free(problem);
	return EX_OK;
}

static int dispatch(struct ctl *c, int argc, char **argv)
{
	const char *cmd = argv[0];

	if (strcmp(cmd, "status") == 0 && argc == 1)
		return cmd_status(c);
	if (strcmp(cmd, "list") == 0 && argc == 1)
		return print_apps(c, NULL);
	if (strcmp(cmd, "show") == 0 && argc == 2)
		return print_apps(c, argv[1]);
	if (strcmp(cmd, "outbox") == 0 && argc == 1)
		return cmd_outbox(c);
	if (strcmp(cmd, "history") == 0 && argc == 2)
		return cmd_history(c, argv[1]);
	if (strcmp(cmd, "decide") == 0 && argc == 3)
		return cmd_decide(c, argv[1], argv[2]);
	if (strcmp(cmd, "batch") == 0 && argc == 2 && strcmp(argv[1], "list") == 0)
		return cmd_batch_list(c);
	if (strcmp(cmd, "batch") == 0 && argc == 2 && strcmp(argv[1], "close") == 0)
		return cmd_batch_close(c);
	if (strcmp(cmd, "batch") == 0 && argc == 3 && strcmp(argv[1], "resend") == 0)
		return cmd_batch_resend(c, argv[2]);
	if (strcmp(cmd, "gdpr") == 0 && argc == 3 && strcmp(argv[1], "export") == 0)
		return cmd_gdpr_export(c, argv[2]);
	if (strcmp(cmd, "gdpr") == 0 && argc == 3 && strcmp(argv[1], "erase") == 0)
		return cmd_gdpr_erase(c, argv[2]);
	if (strcmp(cmd, "export") == 0 && argc == 1)
		return cmd_export(c);
	if (strcmp(cmd, "dossier") == 0 && argc == 1)
		return cmd_dossier(c);
	if (strcmp(cmd, "withdraw") == 0 && argc == 2)
		return cmd_withdraw(c, argv[1]);
	if (strcmp(cmd, "resend") == 0 && argc == 2)
		return cmd_resend(c, argv[1]);
	if (strcmp(cmd, "preview") == 0 && argc == 3)
		return cmd_preview(c, argv[1], argv[2]);
	if (strcmp(cmd, "oauth") == 0 && argc >= 2 && argc <= 3 && strcmp(argv[1], "login") == 0)
		return cmd_oauth_login(c, argc == 3 ? argv[2] : NULL);
	if (strcmp(cmd, "oauth") == 0 && argc == 2 && strcmp(argv[1], "status") == 0)
		return cmd_oauth_status(c);
	if (strcmp(cmd, "quarantine") == 0 && argc >= 2)
		return ctl_quarantine(c->cfg, c->st, argc - 1, argv + 1);
	fprintf(stderr, "admitctl: unknown command or wrong arguments: %s\n", cmd);
	usage(stderr);
	return EX_USAGE;
}

int main(int argc, char **argv)
{
	static const struct option options[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "json", no_argument, NULL, 'j' },
		{ "state", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ "force", no_argument, NULL, 'f' },
		{ "now", required_argument, NULL, 'n' },
		{ "csv", no_argument, NULL, 'v' },
		{ "batch", required_argument, NULL, 'b' },
		{ "yes", no_argument, NULL, 'y' },
		{ "out", required_argument, NULL, 'O' },
		{ "part", required_argument, NULL, 'p' },
		{ NULL, 0, NULL, 0 },
	};
	const char *config_path = DEFAULT_CONFIG;
	struct ctl c = { 0 };
	GString *problems = g_string_new(NULL);
	struct err err = { 0 };
	int opt, rc;

	/* Under systemd-run or a timer, log lines reach the journal with ADMITD_REF and friends. */
	log_init("admitctl");
	while ((opt = getopt_long(argc, argv, "c:h", options, NULL)) != -1) {
		switch (opt) {
		case 'c':
			config_path = optarg;
			break;
		case 'j':
			c.json = true;
			break;
		case 's':
			if (!app_state_parse(optarg, &c.filter.state)) {
				fprintf(stderr, "admitctl: --state %s: not a state\n", optarg);
				return EX_USAGE;
			}
			c.filter.by_state = true;
			break;
		case 'f':
			c.force = true;
			break;
		case 'v':
			c.csv = true;
			break;
		case 'y':
			c.yes = true;
			break;
		case 'O':
			c.out = optarg;
			break;
		case 'b': {
			char *end;

			c.batch = g_ascii_strtoll(optarg, &end, 10);
			if (*end != '\0' || c.batch <= 0) {
				fprintf(stderr, "admitctl: --batch %s: not a batch number\n",
					optarg);
				return EX_USAGE;
			}
			break;
		}
		case 'p': {
			char *end;
			gint64 part = g_ascii_strtoll(optarg, &end, 10);

			if (*end != '\0' || part <= 0 || part > 10000) {
				fprintf(stderr, "admitctl: --part %s: not a part number\n", optarg);
				return EX_USAGE;
			}
			c.part = (int)part;
			break;
		}
		case 'n':
			if (time_set_now_option("admitctl", optarg) < 0)
				return EX_USAGE;
			break;
		case 'h':
			usage(stdout);
			return EX_OK;
		default:
			usage(stderr);
			return EX_USAGE;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return EX_USAGE;
	}
	mail_library_init();
	/* admitctl changes the store (decide, withdraw, batch close, gdpr erase ...) but never
	 * talks to a mail server: admitd sends what it queues, so it needs no mail passwords. */
	/* oauth login is the exception: the token endpoint may want the client secret. */
	if (config_load(&c.cfg, config_path,
			strcmp(argv[optind], "oauth") == 0 ? CONFIG_OAUTH2_SECRET : 0,
			problems) < 0) {
		fputs(problems->str, stderr);
		g_string_free(problems, TRUE);
		return EX_CONFIG;
	}
	g_string_free(problems, TRUE);
	/* oauth works before admitd has ever run (and made the store): the login comes first. */
	if (strcmp(argv[optind], "oauth") == 0 && access(c.cfg->storage.database, F_OK) < 0)
		rc = dispatch(&c, argc - optind, argv + optind);
	else if (store_open(&c.st, c.cfg->storage.database, &err) < 0)
		rc = fail(&err);
	else
		rc = dispatch(&c, argc - optind, argv + optind);
	store_close(&c.st);
	config_free(&c.cfg);
	return rc;
}
