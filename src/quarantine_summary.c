/* quarantine_summary.c — the office hears of newly quarantined mail in one letter a day at
 * most (quarantine.h), listing each with its reason and how to look at it or release it. */
#include "quarantine.h"

#include "letter.h"
#include "log.h"
#include "template.h"
#include "timeutil.h"

#define SUMMARY_EVERY (24 * 3600)

static GHashTable *row_vars(const void *row, const void *ctx)
{
	const struct quarantine_row *q = row;
	GHashTable *vars = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, g_free);

	(void)ctx;
	g_hash_table_insert(vars, "id", g_strdup_printf("%" G_GINT64_FORMAT, q->id));
	g_hash_table_insert(vars, "received", g_strdup(q->received_at));
	g_hash_table_insert(vars, "reason", g_strdup(q->reason ? q->reason : ""));
	return vars;
}

/* The quarantined rows after the last one reported. */
static int new_rows(struct store *st, int64_t told, GPtrArray **rows_r, struct err *err)
{
	GPtrArray *all = NULL;

	if (store_quarantine_list(st, &all, err) < 0)
		return -1;
	*rows_r = g_ptr_array_new_with_free_func(quarantine_row_free);
	for (guint i = 0; i < all->len; i++)
		if (((struct quarantine_row *)g_ptr_array_index(all, i))->id > told)
			g_ptr_array_add(*rows_r, g_ptr_array_steal_index(all, i--));
	g_ptr_array_free(all, TRUE);
	return 0;
}

static int queue_summary(struct store *st, const struct config *cfg, GPtrArray *rows, gint64 now,
			 struct err *err)
{
	GHashTable *vars = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, g_free);
	const struct quarantine_row *last = g_ptr_array_index(rows, rows->len - 1);
	char *list = NULL, *told = g_strdup_printf("%" G_GINT64_FORMAT, last->id);
	char *at = g_strdup_printf("%" G_GINT64_FORMAT, now);
	int ret = template_snippet_rows(cfg->templates.search, "quarantine-row", rows, row_vars,
					NULL, &list, err);

	g_hash_table_insert(vars, "programme", g_strdup(cfg->programme.name));
	g_hash_table_insert(vars, "count", g_strdup_printf("%u", rows->len));
	g_hash_table_insert(vars, "messages", list);
	struct compose_in in = letter_internal("quarantine-summary", vars,
					       cfg->programme.office_address);
	if (ret == 0 && store_begin(st, err) == 0) {
		if (letter_queue(st, cfg, 0, &in, now, NULL, err) < 0 ||
		    store_state_set(st, "quarantine_told_id", told, err) < 0 ||
		    store_state_set(st, "quarantine_told_at", at, err) < 0 ||
		    store_commit(st, err) < 0) {
			store_rollback(st);
			ret = -1;
		}
	} else {
		ret = -1;
	}
	g_hash_table_destroy(vars);
	g_free(told);
	g_free(at);
	return ret;
}

int quarantine_summary(struct store *st, const struct config *cfg, gint64 now, int *sent_r,
		       struct err *err)
{
	char *told = NULL, *at = NULL;
	GPtrArray *rows = NULL;
	int ret = 0;

	*sent_r = 0;
	if (cfg->programme.office_address == NULL)
		return 0;
	if (store_state_get(st, "quarantine_told_id", &told, err) < 0 ||
	    store_state_get(st, "quarantine_told_at", &at, err) < 0)
		ret = -1;
	else if (at != NULL && now - g_ascii_strtoll(at, NULL, 10) < SUMMARY_EVERY)
		ret = 0; /* one a day at most */
	else if (new_rows(st, told ? g_ascii_strtoll(told, NULL, 10) : 0, &rows, err) < 0)
		ret = -1;
	else if (rows->len > 0 && (ret = queue_summary(st, cfg, rows, now, err)) == 0) {
		*sent_r = 1;
		log_info("quarantine summary messages=%u to=%s", rows->len,
			 cfg->programme.office_address);
	}
	if (rows != NULL)
		g_ptr_array_free(rows, TRUE);
	g_free(told);
	g_free(at);
	return ret;
}
