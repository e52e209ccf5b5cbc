/* The state table: every name round-trips, and the rules the rest of admitd relies on. */
#include "testutil.h"

#include "app_state.h"

static void test_names_round_trip(void **state)
{
	(void)state;
	for (int s = 0; s < APP_STATE_COUNT; s++) {
		enum app_state back;

		assert_true(app_state_parse(app_state_name(s), &back));
		assert_int_equal(back, s);
	}
	enum app_state none;
	assert_false(app_state_parse("in review", &none));
	assert_false(app_state_parse("", &none));
}

static void test_properties(void **state)
{
	static const struct {
		enum app_state s;
		bool takes_documents, under_way, final;
	} rows[] = {
		{ APP_INCOMPLETE, true, true, false },	 { APP_PENDING, true, true, false },
		{ APP_IN_REVIEW, false, true, false },	 { APP_ACCEPTED, false, false, true },
		{ APP_DISCARDED, false, false, true },	 { APP_RESERVE, false, true, false },
		{ APP_NEXT_EDITION, true, true, false }, { APP_WITHDRAWN, false, false, true },
	};

	(void)state;
	assert_int_equal(G_N_ELEMENTS(rows), APP_STATE_COUNT);
	for (size_t i = 0; i < G_N_ELEMENTS(rows); i++) {
		assert_int_equal(app_state_is(rows[i].s, APP_TAKES_DOCUMENTS),
				 rows[i].takes_documents);
		assert_int_equal(app_state_is(rows[i].s, APP_UNDER_WAY), rows[i].under_way);
		assert_int_equal(app_state_is(rows[i].s, APP_FINAL), rows[i].final);
		/* A state is under way or final, never both, never neither. */
		assert_true(app_state_is(rows[i].s, APP_UNDER_WAY) !=
			    app_state_is(rows[i].s, APP_FINAL));
	}
}

static void test_moves(void **state)
{
	(void)state;
	assert_true(app_state_may_move(APP_IN_REVIEW, APP_ACCEPTED));
	assert_true(app_state_may_move(APP_RESERVE, APP_ACCEPTED));
	assert_false(app_state_may_move(APP_DISCARDED, APP_ACCEPTED));
	assert_false(app_state_may_move(APP_PENDING, APP_ACCEPTED));
	assert_true(app_state_may_move(APP_ACCEPTED, APP_WITHDRAWN));
	assert_false(app_state_may_move(APP_DISCARDED, APP_WITHDRAWN));
	/* Nothing leaves withdrawn by the rules; everything under way may withdraw. */
	for (int s = 0; s < APP_STATE_COUNT; s++) {
		assert_false(app_state_may_move(APP_WITHDRAWN, s));
		if (app_state_is(s, APP_UNDER_WAY))
			assert_true(app_state_may_move(s, APP_WITHDRAWN));
	}
}

static void test_property_names(void **state)
{
	enum app_state_property p;

	(void)state;
	assert_true(app_state_property_parse("under_way", &p));
	assert_int_equal(p, APP_UNDER_WAY);
	assert_true(app_state_property_parse("undecided", &p));
	assert_int_equal(p, APP_UNDECIDED);
	assert_false(app_state_property_parse("underway", &p));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names_round_trip),
		cmocka_unit_test(test_properties),
		cmocka_unit_test(test_moves),
		cmocka_unit_test(test_property_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
