#include "decide.h"

#include <string.h>

#include "letter.h"

const char *decide_result_name(enum decide_result r)
{
	switch (r) {
	case DECIDE_APPLIED:
		return "applied";
	case DECIDE_UNCHANGED:
		return "unchanged";
	case DECIDE_FINAL:
		return "final";
	case DECIDE_NOT_IN_REVIEW:
		return "not-in-review";
	case DECIDE_UNKNOWN:
		break;
	}
	return "unknown";
}

static enum decide_result judge(const char *state, const char *target, bool force)
{
	bool final = strcmp(state, "accepted") == 0 || strcmp(state, "discarded") == 0;

	if (strcmp(state, target) == 0)
		return DECIDE_UNCHANGED;
	if (strcmp(state, "in_review") == 0 || strcmp(state, "reserve") == 0 || force)
		return DECIDE_APPLIED;
	return final ? DECIDE_FINAL : DECIDE_NOT_IN_REVIEW;
}

/* The letter threads to the applicant's first message. */
static int queue_letter(struct store *st, const struct config *cfg, const struct app_row *a,
			const char *target, gint64 now, struct err *err)
{
	GHashTable *vars = letter_vars_new(cfg, a->name, a->email, a->ref, a->edition);
	struct compose_in in = {
		.template_name = target,
		.vars = vars,
		.to_addr = a->email,
		.to_name = a->name,
		.in_reply_to = a->thread_message_id,
		.auto_submitted = "auto-generated",
	};
	int ret = letter_queue(st, cfg, a->id, &in, now, NULL, err);

	g_hash_table_destroy(vars);
	return ret;
}

static int apply(struct store *st, const struct config *cfg, const struct decide_in *in,
		 const struct app_row *a, const char *target, gint64 now, struct err *err)
{
	struct decision_new d = {
		.application_id = a->id,
		.decision = decision_verdict_name(in->verdict),
		.previous_state = a->state,
		.decided_by = in->decided_by,
		.source_message_id = in->source_message_id,
		.forced = in->force && judge(a->state, target, false) != DECIDE_APPLIED,
	};
	char *detail = g_strdup_printf("by %s%s", in->decided_by, d.forced ? " (forced)" : "");
	int ret = -1;

	if (store_application_set_state(st, a->id, target, now, err) == 0 &&
	    store_decision_insert(st, &d, now, err) == 0 &&
	    store_event_add(st, a->id, target, detail, now, err) == 0 &&
	    queue_letter(st, cfg, a, target, now, err) == 0)
		ret = 0;
	g_free(detail);
	return ret;
}

int decide_apply(struct store *st, const struct config *cfg, const struct decide_in *in, gint64 now,
		 enum decide_result *result_r, char **state_r, struct err *err)
{
	struct app_filter f = { .ref = in->ref };
	const char *target = decision_verdict_state(in->verdict);
	GPtrArray *apps = NULL;
	const struct app_row *a;
	int ret = 0;

	*state_r = NULL;
	if (store_applications(st, &f, &apps, err) < 0)
		return -1;
	if (apps->len == 0) {
		*result_r = DECIDE_UNKNOWN;
		goto out;
	}
	a = g_ptr_array_index(apps, 0);
	*state_r = g_strdup(a->state);
	*result_r = judge(a->state, target, in->force);
	if (*result_r == DECIDE_APPLIED)
		ret = apply(st, cfg, in, a, target, now, err);
out:
	g_ptr_array_free(apps, TRUE);
	return ret;
}
