/* The decision parser, case by case: keywords, references, quoting, signatures, limits;
 * digest tokens; Authentication-Results. */
#include "testutil.h"

#include "decision.h"
#include "mail.h"

struct parse_case {
	const char *name;
	const char *body;
	const char *decisions; /* "accept:A,B;reserve:C|reason" as parsed */
	int ignored, malformed;
};

static const struct parse_case cases[] = {
	{ "one per line", "ACCEPT AI4G-2026-0007\nDISCARD AI4G-2026-0008\n",
	  "accept:AI4G-2026-0007;discard:AI4G-2026-0008", 0, 0 },
	{ "any case, several refs, commas", "reserve ai4g-2026-0009, AI4G-2026-0011\r\n",
	  "reserve:AI4G-2026-0009,AI4G-2026-0011", 0, 0 },
	{ "colon and full stop", "Accept: AI4G-2026-0001.\n", "accept:AI4G-2026-0001", 0, 0 },
	{ "quoted lines are not read", "ACCEPT AI4G-2026-0001\n> DISCARD AI4G-2026-0002\n",
	  "accept:AI4G-2026-0001", 0, 0 },
	{ "signature is not read", "ACCEPT AI4G-2026-0001\n-- \nDISCARD AI4G-2026-0002\n",
	  "accept:AI4G-2026-0001", 0, 0 },
	{ "Outlook original is not read",
	  "RESERVE AI4G-2026-0003\n\n-----Original Message-----\nACCEPT AI4G-2026-0004\n",
	  "reserve:AI4G-2026-0003", 0, 0 },
	{ "Gmail original is not read",
	  "DISCARD AI4G-2026-0005\nOn Mon, 2 Mar 2026 at 10:00, Admissions wrote:\nACCEPT "
	  "AI4G-2026-0006\n",
	  "discard:AI4G-2026-0005", 0, 0 },
	{ "prose is ignored and reported", "Dear all,\nACCEPT AI4G-2026-0001\nThanks!\n",
	  "accept:AI4G-2026-0001", 2, 0 },
	{ "a keyword inside a sentence is not a decision", "I accept AI4G-2026-0001 is strong\n",
	  "", 1, 0 },
	{ "a keyword alone has no reference", "ACCEPT\n", "accept:", 0, 0 },
	{ "a reference-like word that is not one", "ACCEPT AI4G-26-0001\n", "", 0, 1 },
	{ "placeholder from the digest", "ACCEPT <reference>\n", "", 0, 1 },
	{ "a reason after a dash", "ACCEPT AI4G-2026-0007 - excellent profile\n",
	  "accept:AI4G-2026-0007|excellent profile", 0, 0 },
	{ "a reason after #, in parentheses, after a colon",
	  "RESERVE AI4G-2026-0008 # interview first\nDISCARD AI4G-2026-0009 (no degree)\n"
	  "ACCEPT AI4G-2026-0010: strong letter\n",
	  "reserve:AI4G-2026-0008|interview first;discard:AI4G-2026-0009|no degree;"
	  "accept:AI4G-2026-0010|strong letter",
	  0, 0 },
	{ "words that are no reference nor a marked reason", "ACCEPT AI4G-2026-0007 excellent\n",
	  "", 0, 1 },
	{ "non-breaking spaces between words", "ACCEPT\u00a0AI4G-2026-0007\u202fAI4G-2026-0008\n",
	  "accept:AI4G-2026-0007,AI4G-2026-0008", 0, 0 },
	{ "zero-width characters inside a keyword", "AC\u200bCEPT AI4G-2026-0007\n",
	  "accept:AI4G-2026-0007", 0, 0 },
	{ "Spanish Outlook original",
	  "ACCEPT AI4G-2026-0001\n-----Mensaje original-----\n"
	  "DISCARD AI4G-2026-0002\n",
	  "accept:AI4G-2026-0001", 0, 0 },
	{ "German Outlook header block without dashes",
	  "ACCEPT AI4G-2026-0001\n\nVon: Admissions <a@example.org>\nGesendet: Montag\n"
	  "An: Kommission\nBetreff: batch\n\nDISCARD AI4G-2026-0002\n",
	  "accept:AI4G-2026-0001", 0, 0 },
	{ "Estonian wrote line",
	  "ACCEPT AI4G-2026-0001\n2. märts 2026 10:00 Admissions "
	  "<a@example.org> kirjutas:\nDISCARD AI4G-2026-0002\n",
	  "accept:AI4G-2026-0001", 0, 0 },
	{ "wrote line wrapped over two lines",
	  "ACCEPT AI4G-2026-0001\nOn Mon, 2 Mar 2026 at 10:00, Admissions Office "
	  "<admissions@example.org>\nwrote:\nDISCARD AI4G-2026-0002\n",
	  "accept:AI4G-2026-0001", 0, 0 },
	{ "a decision just above the wrote line still counts",
	  "ACCEPT AI4G-2026-0001\nOn 2 Mar 2026, Admissions wrote:\nDISCARD AI4G-2026-0002\n",
	  "accept:AI4G-2026-0001", 0, 0 },
	{ "bold labels of an Outlook block in text",
	  "ACCEPT AI4G-2026-0001\n*From:* Admissions <a@example.org>\n*Sent:* Monday\n"
	  "DISCARD AI4G-2026-0002\n",
	  "accept:AI4G-2026-0001", 0, 0 },
	{ "phone signature",
	  "ACCEPT AI4G-2026-0001\n\nEnviado desde mi iPhone\nDISCARD "
	  "AI4G-2026-0002\n",
	  "accept:AI4G-2026-0001", 0, 0 },
	{ "empty body", "", "", 0, 0 },
	{ "NULL body", NULL, "", 0, 0 },
};

static char *summary(const struct decision_parse *p)
{
	GString *s = g_string_new(NULL);

	for (guint i = 0; i < p->lines->len; i++) {
		const struct decision_line *d = g_ptr_array_index(p->lines, i);
		char *refs = g_strjoinv(",", d->refs);

		g_string_append_printf(s, "%s%s:%s%s%s", i ? ";" : "",
				       decision_verdict_name(d->verdict), refs,
				       d->reason ? "|" : "", d->reason ? d->reason : "");
		g_free(refs);
	}
	return g_string_free(s, FALSE);
}

static void test_parse_table(void **state)
{
	int failures = 0;

	(void)state;
	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		struct decision_parse *p = decision_parse(cases[i].body);
		char *got = summary(p);

		ROW_CHECK(failures,
			  strcmp(got, cases[i].decisions) == 0 &&
				  (int)p->ignored->len == cases[i].ignored &&
				  (int)p->malformed->len == cases[i].malformed,
			  "%s: expected \"%s\" (%d ignored, %d malformed), got \"%s\" (%u, %u)",
			  cases[i].name, cases[i].decisions, cases[i].ignored, cases[i].malformed,
			  got, p->ignored->len, p->malformed->len);
		g_free(got);
		decision_parse_free(&p);
	}
	assert_int_equal(failures, 0);
}

/* tests/mail/replies: one reply per client behaviour, each saying in X-Test-Expect what its
 * author decided; read as the daemon reads it (mail_read: charsets, flowed, HTML), then parsed. */
static void test_reply_fixtures(void **state)
{
	char *dir = test_fixture("replies"), *tmp = test_tmpdir();
	GDir *d = g_dir_open(dir, 0, NULL);
	const char *name;
	int failures = 0, seen = 0;

	(void)state;
	assert_non_null(d);
	while ((name = g_dir_read_name(d)) != NULL) {
		char *path = g_build_filename(dir, name, NULL), *raw = NULL, *got;
		char *parts = g_build_filename(tmp, name, NULL);
		struct mail *m = NULL;
		struct err err = { 0 };
		const char *expect;
		struct decision_parse *p;

		assert_true(g_file_get_contents(path, &raw, NULL, NULL));
		expect = strstr(raw, "X-Test-Expect: ");
		assert_non_null(expect);
		expect += strlen("X-Test-Expect: ");
		char *want = g_strndup(expect, strcspn(expect, "\r\n"));
		if (mail_read(&m, path, parts, &err) < 0)
			fail_msg("%s: %s", name, err.text);
		p = decision_parse(m->body_text);
		got = summary(p);
		ROW_CHECK(failures, strcmp(got, want) == 0, "%s: expected \"%s\", got \"%s\"", name,
			  want, got);
		seen++;
		g_free(got);
		g_free(want);
		decision_parse_free(&p);
		mail_free(&m);
		g_free(raw);
		g_free(parts);
		g_free(path);
	}
	g_dir_close(d);
	assert_true(seen >= 20);
	assert_int_equal(failures, 0);
	g_free(dir);
	g_free(tmp);
}

static void test_line_limit(void **state)
{
	GString *body = g_string_new(NULL);
	struct decision_parse *p;

	(void)state;
	for (int i = 0; i < DECISION_MAX_LINES + 100; i++)
		g_string_append_printf(body, "ACCEPT AI4G-2026-%04d\n", i + 1);
	p = decision_parse(body->str);
	assert_int_equal(p->lines->len, DECISION_MAX_LINES);
	assert_true(p->truncated);
	decision_parse_free(&p);
	g_string_free(body, TRUE);
}

static void test_tokens(void **state)
{
	GPtrArray *t = g_ptr_array_new_with_free_func(g_free);

	(void)state;
	decision_find_tokens("<digest.0123456789abcdef01234567@example.org>", t);
	decision_find_tokens("Re: 3 applications, batch 2 [fedcba9876543210fedcba98]", t);
	decision_find_tokens("too short 0123456789abcdef0123456 and too long "
			     "0123456789abcdef0123456789",
			     t);
	decision_find_tokens(NULL, t);
	assert_int_equal(t->len, 2);
	assert_string_equal(g_ptr_array_index(t, 0), "0123456789abcdef01234567");
	assert_string_equal(g_ptr_array_index(t, 1), "fedcba9876543210fedcba98");
	g_ptr_array_free(t, TRUE);
}

/* RFC 8601 read strictly: our authserv-id, the method passing, and aligned with From. */
static void test_auth_results(void **state)
{
	static const struct {
		const char *header, *method, *from_domain;
		bool passes;
	} rows[] = {
		{ "mx.example.org; dkim=pass header.d=example.org", "dkim", "example.org", true },
		/* A parent domain signs for its subdomain (relaxed alignment), never a TLD. */
		{ "mx.example.org; dkim=pass header.d=uni.example", "dkim", "mail.uni.example",
		  true },
		{ "mx.example.org; dkim=pass header.d=example", "dkim", "uni.example", false },
		{ "mx.example.org; dkim=pass header.d=evil.example", "dkim", "uni.example.org",
		  false },
		{ "mx.example.org; dkim=pass header.d=example.org", "dkim", "notexample.org",
		  false },
		{ "mx.example.org; dkim=pass", "dkim", "example.org", false },
		{ "mx.example.org; dkim=fail header.d=example.org; dkim=pass header.d=example.org",
		  "dkim", "example.org", true },
		{ "mx.example.org 1; spf=pass; DMARC=pass header.from=Example.ORG", "dmarc",
		  "example.org", true },
		{ "mx.example.org; dmarc=pass header.from=evil.example", "dmarc", "example.org",
		  false },
		{ "mx.example.org; dmarc=pass", "dmarc", "example.org", false },
		{ "mx.example.org; dkim=pass (good signature; header.d=example.org) "
		  "header.d=evil.example",
		  "dkim", "example.org", false },
		{ "mx.example.org; dkim=pass header.d=\"example.org\"", "dkim", "example.org",
		  true },
		{ "mx.example.org; dkim/1=pass header.d=example.org", "dkim", "example.org", true },
		{ "mx.example.org; dkim=fail header.d=example.org", "dkim", "example.org", false },
		{ "mx.example.org; dkim=passing header.d=example.org", "dkim", "example.org",
		  false },
		{ "evil.example.com; dkim=pass header.d=example.org", "dkim", "example.org",
		  false },
		{ "mx.example.org.evil; dkim=pass header.d=example.org", "dkim", "example.org",
		  false },
		{ "no semicolon dkim=pass header.d=example.org", "dkim", "example.org", false },
	};

	(void)state;
	for (size_t i = 0; i < G_N_ELEMENTS(rows); i++)
		if (decision_auth_passes(rows[i].header, "mx.example.org", rows[i].method,
					 rows[i].from_domain) != rows[i].passes)
			fail_msg("row %zu: %s for %s should %s", i, rows[i].header,
				 rows[i].from_domain, rows[i].passes ? "pass" : "fail");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_table),  cmocka_unit_test(test_reply_fixtures),
		cmocka_unit_test(test_line_limit),   cmocka_unit_test(test_tokens),
		cmocka_unit_test(test_auth_results),
	};

	mail_library_init();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
