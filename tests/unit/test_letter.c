/* Letters about one application: the variables every template gets, the list of what is
 * missing, the reply limits that stop a mail loop, and the check of every template that
 * --check-config runs. */
#include "unitbench.h"

#include "letter.h"

static void test_vars(void **state)
{
	struct bench b;
	GHashTable *vars;

	(void)state;
	bench_init(&b, "2026-01-12", "2027-06-30");
	vars = letter_vars_new(b.cfg, "", "ana@example.net", "AI4G-2026-0001", NULL);
	assert_string_equal(g_hash_table_lookup(vars, "name"),
			    "ana@example.net"); /* no name given */
	assert_string_equal(g_hash_table_lookup(vars, "reference"), "AI4G-2026-0001");
	assert_string_equal(g_hash_table_lookup(vars, "programme"), "Master in AI4Gov");
	assert_string_equal(g_hash_table_lookup(vars, "registration_url"),
			    "https://registration.example.org/ai4gov");
	assert_string_equal(g_hash_table_lookup(vars, "edition"), "");
	g_hash_table_destroy(vars);
	vars = letter_vars_new(b.cfg, "Ana Sánchez", "ana@example.net", "AI4G-2026-0001",
			       "2026-2027");
	assert_string_equal(g_hash_table_lookup(vars, "name"), "Ana Sánchez");
	assert_string_equal(g_hash_table_lookup(vars, "edition"), "2026-2027");
	g_hash_table_destroy(vars);
	bench_free(&b);
}

static void test_missing_text(void **state)
{
	static const struct {
		bool cv, letter, says_cv, says_letter;
	} rows[] = {
		{ true, true, false, false },
		{ false, true, true, false },
		{ true, false, false, true },
		{ false, false, true, true },
	};
	struct bench b;
	struct err err = { 0 };

	(void)state;
	bench_init(&b, "2026-01-12", "2027-06-30");
	for (size_t i = 0; i < G_N_ELEMENTS(rows); i++) {
		char *text = NULL;

		assert_int_equal(
			letter_missing_text(b.cfg, rows[i].cv, rows[i].letter, &text, &err), 0);
		assert_int_equal(strstr(text, "your CV") != NULL, rows[i].says_cv);
		assert_int_equal(strstr(text, "your letter of interest") != NULL,
				 rows[i].says_letter);
		g_free(text);
	}
	bench_free(&b);
}

/* An answer to an inquiry counts toward the limits; decision letters (accepted ...) never do. */
static bool reply(struct bench *b, const char *to, gint64 now)
{
	return bench_queue_reply(b, "inquiry", to, now);
}

static char *held_count(struct bench *b)
{
	struct err err = { 0 };
	char *value = NULL;

	assert_int_equal(store_state_get(b->st, "replies_held", &value, &err), 0);
	return value;
}

static void test_limit_per_address(void **state)
{
	struct bench b;
	char *held;

	(void)state;
	bench_init_with(&b, "2026-01-12", "2027-06-30",
			"limits = { replies_per_address_per_day = 2; };\n");
	assert_false(reply(&b, "loop@example.com", BENCH_NOW));
	assert_false(reply(&b, "loop@example.com", BENCH_NOW + 60));
	assert_true(reply(&b, "loop@example.com", BENCH_NOW + 120));
	assert_false(reply(&b, "ana@example.net", BENCH_NOW + 120)); /* others are still answered */
	assert_int_equal(bench_outbox_count(&b, "inquiry"), 3);
	held = held_count(&b);
	assert_string_equal(held, "1");
	g_free(held);
	/* A day after the first reply, the address may be answered again. */
	assert_false(reply(&b, "loop@example.com", BENCH_NOW + 86400 + 1));
	bench_free(&b);
}

static void test_limit_per_hour(void **state)
{
	struct bench b;

	(void)state;
	bench_init_with(&b, "2026-01-12", "2027-06-30", "limits = { replies_per_hour = 3; };\n");
	assert_false(reply(&b, "a@example.net", BENCH_NOW));
	assert_false(reply(&b, "b@example.net", BENCH_NOW + 60));
	assert_false(reply(&b, "c@example.net", BENCH_NOW + 120));
	assert_true(reply(&b, "d@example.net", BENCH_NOW + 180));
	assert_true(reply(&b, "e@example.net", BENCH_NOW + 3599));
	assert_int_equal(bench_outbox_count(&b, "inquiry"), 3);
	/* An hour after the first (counted by the minute), there is room for one more. */
	assert_false(reply(&b, "d@example.net", BENCH_NOW + 3660));
	assert_true(reply(&b, "f@example.net", BENCH_NOW + 3661));
	bench_free(&b);
}

static void test_check_templates(void **state)
{
	struct bench b;
	struct err err = { 0 };
	char *local, *path;

	(void)state;
	bench_init(&b, "2026-01-12", "2027-06-30");
	assert_int_equal(letter_check_templates(b.cfg, &err), 0);
	/* A local copy with a variable its code does not provide is refused, naming the line. */
	local = g_build_filename(b.dir, "local", NULL);
	assert_int_equal(g_mkdir(local, 0700), 0);
	path = test_write_file(local, "accepted.txt",
			       "Subject: Welcome {{name}}\n\nYour place: {{seat_number}}\n");
	g_free(b.cfg->templates.search);
	b.cfg->templates.search = g_strconcat(local, ":", b.cfg->templates.dir, NULL);
	assert_int_equal(letter_check_templates(b.cfg, &err), -1);
	assert_int_equal(err.class, ERR_CONFIG);
	assert_non_null(strstr(err.text, "accepted.txt:3"));
	assert_non_null(strstr(err.text, "seat_number"));
	err_clear(&err);
	g_free(path);
	g_free(local);
	bench_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vars),
		cmocka_unit_test(test_missing_text),
		cmocka_unit_test(test_limit_per_address),
		cmocka_unit_test(test_limit_per_hour),
		cmocka_unit_test(test_check_templates),
	};

	mail_library_init();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
