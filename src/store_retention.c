/* store_retention.c — applications past their retention time, and their purge. */

#include "store_p.h"

int store_retention_due(struct store *st, enum app_state state, gint64 before, GArray *ids,
			struct err *err)
{
	sqlite3_stmt *stmt = store_prep(
		st,
		"SELECT id FROM applications WHERE state = ? AND updated_at <= ? "
		"AND purged_at IS NULL ORDER BY id",
		err);

	if (stmt == NULL)
		return -1;
	store_bind_state(stmt, 1, state);
	store_bind_time(stmt, 2, before);
	return store_collect_ids(st, stmt, ids, "retention due", err);
}

int store_application_purge(struct store *st, int64_t id, gint64 now, GPtrArray *files,
			    struct err *err)
{
	static const char *const collect[] = {
		"SELECT DISTINCT path FROM documents WHERE application_id = ?1 AND path <> ''",
		"SELECT spool_path FROM messages WHERE application_id = ?1 AND spool_path <> ''",
	};
	static const char *const steps[] = {
		"UPDATE documents SET path = '' WHERE application_id = ?1",
		"UPDATE messages SET spool_path = '' WHERE application_id = ?1",
		"UPDATE applications SET purged_at = ?2 WHERE id = ?1",
		("INSERT INTO events (at, application_id, kind, detail) VALUES (?2, ?1, "
		 "'retention-purged', 'documents and raw messages deleted after the retention "
		 "period')"),
	};

	for (size_t i = 0; i < G_N_ELEMENTS(collect); i++) {
		sqlite3_stmt *stmt = store_prep(st, collect[i], err);
		int rc;

		if (stmt == NULL)
			return -1;
		sqlite3_bind_int64(stmt, 1, id);
		while ((rc = sqlite3_step(stmt)) == SQLITE_ROW)
			g_ptr_array_add(files, store_col_text(stmt, 0));
		sqlite3_reset(stmt);
		if (rc != SQLITE_DONE)
			return store_fail(st, err, "collect files");
	}
	for (size_t i = 0; i < G_N_ELEMENTS(steps); i++) {
		sqlite3_stmt *stmt = store_prep(st, steps[i], err);

		if (stmt == NULL)
			return -1;
		sqlite3_bind_int64(stmt, 1, id);
		if (sqlite3_bind_parameter_count(stmt) >= 2)
			store_bind_time(stmt, 2, now);
		if (store_run(st, stmt, "purge", err) < 0)
			return -1;
	}
	return 0;
}
