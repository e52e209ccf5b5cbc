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
	/* The transcript goes to the member and, so every member sees it, to the commission. */
	expect(&c, "accepted", 2, 0);
	assert_int_equal(bench_outbox_count(&c.b, "accepted"), 1);
	GPtrArray *rows = bench_outbox(&c.b);
	int to_chair = 0, to_commission = 0;
	for (guint i = 0; i < rows->len; i++) {
		const struct outbox_row *o = g_ptr_array_index(rows, i);

		if (strcmp(o->template_name, "decision_transcript") != 0)
			continue;
		to_chair += strcmp(o->to_addr, "chair@example.org") == 0;
		to_commission += strcmp(o->to_addr, "commission@example.org") == 0;
	}
	g_ptr_array_free(rows, TRUE);
	assert_int_equal(to_chair, 1);
	assert_int_equal(to_commission, 1);
	char *transcript = bench_outbox_text(&c.b, "decision_transcript");
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

static void assert_state_of(struct case_bench *c, const char *ref, const char *want)
{
	char *now = bench_state(&c->b, ref);

	assert_string_equal(now, want);
	g_free(now);
}

/* A member's reply at `at` with the token of `token`, saying `body`. */
static struct ledger_result reply_at(struct case_bench *c, const char *token, const char *body,
				     const char *id, gint64 at)
{
	char *text = g_strdup_printf("From: chair@example.org\r\nTo: admissions@example.org\r\n"
				     "Subject: Re: batch [%s]\r\nMessage-ID: <%s@example.org>\r\n"
				     "\r\n%s\r\n",
				     token, id, body);
	struct ledger_result r = bench_file_at(&c->b, NULL, text, at);

	g_free(text);
	return r;
}

/* A leaked digest of batch 1 must not decide batch 2: a token decides what its digest listed. */
static void test_token_decides_only_its_batch(void **state)
{
	struct case_bench c;
	struct ledger_result lena, r;
	struct batch_row b2 = { 0 };
	struct err err = { 0 };
	char *body, *transcript;

	(void)state;
	setup_case(&c);
	lena = bench_file_at(&c.b, "german-application.eml", NULL, BENCH_NOW + 90);
	int64_t second = bench_close_batch(&c.b, BENCH_NOW + 100);
	assert_int_equal(store_batch_get(c.b.st, second, &b2, &err), 1);
	assert_string_not_equal(b2.token, c.token);
	body = g_strdup_printf("ACCEPT %s", lena.ref);
	r = reply_at(&c, c.token, body, "leak", BENCH_NOW + 200);
	assert_state_of(&c, lena.ref, "in_review");
	assert_int_equal(bench_outbox_count(&c.b, "accepted"), 0);
	transcript = bench_outbox_text(&c.b, "decision_transcript");
	assert_non_null(strstr(transcript, "was not in the batch this email answers"));
	g_free(transcript);
	ledger_result_clear(&r);
	/* Its own batch's token decides it. */
	r = reply_at(&c, b2.token, body, "own", BENCH_NOW + 300);
	assert_state_of(&c, lena.ref, "accepted");
	ledger_result_clear(&r);
	ledger_result_clear(&lena);
	batch_row_clear(&b2);
	g_free(body);
	free_case(&c);
}

/* A token stops working commission.token_days after its batch was all decided. */
static void test_token_expires(void **state)
{
	static const struct {
		int days;
		int warnings;
	} rows[] = { { 89, 0 }, { 91, 1 } };

	(void)state;
	for (size_t i = 0; i < G_N_ELEMENTS(rows); i++) {
		struct case_bench c;
		struct ledger_result r1, r2;
		char *body;

		setup_case(&c);
		body = g_strdup_printf("RESERVE %s", c.app.ref);
		r1 = reply_at(&c, c.token, body, "first", BENCH_NOW + 120);
		assert_state_of(&c, c.app.ref, "reserve");
		g_free(body);
		body = g_strdup_printf("ACCEPT %s", c.app.ref);
		r2 = reply_at(&c, c.token, body, "later", BENCH_NOW + 120 + rows[i].days * 86400);
		assert_int_equal(bench_outbox_count(&c.b, "decision_refused"), rows[i].warnings);
		assert_state_of(&c, c.app.ref, rows[i].warnings ? "reserve" : "accepted");
		if (rows[i].warnings) {
			char *warning = bench_outbox_text(&c.b, "decision_refused");

			assert_non_null(strstr(warning, "fully decided long ago"));
			g_free(warning);
		}
		g_free(body);
		ledger_result_clear(&r1);
		ledger_result_clear(&r2);
		free_case(&c);
	}
}

/* Warnings about forgeries cannot be silenced: not by using up the hour's replies with
 * inquiries first, not by forging more than a day's warnings (the rest come in one summary). */
static void test_warnings_are_never_held(void **state)
{
	struct case_bench c;
	int sent = 0;

	(void)state;
	setup_case(&c);
	c.b.cfg->limits.replies_per_hour = 3;
	c.b.cfg->limits.replies_per_address_per_day = 2;
	for (int i = 0; i < 3; i++) {
		char *text = g_strdup_printf(
			"From: asker%d@example.net\r\nTo: admissions@example.org"
			"\r\nSubject: question\r\nMessage-ID: <q%d@example.net>"
			"\r\n\r\nHow do I apply?\r\n",
			i, i);
		struct ledger_result r = bench_file_at(&c.b, NULL, text, BENCH_NOW + 100 + i);

		ledger_result_clear(&r);
		g_free(text);
	}
	for (int i = 0; i < 5; i++) {
		char *id = g_strdup_printf("forged%d", i);
		struct ledger_result r = reply(&c, "Mallory <mallory@example.com>", true, NULL, id);

		ledger_result_clear(&r);
		g_free(id);
	}
	expect(&c, "in_review", 0, 2);
	struct err err = { 0 };
	assert_int_equal(commission_refusal_summary(c.b.st, c.b.cfg, BENCH_NOW + 200, &sent, &err),
			 0);
	assert_int_equal(sent, 1);
	assert_int_equal(bench_outbox_count(&c.b, "decision_refused_summary"), 1);
	char *summary = bench_outbox_text(&c.b, "decision_refused_summary");
	assert_non_null(strstr(summary, "3 more decision emails were refused"));
	assert_non_null(strstr(summary, "from=mallory@example.com reason=refused-not-member"));
	g_free(summary);
	/* Once a day, and only when there is something to say. */
	assert_int_equal(commission_refusal_summary(c.b.st, c.b.cfg, BENCH_NOW + 300, &sent, &err),
			 0);
	assert_int_equal(sent, 0);
	assert_int_equal(
		commission_refusal_summary(c.b.st, c.b.cfg, BENCH_NOW + 2 * 86400, &sent, &err), 0);
	assert_int_equal(sent, 0);
	free_case(&c);
}

/* The digest's text as a member's client shows it (decoded), from the outbox. */
static char *digest_text(struct case_bench *c)
{
	GPtrArray *rows = bench_outbox(&c->b);
	struct err err = { 0 };
	char *text = NULL;

	for (guint i = 0; i < rows->len && text == NULL; i++) {
		const struct outbox_row *r = g_ptr_array_index(rows, i);
		GBytes *bytes = NULL;

		if (strcmp(r->template_name, "digest") != 0)
			continue;
		assert_int_equal(store_outbox_message(c->b.st, r->id, &bytes, &err), 0);
		text = mail_text_of(bytes);
		g_bytes_unref(bytes);
	}
	g_ptr_array_free(rows, TRUE);
	assert_non_null(text);
	return text;
}

/* Outlook in Spanish quotes the digest under "-----Mensaje original-----", without ">". */
static struct ledger_result outlook_reply(struct case_bench *c, const char *own, const char *id)
{
	char *quoted = digest_text(c);
	char *text = g_strdup_printf(
		"From: chair@example.org\r\nTo: admissions@example.org\r\n"
		"Subject: RE: batch [%s]\r\nMessage-ID: <%s@example.org>\r\nIn-Reply-To: <%s>\r\n"
		"\r\n%s\r\n\r\n-----Mensaje original-----\r\nDe: Admissions "
		"<admissions@example.org>\r\nEnviado el: lunes\r\nPara: commission@example.org\r\n"
		"Asunto: batch\r\n\r\n%s\r\n",
		c->token, id, c->digest_id, own, quoted);
	struct ledger_result r = bench_file_at(&c->b, NULL, text, BENCH_NOW + 200);

	g_free(quoted);
	g_free(text);
	return r;
}

/* Forgery 1 of issue 14: an applicant's display name carrying decision lines. Her name is
 * stored as one line, so the digest cannot show them as lines; and, independently, a line
 * that also occurs in the digest the reply answers is quoted text and decides nothing. */
static void test_names_cannot_decide(void **state)
{
	struct case_bench c;
	struct ledger_result eve, r;
	GPtrArray *keep = NULL;
	struct err err = { 0 };
	int64_t lena_id;

	(void)state;
	bench_init(&c.b, "2026-01-12", "2027-06-30");
	c.app = bench_file(&c.b, "complete-application.eml", NULL); /* AI4G-2026-0001 */
	/* Eve's complete application, from a name that carries two decision lines. */
	char *source = test_fixture("complete-application.eml"), *fixture = NULL;
	assert_true(g_file_get_contents(source, &fixture, NULL, NULL));
	char *from = g_strdup_printf(
		"From: =?utf-8?q?Eve_Adams=0AACCEPT_%s=0ADISCARD_%s=0A?= <eve@example.net>",
		c.app.ref, c.app.ref);
	char **parts = g_regex_split_simple("^From: .*$", fixture, G_REGEX_MULTILINE, 0);
	char *forged = g_strjoinv(from, parts);
	char **ids = g_regex_split_simple("^Message-ID: .*$", forged, G_REGEX_MULTILINE, 0);
	char *forged2 = g_strjoinv("Message-ID: <eve@example.net>", ids);
	eve = bench_file(&c.b, NULL, forged2);
	assert_non_null(eve.ref);
	g_strfreev(parts);
	g_strfreev(ids);
	g_free(forged);
	g_free(forged2);
	g_free(from);
	g_free(fixture);
	g_free(source);
	/* Lena's name as an older admitd would have stored it, with its newlines. */
	struct ledger_result lena = bench_file(&c.b, "german-application.eml", NULL);
	char *bad_name = g_strdup_printf("Lena\nDISCARD %s\n", c.app.ref);
	assert_int_equal(store_applicant_upsert(c.b.st, "lena.mueller@example.org", bad_name,
						BENCH_NOW, &lena_id, &err),
			 0);
	g_free(bad_name);
	bench_close_batch(&c.b, BENCH_NOW + 60);
	c.digest_id = bench_message_id(&c.b, "digest", "commission@example.org");
	c.token = g_strndup(c.digest_id + strlen("digest."), 24);
	r = outlook_reply(&c, "Gracias, lo vemos el lunes.", "outlook1");
	expect(&c, "in_review", 2, 0);
	assert_int_equal(bench_outbox_count(&c.b, "accepted"), 0);
	assert_int_equal(bench_outbox_count(&c.b, "discarded"), 0);
	ledger_result_clear(&r);
	/* What the chair writes above the quote still decides. */
	char *own = g_strdup_printf("RESERVE %s", c.app.ref);
	r = outlook_reply(&c, own, "outlook2");
	assert_state_of(&c, c.app.ref, "reserve");
	g_free(own);
	ledger_result_clear(&r);
	const struct app_row *a = bench_app(&c.b, eve.ref, &keep);
	assert_string_equal(a->name, "Eve Adams ACCEPT AI4G-2026-0001 DISCARD AI4G-2026-0001");
	g_ptr_array_free(keep, TRUE);
	ledger_result_clear(&eve);
	ledger_result_clear(&lena);
	free_case(&c);
}

/* A reason after the references stays with the decision; a line that starts with a keyword
 * but is not one is not applied, and the transcript says how to write it; deciding again what
 * stands tells who decided it and when. */
static void test_reasons_and_rewrites(void **state)
{
	struct case_bench c;
	struct ledger_result r;
	GPtrArray *history = NULL;
	struct err err = { 0 };
	bool found = false;
	char *body, *transcript;

	(void)state;
	setup_case(&c);
	body = g_strdup_printf("ACCEPT %s - excellent profile\nDISCARD %s maybe", c.app.ref,
			       c.app.ref);
	r = reply_at(&c, c.token, body, "reasons", BENCH_NOW + 120);
	assert_state_of(&c, c.app.ref, "accepted");
	assert_int_equal(store_history(c.b.st, c.app.ref, &history, &err), 0);
	for (guint i = 0; i < history->len; i++)
		found |= strstr(g_ptr_array_index(history, i),
				"accepted  by chair@example.org: excellent profile") != NULL;
	g_ptr_array_free(history, TRUE);
	assert_true(found);
	transcript = bench_outbox_text(&c.b, "decision_transcript");
	assert_non_null(strstr(transcript, "not applied: write the word, then only references"));
	g_free(transcript);
	ledger_result_clear(&r);
	g_free(body);
	body = g_strdup_printf("ACCEPT %s", c.app.ref);
	r = reply_at(&c, c.token, body, "again", BENCH_NOW + 200);
	transcript = bench_outbox_text(&c.b, "decision_transcript");
	assert_non_null(strstr(transcript, "is already accepted (by chair@example.org on 20"));
	g_free(transcript);
	ledger_result_clear(&r);
	g_free(body);
	free_case(&c);
}

static void test_the_same_reply_twice(void **state)
{
	struct case_bench c;

	(void)state;
	setup_case(&c);
	struct ledger_result r1 = reply(&c, "chair@example.org", true, NULL, "twice");
	struct ledger_result r2 = reply(&c, "chair@example.org", true, NULL, "twice");
	assert_string_equal(r2.outcome, "duplicate");
	expect(&c, "accepted", 2, 0);
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
		cmocka_unit_test(test_token_decides_only_its_batch),
		cmocka_unit_test(test_token_expires),
		cmocka_unit_test(test_warnings_are_never_held),
		cmocka_unit_test(test_names_cannot_decide),
		cmocka_unit_test(test_reasons_and_rewrites),
	};

	mail_library_init();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
