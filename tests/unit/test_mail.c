/* Reading real-shaped mail with GMime: sender, threading, attachments, machine-made mail. */
#include "testutil.h"

#include "mail.h"

static struct mail *read_fixture(const char *name, char **dir_r)
{
	char *path = test_fixture(name);
	char *dir = test_tmpdir();
	char *parts = g_build_filename(dir, "m.parts", NULL);
	struct mail *m = NULL;
	struct err err = { 0 };

	if (mail_read(&m, path, parts, &err) < 0)
		fail_msg("%s: %s", name, err.text);
	g_free(path);
	g_free(parts);
	*dir_r = dir;
	return m;
}

static const struct mail_attachment *att(const struct mail *m, guint i)
{
	assert_true(i < m->attachments->len);
	return g_ptr_array_index(m->attachments, i);
}

static void test_complete_application(void **state)
{
	char *dir, *sha, *want = NULL, *saved = NULL;
	gsize want_len = 0, saved_len = 0;
	struct mail *m = read_fixture("complete-application.eml", &dir);
	char *pdf = test_fixture("docs-letter.pdf");

	(void)state;
	assert_string_equal(m->from_addr, "ana.sanchez@example.net");
	assert_string_equal(m->from_name, "Ana Sánchez");
	assert_string_equal(m->message_id, "app-ana-1@example.net");
	assert_null(m->automatic);
	assert_non_null(strstr(m->body_text, "please find my application attached"));
	assert_int_equal(m->attachments->len, 2);
	assert_string_equal(att(m, 0)->filename, "Motivation letter.pdf");
	assert_string_equal(att(m, 0)->content_type, "application/pdf");
	/* Saved decoded, one after the other in one file of a generated name, each with the hash
	 * of its decoded bytes. */
	assert_true(g_str_has_suffix(att(m, 0)->path, "/m.parts"));
	assert_string_equal(att(m, 1)->path, att(m, 0)->path);
	assert_true(g_file_get_contents(pdf, &want, &want_len, NULL));
	assert_true(g_file_get_contents(att(m, 0)->path, &saved, &saved_len, NULL));
	assert_int_equal(att(m, 0)->offset, 0);
	assert_int_equal(att(m, 0)->size, want_len);
	assert_memory_equal(saved, want, want_len);
	sha = test_file_sha256(pdf);
	assert_string_equal(att(m, 0)->sha256, sha);
	g_free(sha);
	assert_string_equal(att(m, 1)->filename, "CV_Ana_Sanchez.pdf");
	assert_int_equal(att(m, 1)->offset, want_len);
	assert_int_equal(att(m, 0)->size + att(m, 1)->size, saved_len);
	assert_memory_equal(saved + att(m, 1)->offset, "%PDF-", 5);
	g_free(want);
	g_free(saved);
	mail_free(&m);
	assert_null(m);
	g_free(pdf);
	g_free(dir);
}

static void test_encoded_filenames(void **state)
{
	char *dir;
	struct mail *m = read_fixture("rfc2231-spanish-filename.eml", &dir);

	(void)state;
	assert_string_equal(m->from_name, "José García");
	assert_string_equal(m->subject, "Solicitud de admisión");
	assert_int_equal(m->attachments->len, 2);
	assert_string_equal(att(m, 0)->filename, "Currículum Vítae José García.pdf");
	assert_string_equal(att(m, 1)->filename, "Carta de motivación.PDF");
	assert_string_equal(att(m, 1)->content_type, "application/octet-stream");
	mail_free(&m);
	g_free(dir);
}

static void test_threading_headers(void **state)
{
	char *dir;
	struct mail *m = read_fixture("cv-followup.eml", &dir);

	(void)state;
	assert_non_null(m->in_reply_to);
	assert_non_null(strstr(m->in_reply_to, "app-marco-1@example.net"));
	mail_free(&m);
	g_free(dir);
}

struct auto_case {
	const char *headers;
	const char *reason; /* NULL: a person's mail */
};

static const struct auto_case auto_cases[] = {
	{ "", NULL },
	{ "Auto-Submitted: no\r\n", NULL },
	{ "Auto-Submitted: auto-replied\r\n", "auto-submitted" },
	{ "Auto-Submitted: auto-generated\r\n", "auto-submitted" },
	{ "Precedence: bulk\r\n", "precedence" },
	{ "Precedence: List\r\n", "precedence" },
	{ "List-Id: <news.example.org>\r\n", "mailing-list" },
	{ "X-Autoreply: yes\r\n", "auto-reply" },
	{ "X-Auto-Response-Suppress: All\r\n", "auto-reply" },
	{ "Return-Path: <>\r\n", "null-sender" },
	{ "X-Admitd-Loop: admissions@example.org\r\n", "our-own-message" },
	{ "X-Mailman-Version: 2.1.39\r\n", "mailing-list" },
	{ "Mailing-List: contact ai4gov-help@lists.example.org; run by ezmlm\r\n", "mailing-list" },
	{ "X-Spam-Flag: YES\r\n", "spam-flag" },
	{ "X-Spam-Flag: NO\r\n", NULL },
};

/* Senders that are machines, whatever the headers say; and people whose names look close. */
static const struct auto_case sender_cases[] = {
	{ "owner-ai4gov@lists.example.org", "list-sender" },
	{ "ai4gov-request@lists.example.org", "list-sender" },
	{ "ai4gov-bounces+ana=example.net@lists.example.org", "list-sender" },
	{ "ai4gov-owner@lists.example.org", "list-sender" },
	{ "noreply@portal.example.com", "noreply-sender" },
	{ "no-reply@portal.example.com", "noreply-sender" },
	{ "do_not_reply@notify.example.net", "noreply-sender" },
	{ "DoNotReply@example.com", "noreply-sender" },
	{ "applications-noreply@example.com", "noreply-sender" },
	{ "MAILER-DAEMON@mail.example.org", "mailer-daemon" },
	{ "ana.requester@example.net", NULL },
	{ "norene.ply@example.net", NULL },
	{ "bouncer.bob@example.net", NULL },
};

static void test_machine_senders(void **state)
{
	char *dir = test_tmpdir();
	int failures = 0;

	(void)state;
	for (size_t i = 0; i < G_N_ELEMENTS(sender_cases); i++) {
		char *text = g_strdup_printf("From: Someone <%s>\r\nSubject: Hello\r\n\r\nHi\r\n",
					     sender_cases[i].headers);
		char *path = test_write_file(dir, "m.eml", text);
		struct mail *m = NULL;
		struct err err = { 0 };

		ROW_CHECK(failures, mail_read(&m, path, dir, &err) == 0, "%s: %s",
			  sender_cases[i].headers, err.text);
		if (m != NULL)
			ROW_CHECK(failures, g_strcmp0(m->automatic, sender_cases[i].reason) == 0,
				  "%s: expected %s, got %s", sender_cases[i].headers,
				  sender_cases[i].reason ? sender_cases[i].reason : "(person)",
				  m->automatic ? m->automatic : "(person)");
		mail_free(&m);
		g_free(text);
		g_free(path);
	}
	g_free(dir);
	assert_int_equal(failures, 0);
}

/* Names and subjects of several encoded words keep every word (GMime 3.2.13 drops what
 * follows a padded base64 word: mail_words.h). */
static void test_encoded_word_names(void **state)
{
	static const char *const cases[][3] = {
		{ "=?UTF-8?B?Sm9zw6k=?= =?UTF-8?B?IEdhcmPDrWE=?= <jose@example.com>", "José García",
		  "=?UTF-8?B?Sm9zw6k=?= =?UTF-8?B?IEdhcmPDrWE=?=" },
		{ "\"=?UTF-8?B?Sm9zw6k=?= =?UTF-8?B?IEdhcmPDrWE=?=\" <jose@example.com>",
		  "José García", "Re: =?UTF-8?B?Sm9zw6k=?= =?UTF-8?B?IEdhcmPDrWE=?= CV" },
		{ "=?iso-8859-1?q?Jos=E9?= =?iso-8859-1?q?_Garc=EDa?= <jose@example.com>",
		  "José García", "=?utf-8?q?Solicitud_de?= =?utf-8?q?_admisi=C3=B3n?=" },
	};
	static const char *const subjects[] = { "José García", "Re: José García CV",
						"Solicitud de admisión" };
	char *dir = test_tmpdir();
	int failures = 0;

	(void)state;
	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		char *text = g_strdup_printf("From: %s\r\nSubject: %s\r\n\r\nHi\r\n", cases[i][0],
					     cases[i][2]);
		char *path = test_write_file(dir, "m.eml", text);
		struct mail *m = NULL;
		struct err err = { 0 };

		ROW_CHECK(failures, mail_read(&m, path, dir, &err) == 0, "%s: %s", cases[i][0],
			  err.text);
		if (m != NULL) {
			ROW_CHECK(failures, strcmp(m->from_name, cases[i][1]) == 0, "%s: name [%s]",
				  cases[i][0], m->from_name);
			ROW_CHECK(failures, strcmp(m->subject, subjects[i]) == 0,
				  "%s: subject [%s]", cases[i][2], m->subject);
		}
		mail_free(&m);
		g_free(text);
		g_free(path);
	}
	g_free(dir);
	assert_int_equal(failures, 0);
}

/* The quarantine says what is wrong with the From header, not only that it is. */
static const struct auto_case from_cases[] = {
	{ "Subject: hi\r\n", "no From header" },
	{ "From: a@example.org\r\nFrom: b@example.org\r\n", "2 From headers" },
	{ "From: a@example.org, b@example.org\r\n", "holds 2 addresses" },
	{ "From: Admissions\r\n", "holds no address" },
	{ "From: friends: a@example.org, b@example.org;\r\n", "is a group" },
	{ "From: nobody@localhost\r\n", "is not a usable address" },
};

static void test_quarantine_reasons(void **state)
{
	char *dir = test_tmpdir();
	int failures = 0;

	(void)state;
	for (size_t i = 0; i < G_N_ELEMENTS(from_cases); i++) {
		char *text = g_strdup_printf("%s\r\nbody\r\n", from_cases[i].headers);
		char *path = test_write_file(dir, "m.eml", text);
		struct mail *m = NULL;
		struct err err = { 0 };

		ROW_CHECK(failures,
			  mail_read(&m, path, dir, &err) == -1 && err.class == ERR_MESSAGE &&
				  strstr(err.text, from_cases[i].reason) != NULL,
			  "%s: expected \"%s\", got \"%s\"", from_cases[i].headers,
			  from_cases[i].reason, err.text);
		mail_free(&m);
		g_free(text);
		g_free(path);
	}
	g_free(dir);
	assert_int_equal(failures, 0);
}

static void test_automatic_mail(void **state)
{
	char *dir = test_tmpdir();
	int failures = 0;

	(void)state;
	for (size_t i = 0; i < G_N_ELEMENTS(auto_cases); i++) {
		char *text = g_strdup_printf("%sFrom: Someone <someone@example.com>\r\n"
					     "Subject: Re: your application\r\n"
					     "Message-ID: <a%zu@example.com>\r\n\r\nHello\r\n",
					     auto_cases[i].headers, i);
		char *path = test_write_file(dir, "m.eml", text);
		struct mail *m = NULL;
		struct err err = { 0 };

		ROW_CHECK(failures, mail_read(&m, path, dir, &err) == 0, "case %zu: %s", i,
			  err.text);
		if (m != NULL)
			ROW_CHECK(failures, g_strcmp0(m->automatic, auto_cases[i].reason) == 0,
				  "headers \"%s\": expected %s, got %s", auto_cases[i].headers,
				  auto_cases[i].reason ? auto_cases[i].reason : "(person)",
				  m->automatic ? m->automatic : "(person)");
		mail_free(&m);
		g_free(text);
		g_free(path);
	}
	g_free(dir);
	assert_int_equal(failures, 0);
}

static void test_bounce_from_mailer_daemon(void **state)
{
	char *dir = test_tmpdir();
	char *path = test_write_file(
		dir, "bounce.eml",
		"From: Mail Delivery System <MAILER-DAEMON@mail.example.org>\r\n"
		"Subject: Undelivered Mail Returned to Sender\r\n"
		"Content-Type: multipart/report; report-type=delivery-status; boundary=\"b\"\r\n"
		"\r\n--b\r\nContent-Type: text/plain\r\n\r\nfailed\r\n--b--\r\n");
	struct mail *m = NULL;
	struct err err = { 0 };

	(void)state;
	assert_int_equal(mail_read(&m, path, dir, &err), 0);
	assert_non_null(m->automatic);
	mail_free(&m);
	g_free(path);
	g_free(dir);
}

static void test_unusable_messages(void **state)
{
	char *dir = test_tmpdir();
	char *no_from = test_write_file(dir, "nofrom.eml", "Subject: hi\r\n\r\nbody\r\n");
	char *garbage = test_write_file(dir, "garbage.eml", "\x01\x02\x03 not mail at all");
	char *two_from = test_write_file(dir, "two.eml",
					 "From: a@example.org, b@example.org\r\n\r\nbody\r\n");
	struct mail *m = NULL;
	struct err err = { 0 };

	(void)state;
	assert_int_equal(mail_read(&m, no_from, dir, &err), -1);
	assert_int_equal(err.class, ERR_MESSAGE);
	assert_null(m);
	assert_int_equal(mail_read(&m, garbage, dir, &err), -1);
	assert_int_equal(err.class, ERR_MESSAGE);
	assert_int_equal(mail_read(&m, two_from, dir, &err), -1);
	assert_int_equal(mail_read(&m, "/nonexistent.eml", dir, &err), -1);
	assert_int_equal(err.class, ERR_TEMP);
	g_free(no_from);
	g_free(garbage);
	g_free(two_from);
	g_free(dir);
}

struct address_case {
	const char *text;
	const char *addr; /* NULL: must be refused */
	const char *name;
};

static const struct address_case address_cases[] = {
	{ "Admissions <Admissions@Example.org>", "admissions@example.org", "Admissions" },
	{ "chair@example.org", "chair@example.org", "" },
	{ "\"García, José\" <jose@example.com>", "jose@example.com", "García, José" },
	{ "=?utf-8?q?Jos=C3=A9?= <jose@example.com>", "jose@example.com", "José" },
	{ "Admissions", NULL, NULL },
	{ "a@example.org, b@example.org", NULL, NULL },
	{ "nobody@localhost", NULL, NULL },
	{ "", NULL, NULL },
};

static void test_address_parse(void **state)
{
	int failures = 0;

	(void)state;
	for (size_t i = 0; i < G_N_ELEMENTS(address_cases); i++) {
		const struct address_case *c = &address_cases[i];
		char *addr = NULL, *name = NULL;
		int rc = mail_address_parse(c->text, &addr, &name);

		if (c->addr == NULL)
			ROW_CHECK(failures, rc < 0, "\"%s\" should be refused", c->text);
		else
			ROW_CHECK(failures,
				  rc == 0 && strcmp(addr, c->addr) == 0 &&
					  strcmp(name, c->name) == 0,
				  "\"%s\": got rc=%d addr=%s name=%s", c->text, rc,
				  addr ? addr : "-", name ? name : "-");
		g_free(addr);
		g_free(name);
	}
	assert_int_equal(failures, 0);
}

/* Found by fuzz_decision: a message of headers only, one of them broken, whose text part is
 * empty (its data NULL). Its text is "", not a crash. */
static void test_text_of_empty_part(void **state)
{
	static const char raw[] = "From: Chair <chair@example.org>F\rro\nTm:o";
	GBytes *bytes = g_bytes_new_static(raw, sizeof(raw) - 1);
	char *text = mail_text_of(bytes);

	(void)state;
	assert_string_equal(text, "");
	g_free(text);
	g_bytes_unref(bytes);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_complete_application),
		cmocka_unit_test(test_encoded_filenames),
		cmocka_unit_test(test_threading_headers),
		cmocka_unit_test(test_automatic_mail),
		cmocka_unit_test(test_machine_senders),
		cmocka_unit_test(test_quarantine_reasons),
		cmocka_unit_test(test_encoded_word_names),
		cmocka_unit_test(test_bounce_from_mailer_daemon),
		cmocka_unit_test(test_unusable_messages),
		cmocka_unit_test(test_address_parse),
		cmocka_unit_test(test_text_of_empty_part),
	};

	mail_library_init();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
