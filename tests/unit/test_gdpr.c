/* A person's data on request: the export holds everything stored about them (the JSON, their
 * documents as sent, their raw messages, the letters we sent them); the erasure deletes their
 * files and leaves nothing that names them, and nobody else's data is touched. */
#include "unitbench.h"

#include "gdpr.h"

#define ANA "ana.sanchez@example.net"

static char *slurp(const char *path)
{
	char *text = NULL;

	if (!g_file_get_contents(path, &text, NULL, NULL))
		fail_msg("%s: missing", path);
	return text;
}

/* Files under dir/sub whose bytes hash to sha (hex), counted. */
static int files_with_sha(const char *dir, const char *sub, const char *sha)
{
	char *folder = g_build_filename(dir, sub, NULL);
	GDir *d = g_dir_open(folder, 0, NULL);
	const char *name;
	int n = 0;

	while (d != NULL && (name = g_dir_read_name(d)) != NULL) {
		char *path = g_build_filename(folder, name, NULL), *got = test_file_sha256(path);

		n += strcmp(got, sha) == 0;
		g_free(got);
		g_free(path);
	}
	if (d != NULL)
		g_dir_close(d);
	g_free(folder);
	return n;
}

static void test_export(void **state)
{
	struct bench b;
	struct ledger_result r;
	struct err err = { 0 };
	bool found = false;
	char *out, *json, *cv, *sha;

	(void)state;
	bench_init(&b, "2026-01-12", "2027-06-30");
	r = bench_file(&b, "complete-application.eml", NULL);
	out = g_build_filename(b.dir, "export", NULL);
	assert_int_equal(gdpr_export(b.st, ANA, out, &found, &err), 0);
	assert_true(found);
	char *json_path = g_build_filename(out, "person.json", NULL);
	json = slurp(json_path);
	g_free(json_path);
	assert_non_null(strstr(json, ANA));
	assert_non_null(strstr(json, r.ref));
	cv = test_fixture("docs-cv.pdf");
	sha = test_file_sha256(cv);
	assert_int_equal(files_with_sha(out, "documents", sha), 1);
	char *raw = g_build_filename(b.dir, "m-1.eml", NULL), *raw_sha = test_file_sha256(raw);
	assert_int_equal(files_with_sha(out, "messages", raw_sha), 1);
	/* The acknowledgement we sent is there as well. */
	char *letters = g_build_filename(out, "letters", NULL);
	assert_true(g_file_test(letters, G_FILE_TEST_IS_DIR));
	/* An existing folder is refused: an export never overwrites. */
	assert_int_equal(gdpr_export(b.st, ANA, out, &found, &err), -1);
	err_clear(&err);
	/* Someone we do not know. */
	char *none = g_build_filename(b.dir, "none", NULL);
	assert_int_equal(gdpr_export(b.st, "nobody@example.org", none, &found, &err), 0);
	assert_false(found);
	g_free(none);
	g_free(letters);
	g_free(raw);
	g_free(raw_sha);
	g_free(cv);
	g_free(sha);
	g_free(json);
	g_free(out);
	ledger_result_clear(&r);
	bench_free(&b);
}

static void test_erase(void **state)
{
	struct bench b;
	struct ledger_result ana, lena;
	struct err err = { 0 };
	GPtrArray *keep = NULL;
	struct gdpr_erasure e;
	bool found = true;

	(void)state;
	bench_init(&b, "2026-01-12", "2027-06-30");
	ana = bench_file(&b, "complete-application.eml", NULL);
	lena = bench_file(&b, "german-application.eml", NULL);
	char *ana_raw = g_build_filename(b.dir, "m-1.eml", NULL);
	char *lena_raw = g_build_filename(b.dir, "m-2.eml", NULL);
	char *ana_parts = g_strdup(
		((struct doc_row *)g_ptr_array_index(bench_app(&b, ana.ref, &keep)->documents, 0))
			->path);
	g_ptr_array_free(keep, TRUE);

	assert_int_equal(gdpr_erase(b.st, b.cfg, ANA, BENCH_NOW + 60, &e, &err), 0);
	assert_true(e.files >= 2); /* her raw message and her documents */
	assert_true(g_str_has_prefix(e.hash, "sha256:"));
	assert_false(g_file_test(ana_raw, G_FILE_TEST_EXISTS));
	assert_false(g_file_test(ana_parts, G_FILE_TEST_EXISTS));
	assert_true(g_file_test(lena_raw, G_FILE_TEST_EXISTS));
	/* Her reference stays for the records; nothing names her. */
	struct app_row *a = bench_app(&b, ana.ref, &keep);
	assert_null(strstr(a->email ? a->email : "", "ana"));
	assert_null(strstr(a->name ? a->name : "", "Ana"));
	assert_int_equal(a->documents->len, 0);
	/* Complete and waiting for its batch, it is withdrawn: nobody could be answered. */
	assert_int_equal(a->state, APP_WITHDRAWN);
	assert_int_equal(e.rows.withdrawn, 1);
	g_ptr_array_free(keep, TRUE);
	/* Her acknowledgement, still queued, is withdrawn: never due, and a send that was under
	 * way when she was erased cannot put it back in the queue. */
	GPtrArray *rows = NULL, *due = NULL;
	assert_int_equal(store_outbox_list(b.st, ana.ref, &rows, &err), 0);
	assert_true(rows->len >= 1);
	const struct outbox_row *r = g_ptr_array_index(rows, 0);
	assert_string_equal(r->state, "failed");
	assert_int_equal(store_outbox_mark(b.st, r->id, "queued", 1, BENCH_NOW, "deferred",
					   BENCH_NOW + 61, &err),
			 0);
	assert_int_equal(store_outbox_due(b.st, BENCH_NOW + 86400, &due, &err), 0);
	for (guint i = 0; i < due->len; i++)
		assert_true(((struct outbox_row *)g_ptr_array_index(due, i))->id != r->id);
	g_ptr_array_free(due, TRUE);
	g_ptr_array_free(rows, TRUE);
	assert_int_equal(store_outbox_list(b.st, ana.ref, &rows, &err), 0);
	assert_string_equal(((struct outbox_row *)g_ptr_array_index(rows, 0))->state, "failed");
	g_ptr_array_free(rows, TRUE);
	char *out = g_build_filename(b.dir, "after", NULL);
	assert_int_equal(gdpr_export(b.st, ANA, out, &found, &err), 0);
	assert_false(found);
	/* The other applicant is whole. */
	assert_string_equal(bench_app(&b, lena.ref, &keep)->email, "lena.mueller@example.org");
	assert_int_equal(((struct app_row *)g_ptr_array_index(keep, 0))->documents->len, 2);
	g_ptr_array_free(keep, TRUE);
	g_free(out);
	g_free(ana_raw);
	g_free(lena_raw);
	g_free(ana_parts);
	ledger_result_clear(&ana);
	ledger_result_clear(&lena);
	bench_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_export),
		cmocka_unit_test(test_erase),
	};

	mail_library_init();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
