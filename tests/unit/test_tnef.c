/* Outlook's winmail.dat opened by the document worker into the files it carries (tnef.h). */
#include "testutil.h"

#include "mail.h"
#include "tnef.h"

static struct mail *read_expanded(const char *name, char **parts_r)
{
	char *path = test_fixture(name), *dir = test_tmpdir();
	struct mail *m = NULL;
	struct err err = { 0 };

	*parts_r = g_build_filename(dir, "m.parts", NULL);
	if (mail_read(&m, path, *parts_r, &err) < 0 || tnef_expand(m, &err) < 0)
		fail_msg("%s: %s", name, err.text);
	g_free(path);
	g_free(dir);
	return m;
}

static const struct mail_attachment *att(const struct mail *m, guint i)
{
	assert_true(i < m->attachments->len);
	return g_ptr_array_index(m->attachments, i);
}

/* Each file where the winmail.dat was, with the long name Outlook showed, its bytes appended
 * to the parts file and hashed. */
static void test_documents_inside(void **state)
{
	char *parts, *saved = NULL;
	gsize saved_len = 0;
	struct mail *m = read_expanded("corpus/outlook-winmail-dat.eml", &parts);

	(void)state;
	assert_int_equal(m->attachments->len, 2);
	assert_string_equal(att(m, 0)->filename, "Curriculum Vitae Lucía.pdf");
	assert_string_equal(att(m, 1)->filename, "Carta de motivación.pdf");
	assert_true(g_file_get_contents(parts, &saved, &saved_len, NULL));
	for (guint i = 0; i < 2; i++) {
		const struct mail_attachment *a = att(m, i);
		char *sha = g_compute_checksum_for_data(
			G_CHECKSUM_SHA256, (const guchar *)saved + a->offset, (gsize)a->size);

		assert_string_equal(a->content_type, "application/pdf");
		assert_string_equal(a->path, parts);
		assert_true(a->offset + a->size <= (gint64)saved_len);
		assert_memory_equal(saved + a->offset, "%PDF-", 5);
		assert_string_equal(a->sha256, sha);
		g_free(sha);
	}
	g_free(saved);
	g_free(parts);
	mail_free(&m);
}

/* Rich text without attachments: the winmail.dat is no document. */
static void test_rich_text_only(void **state)
{
	char *parts;
	struct mail *m = read_expanded("corpus/outlook-rich-text-question.eml", &parts);

	(void)state;
	assert_int_equal(m->attachments->len, 0);
	assert_non_null(strstr(m->body_text, "deadline"));
	g_free(parts);
	mail_free(&m);
}

/* A stream cut in half stays as it came, beside the letter. */
static void test_damaged(void **state)
{
	char *parts;
	struct mail *m = read_expanded("corpus/outlook-winmail-damaged.eml", &parts);

	(void)state;
	assert_int_equal(m->attachments->len, 2);
	assert_string_equal(att(m, 0)->filename, "winmail.dat");
	assert_string_equal(att(m, 0)->content_type, "application/ms-tnef");
	assert_string_equal(att(m, 1)->filename, "letter.pdf");
	g_free(parts);
	mail_free(&m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_documents_inside),
		cmocka_unit_test(test_rich_text_only),
		cmocka_unit_test(test_damaged),
	};

	mail_library_init();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
