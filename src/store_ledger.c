/* store_ledger.c — where we are in each mailbox, and the ledger of every message filed. */

#include "store_p.h"

int store_mailbox_get(struct store *st, const char *mailbox, uint32_t *uidvalidity_r,
		      uint32_t *last_uid_r, struct err *err)
{
	sqlite3_stmt *stmt = store_prep(
		st, "SELECT uidvalidity, last_uid FROM mailbox_state WHERE mailbox = ?", err);
	int rc;

	if (stmt == NULL)
		return -1;
	store_bind_text(stmt, 1, mailbox);
	*uidvalidity_r = *last_uid_r = 0;
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW) {
		*uidvalidity_r = (uint32_t)sqlite3_column_int64(stmt, 0);
		*last_uid_r = (uint32_t)sqlite3_column_int64(stmt, 1);
	}
	sqlite3_reset(stmt);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0
						     : store_fail(st, err, "read mailbox state");
}

int store_mailbox_set(struct store *st, const char *mailbox, uint32_t uidvalidity,
		      uint32_t last_uid, struct err *err)
{
	sqlite3_stmt *stmt = store_prep(
		st,
		"INSERT INTO mailbox_state (mailbox, uidvalidity, last_uid) "
		"VALUES (?, ?, ?) ON CONFLICT (mailbox) DO UPDATE SET "
		"uidvalidity = excluded.uidvalidity, last_uid = excluded.last_uid",
		err);

	if (stmt == NULL)
		return -1;
	store_bind_text(stmt, 1, mailbox);
	sqlite3_bind_int64(stmt, 2, uidvalidity);
	sqlite3_bind_int64(stmt, 3, last_uid);
	return store_run(st, stmt, "write mailbox state", err);
}

int store_ledger_find_uid(struct store *st, uint32_t uidvalidity, uint32_t uid, int64_t *id_r,
			  bool *moved_r, struct err *err)
{
	sqlite3_stmt *stmt = store_prep(
		st, "SELECT id, moved FROM messages WHERE uidvalidity = ? AND uid = ?", err);
	int found;

	if (stmt == NULL)
		return -1;
	sqlite3_bind_int64(stmt, 1, uidvalidity);
	sqlite3_bind_int64(stmt, 2, uid);
	found = store_find_id(st, stmt, id_r, "find message", err);
	if (found == 1 && moved_r != NULL)
		*moved_r = sqlite3_column_int(stmt, 1) != 0;
	sqlite3_reset(stmt);
	return found;
}

int store_ledger_find_content(struct store *st, const char *message_id, const char *sender,
			      const char *sha256, int64_t *id_r, struct err *err)
{
	/* The same bytes, or the same message from the same sender again (a client that sends
	 * twice, a server that delivers twice: the Received headers differ). */
	sqlite3_stmt *stmt = store_prep(
		st,
		"SELECT id FROM messages WHERE outcome <> 'duplicate' AND "
		"((sha256 = ?1 AND message_id IS ?2) OR "
		" (?2 IS NOT NULL AND message_id = ?2 AND sender = ?3)) ORDER BY id LIMIT 1",
		err);
	int found;

	if (stmt == NULL)
		return -1;
	store_bind_text(stmt, 1, sha256);
	store_bind_text(stmt, 2, message_id);
	store_bind_text(stmt, 3, sender);
	found = store_find_id(st, stmt, id_r, "find message by content", err);
	sqlite3_reset(stmt);
	return found;
}

int store_ledger_insert(struct store *st, const struct ledger_entry *e, int64_t *id_r,
			struct err *err)
{
	sqlite3_stmt *stmt = store_prep(
		st,
		"INSERT INTO messages (uidvalidity, uid, message_id, sha256, spool_path, sender, "
		"subject, outcome, detail, application_id, received_at, raw_from) "
		"VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
		err);

	if (stmt == NULL)
		return -1;
	sqlite3_bind_int64(stmt, 1, e->uidvalidity);
	sqlite3_bind_int64(stmt, 2, e->uid);
	store_bind_text(stmt, 3, e->message_id);
	store_bind_text(stmt, 4, e->sha256);
	store_bind_text(stmt, 5, e->spool_path);
	store_bind_text(stmt, 6, e->sender);
	store_bind_text(stmt, 7, e->subject);
	store_bind_text(stmt, 8, e->outcome);
	store_bind_text(stmt, 9, e->detail);
	store_bind_id(stmt, 10, e->application_id);
	store_bind_time(stmt, 11, e->received_at);
	store_bind_text(stmt, 12, e->raw_from);
	if (store_run(st, stmt, "insert message", err) < 0)
		return -1;
	*id_r = sqlite3_last_insert_rowid(st->db);
	return 0;
}

int store_ledger_set_moved(struct store *st, int64_t id, struct err *err)
{
	sqlite3_stmt *stmt = store_prep(st, "UPDATE messages SET moved = 1 WHERE id = ?", err);

	if (stmt == NULL)
		return -1;
	sqlite3_bind_int64(stmt, 1, id);
	return store_run(st, stmt, "mark message moved", err);
}

int store_ledger_unmoved(struct store *st, uint32_t uidvalidity, GArray *uids, GArray *ids,
			 struct err *err)
{
	sqlite3_stmt *stmt = store_prep(
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
	return rc == SQLITE_DONE ? 0 : store_fail(st, err, "list unmoved messages");
}

int store_ledger_has_decision(struct store *st, const char *message_id, struct err *err)
{
	sqlite3_stmt *stmt = store_prep(st,
					"SELECT id FROM messages WHERE message_id = ? AND "
					"outcome = 'decision' LIMIT 1",
					err);
	int64_t id;
	int found;

	if (stmt == NULL)
		return -1;
	store_bind_text(stmt, 1, message_id);
	found = store_find_id(st, stmt, &id, "find decision message", err);
	sqlite3_reset(stmt);
	return found;
}

int store_attempts_all(struct store *st, uint32_t uidvalidity, GHashTable *counts, struct err *err)
{
	sqlite3_stmt *stmt = store_prep(st, "SELECT uid, count FROM attempts WHERE uidvalidity = ?",
					err);
	int rc;

	if (stmt == NULL)
		return -1;
	sqlite3_bind_int64(stmt, 1, uidvalidity);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW)
		g_hash_table_insert(counts, GUINT_TO_POINTER(sqlite3_column_int64(stmt, 0)),
				    GINT_TO_POINTER(sqlite3_column_int(stmt, 1)));
	sqlite3_reset(stmt);
	return rc == SQLITE_DONE ? 0 : store_fail(st, err, "read attempts");
}

int store_attempts_add(struct store *st, uint32_t uidvalidity, uint32_t uid, struct err *err)
{
	sqlite3_stmt *stmt = store_prep(
		st,
		"INSERT INTO attempts (uidvalidity, uid, count) VALUES (?1, ?2, 1) "
		"ON CONFLICT (uidvalidity, uid) DO UPDATE SET count = count + 1",
		err);

	if (stmt == NULL)
		return -1;
	sqlite3_bind_int64(stmt, 1, uidvalidity);
	sqlite3_bind_int64(stmt, 2, uid);
	return store_run(st, stmt, "count attempt", err);
}

int store_attempts_clear(struct store *st, uint32_t uidvalidity, uint32_t uid, struct err *err)
{
	sqlite3_stmt *stmt = store_prep(
		st, "DELETE FROM attempts WHERE uidvalidity = ? AND uid = ?", err);

	if (stmt == NULL)
		return -1;
	sqlite3_bind_int64(stmt, 1, uidvalidity);
	sqlite3_bind_int64(stmt, 2, uid);
	return store_run(st, stmt, "clear attempts", err);
}
