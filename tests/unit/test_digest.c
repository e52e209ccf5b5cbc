/* The commission's emails about a batch: the digest (token in Message-ID and Subject, a row and
 * the documents of each application) and the one reminder that threads to it. */
#include "unitbench.h"

#include "digest.h"
#include "digest_parts.h"

static bool is_token(const char *t)
{
	if (strlen(t) != 24)
		return false;
	for (const char *p = t; *p; p++)
		if (!g_ascii_isdigit(*p) && !(*p >= 'a' && *p <= 'f'))
			return false;
	return true;
}

static void test_tokens(void **state)
{
	struct err err = { 0 };
	char *a = NULL, *b = NULL;

	(void)state;
	assert_int_equal(digest_token_new(&a, &err), 0);
	assert_int_equal(digest_token_new(&b, &err), 0);
	assert_true(is_token(a));
	assert_true(is_token(b));
	assert_string_not_equal(a, b);
	g_free(a);
	g_free(b);
}

static void test_digest_and_reminder(void **state)
{
	struct bench b;
	struct err err = { 0 };
	struct ledger_result ana, lena;
	char *id, *token, *text, *want;
	int sent = 0;

	(void)state;
	bench_init(&b, "2026-01-12", "2027-06-30");
	ana = bench_file(&b, "complete-application.eml", NULL);
	lena = bench_file(&b, "german-application.eml", NULL);
	bench_close_batch(&b, BENCH_NOW + 60);

	id = bench_message_id(&b, "digest", "commission@example.org");
	assert_true(g_str_has_prefix(id, "digest."));
	token = g_strndup(id + strlen("digest."), 24);
	assert_true(is_token(token));
	text = bench_outbox_text(&b, "digest");
	want = g_strdup_printf("[%s]", token);
	assert_non_null(strstr(text, want)); /* in the subject, so a reply quoting it proves it */
	/* The documents are in the dossier (test_dossier.c), not beside it. */
	assert_non_null(strstr(text, "filename=batch-1-dossier.pdf"));
	for (const char *ref = ana.ref; ref != NULL; ref = ref == ana.ref ? lena.ref : NULL) {
		char *cv = g_strdup_printf("%s-cv.pdf", ref);

		assert_non_null(strstr(text, ref));
		assert_null(strstr(text, cv));
		g_free(cv);
	}
	g_free(text);

	/* batches.reminder_days (7) after the digest, one reminder, threaded to it. */
	assert_int_equal(batch_remind_due(b.st, b.cfg, BENCH_NOW + 6 * 86400, &sent, &err), 0);
	assert_int_equal(sent, 0);
	assert_int_equal(batch_remind_due(b.st, b.cfg, BENCH_NOW + 8 * 86400, &sent, &err), 0);
	assert_int_equal(sent, 1);
	assert_int_equal(batch_remind_due(b.st, b.cfg, BENCH_NOW + 9 * 86400, &sent, &err), 0);
	assert_int_equal(sent, 0);
	assert_int_equal(bench_outbox_count(&b, "reminder"), 1);
	text = bench_outbox_text(&b, "reminder");
	char *threads = g_strdup_printf("In-Reply-To: <%s>", id);
	assert_non_null(strstr(text, threads));
	assert_non_null(strstr(text, want));
	assert_non_null(strstr(text, ana.ref));
	g_free(threads);
	g_free(text);
	g_free(want);
	g_free(token);
	g_free(id);
	ledger_result_clear(&ana);
	ledger_result_clear(&lena);
	bench_free(&b);
}

static void doc_free(gpointer p)
{
	g_free(((struct doc_row *)p)->kind);
	g_free(p);
}

static struct app_row *app_of(const char *ref, gint64 cv_bytes, gint64 letter_bytes)
{
	struct app_row *a = g_new0(struct app_row, 1);
	const char *kinds[] = { "cv", "letter", "other" };
	gint64 sizes[] = { cv_bytes, letter_bytes, 5000000 };

	a->ref = g_strdup(ref);
	a->documents = g_ptr_array_new_with_free_func(doc_free);
	for (int k = 0; k < 3; k++) {
		struct doc_row *d = g_new0(struct doc_row, 1);

		d->kind = g_strdup(kinds[k]);
		d->size = sizes[k];
		g_ptr_array_add(a->documents, d);
	}
	return a;
}

/* Parts of at most the limit as they travel (the "other" attachment is not sent and does not
 * count), each application in one, in order; one whose documents alone are too large goes
 * alone, without them. */
static void test_parts_plan(void **state)
{
	const gint64 limit = 1000000;
	GPtrArray *apps = g_ptr_array_new_with_free_func(app_row_free);
	GPtrArray *parts;
	guint seen = 0;

	(void)state;
	for (int i = 0; i < 7; i++) {
		char ref[16];

		g_snprintf(ref, sizeof(ref), "A-%d", i);
		/* The fourth one's CV takes 1.2 MB in base64. */
		g_ptr_array_add(apps, app_of(ref, i == 3 ? 900000 : 300000, 20000));
	}
	assert_true(digest_attachment_wire_bytes(300000) > 400000);
	parts = digest_parts_plan(apps, limit);
	/* Two of ~430 KB fit with the base, three do not: A-0 A-1 | A-2 | A-3 alone | A-4 A-5 |
	 * */
	assert_int_equal(parts->len, 5);
	for (guint k = 0; k < parts->len; k++) {
		const struct digest_part *p = g_ptr_array_index(parts, k);
		gint64 bytes = DIGEST_PART_BASE_BYTES;

		for (guint i = 0; i < p->apps->len; i++, seen++) {
			const struct app_row *a = g_ptr_array_index(p->apps, i);

			assert_ptr_equal(a, g_ptr_array_index(apps, seen));
			bytes += DIGEST_ROW_BYTES +
				 (p->without_documents ? 0 : digest_app_wire_bytes(a));
		}
		assert_true(bytes <= limit);
		assert_int_equal(p->without_documents, k == 2);
		assert_int_equal(p->apps->len, k == 0 || k == 3 ? 2 : 1);
	}
	assert_int_equal(seen, apps->len);
	digest_parts_free(parts);
	g_ptr_array_free(apps, TRUE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tokens),
		cmocka_unit_test(test_digest_and_reminder),
		cmocka_unit_test(test_parts_plan),
	};

	mail_library_init();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
