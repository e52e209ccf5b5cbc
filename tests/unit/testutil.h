/* testutil.h — small helpers shared by the unit tests: temporary folders and files, and a
 * table-driven check that reports every failing row before failing the test. */
#ifndef ADMITD_TESTUTIL_H
#define ADMITD_TESTUTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <glib.h>
#include <glib/gstdio.h>

/* A fresh folder under $TMPDIR; the caller frees the string (the folder is left for
 * inspection when a test fails, and lives in the build tree's temporary area otherwise). */
static inline char *test_tmpdir(void)
{
	GError *gerr = NULL;
	char *dir = g_dir_make_tmp("admitd-test-XXXXXX", &gerr);

	assert_non_null(dir);
	return dir;
}

static inline char *test_write_file(const char *dir, const char *name, const char *text)
{
	char *path = g_build_filename(dir, name, NULL);

	assert_true(g_file_set_contents(path, text, -1, NULL));
	return path;
}

/* SHA-256 of a file's bytes by GLib, an oracle independent of the spool's OpenSSL code
 * (g_free the result). */
static inline char *test_file_sha256(const char *path)
{
	char *data = NULL;
	gsize len = 0;
	char *sha;

	assert_true(g_file_get_contents(path, &data, &len, NULL));
	sha = g_compute_checksum_for_data(G_CHECKSUM_SHA256, (const guchar *)data, len);
	g_free(data);
	return sha;
}

/* Source folder of the fixtures (tests/mail), given by CMake. */
static inline char *test_fixture(const char *name)
{
	return g_build_filename(TEST_SOURCE_DIR, "mail", name, NULL);
}

/* A valid configuration whose only edition runs from `opens` to `closes`, with the templates
 * of the source tree and storage under dir. Loaded without secrets. */
struct config;
static inline char *test_config_text(const char *dir, const char *opens, const char *closes)
{
	return g_strdup_printf(
		"programme = { name = \"Master in AI4Gov\"; reference_prefix = \"AI4G\";\n"
		"  registration_url = \"https://registration.example.org/ai4gov\";\n"
		"  reply_from = \"AI4Gov Admissions <admissions@example.org>\"; };\n"
		"editions = ( { name = \"2026-2027\"; opens = \"%s\"; closes = \"%s\"; } );\n"
		"batches = { anchor = \"2026-01-12\"; period_days = 14; };\n"
		"commission = { address = \"commission@example.org\";\n"
		"  members = [ \"chair@example.org\" ]; };\n"
		"imap = { url = \"imaps://localhost:10993/INBOX\"; username = \"u\";\n"
		"  processed_mailbox = \"Processed\"; };\n"
		"smtp = { url = \"smtp://localhost:10587\"; };\n"
		"storage = { database = \"%s/admitd.db\"; spool = \"%s/spool\"; };\n"
		"templates = { dir = \"%s/../templates\"; };\n",
		opens, closes, dir, dir, TEST_SOURCE_DIR);
}

/* Counts and prints a failing table row; the test asserts the count is zero at the end. */
#define ROW_CHECK(failures, cond, ...)                                       \
	do {                                                                 \
		if (!(cond)) {                                               \
			fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__); \
			fprintf(stderr, __VA_ARGS__);                        \
			fputc('\n', stderr);                                 \
			(failures)++;                                        \
		}                                                            \
	} while (0)

#endif
