/* The commission's emails about a batch: the digest (token in Message-ID and Subject, a row and
 * the documents of each application) and the one reminder that threads to it. */
#include "unitbench.h"

#include "digest.h"

static bool is_token(const char *t)
{
	if (strlen(t) != 24)
		return false;
	for (const char *p = t; *p; p++)
		if (!g_ascii_isdigit(*p) && !(*p >= 'a' && *p <= 'f'))
			return false;
	return true;
}

static void test_tokens(void **state)
{
	struct err err = { 0 };
	char *a = NULL, *b = NULL;

	(void)state;
	assert_int_equal(digest_token_new(&a, &err), 0);
	assert_int_equal(digest_token_new(&b, &err), 0);
	assert_true(is_token(a));
	assert_true(is_token(b));
	assert_string_not_equal(a, b);
	g_free(a);
	g_free(b);
}

static void test_digest_and_reminder(void **state)
{
	struct bench b;
	struct err err = { 0 };
	struct ledger_result ana, lena;
	char *id, *token, *text, *want;
	int sent = 0;

	(void)state;
	bench_init(&b, "2026-01-12", "2027-06-30");
	ana = bench_file(&b, "complete-application.eml", NULL);
	lena = bench_file(&b, "german-application.eml", NULL);
	bench_close_batch(&b, BENCH_NOW + 60);

	id = bench_message_id(&b, "digest", "commission@example.org");
	assert_true(g_str_has_prefix(id, "digest."));
	token = g_strndup(id + strlen("digest."), 24);
	assert_true(is_token(token));
	text = bench_outbox_text(&b, "digest");
	want = g_strdup_printf("[%s]", token);
	assert_non_null(strstr(text, want)); /* in the subject, so a reply quoting it proves it */
	for (const char *ref = ana.ref; ref != NULL; ref = ref == ana.ref ? lena.ref : NULL) {
		char *cv = g_strdup_printf("%s-cv.pdf", ref),
		     *letter = g_strdup_printf("%s-letter.pdf", ref);

		assert_non_null(strstr(text, ref));
		assert_non_null(strstr(text, cv));
		assert_non_null(strstr(text, letter));
		g_free(cv);
		g_free(letter);
	}
	g_free(text);

	/* batches.reminder_days (7) after the digest, one reminder, threaded to it. */
	assert_int_equal(batch_remind_due(b.st, b.cfg, BENCH_NOW + 6 * 86400, &sent, &err), 0);
	assert_int_equal(sent, 0);
	assert_int_equal(batch_remind_due(b.st, b.cfg, BENCH_NOW + 8 * 86400, &sent, &err), 0);
	assert_int_equal(sent, 1);
	assert_int_equal(batch_remind_due(b.st, b.cfg, BENCH_NOW + 9 * 86400, &sent, &err), 0);
	assert_int_equal(sent, 0);
	assert_int_equal(bench_outbox_count(&b, "reminder"), 1);
	text = bench_outbox_text(&b, "reminder");
	char *threads = g_strdup_printf("In-Reply-To: <%s>", id);
	assert_non_null(strstr(text, threads));
	assert_non_null(strstr(text, want));
	assert_non_null(strstr(text, ana.ref));
	g_free(threads);
	g_free(text);
	g_free(want);
	g_free(token);
	g_free(id);
	ledger_result_clear(&ana);
	ledger_result_clear(&lena);
	bench_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tokens),
		cmocka_unit_test(test_digest_and_reminder),
	};

	mail_library_init();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
