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

struct message_ctx {
	const struct message_due *m;
	const char *spool_dir;
};

static int purge_message_rows(struct store *st, const void *ctx, GPtrArray *files, struct err *err)
{
	const struct message_ctx *c = ctx;
	char *parts = spool_parts_path_in(c->spool_dir, c->m->uidvalidity, c->m->uid);

	g_ptr_array_add(files, g_strdup(c->m->spool_path));
	if (g_file_test(parts, G_FILE_TEST_EXISTS))
		g_ptr_array_add(files, parts);
	else
		g_free(parts);
	return store_message_purge(st, c->m->id, err);
}

/* Mail that belongs to no application: its raw copy (and saved attachments) after its kind's
 * retention.*_days; one transaction a message, as for applications. */
static int purge_messages(struct store *st, const struct config *cfg, gint64 now, int *count_r,
			  struct err *err)
{
	const struct {
		const char *outcome;
		int days;
	} rules[] = {
		{ "inquiry", cfg->retention.inquiry_days },
		{ "ignored", cfg->retention.ignored_days },
		{ "quarantined", cfg->retention.quarantined_days },
		{ "too-large", cfg->retention.too_large_days },
		{ "decision", cfg->retention.decision_days },
		{ "duplicate", cfg->retention.duplicate_days },
	};
	GArray *due = g_array_new(FALSE, FALSE, sizeof(struct message_due));
	int ret = 0;

	for (size_t r = 0; r < G_N_ELEMENTS(rules) && ret == 0; r++) {
		ret = store_messages_due(st, rules[r].outcome, now - (gint64)rules[r].days * 86400,
					 due, err);
		for (guint i = 0; i < due->len && ret == 0; i++) {
			struct message_ctx ctx = { &g_array_index(due, struct message_due, i),
						   cfg->storage.spool };

			ret = spool_forget(st, purge_message_rows, &ctx, NULL, err);
			*count_r += ret == 0;
		}
		for (guint i = 0; i < due->len; i++)
			g_free(g_array_index(due, struct message_due, i).spool_path);
		g_array_set_size(due, 0);
	}
	g_array_free(due, TRUE);
	return ret;
}

/* The mail of no application, and the bodies of old letters; logged when anything went. */
static int purge_others(struct store *st, const struct config *cfg, gint64 now, struct err *err)
{
	int messages = 0, letters = 0;

	if (purge_messages(st, cfg, now, &messages, err) < 0 ||
	    store_letters_purge(st, now - (gint64)cfg->retention.letters_days * 86400, &letters,
				err) < 0)
		return -1;
	if (messages > 0 || letters > 0)
		log_info("retention purged messages=%d letter_bodies=%d", messages, letters);
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
	if (ret == 0)
		ret = purge_others(st, cfg, now, err);
	return ret;
}
