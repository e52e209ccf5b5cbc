/* What a sender wrote, made one safe line: nothing in a name can start a line of ours. */
#include "testutil.h"

#include "untrusted.h"

static void test_lines(void **state)
{
	static const struct {
		const char *in;
		size_t max;
		const char *out;
	} rows[] = {
		{ "Ana Sánchez", 100, "Ana Sánchez" },
		{ NULL, 100, "" },
		{ "  spaced \t out  ", 100, "spaced out" },
		/* The forgery: decision lines through a display name. */
		{ "Eve Adams\nACCEPT AI4G-2026-0001\nDISCARD AI4G-2026-0003\n", 100,
		  "Eve Adams ACCEPT AI4G-2026-0001 DISCARD AI4G-2026-0003" },
		{ "a\r\nb", 100, "a b" },
		{ "line\u2028sep\u2029para", 100, "line sep para" },
		{ "no\u00a0break\u202fnarrow", 100, "no break narrow" },
		/* Invisible characters go: zero-width, bidi overrides and isolates, BOM, C1. */
		{ "ze\u200bro\u200c\u200d\u2060", 100, "zero" },
		{ "\u202eevil\u202c \u2066x\u2069", 100, "evil x" },
		{ "\ufeffbom", 100, "bom" },
		{ "c1\xc2\x85\xc2\x9bx", 100, "c1x" },
		{ "bell\x07 esc\x1b[31m", 100, "bell esc[31m" },
		/* Bad bytes become U+FFFD, never a crash or a cut inside a character. */
		{ "bad\xff\xfe", 100, "bad\ufffd\ufffd" },
		{ "ééééé", 3, "ééé…" },
		{ "abc def", 4, "abc…" },
	};

	(void)state;
	for (size_t i = 0; i < G_N_ELEMENTS(rows); i++) {
		char *got = untrusted_line(rows[i].in, rows[i].max);

		if (strcmp(got, rows[i].out) != 0)
			fail_msg("row %zu: \"%s\", expected \"%s\"", i, got, rows[i].out);
		g_free(got);
	}
}

/* A cut never splits a character. */
static void test_cut(void **state)
{
	char text[] = "ab\u00e9\u00e9";

	(void)state;
	untrusted_cut(text, 10);
	assert_string_equal(text, "ab\u00e9\u00e9");
	untrusted_cut(text, 5);
	assert_string_equal(text, "ab\u00e9");
	untrusted_cut(text, 3);
	assert_string_equal(text, "ab");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lines),
		cmocka_unit_test(test_cut),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
