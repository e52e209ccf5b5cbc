#include "application.h"

#include <string.h>

#include "letter.h"

const char *application_result_name(enum application_result r)
{
	switch (r) {
	case APPLICATION_APPLIED:
		return "applied";
	case APPLICATION_UNCHANGED:
		return "unchanged";
	case APPLICATION_FINAL:
		return "final";
	case APPLICATION_NOT_IN_REVIEW:
		return "not-in-review";
	case APPLICATION_OTHER_BATCH:
		return "other-batch";
	case APPLICATION_OTHER_PART:
		return "other-part";
	case APPLICATION_UNKNOWN:
		break;
	}
	return "unknown";
}

static enum application_result judge(enum app_state from, enum app_state to, bool force)
{
	if (from == to)
		return APPLICATION_UNCHANGED;
	if ((app_state_is(from, APP_DECIDABLE) && app_state_may_move(from, to)) || force)
		return APPLICATION_APPLIED;
	return app_state_is(from, APP_FINAL) ? APPLICATION_FINAL : APPLICATION_NOT_IN_REVIEW;
}

/* The letter named for the new state, threaded to the applicant's first message. */
static int queue_letter(struct store *st, const struct config *cfg, const struct app_row *a,
			enum app_state to, gint64 now, struct err *err)
{
	GHashTable *vars = letter_vars_new(cfg, a->name, a->email, a->ref, a->edition);
	int ret = letter_queue_to_applicant(st, cfg, a, app_state_name(to), vars, now, err);

	g_hash_table_destroy(vars);
	return ret;
}

/* The state, its audit event and its letter. */
static int move(struct store *st, const struct config *cfg, const struct app_row *a,
		enum app_state to, const char *detail, gint64 now, struct err *err)
{
	if (store_application_set_state(st, a->id, to, now, err) < 0 ||
	    store_event_add(st, a->id, app_state_name(to), detail, now, err) < 0)
		return -1;
	return queue_letter(st, cfg, a, to, now, err);
}

static int record_decision(struct store *st, const struct application_decision *in,
			   const struct app_row *a, bool forced, gint64 now, struct err *err)
{
	struct decision_new d = {
		.application_id = a->id,
		.decision = decision_verdict_name(in->verdict),
		.previous_state = a->state,
		.decided_by = in->decided_by,
		.source_message_id = in->source_message_id,
		.reason = in->reason,
		.forced = forced,
	};

	return store_decision_insert(st, &d, now, err);
}

/* The application `ref` (owned by the caller, free with app_row_free), or NULL when there is
 * none; -1 on error. */
static int find(struct store *st, const char *ref, struct app_row **a_r, struct err *err)
{
	struct app_filter f = { .ref = ref };
	GPtrArray *apps = NULL;

	*a_r = NULL;
	if (store_applications(st, &f, &apps, err) < 0)
		return -1;
	if (apps->len > 0)
		*a_r = g_ptr_array_steal_index(apps, 0);
	g_ptr_array_free(apps, TRUE);
	return 0;
}

int application_decide(struct store *st, const struct config *cfg,
		       const struct application_decision *d, gint64 now,
		       enum application_result *result_r, enum app_state *before_r, struct err *err)
{
	enum app_state to = decision_verdict_state(d->verdict);
	struct app_row *a;
	char *detail;
	int ret = 0;

	if (find(st, d->ref, &a, err) < 0)
		return -1;
	*result_r = APPLICATION_UNKNOWN;
	if (a == NULL)
		return 0;
	*before_r = a->state;
	if (d->batch_id != 0 && a->batch_id != d->batch_id)
		*result_r = APPLICATION_OTHER_BATCH;
	else if (d->digest_part != 0 && a->digest_part != d->digest_part)
		*result_r = APPLICATION_OTHER_PART;
	else
		*result_r = judge(a->state, to, d->force);
	if (*result_r == APPLICATION_APPLIED) {
		bool forced = d->force && judge(a->state, to, false) != APPLICATION_APPLIED;

		detail = g_strdup_printf("by %s%s%s%s", d->decided_by, forced ? " (forced)" : "",
					 d->reason ? ": " : "", d->reason ? d->reason : "");
		ret = record_decision(st, d, a, forced, now, err);
		if (ret == 0)
			ret = move(st, cfg, a, to, detail, now, err);
		g_free(detail);
	}
	app_row_free(a);
	return ret;
}

int application_withdraw(struct store *st, const struct config *cfg, const char *ref,
			 const char *by, gint64 now, enum application_result *result_r,
			 enum app_state *before_r, struct err *err)
{
	struct app_row *a;
	char *detail;
	int ret = 0;

	if (find(st, ref, &a, err) < 0)
		return -1;
	*result_r = APPLICATION_UNKNOWN;
	if (a == NULL)
		return 0;
	*before_r = a->state;
	if (a->state == APP_WITHDRAWN)
		*result_r = APPLICATION_UNCHANGED;
	else if (!app_state_may_move(a->state, APP_WITHDRAWN))
		*result_r = APPLICATION_FINAL;
	else {
		*result_r = APPLICATION_APPLIED;
		detail = g_strdup_printf("by %s", by);
		ret = move(st, cfg, a, APP_WITHDRAWN, detail, now, err);
		g_free(detail);
	}
	app_row_free(a);
	return ret;
}
