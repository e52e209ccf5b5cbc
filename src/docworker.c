#define _GNU_SOURCE /* pipe2 */
#include "docworker.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <glib.h>

#define WORKER_MEMORY (768UL * 1024 * 1024)
#define WORKER_CPU_SECONDS 10
#define WORKER_WALL_MS 20000
#define WORKER_FILES 64

static void limit(int resource, rlim_t value)
{
	struct rlimit rl = { value, value };

	setrlimit(resource, &rl);
}

/* In the child: shed what it must not have, read each document in turn, report each, and
 * leave without cleanup. */
static void child(const char *const *paths, const bool *want_text, size_t n, int out)
{
	int null = open("/dev/null", O_RDWR);

	if (null >= 0) {
		dup2(null, STDIN_FILENO);
		dup2(null, STDOUT_FILENO);
		dup2(null, STDERR_FILENO);
	}
	prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	/* Library caches (fontconfig) may try to write: fail the write, not the child. */
	signal(SIGXFSZ, SIG_IGN);
#ifndef __SANITIZE_ADDRESS__
	/* AddressSanitizer reserves terabytes of address space: no AS limit in those builds. */
	limit(RLIMIT_AS, WORKER_MEMORY);
#endif
	limit(RLIMIT_CPU, (rlim_t)(WORKER_CPU_SECONDS * n));
	limit(RLIMIT_CORE, 0);
	limit(RLIMIT_FSIZE, 0);
	limit(RLIMIT_NOFILE, WORKER_FILES);
	for (size_t i = 0; i < n; i++) {
		struct doc_facts facts;
		size_t done = 0;

		alarm(WORKER_WALL_MS / 1000 + 1);
		docread_file(paths[i], want_text == NULL || want_text[i], &facts);
		while (done < sizeof(facts)) {
			ssize_t w = write(out, (char *)&facts + done, sizeof(facts) - done);

			if (w <= 0)
				_exit(1);
			done += (size_t)w;
		}
	}
	_exit(0);
}

static gint64 now_ms(void)
{
	return g_get_monotonic_time() / 1000;
}

/* Reads the child's report until complete, EOF or the deadline. */
static size_t read_report(int fd, struct doc_facts *facts)
{
	gint64 deadline = now_ms() + WORKER_WALL_MS;
	size_t got = 0;

	while (got < sizeof(*facts)) {
		struct pollfd p = { fd, POLLIN, 0 };
		gint64 left = deadline - now_ms();
		ssize_t n;

		if (left <= 0 || poll(&p, 1, (int)left) <= 0)
			break;
		n = read(fd, (char *)facts + got, sizeof(*facts) - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	return got;
}

static void sniff_in_parent(const char *path, struct doc_facts *facts)
{
	unsigned char head[1024];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n = fd >= 0 ? read(fd, head, sizeof(head)) : -1;

	if (fd >= 0)
		close(fd);
	facts->format = docread_sniff(head, n > 0 ? (size_t)n : 0);
	facts->unreadable = n < 0;
}

/* Takes a report from a process that parsed hostile input: checked before it is believed. */
static void accept_report(struct doc_facts *facts, const struct doc_facts *report)
{
	enum doc_format sniffed = facts->format;

	*facts = *report;
	facts->text[sizeof(facts->text) - 1] = '\0';
	if (facts->format > FORMAT_CALENDAR || facts->pages < -1 || facts->pages > 100000)
		facts->format = sniffed, facts->pages = -1, facts->unreadable = true;
	if (!g_utf8_validate(facts->text, -1, NULL))
		facts->text[0] = '\0';
}

/* One child reads paths[0..n) in turn; its raw reports go to reports[]. Returns how many came
 * back whole (a crash, a hang or a limit stopped it at the first missing one), or -1 without a
 * child. */
static ssize_t run_child(const char *const *paths, const bool *want_text, size_t n,
			 struct doc_facts *reports, struct err *err)
{
	int fds[2], status = 0;
	size_t good = 0;
	pid_t pid;

	if (pipe2(fds, O_CLOEXEC) < 0)
		return err_set(err, ERR_TEMP, "document worker: pipe: %s", strerror(errno));
	pid = fork();
	if (pid < 0) {
		close(fds[0]);
		close(fds[1]);
		return err_set(err, ERR_TEMP, "document worker: fork: %s", strerror(errno));
	}
	if (pid == 0) {
		close(fds[0]);
		child(paths, want_text, n, fds[1]);
	}
	close(fds[1]);
	for (; good < n; good++) {
		struct doc_facts report;

		if (read_report(fds[0], &report) != sizeof(report))
			break;
		reports[good] = report;
	}
	close(fds[0]);
	/* All reports are all we need; the child may still be exiting. Anything else (a hang, a
	 * crash, a limit) ends here. */
	kill(pid, SIGKILL);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	return (ssize_t)good;
}

int docworker_inspect_many(const char *const *paths, const bool *want_text, size_t n,
			   struct doc_facts *facts, struct err *err)
{
	const char **todo = g_new0(const char *, n + 1);
	bool *todo_text = g_new0(bool, n + 1);
	size_t *where = g_new0(size_t, n + 1), count = 0, next = 0;
	int ret = 0;

	for (size_t i = 0; i < n; i++) {
		memset(&facts[i], 0, sizeof(facts[i]));
		facts[i].pages = -1;
		sniff_in_parent(paths[i], &facts[i]);
		/* Only the formats we parse need a worker; the others are known by their start. */
		if (!facts[i].unreadable &&
		    (facts[i].format == FORMAT_PDF || facts[i].format == FORMAT_DOCX)) {
			todo[count] = paths[i];
			todo_text[count] = want_text == NULL || want_text[i];
			where[count++] = i;
		}
	}
	if (count > 0)
		docread_warm_up();
	/* One child for all the documents of a message; when one kills it, that document is
	 * unreadable and a fresh child takes the rest. */
	while (next < count) {
		struct doc_facts *got = g_new0(struct doc_facts, count - next);
		ssize_t good = run_child(todo + next, todo_text + next, count - next, got, err);

		if (good < 0) {
			g_free(got);
			ret = -1;
			break;
		}
		for (ssize_t k = 0; k < good; k++)
			accept_report(&facts[where[next + (size_t)k]], &got[k]);
		next += (size_t)good;
		if (next < count)
			facts[where[next++]].unreadable = true;
		g_free(got);
	}
	g_free(todo);
	g_free(todo_text);
	g_free(where);
	return ret;
}

int docworker_inspect(const char *path, struct doc_facts *facts, struct err *err)
{
	return docworker_inspect_many(&path, NULL, 1, facts, err);
}
