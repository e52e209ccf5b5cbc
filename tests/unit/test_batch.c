/* Fortnight arithmetic: which window holds a day, before and after the anchor. */
#include "testutil.h"

#include "batch.h"
#include "log.h"
#include "timeutil.h"

struct window_case {
	const char *day, *opens, *closes;
};

static const struct window_case cases[] = {
	{ "2026-01-12", "2026-01-12", "2026-01-26" }, /* the anchor itself */
	{ "2026-01-25", "2026-01-12", "2026-01-26" }, /* last day of the first window */
	{ "2026-01-26", "2026-01-26", "2026-02-09" }, /* first day of the second */
	{ "2026-01-11", "2025-12-29", "2026-01-12" }, /* the day before the anchor */
	{ "2025-12-29", "2025-12-29", "2026-01-12" }, { "2025-12-28", "2025-12-15", "2025-12-29" },
	{ "2028-02-29", "2028-02-21", "2028-03-06" }, /* leap day */
	{ "2026-11-28", "2026-11-16", "2026-11-30" },
};

static void parse_day(const char *text, GDate *d)
{
	gint64 t;

	assert_int_equal(time_parse(text, &t), 0);
	time_day(t, d);
}

static void test_windows(void **state)
{
	struct config cfg = { 0 };
	int failures = 0;

	(void)state;
	parse_day("2026-01-12", &cfg.batches.anchor);
	cfg.batches.period_days = 14;
	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		GDate day, opens, closes;
		char *o, *c;

		parse_day(cases[i].day, &day);
		batch_window(&cfg, &day, &opens, &closes);
		o = time_day_text(&opens);
		c = time_day_text(&closes);
		ROW_CHECK(failures,
			  strcmp(o, cases[i].opens) == 0 && strcmp(c, cases[i].closes) == 0,
			  "%s: expected %s..%s, got %s..%s", cases[i].day, cases[i].opens,
			  cases[i].closes, o, c);
		g_free(o);
		g_free(c);
	}
	assert_int_equal(failures, 0);
}

static void test_time_text(void **state)
{
	gint64 t;
	char *s;

	(void)state;
	assert_int_equal(time_parse("2026-03-01T10:00:00+01:00", &t), 0);
	s = time_iso8601(t);
	assert_string_equal(s, "2026-03-01T09:00:00Z");
	g_free(s);
	assert_int_equal(time_parse("yesterday", &t), -1);
	time_set_now(12345);
	assert_int_equal(time_now(), 12345);
	time_set_now(-1);
	assert_true(time_now() > 1700000000);
}

static void test_log_fields(void **state)
{
	char out[64];

	(void)state;
	log_field("intake uid=3 outcome=application ref=AI4G-2026-0001 state=pending", "ref", out,
		  sizeof(out));
	assert_string_equal(out, "AI4G-2026-0001");
	log_field("outbox sent id=1 message_id=<abc@example.org>", "message_id", out, sizeof(out));
	assert_string_equal(out, "abc@example.org");
	log_field("batch closed batch=7 applications=3", "batch", out, sizeof(out));
	assert_string_equal(out, "7");
	log_field("decision href=x", "ref", out, sizeof(out));
	assert_string_equal(out, "");
	log_field("no fields here", "ref", out, sizeof(out));
	assert_string_equal(out, "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_windows),
		cmocka_unit_test(test_time_text),
		cmocka_unit_test(test_log_fields),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
