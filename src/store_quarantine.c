/* store_quarantine.c — the ledger rows of quarantined messages, for admitctl quarantine. */
#include "store_p.h"

#define QUARANTINE_COLUMNS                                                             \
	"SELECT id, uidvalidity, uid, sha256, spool_path, raw_from, subject, detail, " \
	"received_at, outcome FROM messages "

static struct quarantine_row *row_of(sqlite3_stmt *stmt)
{
	struct quarantine_row *q = g_new0(struct quarantine_row, 1);

	q->id = sqlite3_column_int64(stmt, 0);
	q->uidvalidity = (uint32_t)sqlite3_column_int64(stmt, 1);
	q->uid = (uint32_t)sqlite3_column_int64(stmt, 2);
	q->sha256 = store_col_text(stmt, 3);
	q->spool_path = store_col_text(stmt, 4);
	q->raw_from = store_col_text(stmt, 5);
	q->subject = store_col_text(stmt, 6);
	q->reason = store_col_text(stmt, 7);
	q->received_at = store_col_text(stmt, 8);
	q->outcome = store_col_text(stmt, 9);
	return q;
}

void quarantine_row_free(gpointer p)
{
	struct quarantine_row *q = p;

	g_free(q->sha256);
	g_free(q->spool_path);
	g_free(q->raw_from);
	g_free(q->subject);
	g_free(q->reason);
	g_free(q->received_at);
	g_free(q->outcome);
	g_free(q);
}

int store_quarantine_list(struct store *st, GPtrArray **rows_r, struct err *err)
{
	sqlite3_stmt *stmt = store_prep(
		st, QUARANTINE_COLUMNS "WHERE outcome = 'quarantined' ORDER BY id", err);
	GPtrArray *rows;
	int rc;

	if (stmt == NULL)
		return -1;
	rows = g_ptr_array_new_with_free_func(quarantine_row_free);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW)
		g_ptr_array_add(rows, row_of(stmt));
	sqlite3_reset(stmt);
	if (rc != SQLITE_DONE) {
		g_ptr_array_free(rows, TRUE);
		return store_fail(st, err, "list quarantined messages");
	}
	*rows_r = rows;
	return 0;
}

int store_ledger_row(struct store *st, int64_t id, struct quarantine_row **row_r, struct err *err)
{
	sqlite3_stmt *stmt = store_prep(st, QUARANTINE_COLUMNS "WHERE id = ?", err);
	int rc;

	if (stmt == NULL)
		return -1;
	sqlite3_bind_int64(stmt, 1, id);
	rc = sqlite3_step(stmt);
	*row_r = rc == SQLITE_ROW ? row_of(stmt) : NULL;
	sqlite3_reset(stmt);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_fail(st, err, "read message row");
	return rc == SQLITE_ROW;
}

int store_ledger_delete(struct store *st, int64_t id, struct err *err)
{
	sqlite3_stmt *stmt = store_prep(st, "DELETE FROM messages WHERE id = ?", err);

	if (stmt == NULL)
		return -1;
	sqlite3_bind_int64(stmt, 1, id);
	return store_run(st, stmt, "replace quarantined row", err);
}

int store_release_record(struct store *st, int64_t old_row, int64_t new_row, gint64 now,
			 struct err *err)
{
	sqlite3_stmt *stmt = store_prep(st,
					"INSERT INTO quarantine_releases (old_row, new_row, "
					"released_at) VALUES (?, ?, ?)",
					err);

	if (stmt == NULL)
		return -1;
	sqlite3_bind_int64(stmt, 1, old_row);
	sqlite3_bind_int64(stmt, 2, new_row);
	store_bind_time(stmt, 3, now);
	return store_run(st, stmt, "record release", err);
}

int store_release_find(struct store *st, int64_t old_row, int64_t *new_row_r, char **released_at_r,
		       struct err *err)
{
	sqlite3_stmt *stmt = store_prep(
		st, "SELECT new_row, released_at FROM quarantine_releases WHERE old_row = ?", err);
	int rc;

	if (stmt == NULL)
		return -1;
	sqlite3_bind_int64(stmt, 1, old_row);
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW) {
		*new_row_r = sqlite3_column_int64(stmt, 0);
		*released_at_r = store_col_text(stmt, 1);
	}
	sqlite3_reset(stmt);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_fail(st, err, "find release");
	return rc == SQLITE_ROW;
}
