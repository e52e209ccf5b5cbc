#include "batch.h"

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
