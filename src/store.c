/* store.c — opening the database, transactions and the helpers of store_p.h. */

#include "store_p.h"

int store_fail(struct store *st, struct err *err, const char *what)
{
	int code = sqlite3_extended_errcode(st->db) & 0xff;
	enum err_class class = ERR_FATAL;

	if (code == SQLITE_BUSY || code == SQLITE_LOCKED || code == SQLITE_IOERR ||
	    code == SQLITE_FULL || code == SQLITE_CANTOPEN)
		class = ERR_TEMP;
	return err_set(err, class, "store %s: %s", what, sqlite3_errmsg(st->db));
}

sqlite3_stmt *store_prep(struct store *st, const char *sql, struct err *err)
{
	sqlite3_stmt *stmt = g_hash_table_lookup(st->stmts, sql);

	if (stmt != NULL) {
		sqlite3_reset(stmt);
		sqlite3_clear_bindings(stmt);
		return stmt;
	}
	if (sqlite3_prepare_v3(st->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, NULL) !=
	    SQLITE_OK) {
		store_fail(st, err, "prepare");
		return NULL;
	}
	g_hash_table_insert(st->stmts, (gpointer)sql, stmt);
	return stmt;
}

void store_bind_text(sqlite3_stmt *stmt, int i, const char *s)
{
	if (s == NULL)
		sqlite3_bind_null(stmt, i);
	else
		sqlite3_bind_text(stmt, i, s, -1, SQLITE_TRANSIENT);
}

void store_bind_time(sqlite3_stmt *stmt, int i, gint64 t)
{
	if (t == 0) {
		sqlite3_bind_null(stmt, i);
		return;
	}
	char *s = time_iso8601(t);
	sqlite3_bind_text(stmt, i, s, -1, g_free);
}

void store_bind_id(sqlite3_stmt *stmt, int i, int64_t id)
{
	if (id == 0)
		sqlite3_bind_null(stmt, i);
	else
		sqlite3_bind_int64(stmt, i, id);
}

void store_bind_state(sqlite3_stmt *stmt, int i, enum app_state s)
{
	sqlite3_bind_text(stmt, i, app_state_name(s), -1, SQLITE_STATIC);
}

int store_col_state(sqlite3_stmt *stmt, int i, enum app_state *s_r, struct err *err)
{
	const char *name = (const char *)sqlite3_column_text(stmt, i);

	if (name == NULL || !app_state_parse(name, s_r))
		return err_set(err, ERR_FATAL, "store: unknown application state \"%s\"",
			       name ? name : "NULL");
	return 0;
}

/* app_state_has(STATE, 'PROPERTY'): whether the state has the property; NULL for an unknown
 * state or property, which makes the query's condition false. */
static void sql_app_state_has(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	const char *state = (const char *)sqlite3_value_text(argv[0]);
	const char *property = (const char *)sqlite3_value_text(argv[1]);
	enum app_state s;
	enum app_state_property p;

	(void)argc;
	if (state == NULL || property == NULL || !app_state_parse(state, &s) ||
	    !app_state_property_parse(property, &p)) {
		sqlite3_result_null(ctx);
		return;
	}
	sqlite3_result_int(ctx, app_state_is(s, p));
}

/* Queries ask app_state_has() instead of listing state names. */
static int define_functions(struct store *st, struct err *err)
{
	if (sqlite3_create_function(st->db, "app_state_has", 2,
				    SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS, NULL,
				    sql_app_state_has, NULL, NULL) != SQLITE_OK)
		return store_fail(st, err, "define app_state_has");
	return 0;
}

char *store_col_text(sqlite3_stmt *stmt, int i)
{
	const unsigned char *s = sqlite3_column_text(stmt, i);

	return s ? g_strdup((const char *)s) : NULL;
}

int store_run(struct store *st, sqlite3_stmt *stmt, const char *what, struct err *err)
{
	int rc = sqlite3_step(stmt);

	sqlite3_reset(stmt);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		return store_fail(st, err, what);
	return 0;
}

int store_exec(struct store *st, const char *sql, const char *what, struct err *err)
{
	if (sqlite3_exec(st->db, sql, NULL, NULL, NULL) != SQLITE_OK)
		return store_fail(st, err, what);
	return 0;
}

static void finalize_stmt(gpointer stmt)
{
	sqlite3_finalize(stmt);
}

int store_open(struct store **st_r, const char *path, struct err *err)
{
	struct store *st = g_new0(struct store, 1);

	st->stmts = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, finalize_stmt);
	*st_r = NULL;
	if (sqlite3_open_v2(path, &st->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) !=
	    SQLITE_OK) {
		err_set(err, ERR_CONFIG, "store: cannot open %s: %s", path,
			st->db ? sqlite3_errmsg(st->db) : "out of memory");
		store_close(&st);
		return -1;
	}
	sqlite3_busy_timeout(st->db, 5000);
	/* WAL lets admitctl read while the daemon writes; FULL syncs the WAL at every commit,
	 * because a committed intake is what lets us move the message off the inbox. */
	if (store_exec(st, "PRAGMA journal_mode = WAL", "open", err) < 0 ||
	    store_exec(st, "PRAGMA synchronous = FULL", "open", err) < 0 ||
	    store_exec(st, "PRAGMA foreign_keys = ON", "open", err) < 0 ||
	    /* A message's savepoint journals more than SQLite's 64 KiB before it spills to a
	     * temporary file: one file and ~150 writes per filed message, for nothing durable. */
	    store_exec(st, "PRAGMA temp_store = MEMORY", "open", err) < 0 ||
	    /* What is deleted or overwritten (an erasure, a purge) is zeroed on its page, not
	     * left readable in the file until the page is reused. */
	    store_exec(st, "PRAGMA secure_delete = ON", "open", err) < 0 ||
	    define_functions(st, err) < 0 || store_migrate(st, err) < 0) {
		err_prefix(err, "%s", path);
		store_close(&st);
		return -1;
	}
	*st_r = st;
	return 0;
}

void store_close(struct store **stp)
{
	struct store *st = *stp;

	if (st == NULL)
		return;
	g_hash_table_destroy(st->stmts);
	sqlite3_close(st->db);
	g_free(st);
	*stp = NULL;
}

int store_set_durable(struct store *st, bool durable, struct err *err)
{
	return store_exec(st, durable ? "PRAGMA synchronous = FULL" : "PRAGMA synchronous = NORMAL",
			  "set durability", err);
}

int store_begin(struct store *st, struct err *err)
{
	return store_exec(st, "BEGIN IMMEDIATE", "begin", err);
}

int store_commit(struct store *st, struct err *err)
{
	return store_exec(st, "COMMIT", "commit", err);
}

int store_savepoint(struct store *st, struct err *err)
{
	return store_exec(st, "SAVEPOINT item", "savepoint", err);
}

int store_release(struct store *st, struct err *err)
{
	return store_exec(st, "RELEASE item", "release", err);
}

void store_rollback_savepoint(struct store *st)
{
	sqlite3_exec(st->db, "ROLLBACK TO item; RELEASE item", NULL, NULL, NULL);
}

void store_rollback(struct store *st)
{
	if (!sqlite3_get_autocommit(st->db))
		sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
}

int store_find_id(struct store *st, sqlite3_stmt *stmt, int64_t *id_r, const char *what,
		  struct err *err)
{
	int rc = sqlite3_step(stmt);

	if (rc == SQLITE_ROW)
		*id_r = sqlite3_column_int64(stmt, 0);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		sqlite3_reset(stmt);
		return store_fail(st, err, what);
	}
	return rc == SQLITE_ROW; /* the caller reads further columns, then resets */
}

int store_count(struct store *st, sqlite3_stmt *stmt, int *count_r, const char *what,
		struct err *err)
{
	int64_t n = 0;
	int found = store_find_id(st, stmt, &n, what, err);

	sqlite3_reset(stmt);
	*count_r = (int)n;
	return found < 0 ? -1 : 0;
}

int store_collect_ids(struct store *st, sqlite3_stmt *stmt, GArray *ids, const char *what,
		      struct err *err)
{
	int rc;

	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		int64_t id = sqlite3_column_int64(stmt, 0);

		g_array_append_val(ids, id);
	}
	sqlite3_reset(stmt);
	return rc == SQLITE_DONE ? 0 : store_fail(st, err, what);
}

/* PRAGMA wal_checkpoint(TRUNCATE) until no reader holds it back (the daemon's cycle). */
static int checkpoint(struct store *st, struct err *err)
{
	for (int attempt = 0; attempt < 100; attempt++) {
		sqlite3_stmt *stmt = store_prep(st, "PRAGMA wal_checkpoint(TRUNCATE)", err);
		int busy = 1;

		if (stmt == NULL)
			return -1;
		if (sqlite3_step(stmt) == SQLITE_ROW)
			busy = sqlite3_column_int(stmt, 0);
		sqlite3_reset(stmt);
		if (!busy)
			return 0;
		g_usleep(100 * 1000);
	}
	return err_set(err, ERR_TEMP,
		       "store: the write-ahead log could not be checkpointed (another process "
		       "kept reading for 10 s); run the command again");
}

int store_compact(struct store *st, struct err *err)
{
	if (checkpoint(st, err) < 0 || store_exec(st, "VACUUM", "vacuum", err) < 0)
		return -1;
	return checkpoint(st, err);
}
