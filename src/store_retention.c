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

int store_messages_due(struct store *st, const char *outcome, gint64 before, GArray *rows,
		       struct err *err)
{
	sqlite3_stmt *stmt = store_prep(st,
					"SELECT id, uidvalidity, uid, spool_path FROM messages "
					"WHERE outcome = ? AND spool_path <> '' AND "
					"application_id IS NULL AND received_at <= ? ORDER BY id "
					"LIMIT 500",
					err);
	int rc;

	if (stmt == NULL)
		return -1;
	store_bind_text(stmt, 1, outcome);
	store_bind_time(stmt, 2, before);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		struct message_due m = { sqlite3_column_int64(stmt, 0),
					 (uint32_t)sqlite3_column_int64(stmt, 1),
					 (uint32_t)sqlite3_column_int64(stmt, 2),
					 store_col_text(stmt, 3) };

		g_array_append_val(rows, m);
	}
	sqlite3_reset(stmt);
	return rc == SQLITE_DONE ? 0 : store_fail(st, err, "messages due");
}

int store_message_purge(struct store *st, int64_t id, struct err *err)
{
	sqlite3_stmt *stmt = store_prep(st,
					"UPDATE messages SET spool_path = '', sender = NULL, "
					"raw_from = NULL, subject = NULL WHERE id = ?",
					err);

	if (stmt == NULL)
		return -1;
	sqlite3_bind_int64(stmt, 1, id);
	return store_run(st, stmt, "purge message", err);
}

int store_letters_purge(struct store *st, gint64 before, int *count_r, struct err *err)
{
	sqlite3_stmt *stmt = store_prep(st,
					"UPDATE outbox SET message = x'' WHERE state = 'sent' AND "
					"sent_at <= ? AND length(message) > 0",
					err);

	if (stmt == NULL)
		return -1;
	store_bind_time(stmt, 1, before);
	if (store_run(st, stmt, "purge letters", err) < 0)
		return -1;
	*count_r = sqlite3_changes(st->db);
	return 0;
}

int store_spool_oldest(struct store *st, GPtrArray **rows_r, struct err *err)
{
	sqlite3_stmt *stmt = store_prep(st,
					"SELECT outcome, count(*), min(received_at) FROM messages "
					"WHERE spool_path <> '' GROUP BY outcome ORDER BY outcome",
					err);
	GPtrArray *rows;
	int rc;

	if (stmt == NULL)
		return -1;
	rows = g_ptr_array_new_with_free_func(g_free);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW)
		g_ptr_array_add(rows, g_strdup_printf("%-12s %6d  oldest %s",
						      sqlite3_column_text(stmt, 0),
						      sqlite3_column_int(stmt, 1),
						      sqlite3_column_text(stmt, 2)));
	sqlite3_reset(stmt);
	if (rc != SQLITE_DONE) {
		g_ptr_array_free(rows, TRUE);
		return store_fail(st, err, "spool summary");
	}
	*rows_r = rows;
	return 0;
}
