/* The decision parser, case by case: keywords, references, quoting, signatures, limits;
 * digest tokens; Authentication-Results. */
#include "testutil.h"

#include "decision.h"

struct parse_case {
	const char *name;
	const char *body;
	const char *decisions; /* "accept:A,B;reserve:C" as parsed */
	int ignored;
};

static const struct parse_case cases[] = {
	{ "one per line", "ACCEPT AI4G-2026-0007\nDISCARD AI4G-2026-0008\n",
	  "accept:AI4G-2026-0007;discard:AI4G-2026-0008", 0 },
	{ "any case, several refs, commas", "reserve ai4g-2026-0009, AI4G-2026-0011\r\n",
	  "reserve:AI4G-2026-0009,AI4G-2026-0011", 0 },
	{ "colon and full stop", "Accept: AI4G-2026-0001.\n", "accept:AI4G-2026-0001", 0 },
	{ "quoted lines are not read", "ACCEPT AI4G-2026-0001\n> DISCARD AI4G-2026-0002\n",
	  "accept:AI4G-2026-0001", 0 },
	{ "signature is not read", "ACCEPT AI4G-2026-0001\n-- \nDISCARD AI4G-2026-0002\n",
	  "accept:AI4G-2026-0001", 0 },
	{ "Outlook original is not read",
	  "RESERVE AI4G-2026-0003\n\n-----Original Message-----\nACCEPT AI4G-2026-0004\n",
	  "reserve:AI4G-2026-0003", 0 },
	{ "Gmail original is not read",
	  "DISCARD AI4G-2026-0005\nOn Mon, 2 Mar 2026 at 10:00, Admissions wrote:\nACCEPT "
	  "AI4G-2026-0006\n",
	  "discard:AI4G-2026-0005", 0 },
	{ "prose is ignored and reported", "Dear all,\nACCEPT AI4G-2026-0001\nThanks!\n",
	  "accept:AI4G-2026-0001", 2 },
	{ "a keyword inside a sentence is not a decision", "I accept AI4G-2026-0001 is strong\n",
	  "", 1 },
	{ "a keyword alone has no reference", "ACCEPT\n", "accept:", 0 },
	{ "a reference-like word that is not one", "ACCEPT AI4G-26-0001\n", "", 1 },
	{ "placeholder from the digest", "ACCEPT <reference>\n", "", 1 },
	{ "empty body", "", "", 0 },
	{ "NULL body", NULL, "", 0 },
};

static char *summary(const struct decision_parse *p)
{
	GString *s = g_string_new(NULL);

	for (guint i = 0; i < p->lines->len; i++) {
		const struct decision_line *d = g_ptr_array_index(p->lines, i);
		char *refs = g_strjoinv(",", d->refs);

		g_string_append_printf(s, "%s%s:%s", i ? ";" : "",
				       decision_verdict_name(d->verdict), refs);
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
				  (int)p->ignored->len == cases[i].ignored,
			  "%s: expected \"%s\" (%d ignored), got \"%s\" (%u ignored)",
			  cases[i].name, cases[i].decisions, cases[i].ignored, got,
			  p->ignored->len);
		g_free(got);
		decision_parse_free(&p);
	}
	assert_int_equal(failures, 0);
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

static void test_auth_results(void **state)
{
	(void)state;
	assert_true(decision_auth_passes("mx.example.org; dkim=pass header.d=example.org",
					 "mx.example.org", "dkim"));
	assert_true(decision_auth_passes("mx.example.org 1; spf=pass; DMARC=pass", "mx.example.org",
					 "dmarc"));
	assert_false(decision_auth_passes("mx.example.org; dkim=fail", "mx.example.org", "dkim"));
	assert_false(decision_auth_passes("evil.example.com; dkim=pass", "mx.example.org", "dkim"));
	assert_false(
		decision_auth_passes("mx.example.org.evil; dkim=pass", "mx.example.org", "dkim"));
	assert_false(decision_auth_passes("no semicolon dkim=pass", "mx.example.org", "dkim"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_table),
		cmocka_unit_test(test_line_limit),
		cmocka_unit_test(test_tokens),
		cmocka_unit_test(test_auth_results),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
