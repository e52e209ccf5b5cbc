/* Intake without the network: spooled fixtures become applications, follow-ups or ignored
 * mail, with the reply queued in the same transaction. */
#include "testutil.h"

#include "batch.h"
#include "config.h"
#include "documents.h"
#include "intake.h"
#include "mail.h"
#include "store.h"

struct bench {
	char *dir;
	struct config *cfg;
	struct store *st;
	uint32_t next_uid;
};

static void bench_init(struct bench *b, const char *opens, const char *closes)
{
	char *text, *path;
	GString *problems = g_string_new(NULL);
	struct err err = { 0 };

	b->dir = test_tmpdir();
	text = test_config_text(b->dir, opens, closes);
	path = test_write_file(b->dir, "admitd.conf", text);
	if (config_load(&b->cfg, path, 0, problems) < 0)
		fail_msg("%s", problems->str);
	if (store_open(&b->st, b->cfg->storage.database, &err) < 0)
		fail_msg("%s", err.text);
	b->next_uid = 1;
	g_string_free(problems, TRUE);
	g_free(text);
	g_free(path);
}

static void bench_free(struct bench *b)
{
	store_close(&b->st);
	config_free(&b->cfg);
	g_free(b->dir);
}

/* Files one fixture (or a message text) as intake would after fetching it. */
static struct intake_result file_mail(struct bench *b, const char *fixture, const char *text)
{
	char *path = fixture ? test_fixture(fixture) : test_write_file(b->dir, "m.eml", text);
	char *att = g_strdup_printf("%s/att-%u.parts", b->dir, b->next_uid);
	struct intake_source src = { .uidvalidity = 1, .uid = b->next_uid++, .spool_path = path };
	struct intake_result res = { 0 };
	struct mail *m = NULL;
	struct err err = { 0 }, read_err = { 0 };
	char *sha = test_file_sha256(path);
	struct doc_facts *facts = NULL;

	src.sha256 = sha;
	if (mail_read(&m, path, att, &read_err) < 0)
		src.unreadable = read_err.text;
	else
		assert_int_equal(documents_inspect_all(m, &facts, &err), 0);
	src.mail = m;
	src.facts = facts;
	assert_int_equal(store_begin(b->st, &err), 0);
	if (intake_file(b->st, b->cfg, &src, 1790000000, &res, &err) < 0)
		fail_msg("intake %s: %s", fixture ? fixture : "text", err.text);
	assert_int_equal(store_commit(b->st, &err), 0);
	mail_free(&m);
	g_free(facts);
	g_free(att);
	g_free(sha);
	g_free(path);
	return res;
}

static struct app_row *app(struct bench *b, const char *ref, GPtrArray **keep)
{
	struct err err = { 0 };

	assert_int_equal(store_applications(b->st, &(struct app_filter){ NULL, ref, 0 }, keep, &err), 0);
	assert_int_equal((*keep)->len, 1);
	return g_ptr_array_index(*keep, 0);
}

static int outbox_count(struct bench *b, const char *template_name)
{
	GPtrArray *rows = NULL;
	struct err err = { 0 };
	int n = 0;

	assert_int_equal(store_outbox_list(b->st, NULL, &rows, &err), 0);
	for (guint i = 0; i < rows->len; i++)
		n += strcmp(((struct outbox_row *)g_ptr_array_index(rows, i))->template_name,
			    template_name) == 0;
	g_ptr_array_free(rows, TRUE);
	return n;
}

static void test_complete_application(void **state)
{
	struct bench b;
	GPtrArray *keep = NULL;

	(void)state;
	bench_init(&b, "2026-01-12", "2027-06-30");
	struct intake_result r = file_mail(&b, "complete-application.eml", NULL);
	assert_string_equal(r.outcome, "application");
	assert_string_equal(r.state, "pending");
	assert_string_equal(r.reply, "acknowledgement");
	/* Fixtures carry no Received header: the year is the one intake ran in. */
	assert_true(g_str_has_prefix(r.ref, "AI4G-2026-0001"));
	struct app_row *a = app(&b, r.ref, &keep);
	assert_string_equal(a->email, "ana.sanchez@example.net");
	assert_string_equal(a->problems, "");
	assert_true(a->batch_id != 0);
	assert_int_equal(a->documents->len, 2);
	assert_int_equal(outbox_count(&b, "acknowledgement"), 1);
	intake_result_clear(&r);
	g_ptr_array_free(keep, TRUE);
	bench_free(&b);
}

static void test_incomplete_then_completed(void **state)
{
	struct bench b;
	GPtrArray *keep = NULL;

	(void)state;
	bench_init(&b, "2026-01-12", "2027-06-30");
	struct intake_result r = file_mail(&b, "letter-only.eml", NULL);
	assert_string_equal(r.state, "incomplete");
	assert_string_equal(r.reply, "incomplete");
	struct app_row *a = app(&b, r.ref, &keep);
	assert_string_equal(a->problems, "missing-cv");
	assert_int_equal(a->batch_id, 0);
	g_ptr_array_free(keep, TRUE);
	char *ref = g_strdup(r.ref);
	intake_result_clear(&r);

	/* The CV arrives later: same application, now complete and acknowledged. */
	r = file_mail(&b, "cv-followup.eml", NULL);
	assert_string_equal(r.outcome, "followup");
	assert_string_equal(r.ref, ref);
	assert_string_equal(r.state, "pending");
	a = app(&b, ref, &keep);
	assert_int_equal(a->documents->len, 2);
	assert_string_equal(a->problems, "");
	assert_int_equal(outbox_count(&b, "incomplete"), 1);
	assert_int_equal(outbox_count(&b, "acknowledgement"), 1);
	g_ptr_array_free(keep, TRUE);
	intake_result_clear(&r);
	g_free(ref);
	bench_free(&b);
}

static void test_filed_but_not_answered(void **state)
{
	struct bench b;

	(void)state;
	bench_init(&b, "2026-01-12", "2027-06-30");
	struct intake_result r = file_mail(&b, "out-of-office.eml", NULL);
	assert_string_equal(r.outcome, "ignored");
	intake_result_clear(&r);
	r = file_mail(&b, NULL, "From: chair@example.org\r\nSubject: Re: batch\r\n\r\nACCEPT x\r\n");
	assert_string_equal(r.outcome, "decision"); /* refused: no digest token */
	intake_result_clear(&r);
	r = file_mail(&b, NULL, "Subject: no sender\r\n\r\nbody\r\n");
	assert_string_equal(r.outcome, "quarantined");
	intake_result_clear(&r);
	/* The same bytes again (a changed UIDVALIDITY) are a duplicate, not a new application. */
	r = file_mail(&b, "complete-application.eml", NULL);
	assert_string_equal(r.outcome, "application");
	intake_result_clear(&r);
	r = file_mail(&b, "complete-application.eml", NULL);
	assert_string_equal(r.outcome, "duplicate");
	intake_result_clear(&r);
	assert_int_equal(outbox_count(&b, "acknowledgement"), 1);
	bench_free(&b);
}

static void test_outside_every_edition(void **state)
{
	struct bench b;

	(void)state;
	bench_init(&b, "2020-01-01", "2020-06-30");
	struct intake_result r = file_mail(&b, "complete-application.eml", NULL);
	assert_string_equal(r.state, "next_edition");
	assert_string_equal(r.reply, "next-edition");
	assert_int_equal(outbox_count(&b, "next-edition"), 1);
	intake_result_clear(&r);
	bench_free(&b);
}

/* A batch whose applications all left it (or that never had any) closes without a digest,
 * and exactly once. */
static void test_empty_batch_closes_silently(void **state)
{
	struct bench b;
	struct err err = { 0 };
	struct batch_row row = { 0 };
	int64_t id;
	int closed = 0;

	(void)state;
	bench_init(&b, "2026-01-12", "2027-06-30");
	assert_int_equal(store_batch_for_window(b.st, "2026-01-12", "2026-01-26", &id, &err), 0);
	assert_int_equal(batch_close_due(b.st, b.cfg, 1769904000 /* 2026-02-01 */, &closed, &err), 0);
	assert_int_equal(closed, 1);
	assert_int_equal(store_batch_get(b.st, id, &row, &err), 1);
	assert_string_equal(row.state, "closed");
	assert_null(row.token);
	batch_row_clear(&row);
	assert_int_equal(outbox_count(&b, "digest"), 0);
	/* Closing again finds nothing: a batch is closed once. */
	assert_int_equal(batch_close_due(b.st, b.cfg, 1769904000, &closed, &err), 0);
	assert_int_equal(closed, 0);
	bench_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_complete_application),
		cmocka_unit_test(test_incomplete_then_completed),
		cmocka_unit_test(test_filed_but_not_answered),
		cmocka_unit_test(test_outside_every_edition),
		cmocka_unit_test(test_empty_batch_closes_silently),
	};

	mail_library_init();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
