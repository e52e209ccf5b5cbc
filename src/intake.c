#include "intake.h"

#include <string.h>

#include "assessment.h"
#include "batch.h"
#include "commission.h"
#include "confirm.h"
#include "compose.h"
#include "letter.h"
#include "log.h"
#include "docread.h"
#include "documents.h"
#include "template.h"
#include "timeutil.h"

/* The application a message concerns, as intake builds or finds it. */
struct app_ctx {
	int64_t id;
	char *ref;		       /* owned */
	const struct edition *edition; /* borrowed from cfg, NULL: outside every edition */
	gint64 received_at;	       /* of the message in hand */
};

static int add_documents(struct store *st, GArray *plan, int64_t app_id, int64_t ledger_id,
			 bool replace, bool late, gint64 now, struct err *err)
{
	for (guint i = 0; i < plan->len; i++) {
		const struct doc_plan *p = &g_array_index(plan, struct doc_plan, i);
		struct doc_new d = {
			.kind = documents_kind_name(p->kind),
			.filename = p->att->filename,
			.content_type = p->att->content_type,
			.sha256 = p->att->sha256,
			.path = p->att->path,
			.offset = p->att->offset,
			.format = docread_format_name(p->facts->format),
			.problem = p->problem,
			.size = p->att->size,
			.pages = p->facts->pages,
			.superseded = late,
		};

		/* A resubmission replaces the document of the same kind; the old one stays. */
		if (replace && p->kind != DOC_OTHER &&
		    store_documents_supersede(st, app_id, d.kind, err) < 0)
			return -1;
		if (store_document_insert(st, app_id, ledger_id, &d, now, err) < 0)
			return -1;
	}
	return 0;
}

static GHashTable *reply_vars(const struct config *cfg, const struct mail *m,
			      const struct app_ctx *app)
{
	return letter_vars_new(cfg, m->from_name, m->from_addr, app->ref,
			       app->edition ? app->edition->name : NULL);
}

static int queue_reply(struct store *st, const struct config *cfg, const struct mail *m,
		       const struct app_ctx *app, const char *template_name, GHashTable *vars,
		       gint64 now, struct err *err)
{
	return letter_queue_answer(st, cfg, app->id, m, m->from_addr, m->from_name, template_name,
				   vars, true, now, err);
}

/* {{notes}}: a polite paragraph about each problem the commission will see. */
static int notes_text(const struct config *cfg, const char *problems, char **text_r,
		      struct err *err)
{
	static const char *const notable[] = { "cv-too-long", "letter-too-long",
					       "unreadable-document", "unsupported-format" };
	GString *out = g_string_new(NULL);

	for (size_t i = 0; i < G_N_ELEMENTS(notable); i++) {
		char *name, *text = NULL;
		int ret;

		if (strstr(problems, notable[i]) == NULL)
			continue;
		name = g_strconcat("note-", notable[i], NULL);
		ret = template_snippet(cfg->templates.search, name, NULL, &text, err);
		g_free(name);
		if (ret < 0) {
			g_string_free(out, TRUE);
			return -1;
		}
		g_string_append_printf(out, "\n%s\n", text);
		g_free(text);
	}
	*text_r = g_string_free(out, FALSE);
	return 0;
}

/* Decides state, batch and problems from the documents the application now holds, and queues
 * the reply that tells the applicant where they stand (`complete_reply` when complete). */
static int settle(struct store *st, const struct config *cfg, const struct mail *m,
		  struct app_ctx *app, const char *complete_reply, gint64 now,
		  struct ledger_result *res, struct err *err)
{
	GHashTable *vars = reply_vars(cfg, m, app);
	struct assessment a = { 0 };
	int64_t batch_id = 0;
	char *closes = NULL, *missing = NULL, *notes = NULL;
	enum app_state state;
	gint64 completed_at = 0;
	int ret = -1;

	if (assessment_of(st, app->ref, &a, err) < 0 ||
	    notes_text(cfg, a.problems->str, &notes, err) < 0)
		goto out;
	g_hash_table_insert(vars, "notes", g_strdup(notes));
	if (app->edition == NULL) {
		state = APP_NEXT_EDITION;
		res->reply = "next-edition";
	} else if (a.cv && a.letter) {
		state = APP_PENDING;
		res->reply = complete_reply;
		completed_at = app->received_at;
		if (batch_for_time(st, cfg, completed_at, &batch_id, &closes, err) < 0)
			goto out;
		g_hash_table_insert(vars, "batch_closes", g_strdup(closes));
	} else {
		state = APP_INCOMPLETE;
		res->reply = "incomplete";
		if (letter_missing_text(cfg, a.cv, a.letter, &missing, err) < 0)
			goto out;
		g_hash_table_insert(vars, "missing", g_strdup(missing));
	}
	if (store_application_update(st, app->id, state, batch_id, a.problems->str, completed_at,
				     now, err) < 0 ||
	    queue_reply(st, cfg, m, app, res->reply, vars, now, err) < 0 ||
	    store_event_add(st, app->id, app_state_name(state), a.problems->str, now, err) < 0)
		goto out;
	res->state = app_state_name(state);
	ret = 0;
out:
	g_hash_table_destroy(vars);
	assessment_clear(&a);
	g_free(closes);
	g_free(missing);
	g_free(notes);
	return ret;
}

static int new_application(struct store *st, const struct config *cfg,
			   const struct ledger_source *src, int64_t applicant_id,
			   struct app_ctx *app, gint64 now, struct err *err)
{
	const struct mail *m = src->mail;
	GDate day;
	char *prefix;
	int64_t n;
	int ret;

	/* app->edition is already that of the received day (from_applicant). */
	time_day(app->received_at, &day);
	prefix = g_strdup_printf("%s-%04u", cfg->programme.reference_prefix, g_date_get_year(&day));
	ret = store_reference_next(st, prefix, &n, err);
	if (ret == 0) {
		app->ref = g_strdup_printf("%s-%04" G_GINT64_FORMAT, prefix, n);
		struct app_new row = {
			.ref = app->ref,
			.applicant_id = applicant_id,
			.edition = app->edition ? app->edition->name : NULL,
			.state = APP_INCOMPLETE,
			.problems = "",
			.received_at = app->received_at,
			.thread_message_id = m->message_id,
		};
		ret = store_application_insert(st, &row, now, &app->id, err);
	}
	if (ret == 0)
		ret = store_event_add(st, app->id, "received", m->message_id, now, err);
	g_free(prefix);
	return ret;
}

/* An applicant who writes from another address, replying to one of our letters: the thread
 * names the application. */
static int find_by_thread(struct store *st, const struct mail *m, struct app_ctx *app,
			  enum app_state *state_r, struct err *err)
{
	GPtrArray *ids = mail_thread_ids(m);
	int found = 0;

	for (guint i = 0; i < ids->len && found == 0; i++)
		found = store_application_by_reply(st, g_ptr_array_index(ids, i), &app->id,
						   &app->ref, state_r, err);
	g_ptr_array_free(ids, TRUE);
	return found;
}

/* A message that opens no application, answered with `name` (the outcome, the template and
 * the ledger's word at once): a question (how to apply), or mail too large to download (how
 * to send less). extra_name: one more variable (extra_value owned, given to it), or NULL. */
static int answer_only(struct store *st, const struct config *cfg, const struct ledger_source *src,
		       const char *name, const char *detail, const char *extra_name,
		       char *extra_value, gint64 now, struct ledger_result *res, struct err *err)
{
	const struct mail *m = src->mail;
	struct app_ctx none = { 0 };
	GHashTable *vars = letter_vars_new(cfg, m->from_name, m->from_addr, "", NULL);
	int ret;

	if (extra_name != NULL)
		g_hash_table_insert(vars, (gpointer)extra_name, extra_value);
	res->outcome = name;
	res->reply = name;
	ret = ledger_record(st, src, name, detail, 0, now, NULL, err);
	if (ret == 0)
		ret = queue_reply(st, cfg, m, &none, name, vars, now, err);
	g_hash_table_destroy(vars);
	return ret;
}

/* A question, not an application: tell how to apply, file nothing else. */
static int inquiry(struct store *st, const struct config *cfg, const struct ledger_source *src,
		   gint64 now, struct ledger_result *res, struct err *err)
{
	return answer_only(st, cfg, src, "inquiry", NULL, NULL, NULL, now, res, err);
}

/* Documents for an application already under review: kept, not used, the applicant told. */
static int late_documents(struct store *st, const struct config *cfg,
			  const struct ledger_source *src, GArray *plan, struct app_ctx *app,
			  int64_t ledger_id, gint64 now, struct ledger_result *res, struct err *err)
{
	GHashTable *vars;
	int ret;

	if (plan->len == 0)
		return store_event_add(st, app->id, "followup", src->mail->message_id, now, err);
	vars = reply_vars(cfg, src->mail, app);
	res->reply = "late-documents";
	ret = add_documents(st, plan, app->id, ledger_id, false, true, now, err);
	if (ret == 0)
		ret = store_event_add(st, app->id, "late-documents", src->mail->message_id, now,
				      err);
	if (ret == 0)
		ret = queue_reply(st, cfg, src->mail, app, "late-documents", vars, now, err);
	g_hash_table_destroy(vars);
	return ret;
}

/* Drops from the plan the documents the application holds already (sent again); returns how
 * many were dropped, or -1. */
static int drop_held(struct store *st, GArray *plan, int64_t app_id, struct err *err)
{
	int dropped = 0;

	for (guint i = plan->len; i-- > 0;) {
		const struct doc_plan *p = &g_array_index(plan, struct doc_plan, i);
		int held = store_document_current(st, app_id, NULL, p->att->sha256, err);

		if (held < 0)
			return -1;
		if (held == 1) {
			g_array_remove_index(plan, i);
			dropped++;
		}
	}
	return dropped;
}

/* The same documents again: nothing changes, and "we already have these" goes at most once a
 * day to an address, never a letter that claims a change. */
static int resent(struct store *st, const struct config *cfg, const struct mail *m,
		  struct app_ctx *app, enum app_state state, gint64 now, struct ledger_result *res,
		  struct err *err)
{
	GHashTable *vars;
	int count = 0, ret;

	res->state = app_state_name(state);
	if (store_event_add(st, app->id, "resent", m->message_id, now, err) < 0 ||
	    store_outbox_count_template(st, "unchanged", m->from_addr, now - 86400, &count, err) <
		    0)
		return -1;
	if (count > 0)
		return 0;
	vars = reply_vars(cfg, m, app);
	res->reply = "unchanged";
	ret = queue_reply(st, cfg, m, app, "unchanged", vars, now, err);
	g_hash_table_destroy(vars);
	return ret;
}

/* Whether the plan would replace a document the application holds (a CV when it has one). */
static int replaces_documents(struct store *st, GArray *plan, int64_t app_id, struct err *err)
{
	for (guint i = 0; i < plan->len; i++) {
		const struct doc_plan *p = &g_array_index(plan, struct doc_plan, i);
		int held;

		if (p->kind == DOC_OTHER)
			continue;
		held = store_document_current(st, app_id, documents_kind_name(p->kind), NULL, err);
		if (held != 0)
			return held;
	}
	return 0;
}

/* Who may change an application (confirm.h): a mail in our thread with its sender, or one
 * found by its thread at all (it answers our letter). Such a mail also applies a change that
 * waited for it, and its display name counts. Returns 1 (trusted), 0, or -1; *confirmed_r
 * says whether a waiting change was applied. */
static int trust(struct store *st, const struct mail *m, const struct app_ctx *app,
		 int64_t applicant_id, bool by_thread, gint64 now, int *confirmed_r,
		 struct err *err)
{
	int trusted = by_thread ? 1 : confirm_in_thread(st, m, m->from_addr, err);

	*confirmed_r = 0;
	if (trusted != 1)
		return trusted;
	if ((*confirmed_r = confirm_apply(st, m, app->id, by_thread ? 0 : applicant_id, now, err)) <
	    0)
		return -1;
	if (!by_thread && m->from_name[0] != '\0' &&
	    store_applicant_rename(st, applicant_id, m->from_name, err) < 0)
		return -1;
	return 1;
}

/* Mail for an application that still takes documents: a note, a confirmation, new documents,
 * or a replacement that waits for the applicant to confirm it. */
static int to_open_application(struct store *st, const struct config *cfg,
			       const struct ledger_source *src, GArray *plan, struct app_ctx *app,
			       enum app_state state, int64_t applicant_id, bool by_thread,
			       int64_t ledger_id, gint64 now, struct ledger_result *res,
			       struct err *err)
{
	const struct mail *m = src->mail;
	int confirmed, replaces = 0;
	int trusted = trust(st, m, app, applicant_id, by_thread, now, &confirmed, err);

	if (trusted < 0 ||
	    (trusted == 0 && (replaces = replaces_documents(st, plan, app->id, err)) < 0))
		return -1;
	res->state = app_state_name(state);
	if (plan->len == 0 && !confirmed) /* a note without documents: the office reads it */
		return store_event_add(st, app->id, "followup", m->message_id, now, err);
	if (replaces) {
		res->reply = "confirm-change";
		if (add_documents(st, plan, app->id, ledger_id, false, true, now, err) < 0)
			return -1;
		return confirm_ask(st, cfg, m, app->id, app->ref,
				   app->edition ? app->edition->name : NULL, ledger_id, now, err);
	}
	if (add_documents(st, plan, app->id, ledger_id, true, false, now, err) < 0)
		return -1;
	return settle(st, cfg, m, app, state != APP_INCOMPLETE ? "updated" : "acknowledgement", now,
		      res, err);
}

/* An applicant's mail: a new application, more documents for the one under way, or a
 * replacement of documents before its batch closes. */
static int from_applicant(struct store *st, const struct config *cfg,
			  const struct ledger_source *src, gint64 now, struct ledger_result *res,
			  struct err *err)
{
	const struct mail *m = src->mail;
	struct app_ctx app = { .received_at = m->received_at ? m->received_at : now };
	GArray *plan = documents_plan(m, src->facts);
	int64_t applicant_id, ledger_id;
	enum app_state state = APP_INCOMPLETE;
	int found, dropped = 0, ret = -1;
	bool open, by_thread = false;
	GDate day;

	time_day(app.received_at, &day);
	app.edition = config_edition_on(cfg, &day);
	if (store_applicant_upsert(st, m->from_addr, m->from_name, now, &applicant_id, err) < 0 ||
	    (found = store_application_find_active(st, applicant_id, &app.id, &app.ref, &state,
						   err)) < 0)
		goto out;
	/* Not the sender's own: an answer to one of our letters about another's application. */
	by_thread = found == 0;
	if (found == 0 && (found = find_by_thread(st, m, &app, &state, err)) < 0)
		goto out;
	by_thread = by_thread && found == 1;
	if (found == 0 && plan->len == 0) {
		ret = inquiry(st, cfg, src, now, res, err);
		goto out;
	}
	if (found == 0 && new_application(st, cfg, src, applicant_id, &app, now, err) < 0)
		goto out;
	res->outcome = found ? "followup" : "application";
	res->ref = g_strdup(app.ref);
	if (ledger_record(st, src, res->outcome, NULL, app.id, now, &ledger_id, err) < 0 ||
	    (found == 1 && (dropped = drop_held(st, plan, app.id, err)) < 0))
		goto out;
	if (dropped > 0 && plan->len == 0) {
		ret = resent(st, cfg, m, &app, state, now, res, err);
		goto out;
	}
	/* Before its batch closes an application takes new documents; after, they are kept. */
	open = found == 0 || app_state_is(state, APP_TAKES_DOCUMENTS);
	if (!open) {
		res->state = app_state_name(state);
		ret = late_documents(st, cfg, src, plan, &app, ledger_id, now, res, err);
		goto out;
	}
	if (found == 1) {
		ret = to_open_application(st, cfg, src, plan, &app, state, applicant_id, by_thread,
					  ledger_id, now, res, err);
		goto out;
	}
	if (add_documents(st, plan, app.id, ledger_id, false, false, now, err) < 0)
		goto out;
	ret = settle(st, cfg, m, &app, "acknowledgement", now, res, err);
out:
	g_array_free(plan, TRUE);
	g_free(app.ref);
	return ret;
}

/* A delivery report about letters we sent: those rows fail, their recipients are marked. */
static int record_bounces(struct store *st, const struct mail *m, gint64 now, struct err *err)
{
	for (guint i = 0; i < m->reported_ids->len; i++) {
		const char *id = g_ptr_array_index(m->reported_ids, i);
		char *reason = g_strdup_printf("bounced: %s", m->subject);
		int changed = store_outbox_bounce(st, id, reason, now, err);

		g_free(reason);
		if (changed < 0)
			return -1;
		if (changed > 0)
			log_warn("outbox bounce message_id=<%s>: %s", id, m->subject);
	}
	return 0;
}

/* Not downloaded: the sender is told how to send less. */
static int too_large(struct store *st, const struct config *cfg, const struct ledger_source *src,
		     gint64 now, struct ledger_result *res, struct err *err)
{
	char *detail = g_strdup_printf("larger than %d bytes", cfg->limits.max_message_bytes);
	char *mb = g_strdup_printf("%d", cfg->limits.max_message_bytes / (1024 * 1024));
	int ret = answer_only(st, cfg, src, "too-large", detail, "limit_mb", mb, now, res, err);

	g_free(detail);
	return ret;
}

int intake_file(struct store *st, const struct config *cfg, const struct ledger_source *src,
		gint64 now, struct ledger_result *res, struct err *err)
{
	const struct mail *m = src->mail;
	int64_t dup_id;
	int found;

	*res = (struct ledger_result){ 0 };
	found = store_ledger_find_content(st, m ? m->message_id : NULL, m ? m->from_addr : NULL,
					  src->sha256, &dup_id, err);
	if (found < 0)
		return -1;
	if (found == 1) {
		res->outcome = "duplicate";
		return ledger_record(st, src, "duplicate", NULL, 0, now, NULL, err);
	}
	if (m == NULL) {
		res->outcome = "quarantined";
		return ledger_record(st, src, "quarantined", src->unreadable, 0, now, NULL, err);
	}
	if (m->automatic != NULL) {
		res->outcome = "ignored";
		if (ledger_record(st, src, "ignored", m->automatic, 0, now, NULL, err) < 0)
			return -1;
		return record_bounces(st, m, now, err);
	}
	if (src->too_large)
		return too_large(st, cfg, src, now, res, err);
	found = commission_concerns(st, cfg, m, err);
	if (found < 0)
		return -1;
	if (found == 1)
		return commission_reply(st, cfg, src, now, res, err);
	return from_applicant(st, cfg, src, now, res, err);
}
