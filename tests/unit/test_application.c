/* Applying decisions: which changes the rules allow, and what each applied one leaves behind
 * (the new state, the applicant's letter in the outbox); refused ones change nothing. */
#include "unitbench.h"

/* An application of the bench in review: filed, then its batch closed. */
static char *in_review(struct bench *b, const char *fixture)
{
	struct ledger_result r = bench_file(b, fixture, NULL);
	char *ref = g_strdup(r.ref);

	ledger_result_clear(&r);
	bench_close_batch(b, BENCH_NOW + 60);
	return ref;
}

static enum application_result decide(struct bench *b, const char *ref, enum verdict v, bool force,
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
		assert_int_equal(decide(&b, ref, rows[i].v, false, &before), APPLICATION_APPLIED);
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
	assert_int_equal(decide(&b, ref, VERDICT_RESERVE, false, NULL), APPLICATION_APPLIED);
	assert_int_equal(decide(&b, ref, VERDICT_RESERVE, false, NULL), APPLICATION_UNCHANGED);
	assert_int_equal(bench_outbox_count(&b, "reserve"), 1); /* no second letter */
	/* The reserve list moves: reserve -> accepted by email. */
	assert_int_equal(decide(&b, ref, VERDICT_ACCEPT, false, NULL), APPLICATION_APPLIED);
	assert_state(&b, ref, "accepted");
	/* Final: email cannot change it, --force can. */
	assert_int_equal(decide(&b, ref, VERDICT_DISCARD, false, NULL), APPLICATION_FINAL);
	assert_state(&b, ref, "accepted");
	assert_int_equal(bench_outbox_count(&b, "discarded"), 0);
	assert_int_equal(decide(&b, ref, VERDICT_DISCARD, true, NULL), APPLICATION_APPLIED);
	assert_state(&b, ref, "discarded");
	assert_int_equal(bench_outbox_count(&b, "discarded"), 1);
	g_free(ref);
	bench_free(&b);
}

static void test_not_the_commissions_yet(void **state)
{
	struct bench b;
	struct ledger_result r;
	char *before = NULL;

	(void)state;
	bench_init(&b, "2026-01-12", "2027-06-30");
	r = bench_file(&b, "complete-application.eml", NULL); /* pending: its batch is open */
	assert_int_equal(decide(&b, r.ref, VERDICT_ACCEPT, false, &before),
			 APPLICATION_NOT_IN_REVIEW);
	assert_string_equal(before, "pending");
	assert_state(&b, r.ref, "pending");
	assert_int_equal(bench_outbox_count(&b, "accepted"), 0);
	/* A meeting's decision (admitctl decide --force) may come before the batch closes. */
	assert_int_equal(decide(&b, r.ref, VERDICT_ACCEPT, true, NULL), APPLICATION_APPLIED);
	assert_state(&b, r.ref, "accepted");
	assert_int_equal(decide(&b, "AI4G-2026-9999", VERDICT_ACCEPT, true, NULL),
			 APPLICATION_UNKNOWN);
	g_free(before);
	ledger_result_clear(&r);
	bench_free(&b);
}

static enum application_result withdraw(struct bench *b, const char *ref, gint64 now)
{
	enum application_result result;
	enum app_state before;
	struct err err = { 0 };

	assert_int_equal(store_begin(b->st, &err), 0);
	if (application_withdraw(b->st, b->cfg, ref, "admitctl:office", now, &result, &before,
				 &err) < 0)
		fail_msg("withdraw %s: %s", ref, err.text);
	assert_int_equal(store_commit(b->st, &err), 0);
	return result;
}

/* Whether the history of ref has a line containing `text`. */
static bool history_has(struct bench *b, const char *ref, const char *text)
{
	GPtrArray *lines = NULL;
	struct err err = { 0 };
	bool found = false;

	assert_int_equal(store_history(b->st, ref, &lines, &err), 0);
	for (guint i = 0; i < lines->len && !found; i++)
		found = strstr(g_ptr_array_index(lines, i), text) != NULL;
	g_ptr_array_free(lines, TRUE);
	return found;
}

static void test_withdraw(void **state)
{
	struct bench b;
	struct ledger_result r;
	char *ref;

	(void)state;
	bench_init(&b, "2026-01-12", "2027-06-30");
	/* Under way: withdrawn, recorded, told once. */
	r = bench_file(&b, "complete-application.eml", NULL);
	assert_int_equal(withdraw(&b, r.ref, BENCH_NOW + 60), APPLICATION_APPLIED);
	assert_state(&b, r.ref, "withdrawn");
	assert_true(history_has(&b, r.ref, "withdrawn  by admitctl:office"));
	assert_int_equal(bench_outbox_count(&b, "withdrawn"), 1);
	assert_int_equal(withdraw(&b, r.ref, BENCH_NOW + 61), APPLICATION_UNCHANGED);
	assert_int_equal(bench_outbox_count(&b, "withdrawn"), 1);
	/* The commission cannot decide it any more; the office still can, with --force. */
	assert_int_equal(decide(&b, r.ref, VERDICT_ACCEPT, false, NULL), APPLICATION_FINAL);
	ledger_result_clear(&r);
	/* An accepted applicant may decline the place; a discarded one has nothing to withdraw. */
	ref = in_review(&b, "german-application.eml");
	assert_int_equal(decide(&b, ref, VERDICT_ACCEPT, false, NULL), APPLICATION_APPLIED);
	assert_int_equal(withdraw(&b, ref, BENCH_NOW + 200), APPLICATION_APPLIED);
	assert_state(&b, ref, "withdrawn");
	g_free(ref);
	r = bench_file(&b, "rfc2231-spanish-filename.eml", NULL);
	assert_int_equal(decide(&b, r.ref, VERDICT_DISCARD, true, NULL), APPLICATION_APPLIED);
	assert_int_equal(withdraw(&b, r.ref, BENCH_NOW + 300), APPLICATION_FINAL);
	assert_state(&b, r.ref, "discarded");
	assert_int_equal(bench_outbox_count(&b, "withdrawn"), 2);
	assert_int_equal(withdraw(&b, "AI4G-2026-9999", BENCH_NOW + 300), APPLICATION_UNKNOWN);
	ledger_result_clear(&r);
	bench_free(&b);
}

static void test_result_names(void **state)
{
	(void)state;
	assert_string_equal(application_result_name(APPLICATION_APPLIED), "applied");
	assert_string_equal(application_result_name(APPLICATION_UNCHANGED), "unchanged");
	assert_string_equal(application_result_name(APPLICATION_FINAL), "final");
	assert_string_equal(application_result_name(APPLICATION_NOT_IN_REVIEW), "not-in-review");
	assert_string_equal(application_result_name(APPLICATION_UNKNOWN), "unknown");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_review_to_each_verdict),
		cmocka_unit_test(test_the_rules),
		cmocka_unit_test(test_not_the_commissions_yet),
		cmocka_unit_test(test_withdraw),
		cmocka_unit_test(test_result_names),
	};

	mail_library_init();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
