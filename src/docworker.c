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

/* In the child: shed what it must not have, read, report, and leave without cleanup. */
static void child(const char *path, int out)
{
	struct doc_facts facts;
	int null = open("/dev/null", O_RDWR);
	size_t done = 0;

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
	limit(RLIMIT_CPU, WORKER_CPU_SECONDS);
	limit(RLIMIT_CORE, 0);
	limit(RLIMIT_FSIZE, 0);
	limit(RLIMIT_NOFILE, WORKER_FILES);
	alarm(WORKER_WALL_MS / 1000 + 1);
	docread_file(path, &facts);
	while (done < sizeof(facts)) {
		ssize_t n = write(out, (char *)&facts + done, sizeof(facts) - done);

		if (n <= 0)
			_exit(1);
		done += (size_t)n;
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

int docworker_inspect(const char *path, struct doc_facts *facts, struct err *err)
{
	struct doc_facts report;
	enum doc_format sniffed;
	int fds[2], status = 0;
	size_t got;
	pid_t pid;

	memset(facts, 0, sizeof(*facts));
	facts->pages = -1;
	sniff_in_parent(path, facts);
	sniffed = facts->format;
	/* Only the formats we parse need a worker; the others are known from their first bytes. */
	if (sniffed != FORMAT_PDF && sniffed != FORMAT_DOCX)
		return 0;
	docread_warm_up();
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
		child(path, fds[1]);
	}
	close(fds[1]);
	got = read_report(fds[0], &report);
	close(fds[0]);
	/* A complete report is all we need; the child may still be exiting. Anything else (a
	 * hang, a crash, a limit) ends here. */
	kill(pid, SIGKILL);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (got == sizeof(report)) {
		*facts = report;
		facts->text[sizeof(facts->text) - 1] = '\0';
		/* The report comes from a process that parsed hostile input: check it. */
		if (facts->format > FORMAT_CALENDAR || facts->pages < -1 || facts->pages > 100000)
			facts->format = sniffed, facts->pages = -1, facts->unreadable = true;
		if (!g_utf8_validate(facts->text, -1, NULL))
			facts->text[0] = '\0';
	} else {
		facts->unreadable = true;
	}
	return 0;
}
