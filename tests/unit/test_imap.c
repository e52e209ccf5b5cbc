/* The UID sets of a grouped UID MOVE. (The IMAP client itself is tested against Dovecot.) */
#include "testutil.h"

#include "imap.h"

struct set_case {
	uint32_t uids[8];
	size_t n;
	const char *expected;
};

static const struct set_case cases[] = {
	{ { 7 }, 1, "7" },
	{ { 3, 4, 5 }, 3, "3:5" },
	{ { 3, 4, 5, 9, 12, 13 }, 6, "3:5,9,12:13" },
	{ { 1, 3, 5 }, 3, "1,3,5" },
	{ { 4294967294u, 4294967295u }, 2, "4294967294:4294967295" },
};

static void test_uid_sets(void **state)
{
	int failures = 0;

	(void)state;
	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		char *set = imap_uid_set(cases[i].uids, cases[i].n);

		ROW_CHECK(failures, strcmp(set, cases[i].expected) == 0,
			  "case %zu: %s, expected %s", i, set, cases[i].expected);
		g_free(set);
	}
	assert_int_equal(failures, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = { cmocka_unit_test(test_uid_sets) };

	return cmocka_run_group_tests(tests, NULL, NULL);
}
