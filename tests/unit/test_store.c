/* The store: schema and migrations, references never reused, the ledger, the outbox. */
#include "testutil.h"

#include <sqlite3.h>

#include "store.h"

static struct store *open_fresh(char **dir_r, char **path_r)
{
	char *dir = test_tmpdir();
	char *path = g_build_filename(dir, "admitd.db", NULL);
	struct store *st = NULL;
	struct err err = { 0 };

	if (store_open(&st, path, &err) < 0)
		fail_msg("store_open: %s", err.text);
	*dir_r = dir;
	*path_r = path;
	return st;
}

static int pragma_int(const char *path, const char *sql)
{
	sqlite3 *db;
	sqlite3_stmt *stmt;
	int v = -1;

	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &stmt, NULL), SQLITE_OK);
	if (sqlite3_step(stmt) == SQLITE_ROW)
		v = sqlite3_column_int(stmt, 0);
	sqlite3_finalize(stmt);
	sqlite3_close(db);
	return v;
}

static void test_schema_and_reopen(void **state)
{
	char *dir, *path;
	struct store *st = open_fresh(&dir, &path);
	struct err err = { 0 };

	(void)state;
	store_close(&st);
	assert_null(st);
	assert_int_equal(pragma_int(path, "PRAGMA user_version"), 8);
	assert_int_equal(pragma_int(path, "SELECT count(*) FROM sqlite_master WHERE name IN "
					  "('outbox_by_recipient', 'reply_minutes', "
					  "'outbox_counts_replies')"),
			 3);
	/* Reopening an up-to-date database migrates nothing and keeps the data. */
	assert_int_equal(store_open(&st, path, &err), 0);
	store_close(&st);
	assert_int_equal(pragma_int(path, "SELECT count(*) FROM sqlite_master WHERE name = "
					  "'outbox'"),
			 1);
	g_free(path);
	g_free(dir);
}

static void test_newer_schema_refused(void **state)
{
	char *dir, *path;
	struct store *st = open_fresh(&dir, &path);
	struct err err = { 0 };
	sqlite3 *db;

	(void)state;
	store_close(&st);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "PRAGMA user_version = 99", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	assert_int_equal(store_open(&st, path, &err), -1);
	assert_int_equal(err.class, ERR_FATAL);
	assert_non_null(strstr(err.text, "newer than this admitd"));
	g_free(path);
	g_free(dir);
}

/* Rewrites the stored CREATE TABLE applications with `from` replaced by `to`, as a database
 * made by another build would have it. */
static void edit_state_check(const char *path, const char *from, const char *to)
{
	char *sql = g_strdup_printf("PRAGMA writable_schema = ON; UPDATE sqlite_schema SET sql = "
				    "replace(sql, '%s', '%s') WHERE name = 'applications'; "
				    "PRAGMA writable_schema = OFF;",
				    from, to);
	sqlite3 *db;

	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	g_free(sql);
}

/* The CHECK written by migration 1 and app_state.c must agree: a state known in C but not to
 * the database (or the other way round) stops admitd at open, naming it. */
static void test_state_check_matches_table(void **state)
{
	static const struct {
		const char *from, *to, *message;
	} rows[] = {
		{ ", ''withdrawn''", "", "missing withdrawn" },
		{ "''reserve'',", "''reserve'', ''maybe'',", "unknown maybe" },
	};
	struct err err = { 0 };

	(void)state;
	for (size_t i = 0; i < G_N_ELEMENTS(rows); i++) {
		char *dir, *path;
		struct store *st = open_fresh(&dir, &path);

		store_close(&st);
		edit_state_check(path, rows[i].from, rows[i].to);
		assert_int_equal(store_open(&st, path, &err), -1);
		assert_int_equal(err.class, ERR_FATAL);
		if (strstr(err.text, rows[i].message) == NULL)
			fail_msg("row %zu: %s", i, err.text);
		g_free(path);
		g_free(dir);
	}
}

/* The schema still refuses a state that is not one, whoever writes it. */
static void test_state_refused_by_schema(void **state)
{
	char *dir, *path;
	struct store *st = open_fresh(&dir, &path);
	sqlite3 *db;

	(void)state;
	store_close(&st);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(
		sqlite3_exec(db,
			     "INSERT INTO applicants (email, created_at) VALUES ('a@b', 'x');"
			     "INSERT INTO applications (ref, applicant_id, state, received_at, "
			     "updated_at) VALUES ('R-1', 1, 'maybe', 'x', 'x')",
			     NULL, NULL, NULL),
		SQLITE_CONSTRAINT);
	sqlite3_close(db);
	g_free(path);
	g_free(dir);
}

static void test_references_never_reused(void **state)
{
	char *dir, *path;
	struct store *st = open_fresh(&dir, &path);
	struct err err = { 0 };
	int64_t n;

	(void)state;
	for (int64_t want = 1; want <= 3; want++) {
		assert_int_equal(store_reference_next(st, "AI4G-2026", &n, &err), 0);
		assert_int_equal(n, want);
	}
	/* A rolled-back transaction gives its number back; a committed one never does. */
	assert_int_equal(store_begin(st, &err), 0);
	assert_int_equal(store_reference_next(st, "AI4G-2026", &n, &err), 0);
	assert_int_equal(n, 4);
	store_rollback(st);
	assert_int_equal(store_reference_next(st, "AI4G-2026", &n, &err), 0);
	assert_int_equal(n, 4);
	assert_int_equal(store_reference_next(st, "AI4G-2027", &n, &err), 0);
	assert_int_equal(n, 1);
	store_close(&st);
	g_free(path);
	g_free(dir);
}

static void test_ledger(void **state)
{
	char *dir, *path;
	struct store *st = open_fresh(&dir, &path);
	struct err err = { 0 };
	struct ledger_entry e = {
		.uidvalidity = 7,
		.uid = 42,
		.message_id = "m1@example.org",
		.sha256 = "abc",
		.spool_path = "/spool/msg/7-42.eml",
		.sender = "ana@example.net",
		.outcome = "ignored",
		.received_at = 1,
	};
	int64_t id, found_id;
	bool moved = true;
	GArray *uids = g_array_new(FALSE, FALSE, sizeof(uint32_t));
	GArray *ids = g_array_new(FALSE, FALSE, sizeof(int64_t));

	(void)state;
	assert_int_equal(store_ledger_find_uid(st, 7, 42, &found_id, &moved, &err), 0);
	assert_int_equal(store_ledger_insert(st, &e, &id, &err), 0);
	assert_int_equal(store_ledger_find_uid(st, 7, 42, &found_id, &moved, &err), 1);
	assert_int_equal(found_id, id);
	assert_false(moved);
	/* The same UID twice is refused by the schema: a message is filed once. */
	assert_int_equal(store_ledger_insert(st, &e, &found_id, &err), -1);
	/* Found by content under another UIDVALIDITY; a different hash is another message unless
	 * the same sender sent the same Message-ID again; another sender's is not ours. */
	assert_int_equal(store_ledger_find_content(st, "m1@example.org", "x@example.org", "abc",
						   &found_id, &err),
			 1);
	assert_int_equal(
		store_ledger_find_content(st, "m1@example.org", e.sender, "abd", &found_id, &err),
		1);
	assert_int_equal(store_ledger_find_content(st, "m1@example.org", "mallory@example.net",
						   "abd", &found_id, &err),
			 0);
	assert_int_equal(store_ledger_find_content(st, NULL, e.sender, "abc", &found_id, &err), 0);
	assert_int_equal(store_ledger_unmoved(st, 7, uids, ids, &err), 0);
	assert_int_equal(uids->len, 1);
	assert_int_equal(g_array_index(uids, uint32_t, 0), 42);
	assert_int_equal(store_ledger_set_moved(st, id, &err), 0);
	g_array_set_size(uids, 0);
	assert_int_equal(store_ledger_unmoved(st, 7, uids, ids, &err), 0);
	assert_int_equal(uids->len, 0);
	g_array_free(uids, TRUE);
	g_array_free(ids, TRUE);
	store_close(&st);
	g_free(path);
	g_free(dir);
}

static void test_applicants_and_applications(void **state)
{
	char *dir, *path, *ref = NULL;
	enum app_state found_state;
	struct store *st = open_fresh(&dir, &path);
	struct err err = { 0 };
	int64_t applicant, again, app_id, found_id, batch, batch2;
	GPtrArray *apps = NULL;

	(void)state;
	assert_int_equal(
		store_applicant_upsert(st, "ana@example.net", "Ana", 100, &applicant, &err), 0);
	/* An empty display name never erases the one we have. */
	assert_int_equal(store_applicant_upsert(st, "ana@example.net", "", 200, &again, &err), 0);
	assert_int_equal(again, applicant);
	assert_int_equal(store_batch_for_window(st, "2026-01-12", "2026-01-26", &batch, &err), 0);
	assert_int_equal(store_batch_for_window(st, "2026-01-12", "2026-01-26", &batch2, &err), 0);
	assert_int_equal(batch, batch2);
	struct app_new a = { .ref = "AI4G-2026-0001",
			     .applicant_id = applicant,
			     .edition = "2026-2027",
			     .state = APP_INCOMPLETE,
			     .problems = "missing-cv",
			     .received_at = 1767225600 };
	assert_int_equal(store_application_insert(st, &a, 100, &app_id, &err), 0);
	assert_int_equal(
		store_application_find_active(st, applicant, &found_id, &ref, &found_state, &err),
		1);
	assert_string_equal(ref, "AI4G-2026-0001");
	assert_int_equal(found_state, APP_INCOMPLETE);
	struct doc_new d = { .kind = "cv",
			     .filename = "cv.pdf",
			     .content_type = "application/pdf",
			     .sha256 = "ff",
			     .path = "/spool/att/1-1/part-1",
			     .size = 10,
			     .pages = -1 };
	struct ledger_entry e = { .uidvalidity = 1,
				  .uid = 1,
				  .sha256 = "x",
				  .spool_path = "p",
				  .outcome = "application",
				  .application_id = app_id,
				  .received_at = 1 };
	int64_t ledger_id;
	assert_int_equal(store_ledger_insert(st, &e, &ledger_id, &err), 0);
	assert_int_equal(store_document_insert(st, app_id, ledger_id, &d, 100, &err), 0);
	assert_int_equal(
		store_application_update(st, app_id, APP_PENDING, batch, "", 100, 100, &err), 0);
	assert_int_equal(store_applications(
				 st, &(struct app_filter){ .by_state = true, .state = APP_PENDING },
				 &apps, &err),
			 0);
	assert_int_equal(apps->len, 1);
	struct app_row *row = g_ptr_array_index(apps, 0);
	assert_string_equal(row->name, "Ana");
	assert_string_equal(row->received_at, "2026-01-01T00:00:00Z");
	assert_int_equal(row->batch_id, batch);
	assert_int_equal(row->documents->len, 1);
	g_ptr_array_free(apps, TRUE);
	assert_int_equal(store_applications(
				 st,
				 &(struct app_filter){ .by_state = true, .state = APP_INCOMPLETE },
				 &apps, &err),
			 0);
	assert_int_equal(apps->len, 0);
	g_ptr_array_free(apps, TRUE);
	g_free(ref);
	store_close(&st);
	g_free(path);
	g_free(dir);
}

static void queue_at(struct store *st, const char *template_name, const char *to, gint64 at)
{
	static int n;
	char *mid = g_strdup_printf("count-%d@example.org", ++n);
	struct outbox_new m = { 0, template_name, to, mid, "m", 1 };
	struct err err = { 0 };

	assert_int_equal(store_outbox_insert(st, &m, at, &err), 0);
	g_free(mid);
}

static int replies_since(struct store *st, const char *to, gint64 since)
{
	struct err err = { 0 };
	int n = -1;

	assert_int_equal(store_outbox_count_since(st, to, since, &n, &err), 0);
	return n;
}

/* The reply limits' counts: per address, and in all by the minute (kept by a trigger, so a
 * rolled-back reply does not count and a day-old minute is dropped). */
static void test_reply_counts(void **state)
{
	char *dir, *path;
	struct store *st = open_fresh(&dir, &path);
	struct err err = { 0 };
	const gint64 t =
		1795000020; /* the start of a minute: t - 30 and t - 10 share the one before */

	(void)state;
	queue_at(st, "acknowledgement", "ana@example.net", t - 7200);
	queue_at(st, "acknowledgement", "ana@example.net", t - 600);
	queue_at(st, "incomplete", "ben@example.net", t - 30);
	queue_at(st, "digest", "commission@example.org", t - 30);
	queue_at(st, "accepted", "ana@example.net", t);
	assert_int_equal(store_begin(st, &err), 0);
	assert_int_equal(store_savepoint(st, &err), 0);
	queue_at(st, "acknowledgement", "carla@example.net", t);
	store_rollback_savepoint(st);
	assert_int_equal(store_commit(st, &err), 0);
	assert_int_equal(replies_since(st, NULL, t - 3600), 2);
	assert_int_equal(replies_since(st, NULL, t - 86400), 3);
	assert_int_equal(replies_since(st, "ana@example.net", t - 3600), 1);
	assert_int_equal(replies_since(st, "ana@example.net", t - 86400), 2);
	assert_int_equal(replies_since(st, "carla@example.net", t - 86400), 0);
	/* By the minute: the reply at t - 30 is 20 s before `since` but in its minute: it counts. */
	assert_int_equal(replies_since(st, NULL, t - 10), 1);
	queue_at(st, "acknowledgement", "ana@example.net", t + 2 * 86400);
	assert_int_equal(replies_since(st, NULL, 1), 1);
	store_close(&st);
	g_free(path);
	g_free(dir);
}

static void test_outbox(void **state)
{
	char *dir, *path;
	struct store *st = open_fresh(&dir, &path);
	struct err err = { 0 };
	GPtrArray *rows = NULL;
	struct outbox_new m = {
		0, "acknowledgement", "ana@example.net", "id1@example.org", "message", 7
	};

	(void)state;
	assert_int_equal(store_outbox_insert(st, &m, 1000, &err), 0);
	/* The Message-ID is fixed when queued: the same one twice is refused. */
	assert_int_equal(store_outbox_insert(st, &m, 1000, &err), -1);
	assert_int_equal(store_outbox_due(st, 1000, &rows, &err), 0);
	assert_int_equal(rows->len, 1);
	struct outbox_row *r = g_ptr_array_index(rows, 0);
	GBytes *message = NULL;
	/* The message itself is read one at a time, when it is sent. */
	assert_int_equal(store_outbox_by_message_id(st, r->message_id, &message, &err), 1);
	assert_int_equal(g_bytes_get_size(message), 7);
	g_bytes_unref(message);
	int64_t id = r->id;
	g_ptr_array_free(rows, TRUE);
	/* Deferred: not due until its next attempt. */
	assert_int_equal(store_outbox_mark(st, id, "queued", 1, 1060, "451 try later", 1000, &err),
			 0);
	assert_int_equal(store_outbox_due(st, 1059, &rows, &err), 0);
	assert_int_equal(rows->len, 0);
	g_ptr_array_free(rows, TRUE);
	assert_int_equal(store_outbox_due(st, 1060, &rows, &err), 0);
	assert_int_equal(rows->len, 1);
	g_ptr_array_free(rows, TRUE);
	assert_int_equal(store_outbox_mark(st, id, "sent", 2, 0, NULL, 1070, &err), 0);
	assert_int_equal(store_outbox_due(st, 99999, &rows, &err), 0);
	assert_int_equal(rows->len, 0);
	g_ptr_array_free(rows, TRUE);
	assert_int_equal(store_outbox_list(st, NULL, &rows, &err), 0);
	r = g_ptr_array_index(rows, 0);
	assert_string_equal(r->state, "sent");
	assert_int_equal(r->attempts, 2);
	g_ptr_array_free(rows, TRUE);
	store_close(&st);
	g_free(path);
	g_free(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_schema_and_reopen),
		cmocka_unit_test(test_newer_schema_refused),
		cmocka_unit_test(test_state_check_matches_table),
		cmocka_unit_test(test_state_refused_by_schema),
		cmocka_unit_test(test_references_never_reused),
		cmocka_unit_test(test_ledger),
		cmocka_unit_test(test_applicants_and_applications),
		cmocka_unit_test(test_outbox),
		cmocka_unit_test(test_reply_counts),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
