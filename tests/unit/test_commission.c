/* Mail from the commission's side, filed as intake files it: a member's reply carrying the
 * digest's token decides and gets a transcript; without the token, from a non-member, or
 * (with require_auth) without our server's pass, it changes nothing and the commission is
 * warned. */
#include "unitbench.h"

#include "commission.h"

struct case_bench {
	struct bench b;
	struct ledger_result app;
	char *digest_id; /* digest.TOKEN@domain */
	char *token;
};

static void setup_case(struct case_bench *c)
{
	bench_init(&c->b, "2026-01-12", "2027-06-30");
	c->app = bench_file(&c->b, "complete-application.eml", NULL);
	bench_close_batch(&c->b, BENCH_NOW + 60);
	c->digest_id = bench_message_id(&c->b, "digest", "commission@example.org");
	c->token = g_strndup(c->digest_id + strlen("digest."), 24);
}

static void free_case(struct case_bench *c)
{
	ledger_result_clear(&c->app);
	g_free(c->digest_id);
	g_free(c->token);
	bench_free(&c->b);
}

/* A reply to the digest: FROM, with the token in the subject when `with_token`, and an
 * Authentication-Results header when `auth` is not NULL. */
static struct ledger_result reply(struct case_bench *c, const char *from, bool with_token,
				  const char *auth, const char *id)
{
	char *text = g_strdup_printf(
		"%s%s%sFrom: %s\r\nTo: admissions@example.org\r\nSubject: Re: batch %s%s%s\r\n"
		"Message-ID: <%s@example.org>\r\nDate: Sun, 20 Sep 2026 10:00:00 +0000\r\n\r\n"
		"ACCEPT %s\r\n",
		auth ? "Authentication-Results: " : "", auth ? auth : "", auth ? "\r\n" : "", from,
		with_token ? "[" : "", with_token ? c->token : "", with_token ? "]" : "", id,
		c->app.ref);
	struct ledger_result r = bench_file_at(&c->b, NULL, text, BENCH_NOW + 120);

	g_free(text);
	return r;
}

static void expect(struct case_bench *c, const char *state, int transcripts, int warnings)
{
	char *now = bench_state(&c->b, c->app.ref);

	assert_string_equal(now, state);
	assert_int_equal(bench_outbox_count(&c->b, "decision_transcript"), transcripts);
	assert_int_equal(bench_outbox_count(&c->b, "decision_refused"), warnings);
	g_free(now);
}

static void test_member_with_token_decides(void **state)
{
	struct case_bench c;

	(void)state;
	setup_case(&c);
	struct ledger_result r = reply(&c, "Chair <chair@example.org>", true, NULL, "d1");
	assert_string_equal(r.outcome, "decision");
	expect(&c, "accepted", 1, 0);
	assert_int_equal(bench_outbox_count(&c.b, "accepted"), 1);
	char *transcript = bench_outbox_text(&c.b, "decision_transcript");
	assert_non_null(strstr(transcript, "To: chair@example.org"));
	assert_non_null(strstr(transcript, c.app.ref));
	g_free(transcript);
	ledger_result_clear(&r);
	free_case(&c);
}

static void test_refusals_change_nothing(void **state)
{
	static const struct {
		const char *from;
		bool token;
	} rows[] = {
		{ "Chair <chair@example.org>", false },	   /* a member, no token */
		{ "Mallory <mallory@example.com>", true }, /* a token, not a member */
	};

	(void)state;
	for (size_t i = 0; i < G_N_ELEMENTS(rows); i++) {
		struct case_bench c;

		setup_case(&c);
		struct ledger_result r = reply(&c, rows[i].from, rows[i].token, NULL, "f1");
		/* The commission is warned, and the sender told why (a transcript). */
		expect(&c, "in_review", 1, 1);
		assert_int_equal(bench_outbox_count(&c.b, "accepted"), 0);
		char *warning = bench_outbox_text(&c.b, "decision_refused");
		assert_non_null(strstr(warning, "To: commission@example.org"));
		g_free(warning);
		ledger_result_clear(&r);
		free_case(&c);
	}
}

static void test_require_auth(void **state)
{
	static const struct {
		const char *auth;
		const char *state;
	} rows[] = {
		{ NULL, "in_review" },
		{ "mx.example.org; dkim=none", "in_review" },
		{ "mx.example.org; dkim=fail header.d=example.org", "in_review" },
		{ "mx.elsewhere.example; dkim=pass header.d=example.org", "in_review" },
		{ "mx.example.org; dkim=pass header.d=example.org", "accepted" },
	};

	(void)state;
	for (size_t i = 0; i < G_N_ELEMENTS(rows); i++) {
		struct case_bench c;

		setup_case(&c);
		g_free(c.b.cfg->commission.require_auth);
		c.b.cfg->commission.require_auth = g_strdup("dkim");
		g_free(c.b.cfg->commission.authserv_id);
		c.b.cfg->commission.authserv_id = g_strdup("mx.example.org");
		struct ledger_result r = reply(&c, "chair@example.org", true, rows[i].auth, "a1");
		char *now = bench_state(&c.b, c.app.ref);
		if (strcmp(now, rows[i].state) != 0)
			fail_msg("Authentication-Results [%s]: %s, expected %s",
				 rows[i].auth ? rows[i].auth : "none", now, rows[i].state);
		assert_int_equal(bench_outbox_count(&c.b, "decision_refused"),
				 strcmp(rows[i].state, "in_review") == 0);
		g_free(now);
		ledger_result_clear(&r);
		free_case(&c);
	}
}

static void test_the_same_reply_twice(void **state)
{
	struct case_bench c;

	(void)state;
	setup_case(&c);
	struct ledger_result r1 = reply(&c, "chair@example.org", true, NULL, "twice");
	struct ledger_result r2 = reply(&c, "chair@example.org", true, NULL, "twice");
	assert_string_equal(r2.outcome, "duplicate");
	expect(&c, "accepted", 1, 0);
	assert_int_equal(bench_outbox_count(&c.b, "accepted"), 1);
	ledger_result_clear(&r1);
	ledger_result_clear(&r2);
	free_case(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_member_with_token_decides),
		cmocka_unit_test(test_refusals_change_nothing),
		cmocka_unit_test(test_require_auth),
		cmocka_unit_test(test_the_same_reply_twice),
	};

	mail_library_init();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
