/* err_keep: the first error of several steps is kept unless a later one is graver. */
#include "testutil.h"

#include "err.h"

static void test_keep(void **state)
{
	static const struct {
		enum err_class first, later, kept;
		const char *text;
	} rows[] = {
		{ ERR_NONE, ERR_TEMP, ERR_TEMP, "later" },
		{ ERR_TEMP, ERR_TEMP, ERR_TEMP, "first" },
		{ ERR_TEMP, ERR_CONFIG, ERR_CONFIG, "later" },
		{ ERR_CONFIG, ERR_TEMP, ERR_CONFIG, "first" },
		{ ERR_MESSAGE, ERR_FATAL, ERR_FATAL, "later" },
	};

	(void)state;
	for (size_t i = 0; i < G_N_ELEMENTS(rows); i++) {
		struct err first = { 0 }, later = { 0 };

		if (rows[i].first != ERR_NONE)
			err_set(&first, rows[i].first, "first");
		err_set(&later, rows[i].later, "later");
		assert_int_equal(err_keep(&first, &later), -1);
		assert_int_equal(first.class, rows[i].kept);
		assert_string_equal(first.text, rows[i].text);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_keep),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
