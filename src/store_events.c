/* store_events.c — the audit trail of each application and the daemon's small named facts. */

#include "store_p.h"

int store_event_add(struct store *st, int64_t application_id, const char *kind, const char *detail,
		    gint64 now, struct err *err)
{
	sqlite3_stmt *stmt = store_prep(
		st, "INSERT INTO events (at, application_id, kind, detail) VALUES (?, ?, ?, ?)",
		err);

	if (stmt == NULL)
		return -1;
	store_bind_time(stmt, 1, now);
	store_bind_id(stmt, 2, application_id);
	store_bind_text(stmt, 3, kind);
	store_bind_text(stmt, 4, detail ? detail : "");
	return store_run(st, stmt, "insert event", err);
}

int store_state_set(struct store *st, const char *key, const char *value, struct err *err)
{
	sqlite3_stmt *stmt = store_prep(st,
					"INSERT INTO daemon_state (key, value) VALUES (?, ?) "
					"ON CONFLICT (key) DO UPDATE SET value = excluded.value",
					err);

	if (stmt == NULL)
		return -1;
	store_bind_text(stmt, 1, key);
	store_bind_text(stmt, 2, value);
	return store_run(st, stmt, "write state", err);
}

int store_state_get(struct store *st, const char *key, char **value_r, struct err *err)
{
	sqlite3_stmt *stmt = store_prep(st, "SELECT value FROM daemon_state WHERE key = ?", err);
	int rc;

	if (stmt == NULL)
		return -1;
	store_bind_text(stmt, 1, key);
	*value_r = NULL;
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW)
		*value_r = store_col_text(stmt, 0);
	sqlite3_reset(stmt);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : store_fail(st, err, "read state");
}

int store_state_increment(struct store *st, const char *key, struct err *err)
{
	sqlite3_stmt *stmt = store_prep(
		st,
		"INSERT INTO daemon_state (key, value) VALUES (?, '1') "
		"ON CONFLICT (key) DO UPDATE SET value = CAST(value AS INTEGER) + 1",
		err);

	if (stmt == NULL)
		return -1;
	store_bind_text(stmt, 1, key);
	return store_run(st, stmt, "increment state", err);
}

/* The first column of every row, as text lines (owned by the caller), then resets. */
static int text_lines(struct store *st, sqlite3_stmt *stmt, GPtrArray **lines_r, const char *what,
		      struct err *err)
{
	GPtrArray *lines = g_ptr_array_new_with_free_func(g_free);
	int rc;

	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW)
		g_ptr_array_add(lines, store_col_text(stmt, 0));
	sqlite3_reset(stmt);
	if (rc != SQLITE_DONE) {
		g_ptr_array_free(lines, TRUE);
		return store_fail(st, err, what);
	}
	*lines_r = lines;
	return 0;
}

int store_history(struct store *st, const char *ref, GPtrArray **lines_r, struct err *err)
{
	sqlite3_stmt *stmt = store_prep(
		st,
		"SELECT e.at || '  ' || e.kind || '  ' || e.detail FROM events e "
		"JOIN applications a ON a.id = e.application_id WHERE a.ref = ? "
		"ORDER BY e.id",
		err);

	if (stmt == NULL)
		return -1;
	store_bind_text(stmt, 1, ref);
	return text_lines(st, stmt, lines_r, "read history", err);
}

int store_events_since(struct store *st, const char *kind, gint64 since, GPtrArray **lines_r,
		       struct err *err)
{
	sqlite3_stmt *stmt = store_prep(
		st,
		"SELECT at || '  ' || detail FROM events WHERE kind = ?1 AND "
		"(?2 IS NULL OR at >= ?2) ORDER BY id",
		err);

	if (stmt == NULL)
		return -1;
	store_bind_text(stmt, 1, kind);
	store_bind_time(stmt, 2, since);
	return text_lines(st, stmt, lines_r, "read events", err);
}
