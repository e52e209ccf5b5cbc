/* The delivery queue without a server: smtp_send() is replaced by a script of answers, so each
 * outcome's state change can be watched: sent, deferred with backoff (and the run stopped),
 * refused for good, and a row a crash left 'sending' sent again. The real client is tested
 * against Postfix in tests/integration. */
#include "unitbench.h"

#include "letter.h"
#include "outbox.h"
#include "smtp.h"

/* What the fake server answers, one entry per send, then "ok" for ever. */
static const char *const *script;
static int sends;

int smtp_send(struct smtp *sm, const char *from, const char *to, const void *message, size_t len,
	      struct err *err)
{
	const char *answer = script != NULL && script[sends] != NULL ? script[sends] : "ok";

	(void)sm, (void)from, (void)to, (void)message, (void)len;
	sends++;
	if (strcmp(answer, "temp") == 0)
		return err_set(err, ERR_TEMP, "smtp: 451 try later");
	if (strcmp(answer, "refused") == 0)
		return err_set(err, ERR_MESSAGE, "smtp: refused (550): no such user");
	return 0;
}

/* A letter to `to` queued at BENCH_NOW, outside any application (a decision letter: never
 * held by the reply limits). */
static void queue(struct bench *b, const char *to)
{
	assert_false(bench_queue_reply(b, "discarded", to, BENCH_NOW));
}

/* A bench with two letters queued: to `first`, then to José. */
static void two_letters(struct bench *b, const char *first)
{
	bench_init(b, "2026-01-12", "2027-06-30");
	queue(b, first);
	queue(b, "jose@example.com");
}

static struct outbox_stats flush(struct bench *b, gint64 now, const char *const *answers)
{
	struct outbox_stats stats;
	struct err err = { 0 };

	script = answers;
	sends = 0;
	if (outbox_flush(b->st, NULL, b->cfg, now, &stats, &err) < 0)
		fail_msg("flush: %s", err.text);
	return stats;
}

static const struct outbox_row *row(GPtrArray *rows, guint i)
{
	assert_true(i < rows->len);
	return g_ptr_array_index(rows, i);
}

static void test_backoff(void **state)
{
	static const struct {
		int attempts;
		gint64 delay;
	} rows[] = { { 1, 60 },	   { 2, 120 },	  { 3, 240 },	{ 8, 7680 },
		     { 9, 15360 }, { 10, 21600 }, { 50, 21600 } };

	(void)state;
	for (size_t i = 0; i < G_N_ELEMENTS(rows); i++)
		assert_int_equal(outbox_backoff(rows[i].attempts), rows[i].delay);
}

static void test_sent(void **state)
{
	struct bench b;
	GPtrArray *rows;

	(void)state;
	two_letters(&b, "ana@example.net");
	struct outbox_stats s = flush(&b, BENCH_NOW, NULL);
	assert_int_equal(s.sent, 2);
	assert_int_equal(sends, 2);
	rows = bench_outbox(&b);
	assert_string_equal(row(rows, 0)->state, "sent");
	assert_int_equal(row(rows, 0)->attempts, 1);
	assert_string_equal(row(rows, 1)->state, "sent");
	g_ptr_array_free(rows, TRUE);
	s = flush(&b, BENCH_NOW + 86400, NULL);
	assert_int_equal(sends, 0); /* nothing is sent twice */
	bench_free(&b);
}

static void test_deferred_stops_the_run_and_backs_off(void **state)
{
	static const char *const answers[] = { "temp", NULL };
	struct bench b;
	GPtrArray *rows;

	(void)state;
	two_letters(&b, "ana@example.net");
	struct outbox_stats s = flush(&b, BENCH_NOW, answers);
	assert_int_equal(s.deferred, 1);
	assert_int_equal(sends, 1); /* the server is likely down for the rest too */
	rows = bench_outbox(&b);
	assert_string_equal(row(rows, 0)->state, "queued");
	assert_int_equal(row(rows, 0)->attempts, 1);
	assert_non_null(strstr(row(rows, 0)->last_error, "451"));
	assert_string_equal(row(rows, 1)->state, "queued");
	assert_int_equal(row(rows, 1)->attempts, 0);
	g_ptr_array_free(rows, TRUE);
	/* Within the first minute the deferred row is not due; the other one is. */
	flush(&b, BENCH_NOW + 30, NULL);
	assert_int_equal(sends, 1);
	flush(&b, BENCH_NOW + 61, NULL);
	assert_int_equal(sends, 1);
	rows = bench_outbox(&b);
	assert_string_equal(row(rows, 0)->state, "sent");
	assert_int_equal(row(rows, 0)->attempts, 2);
	g_ptr_array_free(rows, TRUE);
	bench_free(&b);
}

static void test_refused_fails_and_is_reported_once(void **state)
{
	static const char *const answers[] = { "refused", NULL };
	struct bench b;
	struct err err = { 0 };
	GPtrArray *rows;

	(void)state;
	two_letters(&b, "nobody@rejected.example.com");
	g_free(b.cfg->programme.office_address);
	b.cfg->programme.office_address = g_strdup("office@example.org");
	struct outbox_stats s = flush(&b, BENCH_NOW, answers);
	assert_int_equal(s.failed, 1);
	assert_int_equal(s.sent, 1); /* a refusal is about one letter: the run goes on */
	rows = bench_outbox(&b);
	assert_string_equal(row(rows, 0)->state, "failed");
	assert_non_null(strstr(row(rows, 0)->last_error, "550"));
	g_ptr_array_free(rows, TRUE);
	assert_int_equal(outbox_report_failures(b.st, b.cfg, BENCH_NOW, &err), 1);
	assert_int_equal(outbox_report_failures(b.st, b.cfg, BENCH_NOW + 60, &err), 0);
	assert_int_equal(bench_outbox_count(&b, "delivery-failures"), 1);
	char *summary = bench_outbox_text(&b, "delivery-failures");
	assert_non_null(strstr(summary, "nobody@rejected.example.com"));
	assert_non_null(strstr(summary, "To: office@example.org"));
	g_free(summary);
	bench_free(&b);
}

static void test_left_sending_is_sent_again(void **state)
{
	struct bench b;
	struct err err = { 0 };
	GPtrArray *rows;

	(void)state;
	bench_init(&b, "2026-01-12", "2027-06-30");
	queue(&b, "ana@example.net");
	rows = bench_outbox(&b);
	/* What a kill between the server's 250 and the 'sent' mark leaves behind. */
	assert_int_equal(
		store_outbox_mark(b.st, row(rows, 0)->id, "sending", 1, 0, NULL, BENCH_NOW, &err),
		0);
	g_ptr_array_free(rows, TRUE);
	flush(&b, BENCH_NOW + 1, NULL);
	assert_int_equal(sends, 1);
	rows = bench_outbox(&b);
	assert_string_equal(row(rows, 0)->state, "sent");
	assert_int_equal(row(rows, 0)->attempts, 2);
	g_ptr_array_free(rows, TRUE);
	bench_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_backoff),
		cmocka_unit_test(test_sent),
		cmocka_unit_test(test_deferred_stops_the_run_and_backs_off),
		cmocka_unit_test(test_refused_fails_and_is_reported_once),
		cmocka_unit_test(test_left_sending_is_sent_again),
	};

	mail_library_init();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
