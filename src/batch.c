#include "batch.h"

#include "digest.h"
#include "log.h"
#include "timeutil.h"

void batch_window(const struct config *cfg, const GDate *day, GDate *opens_r, GDate *closes_r)
{
	int period = cfg->batches.period_days;
	int days = g_date_days_between(&cfg->batches.anchor, day);
	/* Floor division, so days before the anchor fall in the windows before it. */
	int k = days >= 0 ? days / period : -((-days + period - 1) / period);

	*opens_r = cfg->batches.anchor;
	if (k >= 0)
		g_date_add_days(opens_r, (guint)(k * period));
	else
		g_date_subtract_days(opens_r, (guint)(-k * period));
	*closes_r = *opens_r;
	g_date_add_days(closes_r, (guint)period);
}

int batch_for_time(struct store *st, const struct config *cfg, gint64 t, int64_t *batch_id_r,
		   char **closes_r, struct err *err)
{
	GDate day, opens, closes;
	char *opens_text, *closes_text;
	int ret;

	time_day(t, &day);
	batch_window(cfg, &day, &opens, &closes);
	opens_text = time_day_text(&opens);
	closes_text = time_day_text(&closes);
	ret = store_batch_for_window(st, opens_text, closes_text, batch_id_r, err);
	g_free(opens_text);
	if (ret < 0) {
		g_free(closes_text);
		return -1;
	}
	*closes_r = closes_text;
	return 0;
}

static int in_review_of(struct store *st, int64_t batch_id, GPtrArray **apps_r, struct err *err)
{
	struct app_filter f = { .by_state = true, .state = APP_IN_REVIEW, .batch_id = batch_id };

	return store_applications(st, &f, apps_r, err);
}

static int review_events(struct store *st, GPtrArray *apps, int64_t batch_id, gint64 now,
			 struct err *err)
{
	char *detail = g_strdup_printf("batch %" G_GINT64_FORMAT, batch_id);
	int ret = 0;

	for (guint i = 0; i < apps->len && ret == 0; i++)
		ret = store_event_add(st, ((struct app_row *)g_ptr_array_index(apps, i))->id,
				      app_state_name(APP_IN_REVIEW), detail, now, err);
	g_free(detail);
	return ret;
}

/* Everything inside the caller's transaction. */
static int close_in_tx(struct store *st, const struct config *cfg, int64_t id, gint64 now,
		       int *reviewed_r, struct err *err)
{
	struct batch_row b = { 0 };
	GPtrArray *apps = NULL;
	char *token = NULL, *mid = NULL;
	int ret = -1;

	if (store_batch_get(st, id, &b, err) != 1 ||
	    store_batch_start_review(st, id, now, err) < 0 || in_review_of(st, id, &apps, err) < 0)
		goto out;
	*reviewed_r = (int)apps->len;
	if (apps->len > 0 && (digest_token_new(&token, err) < 0 ||
			      digest_queue(st, cfg, &b, apps, token, now, &mid, err) < 0 ||
			      review_events(st, apps, id, now, err) < 0))
		goto out;
	ret = store_batch_close(st, id, token, mid, now, err);
out:
	if (apps != NULL)
		g_ptr_array_free(apps, TRUE);
	batch_row_clear(&b);
	g_free(token);
	g_free(mid);
	return ret;
}

int batch_close(struct store *st, const struct config *cfg, int64_t id, gint64 now, int *reviewed_r,
		struct err *err)
{
	*reviewed_r = 0;
	if (store_begin(st, err) < 0)
		return -1;
	if (close_in_tx(st, cfg, id, now, reviewed_r, err) < 0 || store_commit(st, err) < 0) {
		store_rollback(st);
		return -1;
	}
	log_info("batch closed batch=%" G_GINT64_FORMAT " applications=%d%s", id, *reviewed_r,
		 *reviewed_r ? " digest=queued" : "");
	return 0;
}

int batch_close_due(struct store *st, const struct config *cfg, gint64 now, int *closed_r,
		    struct err *err)
{
	GArray *ids = g_array_new(FALSE, FALSE, sizeof(int64_t));
	char *today_text = time_day_text_at(now);
	int ret;

	*closed_r = 0;
	ret = store_batches_due(st, today_text, ids, err);
	for (guint i = 0; ret == 0 && i < ids->len; i++) {
		int reviewed;

		ret = batch_close(st, cfg, g_array_index(ids, int64_t, i), now, &reviewed, err);
		*closed_r += ret == 0;
	}
	g_array_free(ids, TRUE);
	g_free(today_text);
	return ret;
}

int batch_current(struct store *st, gint64 now, struct batch_row *b_r, struct err *err)
{
	char *today_text = time_day_text_at(now);
	int64_t id;
	int found = store_batch_open_for_day(st, today_text, &id, err);

	g_free(today_text);
	return found == 1 ? store_batch_get(st, id, b_r, err) : found;
}

int batch_close_current(struct store *st, const struct config *cfg, gint64 now, int64_t *id_r,
			int *reviewed_r, struct err *err)
{
	struct batch_row b = { 0 };
	int found = batch_current(st, now, &b, err);

	*id_r = b.id;
	batch_row_clear(&b);
	if (found != 1)
		return found;
	return batch_close(st, cfg, *id_r, now, reviewed_r, err) < 0 ? -1 : 1;
}

static int remind_one(struct store *st, const struct config *cfg, int64_t id, gint64 now,
		      struct err *err)
{
	struct batch_row b = { 0 };
	GPtrArray *apps = NULL;
	int ret = -1, parts = 1;

	if (store_begin(st, err) < 0)
		return -1;
	if (store_batch_get(st, id, &b, err) == 1 && in_review_of(st, id, &apps, err) == 0 &&
	    store_batch_parts(st, id, &parts, err) == 0 &&
	    digest_queue_reminder(st, cfg, &b, apps, parts, now, err) == 0 &&
	    store_batch_set_reminded(st, id, now, err) == 0 && store_commit(st, err) == 0)
		ret = 0;
	else
		store_rollback(st);
	if (ret == 0)
		log_info("batch reminder batch=%" G_GINT64_FORMAT " undecided=%u", id, apps->len);
	if (apps != NULL)
		g_ptr_array_free(apps, TRUE);
	batch_row_clear(&b);
	return ret;
}

int batch_remind_due(struct store *st, const struct config *cfg, gint64 now, int *sent_r,
		     struct err *err)
{
	GArray *ids = g_array_new(FALSE, FALSE, sizeof(int64_t));
	gint64 cutoff = now - (gint64)cfg->batches.reminder_days * 86400;
	int ret = store_batches_to_remind(st, cutoff, ids, err);

	*sent_r = 0;
	for (guint i = 0; ret == 0 && i < ids->len; i++) {
		ret = remind_one(st, cfg, g_array_index(ids, int64_t, i), now, err);
		*sent_r += ret == 0;
	}
	g_array_free(ids, TRUE);
	return ret;
}

int batch_resend_in_tx(struct store *st, const struct config *cfg, int64_t id, gint64 now,
		       int *count_r, struct err *err)
{
	struct batch_row b = { 0 };
	GPtrArray *apps = NULL;
	char *mid = NULL;
	int found = store_batch_get(st, id, &b, err), ret = -1;

	if (found < 0)
		goto out;
	if (found == 0 || b.token == NULL) {
		err_set(err, ERR_CONFIG, "batch %" G_GINT64_FORMAT " %s", id,
			found == 0 ? "does not exist" : "has no digest (it is open or was empty)");
		goto out;
	}
	if (in_review_of(st, id, &apps, err) < 0)
		goto out;
	*count_r = (int)apps->len;
	ret = 0;
	if (apps->len > 0 && (ret = store_batch_new_round(st, &b, now, err)) == 0) {
		b.digest_round++;
		ret = digest_queue(st, cfg, &b, apps, b.token, now, &mid, err);
	}
out:
	if (apps != NULL)
		g_ptr_array_free(apps, TRUE);
	batch_row_clear(&b);
	g_free(mid);
	return ret;
}

int batch_resend(struct store *st, const struct config *cfg, int64_t id, gint64 now, int *count_r,
		 struct err *err)
{
	*count_r = 0;
	if (store_begin(st, err) < 0)
		return -1;
	if (batch_resend_in_tx(st, cfg, id, now, count_r, err) < 0 || store_commit(st, err) < 0) {
		store_rollback(st);
		return -1;
	}
	log_info("batch resend batch=%" G_GINT64_FORMAT " applications=%d", id, *count_r);
	return 0;
}
