/* Retention: an application's documents and raw messages are deleted retention.*_days after
 * it reached a final (or abandoned) state, never before; its row (reference, state, dates)
 * stays, and a second run has nothing more to do. */
#include "unitbench.h"

#include "retention.h"

#define DAY 86400

/* The files an application's documents and messages live in (g_ptr_array_free). */
static GPtrArray *files_of(struct bench *b, const char *ref)
{
	GPtrArray *keep = NULL, *files = g_ptr_array_new_with_free_func(g_free);
	struct app_row *a = bench_app(b, ref, &keep);

	for (guint i = 0; i < a->documents->len; i++) {
		const struct doc_row *d = g_ptr_array_index(a->documents, i);

		if (d->path != NULL)
			g_ptr_array_add(files, g_strdup(d->path));
	}
	g_ptr_array_free(keep, TRUE);
	return files;
}

static int purge(struct bench *b, gint64 now)
{
	struct err err = { 0 };
	int purged = -1;

	if (retention_purge(b->st, b->cfg, now, &purged, &err) < 0)
		fail_msg("purge: %s", err.text);
	return purged;
}

static void test_discarded_after_its_days(void **state)
{
	struct bench b;
	struct ledger_result kept, gone;
	GPtrArray *gone_files, *kept_files, *keep = NULL;

	(void)state;
	bench_init_with(&b, "2026-01-12", "2027-06-30", "retention = { discarded_days = 30; };\n");
	gone = bench_file(&b, "complete-application.eml", NULL);
	kept = bench_file(&b, "german-application.eml", NULL);
	bench_close_batch(&b, BENCH_NOW + 60);
	assert_int_equal(bench_decide(&b, gone.ref, VERDICT_DISCARD, false, BENCH_NOW + 120, NULL),
			 APPLICATION_APPLIED);
	assert_int_equal(bench_decide(&b, kept.ref, VERDICT_ACCEPT, false, BENCH_NOW + 120, NULL),
			 APPLICATION_APPLIED);
	gone_files = files_of(&b, gone.ref);
	kept_files = files_of(&b, kept.ref);
	/* The raw messages as spooled (the bench files message N as m-N.eml). */
	g_ptr_array_add(gone_files, g_build_filename(b.dir, "m-1.eml", NULL));
	g_ptr_array_add(kept_files, g_build_filename(b.dir, "m-2.eml", NULL));
	assert_true(gone_files->len > 0 && kept_files->len > 0);

	assert_int_equal(purge(&b, BENCH_NOW + 29 * DAY), 0);
	for (guint i = 0; i < gone_files->len; i++)
		assert_true(g_file_test(g_ptr_array_index(gone_files, i), G_FILE_TEST_EXISTS));
	assert_int_equal(purge(&b, BENCH_NOW + 31 * DAY), 1);
	for (guint i = 0; i < gone_files->len; i++)
		if (g_file_test(g_ptr_array_index(gone_files, i), G_FILE_TEST_EXISTS))
			fail_msg("%s survived its retention",
				 (char *)g_ptr_array_index(gone_files, i));
	/* The accepted one has its own period (730 days by default). */
	for (guint i = 0; i < kept_files->len; i++)
		assert_true(g_file_test(g_ptr_array_index(kept_files, i), G_FILE_TEST_EXISTS));
	/* Its row stays, with its state, for the programme's records. */
	assert_int_equal(bench_app(&b, gone.ref, &keep)->state, APP_DISCARDED);
	assert_int_equal(purge(&b, BENCH_NOW + 32 * DAY), 0);
	g_ptr_array_free(keep, TRUE);
	g_ptr_array_free(gone_files, TRUE);
	g_ptr_array_free(kept_files, TRUE);
	ledger_result_clear(&gone);
	ledger_result_clear(&kept);
	bench_free(&b);
}

static void test_undecided_are_kept(void **state)
{
	struct bench b;
	struct ledger_result r;
	GPtrArray *files;

	(void)state;
	bench_init_with(&b, "2026-01-12", "2027-06-30",
			"retention = { discarded_days = 1; incomplete_days = 1; };\n");
	r = bench_file(&b, "complete-application.eml", NULL);
	bench_close_batch(&b, BENCH_NOW + 60); /* in review: the commission still needs it */
	files = files_of(&b, r.ref);
	assert_int_equal(purge(&b, BENCH_NOW + 400 * DAY), 0);
	for (guint i = 0; i < files->len; i++)
		assert_true(g_file_test(g_ptr_array_index(files, i), G_FILE_TEST_EXISTS));
	g_ptr_array_free(files, TRUE);
	ledger_result_clear(&r);
	bench_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_discarded_after_its_days),
		cmocka_unit_test(test_undecided_are_kept),
	};

	mail_library_init();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
