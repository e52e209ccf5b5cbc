/* The spool: what the writer gets in pieces is the file, byte for byte, with its SHA-256; a
 * writer dropped before its commit leaves nothing behind; removing a message removes its
 * attachments. */
#include "testutil.h"

#include "spool.h"

static char *spool_dir(struct spool **sp)
{
	char *dir = test_tmpdir();
	struct err err = { 0 };

	assert_int_equal(spool_open(sp, dir, &err), 0);
	return dir;
}

static guint files_in(const char *dir, const char *sub)
{
	char *path = g_build_filename(dir, sub, NULL);
	GDir *d = g_dir_open(path, 0, NULL);
	guint n = 0;

	while (d != NULL && g_dir_read_name(d) != NULL)
		n++;
	if (d != NULL)
		g_dir_close(d);
	g_free(path);
	return n;
}

/* Pieces of 1 byte to 300 KiB, around the writer's 256 KiB buffer: the bytes are kept in
 * order, and the hash is the one of the file read back. */
static void test_writer_keeps_bytes_and_hash(void **state)
{
	static const size_t pieces[] = { 1, 4096, 70000, 262144, 300000, 17, 262143, 2 };
	struct spool *sp = NULL;
	struct spool_writer *w = NULL;
	struct err err = { 0 };
	char *dir = spool_dir(&sp), *path = NULL, *data = NULL, sha[65], *again;
	GString *sent = g_string_new(NULL);
	gsize len = 0;

	(void)state;
	assert_int_equal(spool_writer_new(sp, &w, &err), 0);
	for (size_t i = 0; i < G_N_ELEMENTS(pieces); i++) {
		char *piece = g_malloc(pieces[i]);

		for (size_t j = 0; j < pieces[i]; j++)
			piece[j] = (char)(sent->len + j + i);
		g_string_append_len(sent, piece, (gssize)pieces[i]);
		assert_int_equal(spool_writer_write(w, piece, pieces[i], &err), 0);
		g_free(piece);
	}
	assert_int_equal(spool_writer_commit(&w, sp, 7, 42, &path, sha, &err), 0);
	assert_null(w);
	assert_true(g_str_has_suffix(path, "/msg/7-42.eml"));
	assert_true(g_file_get_contents(path, &data, &len, NULL));
	assert_int_equal(len, sent->len);
	assert_memory_equal(data, sent->str, len);
	again = test_file_sha256(path);
	assert_string_equal(sha, again);
	g_free(again);
	assert_int_equal(files_in(dir, "tmp"), 0);
	g_string_free(sent, TRUE);
	g_free(data);
	g_free(path);
	spool_close(&sp);
	g_free(dir);
}

/* Nothing written: the hash is the SHA-256 of no bytes, not of a stale buffer. */
static void test_writer_empty(void **state)
{
	struct spool *sp = NULL;
	struct spool_writer *w = NULL;
	struct err err = { 0 };
	char *dir = spool_dir(&sp), *path = NULL, sha[65];

	(void)state;
	assert_int_equal(spool_writer_new(sp, &w, &err), 0);
	assert_int_equal(spool_writer_commit(&w, sp, 1, 1, &path, sha, &err), 0);
	assert_string_equal(sha,
			    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	g_free(path);
	spool_close(&sp);
	g_free(dir);
}

/* A fetch that failed half-way: the temporary file goes, nothing reaches msg/. */
static void test_writer_dropped(void **state)
{
	struct spool *sp = NULL;
	struct spool_writer *w = NULL;
	struct err err = { 0 };
	char *dir = spool_dir(&sp);

	(void)state;
	assert_int_equal(spool_writer_new(sp, &w, &err), 0);
	assert_int_equal(spool_writer_write(w, "half a message", 14, &err), 0);
	assert_int_equal(files_in(dir, "tmp"), 1);
	spool_writer_free(&w);
	assert_null(w);
	assert_int_equal(files_in(dir, "tmp"), 0);
	assert_int_equal(files_in(dir, "msg"), 0);
	spool_close(&sp);
	g_free(dir);
}

/* Removing a raw message removes its attachments: the one file they share, or the folder of
 * files a spool written before that keeps. */
static void test_remove_takes_attachments(void **state)
{
	struct spool *sp = NULL;
	char *dir = spool_dir(&sp);
	char *eml = test_write_file(dir, "msg/1-1.eml", "raw");
	char *parts = spool_parts_path(sp, 1, 1);
	char *old_eml = test_write_file(dir, "msg/1-2.eml", "raw");
	char *old_dir = g_build_filename(dir, "att", "1-2", NULL);
	char *old_part;

	(void)state;
	assert_true(g_str_has_suffix(parts, "/att/1-1.parts"));
	assert_true(g_file_set_contents(parts, "two documents", -1, NULL));
	assert_int_equal(g_mkdir(old_dir, 0700), 0);
	old_part = test_write_file(old_dir, "part-1", "one document");
	assert_int_equal(spool_remove(eml), 0);
	assert_int_equal(spool_remove(old_eml), 0);
	assert_int_equal(files_in(dir, "msg"), 0);
	assert_int_equal(files_in(dir, "att"), 0);
	g_free(eml);
	g_free(parts);
	g_free(old_eml);
	g_free(old_dir);
	g_free(old_part);
	spool_close(&sp);
	g_free(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_writer_keeps_bytes_and_hash),
		cmocka_unit_test(test_writer_empty),
		cmocka_unit_test(test_writer_dropped),
		cmocka_unit_test(test_remove_takes_attachments),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
