/* Outgoing messages: headers built by GMime, threading, Auto-Submitted, no header injection. */
#include "testutil.h"

#include <gmime/gmime.h>

#include "compose.h"
#include "config.h"
#include "mail.h"

static struct config *load(char **dir_r)
{
	char *dir = test_tmpdir();
	char *text = test_config_text(dir, "2026-01-12", "2026-06-30");
	char *path = test_write_file(dir, "admitd.conf", text);
	GString *problems = g_string_new(NULL);
	struct config *cfg = NULL;

	if (config_load(&cfg, path, 0, problems) < 0)
		fail_msg("%s", problems->str);
	g_string_free(problems, TRUE);
	g_free(text);
	g_free(path);
	*dir_r = dir;
	return cfg;
}

static GMimeMessage *parse(GBytes *bytes)
{
	gsize len;
	const char *data = g_bytes_get_data(bytes, &len);
	GMimeStream *s = g_mime_stream_mem_new_with_buffer(data, len);
	GMimeParser *p = g_mime_parser_new_with_stream(s);
	GMimeMessage *m = g_mime_parser_construct_message(p, NULL);

	g_object_unref(p);
	g_object_unref(s);
	assert_non_null(m);
	return m;
}

static GHashTable *vars_for(const char *name)
{
	GHashTable *vars = g_hash_table_new(g_str_hash, g_str_equal);

	g_hash_table_insert(vars, "name", (gpointer)name);
	g_hash_table_insert(vars, "email", "ana@example.net");
	g_hash_table_insert(vars, "reference", "AI4G-2026-0007");
	g_hash_table_insert(vars, "programme", "Master in AI4Gov");
	g_hash_table_insert(vars, "registration_url", "https://registration.example.org/ai4gov");
	g_hash_table_insert(vars, "edition", "2026-2027");
	g_hash_table_insert(vars, "batch_closes", "2026-01-26");
	g_hash_table_insert(vars, "notes", "");
	return vars;
}

static void test_acknowledgement_headers(void **state)
{
	char *dir, *mid = NULL;
	struct config *cfg = load(&dir);
	GHashTable *vars = vars_for("Ana Sánchez");
	struct compose_in in = { .template_name = "acknowledgement",
				 .vars = vars,
				 .to_addr = "ana@example.net",
				 .to_name = "Ana Sánchez",
				 .in_reply_to = "app-ana-1@example.net",
				 .references = "<root@example.net> <mid@example.net>",
				 .auto_submitted = "auto-replied" };
	GBytes *bytes = NULL;
	struct err err = { 0 };
	GMimeMessage *m;
	gsize len;
	const unsigned char *raw;

	(void)state;
	assert_int_equal(compose_message(cfg, &in, 1767225600, &mid, &bytes, &err), 0);
	raw = g_bytes_get_data(bytes, &len);
	/* 7-bit clean, CRLF only. */
	for (gsize i = 0; i < len; i++) {
		assert_true(raw[i] < 0x80);
		if (raw[i] == '\n')
			assert_true(i > 0 && raw[i - 1] == '\r');
	}
	m = parse(bytes);
	assert_string_equal(g_mime_message_get_message_id(m), mid);
	assert_non_null(strstr(g_mime_message_get_subject(m), "AI4G-2026-0007"));
	assert_string_equal(g_mime_object_get_header(GMIME_OBJECT(m), "Auto-Submitted"),
			    "auto-replied");
	assert_string_equal(g_mime_object_get_header(GMIME_OBJECT(m), "In-Reply-To"),
			    "<app-ana-1@example.net>");
	assert_string_equal(g_mime_object_get_header(GMIME_OBJECT(m), "References"),
			    "<root@example.net> <mid@example.net> <app-ana-1@example.net>");
	assert_non_null(g_mime_object_get_header(GMIME_OBJECT(m), MAIL_LOOP_HEADER));
	InternetAddressList *to = g_mime_message_get_to(m);
	InternetAddress *ia = internet_address_list_get_address(to, 0);
	assert_string_equal(internet_address_get_name(ia), "Ana Sánchez");
	InternetAddressList *from = g_mime_message_get_from(m);
	assert_string_equal(internet_address_mailbox_get_addr(INTERNET_ADDRESS_MAILBOX(
				    internet_address_list_get_address(from, 0))),
			    "admissions@example.org");
	GMimeObject *body = g_mime_message_get_mime_part(m);
	char *text = g_mime_text_part_get_text(GMIME_TEXT_PART(body));
	assert_non_null(strstr(text, "Dear Ana Sánchez,"));
	assert_non_null(strstr(text, "2026-01-26"));
	assert_string_equal(g_mime_text_part_get_charset(GMIME_TEXT_PART(body)), "utf-8");
	g_free(text);
	g_object_unref(m);
	g_bytes_unref(bytes);
	g_free(mid);
	g_hash_table_destroy(vars);
	config_free(&cfg);
	g_free(dir);
}

/* A display name that tries to add a header must stay inside the To header. */
static void test_no_header_injection(void **state)
{
	char *dir, *mid = NULL;
	struct config *cfg = load(&dir);
	const char *evil = "Eve\r\nBcc: victim@example.com\r\nX-Evil: 1";
	GHashTable *vars = vars_for(evil);
	struct compose_in in = { .template_name = "acknowledgement",
				 .vars = vars,
				 .to_addr = "eve@example.com",
				 .to_name = evil,
				 .auto_submitted = "auto-replied" };
	GBytes *bytes = NULL;
	struct err err = { 0 };
	GMimeMessage *m;

	(void)state;
	assert_int_equal(compose_message(cfg, &in, 1767225600, &mid, &bytes, &err), 0);
	m = parse(bytes);
	assert_null(g_mime_object_get_header(GMIME_OBJECT(m), "Bcc"));
	assert_null(g_mime_object_get_header(GMIME_OBJECT(m), "X-Evil"));
	assert_null(g_mime_object_get_header(GMIME_OBJECT(m), "In-Reply-To"));
	assert_int_equal(internet_address_list_length(g_mime_message_get_to(m)), 1);
	g_object_unref(m);
	g_bytes_unref(bytes);
	g_free(mid);
	g_hash_table_destroy(vars);
	config_free(&cfg);
	g_free(dir);
}

/* A sender's Message-ID that is not one stays out of our thread headers. */
static void test_hostile_message_ids(void **state)
{
	static const char *const bad[] = { "caf\xc3\xa9@example.net", "a b@example.net",
					   "a>\r\nBcc: x@example.com <b@example.net", "no-at-sign",
					   "" };
	char *dir;
	struct config *cfg = load(&dir);
	GHashTable *vars = vars_for("Ana");
	int failures = 0;

	(void)state;
	for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
		struct compose_in in = { .template_name = "acknowledgement",
					 .vars = vars,
					 .to_addr = "ana@example.net",
					 .in_reply_to = bad[i],
					 .references = "<ok@example.net> <caf\xc3\xa9@example.net>",
					 .auto_submitted = "auto-replied" };
		GBytes *bytes = NULL;
		struct err err = { 0 };
		char *mid = NULL;
		GMimeMessage *m;

		assert_int_equal(compose_message(cfg, &in, 1767225600, &mid, &bytes, &err), 0);
		m = parse(bytes);
		ROW_CHECK(failures,
			  g_mime_object_get_header(GMIME_OBJECT(m), "In-Reply-To") == NULL,
			  "%zu: In-Reply-To [%s]", i,
			  g_mime_object_get_header(GMIME_OBJECT(m), "In-Reply-To"));
		ROW_CHECK(failures, g_mime_object_get_header(GMIME_OBJECT(m), "Bcc") == NULL,
			  "%zu: a Bcc header", i);
		g_object_unref(m);
		g_bytes_unref(bytes);
		g_free(mid);
	}
	/* A good one keeps the good references and drops the bad. */
	struct compose_in in = { .template_name = "acknowledgement",
				 .vars = vars,
				 .to_addr = "ana@example.net",
				 .in_reply_to = "app@example.net",
				 .references = "<ok@example.net> <caf\xc3\xa9@example.net>",
				 .auto_submitted = "auto-replied" };
	GBytes *bytes = NULL;
	struct err err = { 0 };
	char *mid = NULL;

	assert_int_equal(compose_message(cfg, &in, 1767225600, &mid, &bytes, &err), 0);
	GMimeMessage *m = parse(bytes);
	assert_string_equal(g_mime_object_get_header(GMIME_OBJECT(m), "References"),
			    "<ok@example.net> <app@example.net>");
	g_object_unref(m);
	g_bytes_unref(bytes);
	g_free(mid);
	g_hash_table_destroy(vars);
	config_free(&cfg);
	g_free(dir);
	assert_int_equal(failures, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_acknowledgement_headers),
		cmocka_unit_test(test_no_header_injection),
		cmocka_unit_test(test_hostile_message_ids),
	};

	mail_library_init();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
