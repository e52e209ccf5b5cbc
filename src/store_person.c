/* store_person.c — everything about one person, by email: export and erasure (GDPR). */

#include "store_p.h"

#include <stddef.h>
#include <string.h>

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
	[PERSON_MESSAGES] =
		"SELECT received_at, message_id, raw_from, subject, outcome, spool_path FROM "
		"messages WHERE sender = ?1 OR application_id IN (SELECT a.id FROM "
		"applications a JOIN applicants p ON p.id = a.applicant_id WHERE "
		"p.email = ?1) ORDER BY id",
	[PERSON_LETTERS] = "SELECT created_at, template, state, message_id, sent_at, id FROM "
			   "outbox WHERE to_addr = ? ORDER BY id",
	[PERSON_EVENTS] = "SELECT e.at, a.ref, e.kind, e.detail FROM events e JOIN applications a "
			  "ON a.id = e.application_id JOIN applicants p ON p.id = a.applicant_id "
			  "WHERE p.email = ? ORDER BY e.id",
	[PERSON_DECISIONS] =
		"SELECT a.ref, d.decision, d.decided_by, d.reason, d.created_at FROM "
		"decisions d JOIN applications a ON a.id = d.application_id JOIN "
		"applicants p ON p.id = a.applicant_id WHERE p.email = ? ORDER BY d.id",
	[PERSON_PENDING] = "SELECT a.ref, c.address, c.name, c.created_at, c.state FROM "
			   "pending_changes c JOIN applications a ON a.id = c.application_id "
			   "WHERE c.address = ?1 OR a.applicant_id IN (SELECT id FROM applicants "
			   "WHERE email = ?1) ORDER BY c.id",
};

static const char *const person_cols[][10] = {
	[PERSON_APPLICANT] = { "email", "name", "created_at", "undeliverable_at", NULL },
	[PERSON_APPLICATIONS] = { "ref", "state", "edition", "received_at", "problems", NULL },
	[PERSON_DOCUMENTS] = { "ref", "kind", "filename", "content_type", "size", "pages", "sha256",
			       "offset", "path", NULL },
	[PERSON_MESSAGES] = { "received_at", "message_id", "raw_from", "subject", "outcome",
			      "spool_path", NULL },
	[PERSON_LETTERS] = { "created_at", "template", "state", "message_id", "sent_at", "id",
			     NULL },
	[PERSON_EVENTS] = { "at", "ref", "kind", "detail", NULL },
	[PERSON_DECISIONS] = { "ref", "decision", "decided_by", "reason", "created_at", NULL },
	[PERSON_PENDING] = { "ref", "address", "name", "created_at", "state", NULL },
};

const char *const *store_person_columns(enum person_query q)
{
	return person_cols[q];
}

int store_person_rows(struct store *st, enum person_query q, const char *email, GPtrArray **rows_r,
		      struct err *err)
{
	sqlite3_stmt *stmt = store_prep(st, person_sql[q], err);
	GPtrArray *rows;
	int rc, n;

	if (stmt == NULL)
		return -1;
	rows = g_ptr_array_new_with_free_func((GDestroyNotify)g_ptr_array_unref);
	store_bind_text(stmt, 1, email);
	n = sqlite3_column_count(stmt);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		GPtrArray *row = g_ptr_array_new_full((guint)n, g_free);

		for (int i = 0; i < n; i++)
			g_ptr_array_add(row, store_col_text(stmt, i)); /* may be NULL */
		g_ptr_array_add(rows, row);
	}
	sqlite3_reset(stmt);
	if (rc != SQLITE_DONE) {
		g_ptr_array_free(rows, TRUE);
		return store_fail(st, err, "read person");
	}
	*rows_r = rows;
	return 0;
}

static int collect_paths(struct store *st, const char *sql, const char *email, GPtrArray *files,
			 struct err *err)
{
	sqlite3_stmt *stmt = store_prep(st, sql, err);
	int rc;

	if (stmt == NULL)
		return -1;
	store_bind_text(stmt, 1, email);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW)
		if (sqlite3_column_text(stmt, 0) != NULL && sqlite3_column_bytes(stmt, 0) > 0)
			g_ptr_array_add(files, store_col_text(stmt, 0));
	sqlite3_reset(stmt);
	return rc == SQLITE_DONE ? 0 : store_fail(st, err, "collect files");
}

/* A letter that names an erased person loses its body; one still waiting to be sent is
 * withdrawn with it (and superseded at ?2), never sent blank. */
#define ERASE_REASON "'withdrawn: it named an applicant erased on request'"
#define OUTBOX_ERASE_BODY                                                                 \
	"message = x'', superseded_at = CASE WHEN " STORE_OUTBOX_WAITING " THEN ?2 ELSE " \
	"superseded_at END, " STORE_OUTBOX_WITHDRAW(ERASE_REASON)

#define PERSON_APPS                                                     \
	"(SELECT a.id FROM applications a JOIN applicants p ON p.id = " \
	"a.applicant_id WHERE p.email = ?1)"

/* Each step counts into one field of struct person_erased (offsetof), or none (-1). */
struct erase_step {
	const char *sql;
	long counts;
};

int store_person_erase(struct store *st, const char *email, const char *hash, gint64 now,
		       GPtrArray *files, struct person_erased *erased, struct err *err)
{
	static const struct erase_step steps[] = {
		{ "INSERT INTO events (at, application_id, kind, detail) SELECT ?2, id, "
		  "'gdpr-erased', 'personal data erased on request ' || ?3 FROM " PERSON_APPS,
		  -1 },
		{ "DELETE FROM documents WHERE application_id IN " PERSON_APPS,
		  offsetof(struct person_erased, documents) },
		{ "UPDATE messages SET sender = NULL, raw_from = NULL, subject = NULL, message_id "
		  "= "
		  "NULL, spool_path = '' WHERE sender = ?1 OR application_id IN " PERSON_APPS,
		  offsetof(struct person_erased, messages) },
		{ "UPDATE events SET detail = '' WHERE kind <> 'gdpr-erased' AND application_id "
		  "IN " PERSON_APPS,
		  offsetof(struct person_erased, events) },
		/* No one can be answered any more, nor should the commission decide on a name
		 * and documents that are gone. After the details are cleared: this one stays. */
		{ "INSERT INTO events (at, application_id, kind, detail) SELECT ?2, id, "
		  "'withdrawn', 'on the erasure of their personal data' FROM applications WHERE id "
		  "IN " PERSON_APPS " AND app_state_has(state, 'under_way')",
		  -1 },
		{ "UPDATE applications SET state = 'withdrawn', updated_at = ?2 WHERE id "
		  "IN " PERSON_APPS " AND app_state_has(state, 'under_way')",
		  offsetof(struct person_erased, withdrawn) },
		{ "UPDATE decisions SET reason = NULL, source_message_id = NULL WHERE "
		  "application_id IN " PERSON_APPS,
		  offsetof(struct person_erased, decisions) },
		{ "DELETE FROM pending_changes WHERE address = ?1 OR application_id "
		  "IN " PERSON_APPS,
		  offsetof(struct person_erased, pending) },
		{ "UPDATE applications SET thread_message_id = NULL WHERE id IN " PERSON_APPS,
		  offsetof(struct person_erased, applications) },
		{ "UPDATE outbox SET to_addr = 'erased', " OUTBOX_ERASE_BODY " WHERE to_addr = ?1",
		  offsetof(struct person_erased, letters) },
		{ "UPDATE applicants SET email = 'erased-' || id || '@invalid', name = '', "
		  "undeliverable_at = NULL WHERE email = ?1",
		  -1 },
	};

	memset(erased, 0, sizeof(*erased));
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
		sqlite3_stmt *stmt = store_prep(st, steps[i].sql, err);

		if (stmt == NULL)
			return -1;
		store_bind_text(stmt, 1, email);
		if (sqlite3_bind_parameter_count(stmt) >= 2)
			store_bind_time(stmt, 2, now);
		if (sqlite3_bind_parameter_count(stmt) >= 3)
			store_bind_text(stmt, 3, hash);
		if (store_run(st, stmt, "erase person", err) < 0)
			return -1;
		if (steps[i].counts >= 0)
			*(int *)((char *)erased + steps[i].counts) = sqlite3_changes(st->db);
	}
	return 0;
}

static int collect_ids(struct store *st, const char *sql, const char *email, GArray *ids,
		       GPtrArray *paths, struct err *err)
{
	sqlite3_stmt *stmt = store_prep(st, sql, err);
	int rc;

	if (stmt == NULL)
		return -1;
	store_bind_text(stmt, 1, email);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		int64_t id = sqlite3_column_int64(stmt, 0);

		g_array_append_val(ids, id);
		if (paths != NULL)
			g_ptr_array_add(paths, store_col_text(stmt, 1));
	}
	sqlite3_reset(stmt);
	return rc == SQLITE_DONE ? 0 : store_fail(st, err, "find mentions");
}

int store_outbox_others(struct store *st, const char *email, GArray *ids, struct err *err)
{
	/* Letters about one application go to its applicant and name no one else: only those
	 * about none (digests, reminders, transcripts, the office's reports) are read. */
	return collect_ids(st,
			   "SELECT id FROM outbox WHERE application_id IS NULL AND to_addr <> ?1 "
			   "AND length(message) > 0 ORDER BY id",
			   email, ids, NULL, err);
}

int store_ledger_others_spooled(struct store *st, const char *email, GArray *ids, GPtrArray *paths,
				struct err *err)
{
	/* Commission replies quote the digest; other applicants' mail does not name them. */
	return collect_ids(st,
			   "SELECT id, spool_path FROM messages WHERE spool_path <> '' AND "
			   "outcome = 'decision' AND (sender IS NULL OR sender <> ?1) ORDER BY id",
			   email, ids, paths, err);
}

static int update_id(struct store *st, const char *sql, int64_t id, gint64 now, struct err *err)
{
	sqlite3_stmt *stmt = store_prep(st, sql, err);

	if (stmt == NULL)
		return -1;
	sqlite3_bind_int64(stmt, 1, id);
	if (sqlite3_bind_parameter_count(stmt) >= 2)
		store_bind_time(stmt, 2, now);
	return store_run(st, stmt, "erase a mention", err);
}

int store_outbox_erase_body(struct store *st, int64_t id, gint64 now, struct err *err)
{
	sqlite3_stmt *stmt = store_prep(
		st, "SELECT " STORE_OUTBOX_WAITING " FROM outbox WHERE id = ?", err);
	int waiting;

	if (stmt == NULL)
		return -1;
	sqlite3_bind_int64(stmt, 1, id);
	if (sqlite3_step(stmt) != SQLITE_ROW) {
		sqlite3_reset(stmt);
		return store_fail(st, err, "read a letter's state");
	}
	waiting = sqlite3_column_int(stmt, 0);
	sqlite3_reset(stmt);
	if (update_id(st, "UPDATE outbox SET " OUTBOX_ERASE_BODY " WHERE id = ?1", id, now, err) <
	    0)
		return -1;
	return waiting;
}

int store_outbox_batch_of(struct store *st, int64_t id, int64_t *batch_id_r, struct err *err)
{
	sqlite3_stmt *stmt = store_prep(
		st,
		"SELECT b.id FROM batches b JOIN outbox o ON o.id = ?1 WHERE b.token IS NOT NULL "
		"AND " STORE_BATCH_MAIL("o.message_id", "b.token"),
		err);
	int rc;

	if (stmt == NULL)
		return -1;
	sqlite3_bind_int64(stmt, 1, id);
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW)
		*batch_id_r = sqlite3_column_int64(stmt, 0);
	sqlite3_reset(stmt);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_fail(st, err, "find a letter's batch");
	return rc == SQLITE_ROW;
}

int store_ledger_unspool(struct store *st, int64_t id, struct err *err)
{
	return update_id(st, "UPDATE messages SET spool_path = '', subject = NULL WHERE id = ?", id,
			 0, err);
}
