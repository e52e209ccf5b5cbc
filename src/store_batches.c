/* store_batches.c — the fortnightly batches: windows, closing, review, reminders. */

#include "store_p.h"

/* A batch with its counts; ?1 = 0 gives all of them. */
static const char batch_sql[] =
	"SELECT b.id, b.opens_on, b.closes_on, b.state, b.token, b.digest_message_id, "
	"b.closed_at, b.reminded_at, count(a.id), "
	"coalesce(sum(app_state_has(a.state, 'undecided')), 0), b.digest_round FROM batches b "
	"LEFT JOIN applications a ON a.batch_id = b.id WHERE ?1 = 0 OR b.id = ?1 "
	"GROUP BY b.id ORDER BY b.id";

/* The columns of batch_sql. */
static void batch_row_read(sqlite3_stmt *stmt, struct batch_row *b)
{
	b->id = sqlite3_column_int64(stmt, 0);
	b->opens_on = store_col_text(stmt, 1);
	b->closes_on = store_col_text(stmt, 2);
	b->state = store_col_text(stmt, 3);
	b->token = store_col_text(stmt, 4);
	b->digest_message_id = store_col_text(stmt, 5);
	b->closed_at = store_col_text(stmt, 6);
	b->reminded_at = store_col_text(stmt, 7);
	b->applications = sqlite3_column_int(stmt, 8);
	b->undecided = sqlite3_column_int(stmt, 9);
	b->digest_round = sqlite3_column_int(stmt, 10);
}

/* What of the old round still waits would repeat the new one: it is withdrawn. */
#define NEW_ROUND_REASON "'superseded: the digest was queued again as a new round'"
#define NEW_ROUND_ROWS                                                              \
	"(state = 'failed' OR " STORE_OUTBOX_WAITING ") AND superseded_at IS NULL " \
	"AND " STORE_BATCH_MAIL("message_id", "?2")
#define NEW_ROUND_SQL                                                   \
	"UPDATE outbox SET superseded_at = ?1, " STORE_OUTBOX_WITHDRAW( \
		NEW_ROUND_REASON) " WHERE " NEW_ROUND_ROWS

int store_batch_new_round(struct store *st, const struct batch_row *b, gint64 now, struct err *err)
{
	sqlite3_stmt *stmt = store_prep(st, NEW_ROUND_SQL, err);

	if (stmt == NULL)
		return -1;
	store_bind_time(stmt, 1, now);
	store_bind_text(stmt, 2, b->token);
	if (store_run(st, stmt, "supersede digest", err) < 0)
		return -1;
	stmt = store_prep(st, "UPDATE batches SET digest_round = digest_round + 1 WHERE id = ?",
			  err);
	if (stmt == NULL)
		return -1;
	sqlite3_bind_int64(stmt, 1, b->id);
	return store_run(st, stmt, "new digest round", err);
}

int store_batch_for_window(struct store *st, const char *opens, const char *closes, int64_t *id_r,
			   struct err *err)
{
	sqlite3_stmt *stmt = store_prep(st,
					"INSERT INTO batches (opens_on, closes_on) VALUES (?1, ?2) "
					"ON CONFLICT (opens_on) WHERE state = 'open' "
					"DO UPDATE SET opens_on = opens_on RETURNING id",
					err);
	int found;

	if (stmt == NULL)
		return -1;
	store_bind_text(stmt, 1, opens);
	store_bind_text(stmt, 2, closes);
	found = store_find_id(st, stmt, id_r, "batch for window", err);
	sqlite3_reset(stmt);
	return found == 1 ? 0 : -1;
}

int store_batches_due(struct store *st, const char *today, GArray *ids, struct err *err)
{
	sqlite3_stmt *stmt = store_prep(
		st,
		"SELECT id FROM batches WHERE state = 'open' AND closes_on <= ? "
		"ORDER BY opens_on, id",
		err);

	if (stmt == NULL)
		return -1;
	store_bind_text(stmt, 1, today);
	return store_collect_ids(st, stmt, ids, "due batches", err);
}

int store_batch_open_for_day(struct store *st, const char *day, int64_t *id_r, struct err *err)
{
	sqlite3_stmt *stmt = store_prep(
		st,
		"SELECT id FROM batches WHERE state = 'open' AND opens_on <= ?1 "
		"AND ?1 < closes_on",
		err);
	int found;

	if (stmt == NULL)
		return -1;
	store_bind_text(stmt, 1, day);
	found = store_find_id(st, stmt, id_r, "current batch", err);
	sqlite3_reset(stmt);
	return found;
}

/* Reads the batches that batch_sql gives for id (0: all) into rows. */
static int batch_rows(struct store *st, int64_t id, GPtrArray *rows, struct err *err)
{
	sqlite3_stmt *stmt = store_prep(st, batch_sql, err);
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
	return rc == SQLITE_DONE ? 0 : store_fail(st, err, "read batches");
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
	sqlite3_stmt *stmt = store_prep(
		st,
		"UPDATE batches SET state = 'closed', token = ?, "
		"digest_message_id = ?, closed_at = ? WHERE id = ? AND state = 'open'",
		err);

	if (stmt == NULL)
		return -1;
	store_bind_text(stmt, 1, token);
	store_bind_text(stmt, 2, digest_mid);
	store_bind_time(stmt, 3, now);
	sqlite3_bind_int64(stmt, 4, id);
	if (store_run(st, stmt, "close batch", err) < 0)
		return -1;
	if (sqlite3_changes(st->db) != 1)
		return err_set(err, ERR_FATAL,
			       "store close batch %" G_GINT64_FORMAT ": not open (closed twice?)",
			       id);
	return 0;
}

int store_batch_by_token(struct store *st, const char *token, int64_t *id_r, struct err *err)
{
	sqlite3_stmt *stmt = store_prep(st, "SELECT id FROM batches WHERE token = ?", err);
	int found;

	if (stmt == NULL)
		return -1;
	store_bind_text(stmt, 1, token);
	found = store_find_id(st, stmt, id_r, "batch by token", err);
	sqlite3_reset(stmt);
	return found;
}

int store_batch_parts(struct store *st, int64_t id, int *parts_r, struct err *err)
{
	sqlite3_stmt *stmt = store_prep(
		st, "SELECT coalesce(max(digest_part), 1) FROM applications WHERE batch_id = ?",
		err);

	if (stmt == NULL)
		return -1;
	sqlite3_bind_int64(stmt, 1, id);
	if (store_count(st, stmt, parts_r, "batch digest parts", err) < 0)
		return -1;
	*parts_r = MAX(*parts_r, 1);
	return 0;
}

int store_batch_decided_at(struct store *st, int64_t id, gint64 *at_r, struct err *err)
{
	sqlite3_stmt *stmt = store_prep(
		st,
		"SELECT CASE WHEN EXISTS (SELECT 1 FROM applications WHERE batch_id = ?1 AND "
		"app_state_has(state, 'undecided')) THEN NULL ELSE coalesce((SELECT "
		"max(d.created_at) "
		"FROM decisions d JOIN applications a ON a.id = d.application_id WHERE a.batch_id "
		"= "
		"?1), (SELECT closed_at FROM batches WHERE id = ?1)) END",
		err);
	const char *at;
	int rc, found = 0;

	if (stmt == NULL)
		return -1;
	sqlite3_bind_int64(stmt, 1, id);
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW && (at = (const char *)sqlite3_column_text(stmt, 0)) != NULL)
		found = time_parse(at, at_r) == 0;
	sqlite3_reset(stmt);
	return rc == SQLITE_ROW ? found : store_fail(st, err, "batch decided at");
}

int store_batches_to_remind(struct store *st, gint64 closed_before, GArray *ids, struct err *err)
{
	sqlite3_stmt *stmt = store_prep(
		st,
		"SELECT b.id FROM batches b WHERE b.state = 'closed' AND b.reminded_at IS NULL "
		"AND b.closed_at <= ? AND EXISTS (SELECT 1 FROM applications a WHERE "
		"a.batch_id = b.id AND a.state = ?2) ORDER BY b.id",
		err);

	if (stmt == NULL)
		return -1;
	store_bind_time(stmt, 1, closed_before);
	store_bind_state(stmt, 2, APP_IN_REVIEW);
	return store_collect_ids(st, stmt, ids, "batches to remind", err);
}

int store_batch_set_reminded(struct store *st, int64_t id, gint64 now, struct err *err)
{
	sqlite3_stmt *stmt = store_prep(st, "UPDATE batches SET reminded_at = ? WHERE id = ?", err);

	if (stmt == NULL)
		return -1;
	store_bind_time(stmt, 1, now);
	sqlite3_bind_int64(stmt, 2, id);
	return store_run(st, stmt, "mark batch reminded", err);
}

int store_batch_start_review(struct store *st, int64_t id, gint64 now, struct err *err)
{
	sqlite3_stmt *stmt = store_prep(st,
					"UPDATE applications SET state = ?3, updated_at = ?1 WHERE "
					"batch_id = ?2 AND state = ?4",
					err);

	if (stmt == NULL)
		return -1;
	store_bind_time(stmt, 1, now);
	sqlite3_bind_int64(stmt, 2, id);
	store_bind_state(stmt, 3, APP_IN_REVIEW);
	store_bind_state(stmt, 4, APP_PENDING);
	return store_run(st, stmt, "start review", err);
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
