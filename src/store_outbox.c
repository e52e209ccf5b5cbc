/* store_outbox.c — the outbox: queued letters, their delivery state, bounces, the reply
 * limits' counts. */

#include "store_p.h"

int store_outbox_insert(struct store *st, const struct outbox_new *m, gint64 now, struct err *err)
{
	sqlite3_stmt *stmt = store_prep(
		st,
		"INSERT INTO outbox (application_id, template, to_addr, message_id, message, "
		"next_attempt_at, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
		err);
	int ret;

	if (stmt == NULL)
		return -1;
	store_bind_id(stmt, 1, m->application_id);
	store_bind_text(stmt, 2, m->template_name);
	store_bind_text(stmt, 3, m->to_addr);
	store_bind_text(stmt, 4, m->message_id);
	/* Not copied: the message (up to a digest part's 10 MB) outlives the insert. */
	sqlite3_bind_blob64(stmt, 5, m->message, m->message_len, SQLITE_STATIC);
	store_bind_time(stmt, 6, now);
	store_bind_time(stmt, 7, now);
	ret = store_run(st, stmt, "queue message", err);
	sqlite3_clear_bindings(stmt); /* the cached statement keeps no pointer to it */
	return ret;
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
	g_free(r);
}

/* Columns: o.id, a.ref, to_addr, template, state, message_id, last_error, next_attempt_at,
 * attempts. Not the message: a batch's digest parts are 10 MB each, and they are read one at a
 * time when sent (store_outbox_by_message_id). */
#define OUTBOX_COLUMNS                                                                     \
	"SELECT o.id, a.ref, o.to_addr, o.template, o.state, o.message_id, o.last_error, " \
	"o.next_attempt_at, o.attempts FROM outbox o "                                     \
	"LEFT JOIN applications a ON a.id = o.application_id "

static int outbox_rows(struct store *st, sqlite3_stmt *stmt, GPtrArray **rows_r, struct err *err)
{
	GPtrArray *rows = g_ptr_array_new_with_free_func(outbox_row_free);
	int rc;

	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		struct outbox_row *r = g_new0(struct outbox_row, 1);

		r->id = sqlite3_column_int64(stmt, 0);
		r->ref = store_col_text(stmt, 1);
		r->to_addr = store_col_text(stmt, 2);
		r->template_name = store_col_text(stmt, 3);
		r->state = store_col_text(stmt, 4);
		r->message_id = store_col_text(stmt, 5);
		r->last_error = store_col_text(stmt, 6);
		r->next_attempt_at = store_col_text(stmt, 7);
		r->attempts = sqlite3_column_int(stmt, 8);
		g_ptr_array_add(rows, r);
	}
	sqlite3_reset(stmt);
	if (rc != SQLITE_DONE) {
		g_ptr_array_free(rows, TRUE);
		return store_fail(st, err, "read outbox");
	}
	*rows_r = rows;
	return 0;
}

int store_outbox_due(struct store *st, gint64 now, GPtrArray **rows_r, struct err *err)
{
	sqlite3_stmt *stmt = store_prep(st,
					OUTBOX_COLUMNS "WHERE o.state IN ('queued', 'sending') AND "
						       "o.next_attempt_at <= ? ORDER BY o.id",
					err);

	if (stmt == NULL)
		return -1;
	store_bind_time(stmt, 1, now);
	return outbox_rows(st, stmt, rows_r, err);
}

int store_outbox_list(struct store *st, const char *ref, GPtrArray **rows_r, struct err *err)
{
	sqlite3_stmt *stmt = store_prep(
		st, OUTBOX_COLUMNS "WHERE ?1 IS NULL OR a.ref = ?1 ORDER BY o.id", err);

	if (stmt == NULL)
		return -1;
	store_bind_text(stmt, 1, ref);
	return outbox_rows(st, stmt, rows_r, err);
}

int store_outbox_count_since(struct store *st, const char *to_addr, gint64 since, int *count_r,
			     struct err *err)
{
	/* In all: by the minute, so from the start of the minute of `since` (a few seconds more
	 * than asked, never fewer). */
	sqlite3_stmt *stmt = store_prep(
		st,
		to_addr ? "SELECT count(*) FROM outbox WHERE to_addr = ?2 AND "
			  "created_at >= ?1 AND " AUTO_REPLY
			: "SELECT coalesce(sum(replies), 0) FROM reply_minutes "
			  "WHERE minute >= substr(?1, 1, 16)",
		err);

	if (stmt == NULL)
		return -1;
	store_bind_time(stmt, 1, since);
	if (to_addr != NULL)
		store_bind_text(stmt, 2, to_addr);
	return store_count(st, stmt, count_r, "count replies", err);
}

/* The message column of the row the bound statement finds: 1 and *bytes_r (owned), 0. */
static int message_of(struct store *st, sqlite3_stmt *stmt, GBytes **bytes_r, struct err *err)
{
	int rc = sqlite3_step(stmt);

	if (rc == SQLITE_ROW)
		*bytes_r = g_bytes_new(sqlite3_column_blob(stmt, 0),
				       (gsize)sqlite3_column_bytes(stmt, 0));
	sqlite3_reset(stmt);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_fail(st, err, "read letter");
	return rc == SQLITE_ROW;
}

int store_outbox_message(struct store *st, int64_t id, GBytes **bytes_r, struct err *err)
{
	sqlite3_stmt *stmt = store_prep(st, "SELECT message FROM outbox WHERE id = ?", err);
	int found;

	if (stmt == NULL)
		return -1;
	sqlite3_bind_int64(stmt, 1, id);
	found = message_of(st, stmt, bytes_r, err);
	return found == 1  ? 0
	       : found < 0 ? -1
			   : err_set(err, ERR_FATAL, "store: no letter %" G_GINT64_FORMAT, id);
}

int store_outbox_by_message_id(struct store *st, const char *message_id, GBytes **bytes_r,
			       struct err *err)
{
	sqlite3_stmt *stmt = store_prep(st, "SELECT message FROM outbox WHERE message_id = ?", err);

	if (stmt == NULL)
		return -1;
	store_bind_text(stmt, 1, message_id);
	return message_of(st, stmt, bytes_r, err);
}

int store_outbox_count_template(struct store *st, const char *template_name, const char *to_addr,
				gint64 since, int *count_r, struct err *err)
{
	sqlite3_stmt *stmt = store_prep(st,
					"SELECT count(*) FROM outbox WHERE to_addr = ?1 AND "
					"template = ?2 AND created_at >= ?3",
					err);

	if (stmt == NULL)
		return -1;
	store_bind_text(stmt, 1, to_addr);
	store_bind_text(stmt, 2, template_name);
	store_bind_time(stmt, 3, since);
	return store_count(st, stmt, count_r, "count template", err);
}

int store_outbox_bounce(struct store *st, const char *message_id, const char *reason, gint64 now,
			struct err *err)
{
	sqlite3_stmt *mark = store_prep(
		st,
		"UPDATE outbox SET state = 'failed', office_told = 0, last_error = ? "
		"WHERE message_id = ? AND state = 'sent'",
		err);
	sqlite3_stmt *who;
	int changed;

	if (mark == NULL)
		return -1;
	store_bind_text(mark, 1, reason);
	store_bind_text(mark, 2, message_id);
	if (store_run(st, mark, "mark bounce", err) < 0)
		return -1;
	if ((changed = sqlite3_changes(st->db)) == 0)
		return 0;
	who = store_prep(
		st,
		"UPDATE applicants SET undeliverable_at = ?1 WHERE email = (SELECT to_addr FROM "
		"outbox WHERE message_id = ?2)",
		err);
	if (who == NULL)
		return -1;
	store_bind_time(who, 1, now);
	store_bind_text(who, 2, message_id);
	return store_run(st, who, "mark undeliverable", err) < 0 ? -1 : changed;
}

int store_outbox_untold_failures(struct store *st, GPtrArray **rows_r, struct err *err)
{
	sqlite3_stmt *stmt = store_prep(st,
					OUTBOX_COLUMNS
					"WHERE o.state = 'failed' AND o.office_told = 0 "
					"ORDER BY o.id",
					err);

	if (stmt == NULL)
		return -1;
	return outbox_rows(st, stmt, rows_r, err);
}

int store_outbox_attention(struct store *st, GPtrArray **rows_r, struct err *err)
{
	sqlite3_stmt *stmt = store_prep(
		st, OUTBOX_COLUMNS "WHERE " STORE_OUTBOX_ATTENTION " ORDER BY o.id", err);

	if (stmt == NULL)
		return -1;
	return outbox_rows(st, stmt, rows_r, err);
}

int store_outbox_set_told(struct store *st, int64_t id, struct err *err)
{
	sqlite3_stmt *stmt = store_prep(st, "UPDATE outbox SET office_told = 1 WHERE id = ?", err);

	if (stmt == NULL)
		return -1;
	sqlite3_bind_int64(stmt, 1, id);
	return store_run(st, stmt, "mark failure told", err);
}

int store_outbox_due_now(struct store *st, gint64 now, int *count_r, struct err *err)
{
	sqlite3_stmt *stmt = store_prep(st,
					"UPDATE outbox SET next_attempt_at = ?1 "
					"WHERE state = 'queued' AND next_attempt_at > ?1",
					err);

	if (stmt == NULL)
		return -1;
	store_bind_time(stmt, 1, now);
	if (store_run(st, stmt, "outbox due now", err) < 0)
		return -1;
	*count_r = sqlite3_changes(st->db);
	return 0;
}

int store_outbox_requeue(struct store *st, const char *ref, gint64 now, int *count_r,
			 struct err *err)
{
	sqlite3_stmt *stmt = store_prep(
		st,
		"UPDATE outbox SET state = 'queued', next_attempt_at = ?, "
		"office_told = 0 WHERE state = 'failed' AND application_id = "
		"(SELECT id FROM applications WHERE ref = ?)",
		err);

	if (stmt == NULL)
		return -1;
	store_bind_time(stmt, 1, now);
	store_bind_text(stmt, 2, ref);
	if (store_run(st, stmt, "requeue", err) < 0)
		return -1;
	*count_r = sqlite3_changes(st->db);
	return 0;
}

int store_outbox_mark(struct store *st, int64_t id, const char *state, int attempts,
		      gint64 next_attempt_at, const char *last_error, gint64 now, struct err *err)
{
	sqlite3_stmt *stmt = store_prep(
		st,
		"UPDATE outbox SET state = ?1, attempts = ?2, "
		"next_attempt_at = coalesce(?3, next_attempt_at), last_error = ?4, "
		"sent_at = CASE WHEN ?1 = 'sent' THEN ?5 ELSE sent_at END "
		/* A row withdrawn while it was being sent (gdpr_erase) stays withdrawn, unless
		 * it did go out. */
		"WHERE id = ?6 AND (length(message) > 0 OR ?1 = 'sent')",
		err);

	if (stmt == NULL)
		return -1;
	store_bind_text(stmt, 1, state);
	sqlite3_bind_int(stmt, 2, attempts);
	store_bind_time(stmt, 3, next_attempt_at);
	store_bind_text(stmt, 4, last_error);
	store_bind_time(stmt, 5, now);
	sqlite3_bind_int64(stmt, 6, id);
	return store_run(st, stmt, "update outbox", err);
}
