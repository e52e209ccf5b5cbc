/* Applying decisions: which changes the rules allow, and what each applied one leaves behind
 * (the new state, the applicant's letter in the outbox); refused ones change nothing. */
#include "unitbench.h"

/* An application of the bench in review: filed, then its batch closed. */
static char *in_review(struct bench *b, const char *fixture)
{
	struct intake_result r = bench_file(b, fixture, NULL);
	char *ref = g_strdup(r.ref);

	intake_result_clear(&r);
	bench_close_batch(b, BENCH_NOW + 60);
	return ref;
}

static enum decide_result decide(struct bench *b, const char *ref, enum verdict v, bool force,
				 char **before_r)
{
	return bench_decide(b, ref, v, force, BENCH_NOW + 120, before_r);
}

static void assert_state(struct bench *b, const char *ref, const char *want)
{
	char *state = bench_state(b, ref);

	assert_string_equal(state, want);
	g_free(state);
}

static void test_review_to_each_verdict(void **state)
{
	static const struct {
		enum verdict v;
		const char *state, *letter;
	} rows[] = {
		{ VERDICT_ACCEPT, "accepted", "accepted" },
		{ VERDICT_DISCARD, "discarded", "discarded" },
		{ VERDICT_RESERVE, "reserve", "reserve" },
	};

	(void)state;
	for (size_t i = 0; i < G_N_ELEMENTS(rows); i++) {
		struct bench b;
		char *before = NULL, *ref;

		bench_init(&b, "2026-01-12", "2027-06-30");
		ref = in_review(&b, "complete-application.eml");
		assert_int_equal(decide(&b, ref, rows[i].v, false, &before), DECIDE_APPLIED);
		assert_string_equal(before, "in_review");
		assert_state(&b, ref, rows[i].state);
		assert_int_equal(bench_outbox_count(&b, rows[i].letter), 1);
		g_free(before);
		g_free(ref);
		bench_free(&b);
	}
}

static void test_the_rules(void **state)
{
	struct bench b;
	char *ref;

	(void)state;
	bench_init(&b, "2026-01-12", "2027-06-30");
	ref = in_review(&b, "complete-application.eml");
	assert_int_equal(decide(&b, ref, VERDICT_RESERVE, false, NULL), DECIDE_APPLIED);
	assert_int_equal(decide(&b, ref, VERDICT_RESERVE, false, NULL), DECIDE_UNCHANGED);
	assert_int_equal(bench_outbox_count(&b, "reserve"), 1); /* no second letter */
	/* The reserve list moves: reserve -> accepted by email. */
	assert_int_equal(decide(&b, ref, VERDICT_ACCEPT, false, NULL), DECIDE_APPLIED);
	assert_state(&b, ref, "accepted");
	/* Final: email cannot change it, --force can. */
	assert_int_equal(decide(&b, ref, VERDICT_DISCARD, false, NULL), DECIDE_FINAL);
	assert_state(&b, ref, "accepted");
	assert_int_equal(bench_outbox_count(&b, "discarded"), 0);
	assert_int_equal(decide(&b, ref, VERDICT_DISCARD, true, NULL), DECIDE_APPLIED);
	assert_state(&b, ref, "discarded");
	assert_int_equal(bench_outbox_count(&b, "discarded"), 1);
	g_free(ref);
	bench_free(&b);
}

static void test_not_the_commissions_yet(void **state)
{
	struct bench b;
	struct intake_result r;
	char *before = NULL;

	(void)state;
	bench_init(&b, "2026-01-12", "2027-06-30");
	r = bench_file(&b, "complete-application.eml", NULL); /* pending: its batch is open */
	assert_int_equal(decide(&b, r.ref, VERDICT_ACCEPT, false, &before), DECIDE_NOT_IN_REVIEW);
	assert_string_equal(before, "pending");
	assert_state(&b, r.ref, "pending");
	assert_int_equal(bench_outbox_count(&b, "accepted"), 0);
	/* A meeting's decision (admitctl decide --force) may come before the batch closes. */
	assert_int_equal(decide(&b, r.ref, VERDICT_ACCEPT, true, NULL), DECIDE_APPLIED);
	assert_state(&b, r.ref, "accepted");
	assert_int_equal(decide(&b, "AI4G-2026-9999", VERDICT_ACCEPT, true, NULL), DECIDE_UNKNOWN);
	g_free(before);
	intake_result_clear(&r);
	bench_free(&b);
}

static void test_result_names(void **state)
{
	(void)state;
	assert_string_equal(decide_result_name(DECIDE_APPLIED), "applied");
	assert_string_equal(decide_result_name(DECIDE_UNCHANGED), "unchanged");
	assert_string_equal(decide_result_name(DECIDE_FINAL), "final");
	assert_string_equal(decide_result_name(DECIDE_NOT_IN_REVIEW), "not-in-review");
	assert_string_equal(decide_result_name(DECIDE_UNKNOWN), "unknown");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_review_to_each_verdict),
		cmocka_unit_test(test_the_rules),
		cmocka_unit_test(test_not_the_commissions_yet),
		cmocka_unit_test(test_result_names),
	};

	mail_library_init();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
