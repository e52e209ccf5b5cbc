/* store_p.h — what the store_*.c files share: the connection, statement cache and the small
 * helpers every query uses. Private to the store: nothing outside store*.c includes it, and
 * these are the only files that include sqlite3.h.
 *
 * Errors: store_fail() maps the connection's last error to ERR_TEMP (busy, locked, I/O, full)
 * or ERR_FATAL, with "store WHAT: sqlite's message"; every helper returning int returns -1
 * after it. */
#ifndef ADMITD_STORE_P_H
#define ADMITD_STORE_P_H

#include <sqlite3.h>
#include <string.h>

#include "app_state.h"
#include "store.h"
#include "timeutil.h"

struct store {
	sqlite3 *db;
	GHashTable *stmts; /* SQL text (static) → prepared statement, reused */
};

/* Outbox rows that count toward the reply limits: everything but decisions' letters and the
 * commission's mail. Part of schema version 2's trigger: changing it needs a migration. */
#define AUTO_REPLY "template NOT IN ('accepted', 'discarded', 'reserve', 'digest', 'reminder')"

int store_fail(struct store *st, struct err *err, const char *what);
/* A prepared statement for `sql`, reset and ready to bind, or NULL (err set). `sql` must be a
 * string literal: its address is the cache key. */
sqlite3_stmt *store_prep(struct store *st, const char *sql, struct err *err);
/* One statement or several without results (pragmas, transactions, migrations). */
int store_exec(struct store *st, const char *sql, const char *what, struct err *err);
/* Steps a statement that returns no rows (or whose rows are not read), then resets it. */
int store_run(struct store *st, sqlite3_stmt *stmt, const char *what, struct err *err);
/* Steps a query expected to return at most one row whose first column is an id: 1 and *id_r
 * (the statement is left on the row for further columns: the caller resets), 0, or -1. */
int store_find_id(struct store *st, sqlite3_stmt *stmt, int64_t *id_r, const char *what,
		  struct err *err);
/* Steps a query whose one row is a count: *count_r (0 when no row), then resets. */
int store_count(struct store *st, sqlite3_stmt *stmt, int *count_r, const char *what,
		struct err *err);
/* Appends the first column (an id) of every row to ids, then resets. */
int store_collect_ids(struct store *st, sqlite3_stmt *stmt, GArray *ids, const char *what,
		      struct err *err);

/* Binding: NULL text and id 0 are SQL NULL; times are ISO 8601 text in UTC, 0 is NULL. */
void store_bind_text(sqlite3_stmt *stmt, int i, const char *s);
void store_bind_time(sqlite3_stmt *stmt, int i, gint64 t);
void store_bind_id(sqlite3_stmt *stmt, int i, int64_t id);
/* The column as an owned string, NULL for SQL NULL. */
char *store_col_text(sqlite3_stmt *stmt, int i);
/* States are stored by name (app_state.h). Reading one that this build does not know is
 * ERR_FATAL; store_check_states() makes that a broken database, not a daily event. */
void store_bind_state(sqlite3_stmt *stmt, int i, enum app_state s);
int store_col_state(sqlite3_stmt *stmt, int i, enum app_state *s_r, struct err *err);

/* store_schema.c: brings the database to this build's schema version, then checks that the
 * applications' CHECK constraint allows exactly the states of app_state.h (ERR_FATAL naming
 * the difference when not: a state added in C needs a migration too). */
int store_migrate(struct store *st, struct err *err);

/* store_documents.c: fills app->documents (created by the caller) with its current documents. */
int store_documents_load(struct store *st, struct app_row *app, struct err *err);

/* Outbox rows (alias o) that need the office: a digest or reminder the commission never got,
 * or any email refused for its size (552), until it is sent again or superseded. */
#define STORE_OUTBOX_ATTENTION                                                          \
	"o.state = 'failed' AND o.superseded_at IS NULL AND (o.template IN ('digest', " \
	"'reminder') OR o.last_error LIKE '%(552)%' OR o.last_error LIKE '%too large%')"

/* An outbox row (its message_id column `mid`) that is a digest or a reminder of the batch whose
 * token is `token` (SQL expressions); digest.h names them. */
#define STORE_BATCH_MAIL(mid, token)                                                        \
	"(" mid " LIKE 'digest.' || " token " || '%' OR " mid " LIKE 'reminder.' || " token \
	" || '%')"

/* SET clauses that withdraw an outbox row still waiting to be sent: failed, with `reason` (a
 * SQL string literal), told (nobody need act on it). Rows already sent or failed keep theirs:
 * within an UPDATE, `state` is the old state. The caller sets superseded_at. */
#define STORE_OUTBOX_WAITING "state IN ('queued', 'sending')"
#define STORE_OUTBOX_WITHDRAW(reason)                                                      \
	"office_told = CASE WHEN " STORE_OUTBOX_WAITING " THEN 1 ELSE office_told END, "   \
	"last_error = CASE WHEN " STORE_OUTBOX_WAITING " THEN " reason " ELSE last_error " \
	"END, state = CASE WHEN " STORE_OUTBOX_WAITING " THEN 'failed' ELSE state END"

#endif
