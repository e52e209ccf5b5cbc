/* Intake without the network: spooled fixtures become applications, follow-ups or ignored
 * mail, with the reply queued in the same transaction. */
#include "unitbench.h"

static void test_complete_application(void **state)
{
	struct bench b;
	GPtrArray *keep = NULL;

	(void)state;
	bench_init(&b, "2026-01-12", "2027-06-30");
	struct ledger_result r = bench_file(&b, "complete-application.eml", NULL);
	assert_string_equal(r.outcome, "application");
	assert_string_equal(r.state, "pending");
	assert_string_equal(r.reply, "acknowledgement");
	/* Fixtures carry no Received header: the year is the one intake ran in. */
	assert_true(g_str_has_prefix(r.ref, "AI4G-2026-0001"));
	struct app_row *a = bench_app(&b, r.ref, &keep);
	assert_string_equal(a->email, "ana.sanchez@example.net");
	assert_string_equal(a->problems, "");
	assert_true(a->batch_id != 0);
	assert_int_equal(a->documents->len, 2);
	assert_int_equal(bench_outbox_count(&b, "acknowledgement"), 1);
	ledger_result_clear(&r);
	g_ptr_array_free(keep, TRUE);
	bench_free(&b);
}

static void test_incomplete_then_completed(void **state)
{
	struct bench b;
	GPtrArray *keep = NULL;

	(void)state;
	bench_init(&b, "2026-01-12", "2027-06-30");
	struct ledger_result r = bench_file(&b, "letter-only.eml", NULL);
	assert_string_equal(r.state, "incomplete");
	assert_string_equal(r.reply, "incomplete");
	struct app_row *a = bench_app(&b, r.ref, &keep);
	assert_string_equal(a->problems, "missing-cv");
	assert_int_equal(a->batch_id, 0);
	g_ptr_array_free(keep, TRUE);
	char *ref = g_strdup(r.ref);
	ledger_result_clear(&r);

	/* The CV arrives later: same application, now complete and acknowledged. */
	r = bench_file(&b, "cv-followup.eml", NULL);
	assert_string_equal(r.outcome, "followup");
	assert_string_equal(r.ref, ref);
	assert_string_equal(r.state, "pending");
	a = bench_app(&b, ref, &keep);
	assert_int_equal(a->documents->len, 2);
	assert_string_equal(a->problems, "");
	assert_int_equal(bench_outbox_count(&b, "incomplete"), 1);
	assert_int_equal(bench_outbox_count(&b, "acknowledgement"), 1);
	g_ptr_array_free(keep, TRUE);
	ledger_result_clear(&r);
	g_free(ref);
	bench_free(&b);
}

static void test_filed_but_not_answered(void **state)
{
	struct bench b;

	(void)state;
	bench_init(&b, "2026-01-12", "2027-06-30");
	struct ledger_result r = bench_file(&b, "out-of-office.eml", NULL);
	assert_string_equal(r.outcome, "ignored");
	ledger_result_clear(&r);
	r = bench_file(&b, NULL,
		       "From: chair@example.org\r\nSubject: Re: batch\r\n\r\nACCEPT x\r\n");
	assert_string_equal(r.outcome, "decision"); /* refused: no digest token */
	ledger_result_clear(&r);
	r = bench_file(&b, NULL, "Subject: no sender\r\n\r\nbody\r\n");
	assert_string_equal(r.outcome, "quarantined");
	ledger_result_clear(&r);
	/* The same bytes again (a changed UIDVALIDITY) are a duplicate, not a new application. */
	r = bench_file(&b, "complete-application.eml", NULL);
	assert_string_equal(r.outcome, "application");
	ledger_result_clear(&r);
	r = bench_file(&b, "complete-application.eml", NULL);
	assert_string_equal(r.outcome, "duplicate");
	ledger_result_clear(&r);
	assert_int_equal(bench_outbox_count(&b, "acknowledgement"), 1);
	bench_free(&b);
}

static void test_outside_every_edition(void **state)
{
	struct bench b;

	(void)state;
	bench_init(&b, "2020-01-01", "2020-06-30");
	struct ledger_result r = bench_file(&b, "complete-application.eml", NULL);
	assert_string_equal(r.state, "next_edition");
	assert_string_equal(r.reply, "next-edition");
	assert_int_equal(bench_outbox_count(&b, "next-edition"), 1);
	ledger_result_clear(&r);
	bench_free(&b);
}

/* A batch whose applications all left it (or that never had any) closes without a digest,
 * and exactly once. */
static void test_empty_batch_closes_silently(void **state)
{
	struct bench b;
	struct err err = { 0 };
	struct batch_row row = { 0 };
	int64_t id;
	int closed = 0;

	(void)state;
	bench_init(&b, "2026-01-12", "2027-06-30");
	assert_int_equal(store_batch_for_window(b.st, "2026-01-12", "2026-01-26", &id, &err), 0);
	assert_int_equal(batch_close_due(b.st, b.cfg, 1769904000 /* 2026-02-01 */, &closed, &err),
			 0);
	assert_int_equal(closed, 1);
	assert_int_equal(store_batch_get(b.st, id, &row, &err), 1);
	assert_string_equal(row.state, "closed");
	assert_null(row.token);
	batch_row_clear(&row);
	assert_int_equal(bench_outbox_count(&b, "digest"), 0);
	/* Closing again finds nothing: a batch is closed once. */
	assert_int_equal(batch_close_due(b.st, b.cfg, 1769904000, &closed, &err), 0);
	assert_int_equal(closed, 0);
	bench_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_complete_application),
		cmocka_unit_test(test_incomplete_then_completed),
		cmocka_unit_test(test_filed_but_not_answered),
		cmocka_unit_test(test_outside_every_edition),
		cmocka_unit_test(test_empty_batch_closes_silently),
	};

	mail_library_init();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
