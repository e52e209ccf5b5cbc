/* store_applications.c — applicants, applications, their states and decisions, and the
 * reading of applications for admitctl. */

#include "store_p.h"

int store_application_by_reply(struct store *st, const char *message_id, int64_t *id_r,
			       char **ref_r, enum app_state *state_r, struct err *err)
{
	sqlite3_stmt *stmt = store_prep(
		st,
		"SELECT a.id, a.ref, a.state FROM outbox o JOIN applications a "
		"ON a.id = o.application_id WHERE o.message_id = ? AND "
		"app_state_has(a.state, 'under_way')",
		err);
	int found;

	if (stmt == NULL)
		return -1;
	store_bind_text(stmt, 1, message_id);
	found = store_find_id(st, stmt, id_r, "application by reply", err);
	if (found == 1 && store_col_state(stmt, 2, state_r, err) < 0)
		found = -1;
	if (found == 1)
		*ref_r = store_col_text(stmt, 1);
	sqlite3_reset(stmt);
	return found;
}

int store_applicant_upsert(struct store *st, const char *email, const char *name, gint64 now,
			   int64_t *id_r, struct err *err)
{
	/* A later mail fills in a name we did not have, and never changes one we have: anyone
	 * can write any name in a From header (confirm.h decides when a new name counts). */
	sqlite3_stmt *stmt = store_prep(
		st,
		"INSERT INTO applicants (email, name, created_at) VALUES (?1, ?2, ?3) "
		"ON CONFLICT (email) DO UPDATE SET name = CASE WHEN applicants.name "
		"= '' THEN excluded.name ELSE applicants.name END RETURNING id",
		err);
	int found;

	if (stmt == NULL)
		return -1;
	store_bind_text(stmt, 1, email);
	store_bind_text(stmt, 2, name);
	store_bind_time(stmt, 3, now);
	found = store_find_id(st, stmt, id_r, "upsert applicant", err);
	sqlite3_reset(stmt);
	if (found == 0)
		return err_set(err, ERR_FATAL, "store upsert applicant: no id returned");
	return found < 0 ? -1 : 0;
}

int store_application_find_active(struct store *st, int64_t applicant_id, int64_t *id_r,
				  char **ref_r, enum app_state *state_r, struct err *err)
{
	sqlite3_stmt *stmt = store_prep(
		st,
		"SELECT id, ref, state FROM applications WHERE applicant_id = ? "
		"AND app_state_has(state, 'under_way') ORDER BY id DESC LIMIT 1",
		err);
	int found;

	if (stmt == NULL)
		return -1;
	sqlite3_bind_int64(stmt, 1, applicant_id);
	found = store_find_id(st, stmt, id_r, "find active application", err);
	if (found == 1 && store_col_state(stmt, 2, state_r, err) < 0)
		found = -1;
	if (found == 1)
		*ref_r = store_col_text(stmt, 1);
	sqlite3_reset(stmt);
	return found;
}

int store_reference_next(struct store *st, const char *prefix, int64_t *n_r, struct err *err)
{
	sqlite3_stmt *stmt = store_prep(
		st,
		"INSERT INTO reference_counters (prefix, last) VALUES (?, 1) "
		"ON CONFLICT (prefix) DO UPDATE SET last = last + 1 RETURNING last",
		err);
	int found;

	if (stmt == NULL)
		return -1;
	store_bind_text(stmt, 1, prefix);
	found = store_find_id(st, stmt, n_r, "next reference", err);
	sqlite3_reset(stmt);
	return found == 1 ? 0 : -1;
}

int store_application_insert(struct store *st, const struct app_new *app, gint64 now, int64_t *id_r,
			     struct err *err)
{
	sqlite3_stmt *stmt = store_prep(
		st,
		"INSERT INTO applications (ref, applicant_id, edition, state, batch_id, problems, "
		"received_at, completed_at, updated_at, thread_message_id) "
		"VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
		err);

	if (stmt == NULL)
		return -1;
	store_bind_text(stmt, 1, app->ref);
	sqlite3_bind_int64(stmt, 2, app->applicant_id);
	store_bind_text(stmt, 3, app->edition);
	store_bind_state(stmt, 4, app->state);
	store_bind_id(stmt, 5, app->batch_id);
	store_bind_text(stmt, 6, app->problems);
	store_bind_time(stmt, 7, app->received_at);
	store_bind_time(stmt, 8, app->completed_at);
	store_bind_time(stmt, 9, now);
	store_bind_text(stmt, 10, app->thread_message_id);
	if (store_run(st, stmt, "insert application", err) < 0)
		return -1;
	*id_r = sqlite3_last_insert_rowid(st->db);
	return 0;
}

int store_application_update(struct store *st, int64_t id, enum app_state state, int64_t batch_id,
			     const char *problems, gint64 completed_at, gint64 now, struct err *err)
{
	sqlite3_stmt *stmt = store_prep(
		st,
		"UPDATE applications SET state = ?, batch_id = ?, problems = ?, "
		"completed_at = ?, updated_at = ? WHERE id = ?",
		err);

	if (stmt == NULL)
		return -1;
	store_bind_state(stmt, 1, state);
	store_bind_id(stmt, 2, batch_id);
	store_bind_text(stmt, 3, problems);
	store_bind_time(stmt, 4, completed_at);
	store_bind_time(stmt, 5, now);
	sqlite3_bind_int64(stmt, 6, id);
	return store_run(st, stmt, "update application", err);
}

int store_application_set_digest_part(struct store *st, int64_t id, int part, struct err *err)
{
	sqlite3_stmt *stmt = store_prep(st, "UPDATE applications SET digest_part = ? WHERE id = ?",
					err);

	if (stmt == NULL)
		return -1;
	sqlite3_bind_int(stmt, 1, part);
	sqlite3_bind_int64(stmt, 2, id);
	return store_run(st, stmt, "set digest part", err);
}

int store_decision_last(struct store *st, const char *ref, char **by_r, char **at_r,
			struct err *err)
{
	sqlite3_stmt *stmt = store_prep(st,
					"SELECT d.id, d.decided_by, d.created_at FROM decisions d "
					"JOIN applications a ON a.id = d.application_id WHERE "
					"a.ref = ? ORDER BY d.id DESC LIMIT 1",
					err);
	int64_t id;
	int found;

	if (stmt == NULL)
		return -1;
	store_bind_text(stmt, 1, ref);
	found = store_find_id(st, stmt, &id, "last decision", err);
	if (found == 1) {
		*by_r = store_col_text(stmt, 1);
		*at_r = store_col_text(stmt, 2);
	}
	sqlite3_reset(stmt);
	return found;
}

int store_application_set_state(struct store *st, int64_t id, enum app_state state, gint64 now,
				struct err *err)
{
	sqlite3_stmt *stmt = store_prep(
		st, "UPDATE applications SET state = ?, updated_at = ? WHERE id = ?", err);

	if (stmt == NULL)
		return -1;
	store_bind_state(stmt, 1, state);
	store_bind_time(stmt, 2, now);
	sqlite3_bind_int64(stmt, 3, id);
	return store_run(st, stmt, "set application state", err);
}

int store_application_set_edition(struct store *st, int64_t id, const char *edition,
				  struct err *err)
{
	sqlite3_stmt *stmt = store_prep(st, "UPDATE applications SET edition = ? WHERE id = ?",
					err);

	if (stmt == NULL)
		return -1;
	store_bind_text(stmt, 1, edition);
	sqlite3_bind_int64(stmt, 2, id);
	return store_run(st, stmt, "set edition", err);
}

int store_decision_insert(struct store *st, const struct decision_new *d, gint64 now,
			  struct err *err)
{
	sqlite3_stmt *stmt = store_prep(
		st,
		"INSERT INTO decisions (application_id, decision, previous_state, decided_by, "
		"source_message_id, forced, created_at, reason) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
		err);

	if (stmt == NULL)
		return -1;
	sqlite3_bind_int64(stmt, 1, d->application_id);
	store_bind_text(stmt, 2, d->decision);
	store_bind_state(stmt, 3, d->previous_state);
	store_bind_text(stmt, 4, d->decided_by);
	store_bind_text(stmt, 5, d->source_message_id);
	sqlite3_bind_int(stmt, 6, d->forced);
	store_bind_time(stmt, 7, now);
	store_bind_text(stmt, 8, d->reason);
	return store_run(st, stmt, "insert decision", err);
}

const struct doc_row *app_row_document(const struct app_row *a, const char *kind)
{
	for (guint i = 0; i < a->documents->len; i++) {
		const struct doc_row *d = g_ptr_array_index(a->documents, i);

		if (strcmp(d->kind, kind) == 0)
			return d;
	}
	return NULL;
}

void app_row_free(gpointer p)
{
	struct app_row *a = p;

	g_free(a->ref);
	g_free(a->email);
	g_free(a->name);
	g_free(a->edition);
	g_free(a->received_at);
	g_free(a->problems);
	g_free(a->thread_message_id);
	g_ptr_array_free(a->documents, TRUE);
	g_free(a);
}

int store_applications(struct store *st, const struct app_filter *f, GPtrArray **apps_r,
		       struct err *err)
{
	sqlite3_stmt *stmt = store_prep(
		st,
		"SELECT a.id, a.ref, p.email, p.name, a.state, a.edition, coalesce(a.batch_id, 0), "
		"a.received_at, a.problems, a.thread_message_id, coalesce(a.digest_part, 1) "
		"FROM applications a "
		"JOIN applicants p ON p.id = a.applicant_id WHERE (?1 IS NULL OR a.state = ?1) "
		"AND (?2 IS NULL OR a.ref = ?2) AND (?3 = 0 OR a.batch_id = ?3) ORDER BY a.id",
		err);
	GPtrArray *apps = g_ptr_array_new_with_free_func(app_row_free);
	int rc;

	if (stmt == NULL) {
		g_ptr_array_free(apps, TRUE);
		return -1;
	}
	if (f->by_state)
		store_bind_state(stmt, 1, f->state);
	store_bind_text(stmt, 2, f->ref);
	sqlite3_bind_int64(stmt, 3, f->batch_id);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		struct app_row *a = g_new0(struct app_row, 1);

		a->id = sqlite3_column_int64(stmt, 0);
		a->ref = store_col_text(stmt, 1);
		a->email = store_col_text(stmt, 2);
		a->name = store_col_text(stmt, 3);
		a->edition = store_col_text(stmt, 5);
		a->batch_id = sqlite3_column_int64(stmt, 6);
		a->received_at = store_col_text(stmt, 7);
		a->problems = store_col_text(stmt, 8);
		a->thread_message_id = store_col_text(stmt, 9);
		a->digest_part = sqlite3_column_int(stmt, 10);
		a->documents = g_ptr_array_new_with_free_func(store_doc_row_free);
		g_ptr_array_add(apps, a);
		if (store_col_state(stmt, 4, &a->state, err) < 0)
			break;
	}
	sqlite3_reset(stmt);
	if (rc != SQLITE_DONE) {
		g_ptr_array_free(apps, TRUE);
		return rc == SQLITE_ROW ? -1 : store_fail(st, err, "read applications");
	}
	for (guint i = 0; i < apps->len; i++) {
		if (store_documents_load(st, g_ptr_array_index(apps, i), err) < 0) {
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
		g_hash_table_insert(counts, store_col_text(stmt, 0),
				    GINT_TO_POINTER(sqlite3_column_int(stmt, 1)));
	sqlite3_reset(stmt);
	return rc == SQLITE_DONE ? 0 : store_fail(st, err, "count");
}

int store_counts(struct store *st, GHashTable **counts_r, struct err *err)
{
	GHashTable *counts = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	sqlite3_stmt *apps = store_prep(
		st, "SELECT state, count(*) FROM applications GROUP BY state", err);
	sqlite3_stmt *outbox =
		apps ? store_prep(st,
				  "SELECT 'outbox:' || state, count(*) FROM outbox GROUP BY state",
				  err)
		     : NULL;
	sqlite3_stmt *messages =
		outbox ? store_prep(st,
				    "SELECT 'messages:' || outcome, count(*) FROM messages "
				    "GROUP BY outcome",
				    err)
		       : NULL;
	sqlite3_stmt *attention = messages
					  ? store_prep(st,
						       "SELECT 'attention', count(*) FROM outbox o "
						       "WHERE " STORE_OUTBOX_ATTENTION,
						       err)
					  : NULL;

	if (attention == NULL || count_into(st, apps, counts, err) < 0 ||
	    count_into(st, outbox, counts, err) < 0 || count_into(st, messages, counts, err) < 0 ||
	    count_into(st, attention, counts, err) < 0) {
		g_hash_table_destroy(counts);
		return -1;
	}
	*counts_r = counts;
	return 0;
}
