/* The refresh token file: written whole with mode 0600, read back, a missing file is "none
 * yet", a broken one an error naming it; and nothing is left of the temporary file. */
#include "testutil.h"

#include <sys/stat.h>

#include "tokenfile.h"

static void test_tokenfile_round_trip(void **state)
{
	char *dir = test_tmpdir();
	char *path = g_build_filename(dir, "state", "oauth2-token.json", NULL);
	char *tmp = g_strconcat(path, ".tmp", NULL);
	struct token_record in = { "rt-secret", "client-1", "2026-12-03T06:00:00Z",
				   "device login" };
	struct token_record out = { 0 };
	struct err err = { 0 };
	struct stat st;

	(void)state;
	assert_int_equal(tokenfile_load(path, &out, &err), 0); /* none yet */
	assert_int_equal(tokenfile_save(path, &in, &err), 0);  /* makes the folder too */
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_false(g_file_test(tmp, G_FILE_TEST_EXISTS));
	assert_int_equal(tokenfile_load(path, &out, &err), 1);
	assert_string_equal(out.refresh_token, "rt-secret");
	assert_string_equal(out.client_id, "client-1");
	assert_string_equal(out.via, "device login");
	token_record_clear(&out);
	assert_null(out.refresh_token);

	/* A rotation replaces it; a crash's leftover temporary file with a loose mode does not
	 * make the new file loose. */
	g_free(test_write_file(dir, "state/oauth2-token.json.tmp", "junk"));
	chmod(tmp, 0644);
	in.refresh_token = "rt-rotated";
	assert_int_equal(tokenfile_save(path, &in, &err), 0);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(tokenfile_load(path, &out, &err), 1);
	assert_string_equal(out.refresh_token, "rt-rotated");
	token_record_clear(&out);

	/* Not ours: a clear error naming the file. */
	g_free(test_write_file(dir, "state/oauth2-token.json", "{\"client_id\": \"x\"}"));
	assert_int_equal(tokenfile_load(path, &out, &err), -1);
	assert_non_null(strstr(err.text, "holds no refresh_token"));
	assert_non_null(strstr(err.text, path));
	g_free(tmp);
	g_free(path);
	g_free(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tokenfile_round_trip),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
