#include "oauth2_notice.h"

#include "letter.h"
#include "log.h"
#include "timeutil.h"

static int tell_office(struct store *st, const struct config *cfg, const struct oauth2 *o,
		       gint64 now, struct err *err)
{
	GHashTable *vars = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, g_free);
	int ret;

	g_hash_table_insert(vars, "programme", g_strdup(cfg->programme.name));
	g_hash_table_insert(vars, "problem", g_strdup(oauth2_problem(o)));
	g_hash_table_insert(vars, "fix", g_strdup(oauth2_fix(o)));
	struct compose_in in = letter_internal("oauth2-refused", vars,
					       cfg->programme.office_address);
	ret = letter_queue(st, cfg, 0, &in, now, NULL, err);
	g_hash_table_destroy(vars);
	return ret;
}

/* The problem's start: recorded, and the office told, in one transaction. */
static int begin_episode(struct store *st, const struct config *cfg, const struct oauth2 *o,
			 gint64 now, struct err *err)
{
	bool office = cfg->programme.office_address != NULL;

	if (store_begin(st, err) < 0)
		return -1;
	if (store_state_set(st, "oauth2_problem", oauth2_problem(o), err) < 0 ||
	    (office && tell_office(st, cfg, o, now, err) < 0) || store_commit(st, err) < 0) {
		store_rollback(st);
		return -1;
	}
	if (office)
		log_warn("oauth2 refusal reported to=%s", cfg->programme.office_address);
	return office ? 1 : 0;
}

/* The login works again: what waited for it goes now, not at its next retry. */
static int end_episode(struct store *st, gint64 now, struct err *err)
{
	int due = 0;

	if (store_state_set(st, "oauth2_problem", "", err) < 0 ||
	    store_outbox_due_now(st, now, &due, err) < 0)
		return -1;
	log_info("oauth2 login works again outbox_due=%d", due);
	return due > 0 ? 1 : 0;
}

int oauth2_notice(struct store *st, const struct config *cfg, const struct oauth2 *o, gint64 now,
		  struct err *err)
{
	const char *problem = oauth2_problem(o);
	char *before = NULL, *expires = NULL;
	int ret = 0;

	if (store_state_get(st, "oauth2_problem", &before, err) < 0)
		return -1;
	if (problem != NULL && (before == NULL || before[0] == '\0'))
		ret = begin_episode(st, cfg, o, now, err);
	else if (problem == NULL && oauth2_expires(o) > 0 && before != NULL && before[0] != '\0')
		ret = end_episode(st, now, err);
	g_free(before);
	if (ret < 0)
		return -1;
	/* Written only when it changes: a cycle that changed nothing commits nothing. */
	if (oauth2_expires(o) > 0)
		expires = time_iso8601(oauth2_expires(o));
	if (store_state_get(st, "oauth2_access_expires", &before, err) < 0 ||
	    (g_strcmp0(before ? before : "", expires ? expires : "") != 0 &&
	     store_state_set(st, "oauth2_access_expires", expires ? expires : "", err) < 0))
		ret = -1;
	g_free(before);
	g_free(expires);
	return ret;
}
