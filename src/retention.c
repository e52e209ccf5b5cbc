#include "retention.h"

#include "log.h"
#include "spool.h"

struct purge_ctx {
	int64_t id;
	gint64 now;
};

static int purge_rows(struct store *st, const void *ctx, GPtrArray *files, struct err *err)
{
	const struct purge_ctx *p = ctx;

	return store_application_purge(st, p->id, p->now, files, err);
}

static int purge_one(struct store *st, int64_t id, gint64 now, struct err *err)
{
	struct purge_ctx ctx = { id, now };
	int removed;

	if (spool_forget(st, purge_rows, &ctx, &removed, err) < 0)
		return -1;
	log_info("retention purged application=%" G_GINT64_FORMAT " files=%d", id, removed);
	return 0;
}

int retention_purge(struct store *st, const struct config *cfg, gint64 now, int *purged_r,
		    struct err *err)
{
	const struct {
		enum app_state state;
		int days;
	} rules[] = {
		{ APP_DISCARDED, cfg->retention.discarded_days },
		{ APP_WITHDRAWN, cfg->retention.withdrawn_days },
		{ APP_INCOMPLETE, cfg->retention.incomplete_days },
		{ APP_ACCEPTED, cfg->retention.accepted_days },
		{ APP_RESERVE, cfg->retention.reserve_days },
	};
	GArray *ids = g_array_new(FALSE, FALSE, sizeof(int64_t));
	int ret = 0;

	*purged_r = 0;
	for (size_t r = 0; r < G_N_ELEMENTS(rules) && ret == 0; r++) {
		g_array_set_size(ids, 0);
		ret = store_retention_due(st, rules[r].state, now - (gint64)rules[r].days * 86400,
					  ids, err);
		for (guint i = 0; i < ids->len && ret == 0; i++) {
			ret = purge_one(st, g_array_index(ids, int64_t, i), now, err);
			*purged_r += ret == 0;
		}
	}
	g_array_free(ids, TRUE);
	return ret;
}
