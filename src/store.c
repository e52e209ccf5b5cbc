#include "store.h"

#include <sqlite3.h>
#include <string.h>

#include "timeutil.h"

struct store {
	sqlite3 *db;
	GHashTable *stmts; /* SQL text (static) → prepared statement, reused */
};

/* Outbox rows that count toward the reply limits: everything but decisions' letters and the
 * commission's mail. */
#define AUTO_REPLY "template NOT IN ('accepted', 'discarded', 'reserve', 'digest', 'reminder')"

static const char *const migrations[] = {
	/* 1: the first schema */
	"CREATE TABLE applicants ("
	"  id INTEGER PRIMARY KEY,"
	"  email TEXT NOT NULL UNIQUE,"
	"  name TEXT NOT NULL DEFAULT '',"
	"  undeliverable_at TEXT,"
	"  created_at TEXT NOT NULL);"
	"CREATE TABLE batches ("
	"  id INTEGER PRIMARY KEY,"
	"  opens_on TEXT NOT NULL,"
	"  closes_on TEXT NOT NULL,"
	"  state TEXT NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'closed')),"
	"  token TEXT UNIQUE,"
	"  digest_message_id TEXT,"
	"  closed_at TEXT,"
	"  reminded_at TEXT);"
	/* One open batch per window; an early close starts a new one for the same window. */
	"CREATE UNIQUE INDEX batches_open_window ON batches(opens_on) WHERE state = 'open';"
	"CREATE TABLE reference_counters ("
	"  prefix TEXT PRIMARY KEY,"
	"  last INTEGER NOT NULL);"
	"CREATE TABLE applications ("
	"  id INTEGER PRIMARY KEY,"
	"  ref TEXT NOT NULL UNIQUE,"
	"  applicant_id INTEGER NOT NULL REFERENCES applicants(id),"
	"  edition TEXT,"
	"  state TEXT NOT NULL CHECK (state IN ('incomplete', 'pending', 'in_review', 'accepted',"
	"    'discarded', 'reserve', 'next_edition', 'withdrawn')),"
	"  batch_id INTEGER REFERENCES batches(id),"
	"  problems TEXT NOT NULL DEFAULT '',"
	"  received_at TEXT NOT NULL,"
	"  completed_at TEXT,"
	"  updated_at TEXT NOT NULL,"
	"  purged_at TEXT,"
	"  thread_message_id TEXT);"
	"CREATE INDEX applications_by_state ON applications(state);"
	"CREATE INDEX applications_by_applicant ON applications(applicant_id);"
	"CREATE TABLE messages ("
	"  id INTEGER PRIMARY KEY,"
	"  uidvalidity INTEGER NOT NULL,"
	"  uid INTEGER NOT NULL,"
	"  message_id TEXT,"
	"  sha256 TEXT NOT NULL,"
	"  spool_path TEXT NOT NULL,"
	"  sender TEXT,"
	"  subject TEXT,"
	"  outcome TEXT NOT NULL CHECK (outcome IN ('application', 'followup', 'ignored',"
	"    'decision', 'duplicate', 'quarantined', 'inquiry', 'too-large')),"
	"  detail TEXT,"
	"  application_id INTEGER REFERENCES applications(id),"
	"  received_at TEXT NOT NULL,"
	"  moved INTEGER NOT NULL DEFAULT 0,"
	"  UNIQUE (uidvalidity, uid));"
	"CREATE INDEX messages_by_content ON messages(sha256, message_id);"
	"CREATE INDEX messages_by_message_id ON messages(message_id);"
	"CREATE TABLE documents ("
	"  id INTEGER PRIMARY KEY,"
	"  application_id INTEGER NOT NULL REFERENCES applications(id),"
	"  message_row INTEGER NOT NULL REFERENCES messages(id),"
	"  kind TEXT NOT NULL CHECK (kind IN ('cv', 'letter', 'other')),"
	"  filename TEXT,"
	"  content_type TEXT NOT NULL,"
	"  format TEXT NOT NULL DEFAULT 'unknown',"
	"  problem TEXT,"
	"  size INTEGER NOT NULL,"
	"  pages INTEGER,"
	"  sha256 TEXT NOT NULL,"
	"  path TEXT NOT NULL,"
	"  superseded INTEGER NOT NULL DEFAULT 0,"
	"  created_at TEXT NOT NULL);"
	"CREATE INDEX documents_by_application ON documents(application_id);"
	"CREATE TABLE outbox ("
	"  id INTEGER PRIMARY KEY,"
	"  application_id INTEGER REFERENCES applications(id),"
	"  template TEXT NOT NULL,"
	"  to_addr TEXT NOT NULL,"
	"  message_id TEXT NOT NULL UNIQUE,"
	"  message BLOB NOT NULL,"
	"  state TEXT NOT NULL DEFAULT 'queued'"
	"    CHECK (state IN ('queued', 'sending', 'sent', 'failed')),"
	"  attempts INTEGER NOT NULL DEFAULT 0,"
	"  next_attempt_at TEXT NOT NULL,"
	"  last_error TEXT,"
	"  office_told INTEGER NOT NULL DEFAULT 0,"
	"  created_at TEXT NOT NULL,"
	"  sent_at TEXT);"
	"CREATE INDEX outbox_by_due ON outbox(state, next_attempt_at);"
	"CREATE TABLE decisions ("
	"  id INTEGER PRIMARY KEY,"
	"  application_id INTEGER NOT NULL REFERENCES applications(id),"
	"  decision TEXT NOT NULL CHECK (decision IN ('accept', 'discard', 'reserve')),"
	"  previous_state TEXT NOT NULL,"
	"  decided_by TEXT NOT NULL,"
	"  source_message_id TEXT,"
	"  forced INTEGER NOT NULL DEFAULT 0,"
	"  created_at TEXT NOT NULL);"
	"CREATE TABLE events ("
	"  id INTEGER PRIMARY KEY,"
	"  at TEXT NOT NULL,"
	"  application_id INTEGER REFERENCES applications(id),"
	"  kind TEXT NOT NULL,"
	"  detail TEXT NOT NULL DEFAULT '');"
	"CREATE INDEX events_by_application ON events(application_id);"
	"CREATE TABLE mailbox_state ("
	"  mailbox TEXT PRIMARY KEY,"
	"  uidvalidity INTEGER NOT NULL,"
	"  last_uid INTEGER NOT NULL);"
	"CREATE TABLE daemon_state ("
	"  key TEXT PRIMARY KEY,"
	"  value TEXT NOT NULL);",
	/* 2: the reply limits count recent replies for every reply; without these each count read
	 * the whole outbox, and filing slowed down as it grew. Per address: an index that covers the
	 * count. In all: replies per minute, kept by a trigger in the same transaction as the row,
	 * so the last hour is at most 61 rows however many replies it holds. */
	"CREATE INDEX outbox_by_recipient ON outbox(to_addr, created_at, template);"
	"CREATE TABLE reply_minutes ("
	"  minute TEXT PRIMARY KEY," /* 2026-11-28T04:01 */
	"  replies INTEGER NOT NULL);"
	"INSERT INTO reply_minutes SELECT substr(created_at, 1, 16), count(*) FROM outbox"
	"  WHERE " AUTO_REPLY " AND created_at >= strftime('%Y-%m-%dT%H:%M:%SZ', 'now', '-1 day')"
	"  GROUP BY 1;"
	"CREATE TRIGGER outbox_counts_replies AFTER INSERT ON outbox WHEN NEW." AUTO_REPLY " BEGIN"
	"  INSERT INTO reply_minutes VALUES (substr(NEW.created_at, 1, 16), 1)"
	"    ON CONFLICT (minute) DO UPDATE SET replies = replies + 1;"
	"  DELETE FROM reply_minutes"
	"    WHERE minute < strftime('%Y-%m-%dT%H:%M', NEW.created_at, '-1 day');"
	"  END;",
	/* 3: a message's attachments share one file (spool.h): each document is the byte range
	 * part_offset, size of its path. Documents filed before have a file each, at offset 0. */
	"ALTER TABLE documents ADD COLUMN part_offset INTEGER NOT NULL DEFAULT 0;",
};

static int sql_fail(struct store *st, struct err *err, const char *what)
{
	int code = sqlite3_extended_errcode(st->db) & 0xff;
	enum err_class class = ERR_FATAL;

	if (code == SQLITE_BUSY || code == SQLITE_LOCKED || code == SQLITE_IOERR ||
	    code == SQLITE_FULL || code == SQLITE_CANTOPEN)
		class = ERR_TEMP;
	return err_set(err, class, "store %s: %s", what, sqlite3_errmsg(st->db));
}

/* A prepared statement for `sql`, reset and ready to bind. `sql` must be a string literal:
 * its address is the cache key. */
static sqlite3_stmt *prep(struct store *st, const char *sql, struct err *err)
{
	sqlite3_stmt *stmt = g_hash_table_lookup(st->stmts, sql);

	if (stmt != NULL) {
		sqlite3_reset(stmt);
		sqlite3_clear_bindings(stmt);
		return stmt;
	}
	if (sqlite3_prepare_v3(st->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, NULL) !=
	    SQLITE_OK) {
		sql_fail(st, err, "prepare");
		return NULL;
	}
	g_hash_table_insert(st->stmts, (gpointer)sql, stmt);
	return stmt;
}

static void bind_text(sqlite3_stmt *stmt, int i, const char *s)
{
	if (s == NULL)
		sqlite3_bind_null(stmt, i);
	else
		sqlite3_bind_text(stmt, i, s, -1, SQLITE_TRANSIENT);
}

/* Times are ISO 8601 text in UTC; 0 means "not set" and is stored as NULL. */
static void bind_time(sqlite3_stmt *stmt, int i, gint64 t)
{
	if (t == 0) {
		sqlite3_bind_null(stmt, i);
		return;
	}
	char *s = time_iso8601(t);
	sqlite3_bind_text(stmt, i, s, -1, g_free);
}

static void bind_id(sqlite3_stmt *stmt, int i, int64_t id)
{
	if (id == 0)
		sqlite3_bind_null(stmt, i);
	else
		sqlite3_bind_int64(stmt, i, id);
}

static char *col_text(sqlite3_stmt *stmt, int i)
{
	const unsigned char *s = sqlite3_column_text(stmt, i);

	return s ? g_strdup((const char *)s) : NULL;
}

/* Runs a statement that returns no rows. */
static int run(struct store *st, sqlite3_stmt *stmt, const char *what, struct err *err)
{
	int rc = sqlite3_step(stmt);

	sqlite3_reset(stmt);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		return sql_fail(st, err, what);
	return 0;
}

static int exec(struct store *st, const char *sql, const char *what, struct err *err)
{
	if (sqlite3_exec(st->db, sql, NULL, NULL, NULL) != SQLITE_OK)
		return sql_fail(st, err, what);
	return 0;
}

static int migrate(struct store *st, struct err *err)
{
	sqlite3_stmt *stmt = prep(st, "PRAGMA user_version", err);
	int version;

	if (stmt == NULL || sqlite3_step(stmt) != SQLITE_ROW)
		return sql_fail(st, err, "read schema version");
	version = sqlite3_column_int(stmt, 0);
	sqlite3_reset(stmt);
	if (version > (int)G_N_ELEMENTS(migrations))
		return err_set(err, ERR_FATAL,
			       "store: the database has schema version %d, newer than this admitd "
			       "(%d); upgrade admitd",
			       version, (int)G_N_ELEMENTS(migrations));
	for (; version < (int)G_N_ELEMENTS(migrations); version++) {
		char *bump = g_strdup_printf("PRAGMA user_version = %d", version + 1);
		int ret = 0;

		/* Each step and its version bump commit together, so a crash repeats nothing. */
		if (store_begin(st, err) < 0)
			ret = -1;
		else if (exec(st, migrations[version], "migrate", err) < 0 ||
			 exec(st, bump, "migrate", err) < 0 || store_commit(st, err) < 0) {
			store_rollback(st);
			ret = -1;
		}
		g_free(bump);
		if (ret < 0)
			return -1;
	}
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
	if (exec(st, "PRAGMA journal_mode = WAL", "open", err) < 0 ||
	    exec(st, "PRAGMA synchronous = FULL", "open", err) < 0 ||
	    exec(st, "PRAGMA foreign_keys = ON", "open", err) < 0 ||
	    /* A message's savepoint journals more than SQLite's 64 KiB before it spills to a
	     * temporary file: one file and ~150 writes per filed message, for nothing durable. */
	    exec(st, "PRAGMA temp_store = MEMORY", "open", err) < 0 || migrate(st, err) < 0) {
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
	return exec(st, durable ? "PRAGMA synchronous = FULL" : "PRAGMA synchronous = NORMAL",
		    "set durability", err);
}

int store_begin(struct store *st, struct err *err)
{
	return exec(st, "BEGIN IMMEDIATE", "begin", err);
}

int store_commit(struct store *st, struct err *err)
{
	return exec(st, "COMMIT", "commit", err);
}

int store_savepoint(struct store *st, struct err *err)
{
	return exec(st, "SAVEPOINT item", "savepoint", err);
}

int store_release(struct store *st, struct err *err)
{
	return exec(st, "RELEASE item", "release", err);
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

int store_mailbox_get(struct store *st, const char *mailbox, uint32_t *uidvalidity_r,
		      uint32_t *last_uid_r, struct err *err)
{
	sqlite3_stmt *stmt = prep(
		st, "SELECT uidvalidity, last_uid FROM mailbox_state WHERE mailbox = ?", err);
	int rc;

	if (stmt == NULL)
		return -1;
	bind_text(stmt, 1, mailbox);
	*uidvalidity_r = *last_uid_r = 0;
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW) {
		*uidvalidity_r = (uint32_t)sqlite3_column_int64(stmt, 0);
		*last_uid_r = (uint32_t)sqlite3_column_int64(stmt, 1);
	}
	sqlite3_reset(stmt);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : sql_fail(st, err, "read mailbox state");
}

int store_mailbox_set(struct store *st, const char *mailbox, uint32_t uidvalidity,
		      uint32_t last_uid, struct err *err)
{
	sqlite3_stmt *stmt = prep(
		st,
		"INSERT INTO mailbox_state (mailbox, uidvalidity, last_uid) "
		"VALUES (?, ?, ?) ON CONFLICT (mailbox) DO UPDATE SET "
		"uidvalidity = excluded.uidvalidity, last_uid = excluded.last_uid",
		err);

	if (stmt == NULL)
		return -1;
	bind_text(stmt, 1, mailbox);
	sqlite3_bind_int64(stmt, 2, uidvalidity);
	sqlite3_bind_int64(stmt, 3, last_uid);
	return run(st, stmt, "write mailbox state", err);
}

/* Runs a query expected to return at most one row whose first column is an id. */
static void batch_row_read(sqlite3_stmt *stmt, struct batch_row *b);

static int find_id(struct store *st, sqlite3_stmt *stmt, int64_t *id_r, const char *what,
		   struct err *err)
{
	int rc = sqlite3_step(stmt);

	if (rc == SQLITE_ROW)
		*id_r = sqlite3_column_int64(stmt, 0);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		sqlite3_reset(stmt);
		return sql_fail(st, err, what);
	}
	return rc == SQLITE_ROW; /* the caller reads further columns, then resets */
}

int store_ledger_find_uid(struct store *st, uint32_t uidvalidity, uint32_t uid, int64_t *id_r,
			  bool *moved_r, struct err *err)
{
	sqlite3_stmt *stmt = prep(
		st, "SELECT id, moved FROM messages WHERE uidvalidity = ? AND uid = ?", err);
	int found;

	if (stmt == NULL)
		return -1;
	sqlite3_bind_int64(stmt, 1, uidvalidity);
	sqlite3_bind_int64(stmt, 2, uid);
	found = find_id(st, stmt, id_r, "find message", err);
	if (found == 1 && moved_r != NULL)
		*moved_r = sqlite3_column_int(stmt, 1) != 0;
	sqlite3_reset(stmt);
	return found;
}

int store_ledger_find_content(struct store *st, const char *message_id, const char *sha256,
			      int64_t *id_r, struct err *err)
{
	sqlite3_stmt *stmt = prep(st,
				  "SELECT id FROM messages WHERE sha256 = ?1 AND "
				  "message_id IS ?2 AND outcome <> 'duplicate' ORDER BY id LIMIT 1",
				  err);
	int found;

	if (stmt == NULL)
		return -1;
	bind_text(stmt, 1, sha256);
	bind_text(stmt, 2, message_id);
	found = find_id(st, stmt, id_r, "find message by content", err);
	sqlite3_reset(stmt);
	return found;
}

int store_ledger_insert(struct store *st, const struct ledger_entry *e, int64_t *id_r,
			struct err *err)
{
	sqlite3_stmt *stmt = prep(
		st,
		"INSERT INTO messages (uidvalidity, uid, message_id, sha256, spool_path, sender, "
		"subject, outcome, detail, application_id, received_at) "
		"VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
		err);

	if (stmt == NULL)
		return -1;
	sqlite3_bind_int64(stmt, 1, e->uidvalidity);
	sqlite3_bind_int64(stmt, 2, e->uid);
	bind_text(stmt, 3, e->message_id);
	bind_text(stmt, 4, e->sha256);
	bind_text(stmt, 5, e->spool_path);
	bind_text(stmt, 6, e->sender);
	bind_text(stmt, 7, e->subject);
	bind_text(stmt, 8, e->outcome);
	bind_text(stmt, 9, e->detail);
	bind_id(stmt, 10, e->application_id);
	bind_time(stmt, 11, e->received_at);
	if (run(st, stmt, "insert message", err) < 0)
		return -1;
	*id_r = sqlite3_last_insert_rowid(st->db);
	return 0;
}

int store_ledger_set_moved(struct store *st, int64_t id, struct err *err)
{
	sqlite3_stmt *stmt = prep(st, "UPDATE messages SET moved = 1 WHERE id = ?", err);

	if (stmt == NULL)
		return -1;
	sqlite3_bind_int64(stmt, 1, id);
	return run(st, stmt, "mark message moved", err);
}

int store_ledger_unmoved(struct store *st, uint32_t uidvalidity, GArray *uids, GArray *ids,
			 struct err *err)
{
	sqlite3_stmt *stmt = prep(
		st, "SELECT id, uid FROM messages WHERE uidvalidity = ? AND moved = 0 ORDER BY uid",
		err);
	int rc;

	if (stmt == NULL)
		return -1;
	sqlite3_bind_int64(stmt, 1, uidvalidity);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		int64_t id = sqlite3_column_int64(stmt, 0);
		uint32_t uid = (uint32_t)sqlite3_column_int64(stmt, 1);

		g_array_append_val(ids, id);
		g_array_append_val(uids, uid);
	}
	sqlite3_reset(stmt);
	return rc == SQLITE_DONE ? 0 : sql_fail(st, err, "list unmoved messages");
}

int store_application_by_reply(struct store *st, const char *message_id, int64_t *id_r,
			       char **ref_r, char **state_r, struct err *err)
{
	sqlite3_stmt *stmt = prep(
		st,
		"SELECT a.id, a.ref, a.state FROM outbox o JOIN applications a "
		"ON a.id = o.application_id WHERE o.message_id = ? AND a.state IN "
		"('incomplete', 'pending', 'in_review', 'reserve', 'next_edition')",
		err);
	int found;

	if (stmt == NULL)
		return -1;
	bind_text(stmt, 1, message_id);
	found = find_id(st, stmt, id_r, "application by reply", err);
	if (found == 1) {
		*ref_r = col_text(stmt, 1);
		*state_r = col_text(stmt, 2);
	}
	sqlite3_reset(stmt);
	return found;
}

int store_applicant_upsert(struct store *st, const char *email, const char *name, gint64 now,
			   int64_t *id_r, struct err *err)
{
	/* A later mail with a display name fills in a name we did not have; an empty one
	 * never erases it. */
	sqlite3_stmt *stmt = prep(
		st,
		"INSERT INTO applicants (email, name, created_at) VALUES (?1, ?2, ?3) "
		"ON CONFLICT (email) DO UPDATE SET name = CASE WHEN excluded.name "
		"<> '' THEN excluded.name ELSE applicants.name END RETURNING id",
		err);
	int found;

	if (stmt == NULL)
		return -1;
	bind_text(stmt, 1, email);
	bind_text(stmt, 2, name);
	bind_time(stmt, 3, now);
	found = find_id(st, stmt, id_r, "upsert applicant", err);
	sqlite3_reset(stmt);
	if (found == 0)
		return err_set(err, ERR_FATAL, "store upsert applicant: no id returned");
	return found < 0 ? -1 : 0;
}

int store_application_find_active(struct store *st, int64_t applicant_id, int64_t *id_r,
				  char **ref_r, char **state_r, struct err *err)
{
	sqlite3_stmt *stmt = prep(st,
				  "SELECT id, ref, state FROM applications WHERE applicant_id = ? "
				  "AND state IN ('incomplete', 'pending', 'in_review', 'reserve', "
				  "'next_edition') ORDER BY id DESC LIMIT 1",
				  err);
	int found;

	if (stmt == NULL)
		return -1;
	sqlite3_bind_int64(stmt, 1, applicant_id);
	found = find_id(st, stmt, id_r, "find active application", err);
	if (found == 1) {
		*ref_r = col_text(stmt, 1);
		*state_r = col_text(stmt, 2);
	}
	sqlite3_reset(stmt);
	return found;
}

int store_reference_next(struct store *st, const char *prefix, int64_t *n_r, struct err *err)
{
	sqlite3_stmt *stmt = prep(
		st,
		"INSERT INTO reference_counters (prefix, last) VALUES (?, 1) "
		"ON CONFLICT (prefix) DO UPDATE SET last = last + 1 RETURNING last",
		err);
	int found;

	if (stmt == NULL)
		return -1;
	bind_text(stmt, 1, prefix);
	found = find_id(st, stmt, n_r, "next reference", err);
	sqlite3_reset(stmt);
	return found == 1 ? 0 : -1;
}

int store_application_insert(struct store *st, const struct app_new *app, gint64 now, int64_t *id_r,
			     struct err *err)
{
	sqlite3_stmt *stmt = prep(
		st,
		"INSERT INTO applications (ref, applicant_id, edition, state, batch_id, problems, "
		"received_at, completed_at, updated_at, thread_message_id) "
		"VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
		err);

	if (stmt == NULL)
		return -1;
	bind_text(stmt, 1, app->ref);
	sqlite3_bind_int64(stmt, 2, app->applicant_id);
	bind_text(stmt, 3, app->edition);
	bind_text(stmt, 4, app->state);
	bind_id(stmt, 5, app->batch_id);
	bind_text(stmt, 6, app->problems);
	bind_time(stmt, 7, app->received_at);
	bind_time(stmt, 8, app->completed_at);
	bind_time(stmt, 9, now);
	bind_text(stmt, 10, app->thread_message_id);
	if (run(st, stmt, "insert application", err) < 0)
		return -1;
	*id_r = sqlite3_last_insert_rowid(st->db);
	return 0;
}

int store_application_update(struct store *st, int64_t id, const char *state, int64_t batch_id,
			     const char *problems, gint64 completed_at, gint64 now, struct err *err)
{
	sqlite3_stmt *stmt = prep(st,
				  "UPDATE applications SET state = ?, batch_id = ?, problems = ?, "
				  "completed_at = ?, updated_at = ? WHERE id = ?",
				  err);

	if (stmt == NULL)
		return -1;
	bind_text(stmt, 1, state);
	bind_id(stmt, 2, batch_id);
	bind_text(stmt, 3, problems);
	bind_time(stmt, 4, completed_at);
	bind_time(stmt, 5, now);
	sqlite3_bind_int64(stmt, 6, id);
	return run(st, stmt, "update application", err);
}

int store_document_insert(struct store *st, int64_t application_id, int64_t message_row,
			  const struct doc_new *doc, gint64 now, struct err *err)
{
	sqlite3_stmt *stmt = prep(
		st,
		"INSERT INTO documents (application_id, message_row, kind, filename, content_type, "
		"size, pages, sha256, path, created_at, format, problem, superseded, part_offset) "
		"VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
		err);

	if (stmt == NULL)
		return -1;
	sqlite3_bind_int64(stmt, 1, application_id);
	sqlite3_bind_int64(stmt, 2, message_row);
	bind_text(stmt, 3, doc->kind);
	bind_text(stmt, 4, doc->filename);
	bind_text(stmt, 5, doc->content_type);
	sqlite3_bind_int64(stmt, 6, doc->size);
	if (doc->pages < 0)
		sqlite3_bind_null(stmt, 7);
	else
		sqlite3_bind_int(stmt, 7, doc->pages);
	bind_text(stmt, 8, doc->sha256);
	bind_text(stmt, 9, doc->path);
	bind_time(stmt, 10, now);
	bind_text(stmt, 11, doc->format ? doc->format : "unknown");
	bind_text(stmt, 12, doc->problem);
	sqlite3_bind_int(stmt, 13, doc->superseded);
	sqlite3_bind_int64(stmt, 14, doc->offset);
	return run(st, stmt, "insert document", err);
}

int store_documents_supersede(struct store *st, int64_t application_id, const char *kind,
			      struct err *err)
{
	sqlite3_stmt *stmt = prep(st,
				  "UPDATE documents SET superseded = 1 WHERE application_id = ? "
				  "AND kind = ? AND superseded = 0",
				  err);

	if (stmt == NULL)
		return -1;
	sqlite3_bind_int64(stmt, 1, application_id);
	bind_text(stmt, 2, kind);
	return run(st, stmt, "supersede documents", err);
}

int store_batch_for_window(struct store *st, const char *opens, const char *closes, int64_t *id_r,
			   struct err *err)
{
	sqlite3_stmt *stmt = prep(st,
				  "INSERT INTO batches (opens_on, closes_on) VALUES (?1, ?2) "
				  "ON CONFLICT (opens_on) WHERE state = 'open' "
				  "DO UPDATE SET opens_on = opens_on RETURNING id",
				  err);
	int found;

	if (stmt == NULL)
		return -1;
	bind_text(stmt, 1, opens);
	bind_text(stmt, 2, closes);
	found = find_id(st, stmt, id_r, "batch for window", err);
	sqlite3_reset(stmt);
	return found == 1 ? 0 : -1;
}

/* Collects the first column (an id) of every row. */
static int collect_ids(struct store *st, sqlite3_stmt *stmt, GArray *ids, const char *what,
		       struct err *err)
{
	int rc;

	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		int64_t id = sqlite3_column_int64(stmt, 0);

		g_array_append_val(ids, id);
	}
	sqlite3_reset(stmt);
	return rc == SQLITE_DONE ? 0 : sql_fail(st, err, what);
}

int store_batches_due(struct store *st, const char *today, GArray *ids, struct err *err)
{
	sqlite3_stmt *stmt = prep(st,
				  "SELECT id FROM batches WHERE state = 'open' AND closes_on <= ? "
				  "ORDER BY opens_on, id",
				  err);

	if (stmt == NULL)
		return -1;
	bind_text(stmt, 1, today);
	return collect_ids(st, stmt, ids, "due batches", err);
}

int store_batch_open_for_day(struct store *st, const char *day, int64_t *id_r, struct err *err)
{
	sqlite3_stmt *stmt = prep(st,
				  "SELECT id FROM batches WHERE state = 'open' AND opens_on <= ?1 "
				  "AND ?1 < closes_on",
				  err);
	int found;

	if (stmt == NULL)
		return -1;
	bind_text(stmt, 1, day);
	found = find_id(st, stmt, id_r, "current batch", err);
	sqlite3_reset(stmt);
	return found;
}

/* A batch with its counts; ?1 = 0 gives all of them. */
static const char batch_sql[] =
	"SELECT b.id, b.opens_on, b.closes_on, b.state, b.token, b.digest_message_id, "
	"b.closed_at, b.reminded_at, count(a.id), "
	"coalesce(sum(a.state IN ('pending', 'in_review')), 0) FROM batches b "
	"LEFT JOIN applications a ON a.batch_id = b.id WHERE ?1 = 0 OR b.id = ?1 "
	"GROUP BY b.id ORDER BY b.id";

/* Reads the batches that batch_sql gives for id (0: all) into rows. */
static int batch_rows(struct store *st, int64_t id, GPtrArray *rows, struct err *err)
{
	sqlite3_stmt *stmt = prep(st, batch_sql, err);
	int rc;

	if (stmt == NULL)
		return -1;
	sqlite3_bind_int64(stmt, 1, id);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		struct batch_row *b = g_new0(struct batch_row, 1);

		batch_row_read(stmt, b);
		g_ptr_array_add(rows, b);
	}
	sqlite3_reset(stmt);
	return rc == SQLITE_DONE ? 0 : sql_fail(st, err, "read batches");
}

int store_batch_get(struct store *st, int64_t id, struct batch_row *b, struct err *err)
{
	GPtrArray *rows = g_ptr_array_new_with_free_func(batch_row_free);
	int found = batch_rows(st, id, rows, err);

	if (found == 0 && rows->len == 1) {
		*b = *(struct batch_row *)g_ptr_array_index(rows, 0);
		/* The strings now belong to *b: free only the shell. */
		g_free(g_ptr_array_steal_index(rows, 0));
		found = 1;
	}
	g_ptr_array_free(rows, TRUE);
	return found;
}

int store_batches(struct store *st, GPtrArray **rows_r, struct err *err)
{
	GPtrArray *rows = g_ptr_array_new_with_free_func(batch_row_free);

	if (batch_rows(st, 0, rows, err) < 0) {
		g_ptr_array_free(rows, TRUE);
		return -1;
	}
	*rows_r = rows;
	return 0;
}

int store_batch_close(struct store *st, int64_t id, const char *token, const char *digest_mid,
		      gint64 now, struct err *err)
{
	sqlite3_stmt *stmt = prep(
		st,
		"UPDATE batches SET state = 'closed', token = ?, "
		"digest_message_id = ?, closed_at = ? WHERE id = ? AND state = 'open'",
		err);

	if (stmt == NULL)
		return -1;
	bind_text(stmt, 1, token);
	bind_text(stmt, 2, digest_mid);
	bind_time(stmt, 3, now);
	sqlite3_bind_int64(stmt, 4, id);
	if (run(st, stmt, "close batch", err) < 0)
		return -1;
	if (sqlite3_changes(st->db) != 1)
		return err_set(err, ERR_FATAL,
			       "store close batch %" G_GINT64_FORMAT ": not open (closed twice?)",
			       id);
	return 0;
}

int store_batch_by_token(struct store *st, const char *token, int64_t *id_r, struct err *err)
{
	sqlite3_stmt *stmt = prep(st, "SELECT id FROM batches WHERE token = ?", err);
	int found;

	if (stmt == NULL)
		return -1;
	bind_text(stmt, 1, token);
	found = find_id(st, stmt, id_r, "batch by token", err);
	sqlite3_reset(stmt);
	return found;
}

int store_batches_to_remind(struct store *st, gint64 closed_before, GArray *ids, struct err *err)
{
	sqlite3_stmt *stmt = prep(
		st,
		"SELECT b.id FROM batches b WHERE b.state = 'closed' AND b.reminded_at IS NULL "
		"AND b.closed_at <= ? AND EXISTS (SELECT 1 FROM applications a WHERE "
		"a.batch_id = b.id AND a.state = 'in_review') ORDER BY b.id",
		err);

	if (stmt == NULL)
		return -1;
	bind_time(stmt, 1, closed_before);
	return collect_ids(st, stmt, ids, "batches to remind", err);
}

int store_batch_set_reminded(struct store *st, int64_t id, gint64 now, struct err *err)
{
	sqlite3_stmt *stmt = prep(st, "UPDATE batches SET reminded_at = ? WHERE id = ?", err);

	if (stmt == NULL)
		return -1;
	bind_time(stmt, 1, now);
	sqlite3_bind_int64(stmt, 2, id);
	return run(st, stmt, "mark batch reminded", err);
}

int store_batch_start_review(struct store *st, int64_t id, gint64 now, struct err *err)
{
	sqlite3_stmt *stmt = prep(st,
				  "UPDATE applications SET state = 'in_review', updated_at = ? "
				  "WHERE batch_id = ? AND state = 'pending'",
				  err);

	if (stmt == NULL)
		return -1;
	bind_time(stmt, 1, now);
	sqlite3_bind_int64(stmt, 2, id);
	return run(st, stmt, "start review", err);
}

void batch_row_free(gpointer p)
{
	batch_row_clear(p);
	g_free(p);
}

void batch_row_clear(struct batch_row *b)
{
	g_free(b->opens_on);
	g_free(b->closes_on);
	g_free(b->state);
	g_free(b->token);
	g_free(b->digest_message_id);
	g_free(b->closed_at);
	g_free(b->reminded_at);
	*b = (struct batch_row){ 0 };
}

int store_application_set_state(struct store *st, int64_t id, const char *state, gint64 now,
				struct err *err)
{
	sqlite3_stmt *stmt = prep(
		st, "UPDATE applications SET state = ?, updated_at = ? WHERE id = ?", err);

	if (stmt == NULL)
		return -1;
	bind_text(stmt, 1, state);
	bind_time(stmt, 2, now);
	sqlite3_bind_int64(stmt, 3, id);
	return run(st, stmt, "set application state", err);
}

int store_application_set_edition(struct store *st, int64_t id, const char *edition,
				  struct err *err)
{
	sqlite3_stmt *stmt = prep(st, "UPDATE applications SET edition = ? WHERE id = ?", err);

	if (stmt == NULL)
		return -1;
	bind_text(stmt, 1, edition);
	sqlite3_bind_int64(stmt, 2, id);
	return run(st, stmt, "set edition", err);
}

int store_decision_insert(struct store *st, const struct decision_new *d, gint64 now,
			  struct err *err)
{
	sqlite3_stmt *stmt = prep(
		st,
		"INSERT INTO decisions (application_id, decision, previous_state, decided_by, "
		"source_message_id, forced, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
		err);

	if (stmt == NULL)
		return -1;
	sqlite3_bind_int64(stmt, 1, d->application_id);
	bind_text(stmt, 2, d->decision);
	bind_text(stmt, 3, d->previous_state);
	bind_text(stmt, 4, d->decided_by);
	bind_text(stmt, 5, d->source_message_id);
	sqlite3_bind_int(stmt, 6, d->forced);
	bind_time(stmt, 7, now);
	return run(st, stmt, "insert decision", err);
}

int store_ledger_has_decision(struct store *st, const char *message_id, struct err *err)
{
	sqlite3_stmt *stmt = prep(st,
				  "SELECT id FROM messages WHERE message_id = ? AND "
				  "outcome = 'decision' LIMIT 1",
				  err);
	int64_t id;
	int found;

	if (stmt == NULL)
		return -1;
	bind_text(stmt, 1, message_id);
	found = find_id(st, stmt, &id, "find decision message", err);
	sqlite3_reset(stmt);
	return found;
}

int store_event_add(struct store *st, int64_t application_id, const char *kind, const char *detail,
		    gint64 now, struct err *err)
{
	sqlite3_stmt *stmt = prep(
		st, "INSERT INTO events (at, application_id, kind, detail) VALUES (?, ?, ?, ?)",
		err);

	if (stmt == NULL)
		return -1;
	bind_time(stmt, 1, now);
	bind_id(stmt, 2, application_id);
	bind_text(stmt, 3, kind);
	bind_text(stmt, 4, detail ? detail : "");
	return run(st, stmt, "insert event", err);
}

int store_state_set(struct store *st, const char *key, const char *value, struct err *err)
{
	sqlite3_stmt *stmt = prep(st,
				  "INSERT INTO daemon_state (key, value) VALUES (?, ?) "
				  "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
				  err);

	if (stmt == NULL)
		return -1;
	bind_text(stmt, 1, key);
	bind_text(stmt, 2, value);
	return run(st, stmt, "write state", err);
}

int store_state_get(struct store *st, const char *key, char **value_r, struct err *err)
{
	sqlite3_stmt *stmt = prep(st, "SELECT value FROM daemon_state WHERE key = ?", err);
	int rc;

	if (stmt == NULL)
		return -1;
	bind_text(stmt, 1, key);
	*value_r = NULL;
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW)
		*value_r = col_text(stmt, 0);
	sqlite3_reset(stmt);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : sql_fail(st, err, "read state");
}

int store_outbox_insert(struct store *st, const struct outbox_new *m, gint64 now, struct err *err)
{
	sqlite3_stmt *stmt = prep(
		st,
		"INSERT INTO outbox (application_id, template, to_addr, message_id, message, "
		"next_attempt_at, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
		err);

	if (stmt == NULL)
		return -1;
	bind_id(stmt, 1, m->application_id);
	bind_text(stmt, 2, m->template_name);
	bind_text(stmt, 3, m->to_addr);
	bind_text(stmt, 4, m->message_id);
	sqlite3_bind_blob64(stmt, 5, m->message, m->message_len, SQLITE_TRANSIENT);
	bind_time(stmt, 6, now);
	bind_time(stmt, 7, now);
	return run(st, stmt, "queue message", err);
}

void outbox_row_free(gpointer p)
{
	struct outbox_row *r = p;

	g_free(r->ref);
	g_free(r->to_addr);
	g_free(r->template_name);
	g_free(r->state);
	g_free(r->message_id);
	g_free(r->last_error);
	g_free(r->next_attempt_at);
	if (r->message != NULL)
		g_bytes_unref(r->message);
	g_free(r);
}

/* Columns: o.id, a.ref, to_addr, template, state, message_id, last_error, next_attempt_at,
 * attempts, and optionally the message. */
#define OUTBOX_COLUMNS                                                                     \
	"SELECT o.id, a.ref, o.to_addr, o.template, o.state, o.message_id, o.last_error, " \
	"o.next_attempt_at, o.attempts, o.message FROM outbox o "                          \
	"LEFT JOIN applications a ON a.id = o.application_id "

static int outbox_rows(struct store *st, sqlite3_stmt *stmt, bool with_message, GPtrArray **rows_r,
		       struct err *err)
{
	GPtrArray *rows = g_ptr_array_new_with_free_func(outbox_row_free);
	int rc;

	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		struct outbox_row *r = g_new0(struct outbox_row, 1);

		r->id = sqlite3_column_int64(stmt, 0);
		r->ref = col_text(stmt, 1);
		r->to_addr = col_text(stmt, 2);
		r->template_name = col_text(stmt, 3);
		r->state = col_text(stmt, 4);
		r->message_id = col_text(stmt, 5);
		r->last_error = col_text(stmt, 6);
		r->next_attempt_at = col_text(stmt, 7);
		r->attempts = sqlite3_column_int(stmt, 8);
		if (with_message)
			r->message = g_bytes_new(sqlite3_column_blob(stmt, 9),
						 (gsize)sqlite3_column_bytes(stmt, 9));
		g_ptr_array_add(rows, r);
	}
	sqlite3_reset(stmt);
	if (rc != SQLITE_DONE) {
		g_ptr_array_free(rows, TRUE);
		return sql_fail(st, err, "read outbox");
	}
	*rows_r = rows;
	return 0;
}

int store_outbox_due(struct store *st, gint64 now, GPtrArray **rows_r, struct err *err)
{
	sqlite3_stmt *stmt = prep(st,
				  OUTBOX_COLUMNS "WHERE o.state IN ('queued', 'sending') AND "
						 "o.next_attempt_at <= ? ORDER BY o.id",
				  err);

	if (stmt == NULL)
		return -1;
	bind_time(stmt, 1, now);
	return outbox_rows(st, stmt, true, rows_r, err);
}

int store_outbox_list(struct store *st, const char *ref, GPtrArray **rows_r, struct err *err)
{
	sqlite3_stmt *stmt = prep(st, OUTBOX_COLUMNS "WHERE ?1 IS NULL OR a.ref = ?1 ORDER BY o.id",
				  err);

	if (stmt == NULL)
		return -1;
	bind_text(stmt, 1, ref);
	return outbox_rows(st, stmt, false, rows_r, err);
}

int store_outbox_count_since(struct store *st, const char *to_addr, gint64 since, int *count_r,
			     struct err *err)
{
	/* In all: by the minute, so from the start of the minute of `since` (a few seconds more
	 * than asked, never fewer). */
	sqlite3_stmt *stmt = prep(st,
				  to_addr ? "SELECT count(*) FROM outbox WHERE to_addr = ?2 AND "
					    "created_at >= ?1 AND " AUTO_REPLY
					  : "SELECT coalesce(sum(replies), 0) FROM reply_minutes "
					    "WHERE minute >= substr(?1, 1, 16)",
				  err);
	int64_t n = 0;
	int found;

	if (stmt == NULL)
		return -1;
	bind_time(stmt, 1, since);
	if (to_addr != NULL)
		bind_text(stmt, 2, to_addr);
	found = find_id(st, stmt, &n, "count replies", err);
	sqlite3_reset(stmt);
	*count_r = (int)n;
	return found < 0 ? -1 : 0;
}

int store_state_increment(struct store *st, const char *key, struct err *err)
{
	sqlite3_stmt *stmt = prep(
		st,
		"INSERT INTO daemon_state (key, value) VALUES (?, '1') "
		"ON CONFLICT (key) DO UPDATE SET value = CAST(value AS INTEGER) + 1",
		err);

	if (stmt == NULL)
		return -1;
	bind_text(stmt, 1, key);
	return run(st, stmt, "increment state", err);
}

int store_outbox_bounce(struct store *st, const char *message_id, const char *reason, gint64 now,
			struct err *err)
{
	sqlite3_stmt *mark = prep(
		st,
		"UPDATE outbox SET state = 'failed', office_told = 0, last_error = ? "
		"WHERE message_id = ? AND state = 'sent'",
		err);
	sqlite3_stmt *who;
	int changed;

	if (mark == NULL)
		return -1;
	bind_text(mark, 1, reason);
	bind_text(mark, 2, message_id);
	if (run(st, mark, "mark bounce", err) < 0)
		return -1;
	if ((changed = sqlite3_changes(st->db)) == 0)
		return 0;
	who = prep(st,
		   "UPDATE applicants SET undeliverable_at = ?1 WHERE email = (SELECT to_addr FROM "
		   "outbox WHERE message_id = ?2)",
		   err);
	if (who == NULL)
		return -1;
	bind_time(who, 1, now);
	bind_text(who, 2, message_id);
	return run(st, who, "mark undeliverable", err) < 0 ? -1 : changed;
}

int store_outbox_untold_failures(struct store *st, GPtrArray **rows_r, struct err *err)
{
	sqlite3_stmt *stmt = prep(st,
				  OUTBOX_COLUMNS "WHERE o.state = 'failed' AND o.office_told = 0 "
						 "ORDER BY o.id",
				  err);

	if (stmt == NULL)
		return -1;
	return outbox_rows(st, stmt, false, rows_r, err);
}

int store_outbox_set_told(struct store *st, int64_t id, struct err *err)
{
	sqlite3_stmt *stmt = prep(st, "UPDATE outbox SET office_told = 1 WHERE id = ?", err);

	if (stmt == NULL)
		return -1;
	sqlite3_bind_int64(stmt, 1, id);
	return run(st, stmt, "mark failure told", err);
}

int store_outbox_requeue(struct store *st, const char *ref, gint64 now, int *count_r,
			 struct err *err)
{
	sqlite3_stmt *stmt = prep(st,
				  "UPDATE outbox SET state = 'queued', next_attempt_at = ?, "
				  "office_told = 0 WHERE state = 'failed' AND application_id = "
				  "(SELECT id FROM applications WHERE ref = ?)",
				  err);

	if (stmt == NULL)
		return -1;
	bind_time(stmt, 1, now);
	bind_text(stmt, 2, ref);
	if (run(st, stmt, "requeue", err) < 0)
		return -1;
	*count_r = sqlite3_changes(st->db);
	return 0;
}

int store_outbox_mark(struct store *st, int64_t id, const char *state, int attempts,
		      gint64 next_attempt_at, const char *last_error, gint64 now, struct err *err)
{
	sqlite3_stmt *stmt = prep(
		st,
		"UPDATE outbox SET state = ?1, attempts = ?2, "
		"next_attempt_at = coalesce(?3, next_attempt_at), last_error = ?4, "
		"sent_at = CASE WHEN ?1 = 'sent' THEN ?5 ELSE sent_at END "
		"WHERE id = ?6",
		err);

	if (stmt == NULL)
		return -1;
	bind_text(stmt, 1, state);
	sqlite3_bind_int(stmt, 2, attempts);
	bind_time(stmt, 3, next_attempt_at);
	bind_text(stmt, 4, last_error);
	bind_time(stmt, 5, now);
	sqlite3_bind_int64(stmt, 6, id);
	return run(st, stmt, "update outbox", err);
}

void app_row_free(gpointer p)
{
	struct app_row *a = p;

	g_free(a->ref);
	g_free(a->email);
	g_free(a->name);
	g_free(a->state);
	g_free(a->edition);
	g_free(a->received_at);
	g_free(a->problems);
	g_free(a->thread_message_id);
	g_ptr_array_free(a->documents, TRUE);
	g_free(a);
}

static void doc_row_free(gpointer p)
{
	struct doc_row *d = p;

	g_free(d->kind);
	g_free(d->filename);
	g_free(d->content_type);
	g_free(d->sha256);
	g_free(d->path);
	g_free(d->format);
	g_free(d->problem);
	g_free(d);
}

static int load_documents(struct store *st, struct app_row *app, struct err *err)
{
	sqlite3_stmt *stmt = prep(st,
				  "SELECT kind, filename, content_type, size, pages, sha256, path, "
				  "format, problem, part_offset "
				  "FROM documents WHERE application_id = ? AND superseded = 0 "
				  "ORDER BY id",
				  err);
	int rc;

	if (stmt == NULL)
		return -1;
	sqlite3_bind_int64(stmt, 1, app->id);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		struct doc_row *d = g_new0(struct doc_row, 1);

		d->kind = col_text(stmt, 0);
		d->filename = col_text(stmt, 1);
		d->content_type = col_text(stmt, 2);
		d->size = sqlite3_column_int64(stmt, 3);
		d->pages = sqlite3_column_type(stmt, 4) == SQLITE_NULL
				   ? -1
				   : sqlite3_column_int(stmt, 4);
		d->sha256 = col_text(stmt, 5);
		d->path = col_text(stmt, 6);
		d->format = col_text(stmt, 7);
		d->problem = col_text(stmt, 8);
		d->offset = sqlite3_column_int64(stmt, 9);
		g_ptr_array_add(app->documents, d);
	}
	sqlite3_reset(stmt);
	return rc == SQLITE_DONE ? 0 : sql_fail(st, err, "read documents");
}

int store_applications(struct store *st, const struct app_filter *f, GPtrArray **apps_r,
		       struct err *err)
{
	sqlite3_stmt *stmt = prep(
		st,
		"SELECT a.id, a.ref, p.email, p.name, a.state, a.edition, coalesce(a.batch_id, 0), "
		"a.received_at, a.problems, a.thread_message_id FROM applications a "
		"JOIN applicants p ON p.id = a.applicant_id WHERE (?1 IS NULL OR a.state = ?1) "
		"AND (?2 IS NULL OR a.ref = ?2) AND (?3 = 0 OR a.batch_id = ?3) ORDER BY a.id",
		err);
	GPtrArray *apps = g_ptr_array_new_with_free_func(app_row_free);
	int rc;

	if (stmt == NULL) {
		g_ptr_array_free(apps, TRUE);
		return -1;
	}
	bind_text(stmt, 1, f->state);
	bind_text(stmt, 2, f->ref);
	sqlite3_bind_int64(stmt, 3, f->batch_id);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		struct app_row *a = g_new0(struct app_row, 1);

		a->id = sqlite3_column_int64(stmt, 0);
		a->ref = col_text(stmt, 1);
		a->email = col_text(stmt, 2);
		a->name = col_text(stmt, 3);
		a->state = col_text(stmt, 4);
		a->edition = col_text(stmt, 5);
		a->batch_id = sqlite3_column_int64(stmt, 6);
		a->received_at = col_text(stmt, 7);
		a->problems = col_text(stmt, 8);
		a->thread_message_id = col_text(stmt, 9);
		a->documents = g_ptr_array_new_with_free_func(doc_row_free);
		g_ptr_array_add(apps, a);
	}
	sqlite3_reset(stmt);
	if (rc != SQLITE_DONE) {
		g_ptr_array_free(apps, TRUE);
		return sql_fail(st, err, "read applications");
	}
	for (guint i = 0; i < apps->len; i++) {
		if (load_documents(st, g_ptr_array_index(apps, i), err) < 0) {
			g_ptr_array_free(apps, TRUE);
			return -1;
		}
	}
	*apps_r = apps;
	return 0;
}

static int count_into(struct store *st, sqlite3_stmt *stmt, GHashTable *counts, struct err *err)
{
	int rc;

	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW)
		g_hash_table_insert(counts, col_text(stmt, 0),
				    GINT_TO_POINTER(sqlite3_column_int(stmt, 1)));
	sqlite3_reset(stmt);
	return rc == SQLITE_DONE ? 0 : sql_fail(st, err, "count");
}

int store_counts(struct store *st, GHashTable **counts_r, struct err *err)
{
	GHashTable *counts = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	sqlite3_stmt *apps = prep(st, "SELECT state, count(*) FROM applications GROUP BY state",
				  err);
	sqlite3_stmt *outbox =
		apps ? prep(st, "SELECT 'outbox:' || state, count(*) FROM outbox GROUP BY state",
			    err)
		     : NULL;

	if (outbox == NULL || count_into(st, apps, counts, err) < 0 ||
	    count_into(st, outbox, counts, err) < 0) {
		g_hash_table_destroy(counts);
		return -1;
	}
	*counts_r = counts;
	return 0;
}

int store_history(struct store *st, const char *ref, GPtrArray **lines_r, struct err *err)
{
	sqlite3_stmt *stmt = prep(st,
				  "SELECT e.at || '  ' || e.kind || '  ' || e.detail FROM events e "
				  "JOIN applications a ON a.id = e.application_id WHERE a.ref = ? "
				  "ORDER BY e.id",
				  err);
	GPtrArray *lines = g_ptr_array_new_with_free_func(g_free);
	int rc;

	if (stmt == NULL) {
		g_ptr_array_free(lines, TRUE);
		return -1;
	}
	bind_text(stmt, 1, ref);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW)
		g_ptr_array_add(lines, col_text(stmt, 0));
	sqlite3_reset(stmt);
	if (rc != SQLITE_DONE) {
		g_ptr_array_free(lines, TRUE);
		return sql_fail(st, err, "read history");
	}
	*lines_r = lines;
	return 0;
}

/* The columns of batch_sql. */
static void batch_row_read(sqlite3_stmt *stmt, struct batch_row *b)
{
	b->id = sqlite3_column_int64(stmt, 0);
	b->opens_on = col_text(stmt, 1);
	b->closes_on = col_text(stmt, 2);
	b->state = col_text(stmt, 3);
	b->token = col_text(stmt, 4);
	b->digest_message_id = col_text(stmt, 5);
	b->closed_at = col_text(stmt, 6);
	b->reminded_at = col_text(stmt, 7);
	b->applications = sqlite3_column_int(stmt, 8);
	b->undecided = sqlite3_column_int(stmt, 9);
}

static const char *const person_sql[] = {
	[PERSON_APPLICANT] = "SELECT email, name, created_at, undeliverable_at FROM applicants "
			     "WHERE email = ?",
	[PERSON_APPLICATIONS] = "SELECT a.ref, a.state, a.edition, a.received_at, a.problems "
				"FROM applications a JOIN applicants p ON p.id = a.applicant_id "
				"WHERE p.email = ? ORDER BY a.id",
	[PERSON_DOCUMENTS] =
		"SELECT a.ref, d.kind, d.filename, d.content_type, d.size, d.pages, "
		"d.sha256, d.part_offset, d.path FROM documents d JOIN applications a ON "
		"a.id = d.application_id JOIN applicants p ON p.id = a.applicant_id "
		"WHERE p.email = ? ORDER BY d.id",
	[PERSON_MESSAGES] = "SELECT received_at, message_id, subject, outcome, spool_path FROM "
			    "messages WHERE sender = ?1 OR application_id IN (SELECT a.id FROM "
			    "applications a JOIN applicants p ON p.id = a.applicant_id WHERE "
			    "p.email = ?1) ORDER BY id",
	[PERSON_LETTERS] = "SELECT created_at, template, state, message_id, sent_at, id FROM "
			   "outbox WHERE to_addr = ? ORDER BY id",
	[PERSON_EVENTS] = "SELECT e.at, a.ref, e.kind, e.detail FROM events e JOIN applications a "
			  "ON a.id = e.application_id JOIN applicants p ON p.id = a.applicant_id "
			  "WHERE p.email = ? ORDER BY e.id",
};

static const char *const person_cols[][10] = {
	[PERSON_APPLICANT] = { "email", "name", "created_at", "undeliverable_at", NULL },
	[PERSON_APPLICATIONS] = { "ref", "state", "edition", "received_at", "problems", NULL },
	[PERSON_DOCUMENTS] = { "ref", "kind", "filename", "content_type", "size", "pages", "sha256",
			       "offset", "path", NULL },
	[PERSON_MESSAGES] = { "received_at", "message_id", "subject", "outcome", "spool_path",
			      NULL },
	[PERSON_LETTERS] = { "created_at", "template", "state", "message_id", "sent_at", "id",
			     NULL },
	[PERSON_EVENTS] = { "at", "ref", "kind", "detail", NULL },
};

const char *const *store_person_columns(enum person_query q)
{
	return person_cols[q];
}

int store_person_rows(struct store *st, enum person_query q, const char *email, GPtrArray **rows_r,
		      struct err *err)
{
	sqlite3_stmt *stmt = prep(st, person_sql[q], err);
	GPtrArray *rows;
	int rc, n;

	if (stmt == NULL)
		return -1;
	rows = g_ptr_array_new_with_free_func((GDestroyNotify)g_ptr_array_unref);
	bind_text(stmt, 1, email);
	n = sqlite3_column_count(stmt);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		GPtrArray *row = g_ptr_array_new_full((guint)n, g_free);

		for (int i = 0; i < n; i++)
			g_ptr_array_add(row, col_text(stmt, i)); /* may be NULL */
		g_ptr_array_add(rows, row);
	}
	sqlite3_reset(stmt);
	if (rc != SQLITE_DONE) {
		g_ptr_array_free(rows, TRUE);
		return sql_fail(st, err, "read person");
	}
	*rows_r = rows;
	return 0;
}

int store_outbox_message(struct store *st, int64_t id, GBytes **bytes_r, struct err *err)
{
	sqlite3_stmt *stmt = prep(st, "SELECT message FROM outbox WHERE id = ?", err);
	int rc;

	if (stmt == NULL)
		return -1;
	sqlite3_bind_int64(stmt, 1, id);
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW)
		*bytes_r = g_bytes_new(sqlite3_column_blob(stmt, 0),
				       (gsize)sqlite3_column_bytes(stmt, 0));
	sqlite3_reset(stmt);
	return rc == SQLITE_ROW ? 0 : sql_fail(st, err, "read letter");
}

static int collect_paths(struct store *st, const char *sql, const char *email, GPtrArray *files,
			 struct err *err)
{
	sqlite3_stmt *stmt = prep(st, sql, err);
	int rc;

	if (stmt == NULL)
		return -1;
	bind_text(stmt, 1, email);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW)
		if (sqlite3_column_text(stmt, 0) != NULL && sqlite3_column_bytes(stmt, 0) > 0)
			g_ptr_array_add(files, col_text(stmt, 0));
	sqlite3_reset(stmt);
	return rc == SQLITE_DONE ? 0 : sql_fail(st, err, "collect files");
}

#define PERSON_APPS                                                     \
	"(SELECT a.id FROM applications a JOIN applicants p ON p.id = " \
	"a.applicant_id WHERE p.email = ?1)"

int store_person_erase(struct store *st, const char *email, gint64 now, GPtrArray *files,
		       struct err *err)
{
	static const char *const steps[] = {
		("INSERT INTO events (at, application_id, kind, detail) SELECT ?2, id, "
		 "'gdpr-erased', 'personal data erased on request' FROM " PERSON_APPS),
		"DELETE FROM documents WHERE application_id IN " PERSON_APPS,
		("UPDATE messages SET sender = NULL, subject = NULL, message_id = NULL, "
		 "spool_path = '' WHERE sender = ?1 OR application_id IN " PERSON_APPS),
		("UPDATE events SET detail = '' WHERE kind <> 'gdpr-erased' AND application_id "
		 "IN " PERSON_APPS),
		"UPDATE applications SET thread_message_id = NULL WHERE id IN " PERSON_APPS,
		"UPDATE outbox SET message = x'', to_addr = 'erased' WHERE to_addr = ?1",
		("UPDATE applicants SET email = 'erased-' || id || '@invalid', name = '', "
		 "undeliverable_at = NULL WHERE email = ?1"),
	};

	if (collect_paths(st,
			  "SELECT DISTINCT d.path FROM documents d WHERE d.application_id "
			  "IN " PERSON_APPS,
			  email, files, err) < 0 ||
	    collect_paths(st,
			  "SELECT spool_path FROM messages WHERE sender = ?1 OR application_id "
			  "IN " PERSON_APPS,
			  email, files, err) < 0)
		return -1;
	for (size_t i = 0; i < G_N_ELEMENTS(steps); i++) {
		sqlite3_stmt *stmt = prep(st, steps[i], err);

		if (stmt == NULL)
			return -1;
		bind_text(stmt, 1, email);
		if (sqlite3_bind_parameter_count(stmt) >= 2)
			bind_time(stmt, 2, now);
		if (run(st, stmt, "erase person", err) < 0)
			return -1;
	}
	return 0;
}

int store_retention_due(struct store *st, const char *state, gint64 before, GArray *ids,
			struct err *err)
{
	sqlite3_stmt *stmt = prep(st,
				  "SELECT id FROM applications WHERE state = ? AND updated_at <= ? "
				  "AND purged_at IS NULL ORDER BY id",
				  err);

	if (stmt == NULL)
		return -1;
	bind_text(stmt, 1, state);
	bind_time(stmt, 2, before);
	return collect_ids(st, stmt, ids, "retention due", err);
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
		sqlite3_stmt *stmt = prep(st, collect[i], err);
		int rc;

		if (stmt == NULL)
			return -1;
		sqlite3_bind_int64(stmt, 1, id);
		while ((rc = sqlite3_step(stmt)) == SQLITE_ROW)
			g_ptr_array_add(files, col_text(stmt, 0));
		sqlite3_reset(stmt);
		if (rc != SQLITE_DONE)
			return sql_fail(st, err, "collect files");
	}
	for (size_t i = 0; i < G_N_ELEMENTS(steps); i++) {
		sqlite3_stmt *stmt = prep(st, steps[i], err);

		if (stmt == NULL)
			return -1;
		sqlite3_bind_int64(stmt, 1, id);
		if (sqlite3_bind_parameter_count(stmt) >= 2)
			bind_time(stmt, 2, now);
		if (run(st, stmt, "purge", err) < 0)
			return -1;
	}
	return 0;
}
