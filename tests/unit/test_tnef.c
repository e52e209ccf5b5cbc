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

/* A TNEF stream as Outlook writes one (MS-OXTNEF), built here to be hostile. */
static void attr(GByteArray *b, guint8 level, guint32 id, const void *data, guint32 len)
{
	guint16 sum = 0;

	for (guint32 i = 0; i < len; i++)
		sum = (guint16)(sum + ((const guint8 *)data)[i]);
	g_byte_array_append(b, &level, 1);
	g_byte_array_append(b, (const guint8 *)&id, 4);
	g_byte_array_append(b, (const guint8 *)&len, 4);
	g_byte_array_append(b, data, len);
	g_byte_array_append(b, (const guint8 *)&sum, 2);
}

static GByteArray *stream_new(void)
{
	GByteArray *b = g_byte_array_new();
	const guint8 head[] = { 0x78, 0x9f, 0x3e, 0x22, 0x01, 0x00 };
	const guint32 version = 0x00010000;

	g_byte_array_append(b, head, sizeof(head));
	attr(b, 1, 0x00089006, &version, 4); /* attTnefVersion */
	return b;
}

static void add_file(GByteArray *b, const char *title, const void *data, guint32 len)
{
	const guint8 rend[14] = { 1 };

	attr(b, 2, 0x00069002, rend, sizeof(rend));		   /* attAttachRenddata */
	attr(b, 2, 0x00018010, title, (guint32)strlen(title) + 1); /* attAttachTitle */
	attr(b, 2, 0x0006800f, data, len);			   /* attAttachData */
}

/* The last file's long name (PR_ATTACH_LONG_FILENAME, 8-bit), in its MAPI properties. */
static void add_long_name(GByteArray *b, const char *name)
{
	GByteArray *props = g_byte_array_new();
	guint32 head[4] = { 1, 0x3707001e, 1, (guint32)strlen(name) + 1 };
	const guint8 pad[4] = { 0 };

	g_byte_array_append(props, (const guint8 *)head, sizeof(head));
	g_byte_array_append(props, (const guint8 *)name, head[3]);
	g_byte_array_append(props, pad, (4 - head[3] % 4) % 4);
	attr(b, 2, 0x00069005, props->data, props->len); /* attAttachment */
	g_byte_array_free(props, TRUE);
}

/* A message whose only attachment is the stream. */
static struct mail *read_stream(GByteArray *b, char **parts_r)
{
	char *dir = test_tmpdir(), *eml = g_build_filename(dir, "m.eml", NULL);
	char *b64 = g_base64_encode(b->data, b->len);
	char *text = g_strdup_printf(
		"From: A <a@example.org>\r\nSubject: x\r\nMIME-Version: 1.0\r\n"
		"Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n"
		"Content-Type: text/plain\r\n\r\nhello\r\n--b\r\n"
		"Content-Type: application/ms-tnef; name=winmail.dat\r\n"
		"Content-Transfer-Encoding: base64\r\n\r\n%s\r\n--b--\r\n",
		b64);
	struct mail *m = NULL;
	struct err err = { 0 };

	assert_true(g_file_set_contents(eml, text, -1, NULL));
	*parts_r = g_build_filename(dir, "m.parts", NULL);
	if (mail_read(&m, eml, *parts_r, &err) < 0 || tnef_expand(m, &err) < 0)
		fail_msg("%s", err.text);
	g_free(text);
	g_free(b64);
	g_free(eml);
	g_free(dir);
	return m;
}

/* A name of 5000 letters is cut (in the worker, then to one line); past TNEF_FILES_MAX files the rest is left out; a TNEF inside
 * a TNEF is opened in turn. */
static void test_hostile_stream(void **state)
{
	GByteArray *b = stream_new(), *inner = stream_new();
	char *parts, *longname = g_strnfill(5000, 'x');
	struct mail *m;

	(void)state;
	add_file(inner, "inner.pdf", "%PDF-1.4 inner", 14);
	add_file(b, "outer.dat", inner->data, inner->len);
	add_file(b, "long.pdf", "%PDF-1.4 long", 13);
	add_long_name(b, longname);
	for (int i = 0; i < 100; i++)
		add_file(b, "many.txt", "x", 1);
	m = read_stream(b, &parts);
	assert_int_equal(m->attachments->len, 64);
	assert_string_equal(att(m, 0)->filename, "inner.pdf");
	assert_int_equal(att(m, 0)->size, 14);
	assert_true(g_str_has_prefix(att(m, 1)->filename, "xxxxxxxx"));
	assert_true(g_utf8_strlen(att(m, 1)->filename, -1) <= 121); /* untrusted_line's cut */
	assert_string_equal(att(m, 1)->content_type, "application/octet-stream");
	assert_string_equal(att(m, 63)->filename, "many.txt");
	mail_free(&m);
	g_free(parts);
	g_free(longname);
	g_byte_array_free(inner, TRUE);
	g_byte_array_free(b, TRUE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_documents_inside),
		cmocka_unit_test(test_rich_text_only),
		cmocka_unit_test(test_damaged),
		cmocka_unit_test(test_hostile_stream),
	};

	mail_library_init();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
