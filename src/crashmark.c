#include "crashmark.h"

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <glib.h>

static char mark_path[4096];
/* What the handler writes, formatted before it is needed: only async-signal-safe calls run
 * in the handler. */
static char line[32];
static volatile sig_atomic_t line_len;

static void on_fault(int sig)
{
	int fd;

	if (line_len > 0 && (fd = open(mark_path, O_WRONLY | O_CREAT | O_TRUNC, 0600)) >= 0) {
		if (write(fd, line, (size_t)line_len) > 0)
			fsync(fd);
		close(fd);
	}
	signal(sig, SIG_DFL);
	raise(sig);
}

/* gcc says __SANITIZE_ADDRESS__, clang __has_feature. The sanitizers report memory faults
 * themselves and then abort: there, only SIGABRT is ours, so their reports stay whole. */
#if defined(__SANITIZE_ADDRESS__)
#define SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SANITIZED 1
#endif
#endif
#ifndef SANITIZED
#define SANITIZED 0
#endif

void crashmark_install(const char *dir)
{
#if SANITIZED
	static const int faults[] = { SIGABRT };
#else
	static const int faults[] = { SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT };
#endif
	struct sigaction sa = { .sa_handler = on_fault, .sa_flags = SA_RESETHAND | SA_ONSTACK };

	snprintf(mark_path, sizeof(mark_path), "%s/crashed", dir);
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < G_N_ELEMENTS(faults); i++)
		sigaction(faults[i], &sa, NULL);
}

void crashmark_set(uint32_t uidvalidity, uint32_t uid)
{
	int n;

	line_len = 0;
	n = snprintf(line, sizeof(line), "%u %u\n", uidvalidity, uid);
	line_len = n > 0 && (size_t)n < sizeof(line) ? n : 0;
}

void crashmark_clear(void)
{
	line_len = 0;
}

bool crashmark_take(uint32_t *uidvalidity_r, uint32_t *uid_r)
{
	char *text = NULL;
	bool found = false;

	if (mark_path[0] == '\0' || !g_file_get_contents(mark_path, &text, NULL, NULL))
		return false;
	found = sscanf(text, "%u %u", uidvalidity_r, uid_r) == 2;
	g_free(text);
	unlink(mark_path);
	return found;
}
