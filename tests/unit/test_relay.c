/* A worker's stderr in our log: one safe line per line it wrote, behind its name, and no more
 * than RELAY_MAX bytes of it. */
#define _GNU_SOURCE /* F_SETPIPE_SZ */
#include "testutil.h"

#include <fcntl.h>
#include <unistd.h>

#include "log.h"
#include "relay.h"

/* What relay_finish logs when the pipe held `text`, as our stderr received it. */
static char *relayed(const char *text, size_t len)
{
	char *dir = test_tmpdir(), *path = g_build_filename(dir, "stderr", NULL), *got = NULL;
	int p[2], saved = dup(STDERR_FILENO), out = open(path, O_WRONLY | O_CREAT, 0600);
	struct relay r;

	assert_true(out >= 0 && saved >= 0);
	assert_int_equal(pipe(p), 0);
	assert_true(fcntl(p[1], F_SETPIPE_SZ, 1024 * 1024) >= (int)len);
	assert_int_equal(write(p[1], text, len), (ssize_t)len);
	close(p[1]);
	dup2(out, STDERR_FILENO);
	relay_init(&r, p[0], "worker");
	relay_finish(&r);
	dup2(saved, STDERR_FILENO);
	close(saved);
	close(out);
	assert_true(g_file_get_contents(path, &got, NULL, NULL));
	g_free(path);
	g_free(dir);
	return got;
}

static void test_lines_made_safe(void **state)
{
	const char text[] = "first line\nsecond \x1b[31mred\x1b[0m\r\n\n"
			    "admitd: accepted ref=X\nno newline at the end";
	char *got = relayed(text, sizeof(text) - 1);

	(void)state;
	assert_string_equal(got, "admitd: warning: worker: first line\n"
				 "admitd: warning: worker: second [31mred[0m\n"
				 "admitd: warning: worker: admitd: accepted ref=X\n"
				 "admitd: warning: worker: no newline at the end\n");
	g_free(got);
}

static void test_bounded(void **state)
{
	size_t len = 3 * RELAY_MAX;
	char *flood = g_malloc(len), *got;
	gchar **lines;

	(void)state;
	for (size_t i = 0; i < len; i++)
		flood[i] = i % 100 == 99 ? '\n' : 'x';
	got = relayed(flood, len);
	lines = g_strsplit(got, "\n", -1);
	/* 99 bytes and a newline per line: RELAY_MAX / 100 lines, a part line, then the note. */
	assert_int_equal(g_strv_length(lines), RELAY_MAX / 100 + 3);
	assert_non_null(strstr(lines[RELAY_MAX / 100 + 1], "more output, not logged"));
	g_strfreev(lines);
	g_free(got);
	g_free(flood);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lines_made_safe),
		cmocka_unit_test(test_bounded),
	};

	log_init("admitd");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
