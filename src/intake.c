#include "intake.h"

#include <string.h>

#include "batch.h"
#include "commission.h"
#include "compose.h"
#include "letter.h"
#include "documents.h"
#include "template.h"
#include "timeutil.h"

/* The application a message concerns, as intake builds or finds it. */
struct app_ctx {
	int64_t id;
	char *ref;             /* owned */
	const struct edition *edition; /* borrowed from cfg, NULL: outside every edition */
	gint64 received_at;    /* of the message in hand */
};

int intake_ledger(struct store *st, const struct intake_source *src, const char *outcome,
		  const char *detail, int64_t app_id, gint64 now, int64_t *id_r, struct err *err)
{
	const struct mail *m = src->mail;
	struct ledger_entry e = {
		.uidvalidity = src->uidvalidity,
		.uid = src->uid,
		.message_id = m ? m->message_id : NULL,
		.sha256 = src->sha256,
		.spool_path = src->spool_path,
		.sender = m ? m->from_addr : NULL,
		.subject = m ? m->subject : NULL,
		.outcome = outcome,
		.detail = detail,
		.application_id = app_id,
		.received_at = m && m->received_at ? m->received_at : now,
	};
	int64_t id;

	return store_ledger_insert(st, &e, id_r ? id_r : &id, err);
}

static int add_documents(struct store *st, const struct mail *m, int64_t app_id,
			 int64_t ledger_id, gint64 now, struct err *err)
{
	for (guint i = 0; i < m->attachments->len; i++) {
		const struct mail_attachment *a = g_ptr_array_index(m->attachments, i);
		struct doc_new d = {
			.kind = documents_kind_name(documents_classify_name(a->filename)),
			.filename = a->filename,
			.content_type = a->content_type,
			.sha256 = a->sha256,
			.path = a->path,
			.size = a->size,
			.pages = -1,
		};

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
	struct compose_in in = {
		.template_name = template_name,
		.vars = vars,
		.to_addr = m->from_addr,
		.to_name = m->from_name,
		.in_reply_to = m->message_id,
		.references = m->references,
		.auto_submitted = "auto-replied",
	};

	return letter_queue(st, cfg, app->id, &in, now, NULL, err);
}

/* Decides state, batch and problems from the documents the application now holds, and queues
 * the reply that tells the applicant where they stand. */
static int settle(struct store *st, const struct config *cfg, const struct mail *m,
		  struct app_ctx *app, gint64 now, struct intake_result *res, struct err *err)
{
	GHashTable *vars = reply_vars(cfg, m, app);
	bool cv, letter;
	int64_t batch_id = 0;
	char *closes = NULL, *missing = NULL, *problems = NULL;
	const char *state;
	gint64 completed_at = 0;
	int ret = -1;

	if (store_document_kinds(st, app->id, &cv, &letter, err) < 0)
		goto out;
	problems = g_strjoin(" ", cv ? "" : "missing-cv", letter ? "" : "missing-letter", NULL);
	g_strstrip(problems);
	if (app->edition == NULL) {
		state = "next_edition";
		res->reply = "next_edition";
	} else if (cv && letter) {
		state = "pending";
		res->reply = "acknowledgement";
		completed_at = app->received_at;
		if (batch_for_time(st, cfg, completed_at, &batch_id, &closes, err) < 0)
			goto out;
		g_hash_table_insert(vars, "batch_closes", g_strdup(closes));
	} else {
		state = "incomplete";
		res->reply = "incomplete";
		if (letter_missing_text(cfg, cv, letter, &missing, err) < 0)
			goto out;
		g_hash_table_insert(vars, "missing", g_strdup(missing));
	}
	if (store_application_update(st, app->id, state, batch_id, problems, completed_at, now,
				     err) < 0 ||
	    queue_reply(st, cfg, m, app, res->reply, vars, now, err) < 0 ||
	    store_event_add(st, app->id, state, problems, now, err) < 0)
		goto out;
	res->state = g_strdup(state);
	ret = 0;
out:
	g_hash_table_destroy(vars);
	g_free(closes);
	g_free(missing);
	g_free(problems);
	return ret;
}

static int new_application(struct store *st, const struct config *cfg,
			   const struct intake_source *src, int64_t applicant_id,
			   struct app_ctx *app, gint64 now, struct err *err)
{
	const struct mail *m = src->mail;
	GDate day;
	char *prefix;
	int64_t n;
	int ret;

	time_day(app->received_at, &day);
	app->edition = config_edition_on(cfg, &day);
	prefix = g_strdup_printf("%s-%04u", cfg->programme.reference_prefix, g_date_get_year(&day));
	ret = store_reference_next(st, prefix, &n, err);
	if (ret == 0) {
		app->ref = g_strdup_printf("%s-%04" G_GINT64_FORMAT, prefix, n);
		struct app_new row = {
			.ref = app->ref,
			.applicant_id = applicant_id,
			.edition = app->edition ? app->edition->name : NULL,
			.state = "incomplete",
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

/* An applicant's mail: a new application, or more documents for the one under way. */
static int from_applicant(struct store *st, const struct config *cfg,
			  const struct intake_source *src, gint64 now, struct intake_result *res,
			  struct err *err)
{
	const struct mail *m = src->mail;
	struct app_ctx app = { .received_at = m->received_at ? m->received_at : now };
	int64_t applicant_id, ledger_id;
	char *state = NULL;
	int found, ret = -1;

	if (store_applicant_upsert(st, m->from_addr, m->from_name, now, &applicant_id, err) < 0)
		return -1;
	found = store_application_find_active(st, applicant_id, &app.id, &app.ref, &state, err);
	if (found < 0)
		return -1;
	if (found == 1 && strcmp(state, "incomplete") != 0) {
		/* Already complete: keep the mail with the application; issue #4 decides what a
		 * resubmission changes. */
		res->outcome = "followup";
		res->ref = g_strdup(app.ref);
		res->state = g_strdup(state);
		ret = intake_ledger(st, src, "followup", NULL, app.id, now, NULL, err);
		if (ret == 0)
			ret = store_event_add(st, app.id, "followup", m->message_id, now, err);
		goto out;
	}
	if (found == 1) {
		/* The missing documents arrive: the edition is the one open when it is complete. */
		GDate day;

		res->outcome = "followup";
		time_day(app.received_at, &day);
		app.edition = config_edition_on(cfg, &day);
	} else {
		res->outcome = "application";
		if (new_application(st, cfg, src, applicant_id, &app, now, err) < 0)
			goto out;
	}
	res->ref = g_strdup(app.ref);
	if (intake_ledger(st, src, res->outcome, NULL, app.id, now, &ledger_id, err) < 0 ||
	    add_documents(st, m, app.id, ledger_id, now, err) < 0)
		goto out;
	ret = settle(st, cfg, m, &app, now, res, err);
out:
	g_free(app.ref);
	g_free(state);
	return ret;
}

int intake_file(struct store *st, const struct config *cfg, const struct intake_source *src,
		gint64 now, struct intake_result *res, struct err *err)
{
	const struct mail *m = src->mail;
	int64_t dup_id;
	int found;

	*res = (struct intake_result){ 0 };
	found = store_ledger_find_content(st, m ? m->message_id : NULL, src->sha256, &dup_id, err);
	if (found < 0)
		return -1;
	if (found == 1) {
		res->outcome = "duplicate";
		return intake_ledger(st, src, "duplicate", NULL, 0, now, NULL, err);
	}
	if (m == NULL) {
		res->outcome = "quarantined";
		return intake_ledger(st, src, "quarantined", src->unreadable, 0, now, NULL, err);
	}
	if (m->automatic != NULL) {
		res->outcome = "ignored";
		return intake_ledger(st, src, "ignored", m->automatic, 0, now, NULL, err);
	}
	found = commission_concerns(st, cfg, m, err);
	if (found < 0)
		return -1;
	if (found == 1)
		return commission_reply(st, cfg, src, now, res, err);
	return from_applicant(st, cfg, src, now, res, err);
}

void intake_result_clear(struct intake_result *res)
{
	g_free(res->ref);
	g_free(res->state);
	*res = (struct intake_result){ 0 };
}
