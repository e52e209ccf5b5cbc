/* store_pending.c — changes that wait for the applicant's confirmation (confirm.h), and the
 * two facts that decide whether a mail needs one: what we sent to an address, and its name. */
#include "store_p.h"

int store_outbox_sent_to(struct store *st, const char *message_id, const char *to_addr,
			 struct err *err)
{
	sqlite3_stmt *stmt = store_prep(
		st,
		"SELECT id FROM outbox WHERE message_id = ? AND to_addr = ? "
		"AND state = 'sent' LIMIT 1",
		err);
	int64_t id;
	int found;

	if (stmt == NULL)
		return -1;
	store_bind_text(stmt, 1, message_id);
	store_bind_text(stmt, 2, to_addr);
	found = store_find_id(st, stmt, &id, "find letter sent", err);
	sqlite3_reset(stmt);
	return found;
}

int store_applicant_rename(struct store *st, int64_t applicant_id, const char *name,
			   struct err *err)
{
	sqlite3_stmt *stmt = store_prep(st, "UPDATE applicants SET name = ? WHERE id = ?", err);

	if (stmt == NULL)
		return -1;
	store_bind_text(stmt, 1, name);
	sqlite3_bind_int64(stmt, 2, applicant_id);
	return store_run(st, stmt, "rename applicant", err);
}

int store_pending_insert(struct store *st, const struct pending_change *p, gint64 now,
			 struct err *err)
{
	sqlite3_stmt *stmt = store_prep(st,
					"INSERT INTO pending_changes (application_id, message_row, "
					"address, name, confirm_message_id, created_at) "
					"VALUES (?, ?, ?, ?, ?, ?)",
					err);

	if (stmt == NULL)
		return -1;
	sqlite3_bind_int64(stmt, 1, p->application_id);
	sqlite3_bind_int64(stmt, 2, p->message_row);
	store_bind_text(stmt, 3, p->address);
	store_bind_text(stmt, 4, p->name);
	store_bind_text(stmt, 5, p->confirm_message_id);
	store_bind_time(stmt, 6, now);
	return store_run(st, stmt, "insert pending change", err);
}

int store_pending_find(struct store *st, int64_t application_id, const char *confirm_message_id,
		       const char *address, struct pending_change *p, struct err *err)
{
	sqlite3_stmt *stmt = store_prep(st,
					"SELECT id, message_row, name FROM pending_changes WHERE "
					"application_id = ? AND confirm_message_id = ? AND "
					"address = ? AND state = 'waiting'",
					err);
	int rc;

	if (stmt == NULL)
		return -1;
	sqlite3_bind_int64(stmt, 1, application_id);
	store_bind_text(stmt, 2, confirm_message_id);
	store_bind_text(stmt, 3, address);
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW) {
		p->id = sqlite3_column_int64(stmt, 0);
		p->message_row = sqlite3_column_int64(stmt, 1);
		p->name = store_col_text(stmt, 2);
		p->application_id = application_id;
	}
	sqlite3_reset(stmt);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_fail(st, err, "find pending change");
	return rc == SQLITE_ROW;
}

/* The held documents replace the current ones of their kinds; the change is done. */
int store_pending_apply(struct store *st, const struct pending_change *p, struct err *err)
{
	static const char *const sql[] = {
		("UPDATE documents SET superseded = 1 WHERE application_id = ?1 AND superseded = 0 "
		 "AND kind <> 'other' AND kind IN (SELECT kind FROM documents WHERE "
		 "application_id = ?1 AND message_row = ?2)"),
		("UPDATE documents SET superseded = 0 WHERE application_id = ?1 AND message_row = "
		 "?2"),
		"UPDATE pending_changes SET state = 'applied' WHERE id = ?3",
	};

	for (size_t i = 0; i < G_N_ELEMENTS(sql); i++) {
		sqlite3_stmt *stmt = store_prep(st, sql[i], err);

		if (stmt == NULL)
			return -1;
		int params = sqlite3_bind_parameter_count(stmt);

		sqlite3_bind_int64(stmt, 1, p->application_id);
		if (params >= 2)
			sqlite3_bind_int64(stmt, 2, p->message_row);
		if (params >= 3)
			sqlite3_bind_int64(stmt, 3, p->id);
		if (store_run(st, stmt, "apply pending change", err) < 0)
			return -1;
	}
	return 0;
}
