#define _GNU_SOURCE /* pipe2, F_SETPIPE_SZ */
#include "docworker.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <spawn.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <glib.h>

#include "log.h"
#include "notify.h"
#include "relay.h"

static gint64 now_ms(void)
{
	return g_get_monotonic_time() / 1000;
}

/* A child at work on docs[0..n), reporting on fd. */
struct child {
	pid_t pid;
	int fd;
	struct relay log; /* its stderr */
	bool exiting;	  /* its report ended early: it crashed or a limit killed it */
};

/* Reads the child's report until complete, EOF or the deadline, and logs what it says on its
 * stderr meanwhile. The watchdog hears from us every second: a slow document must not look
 * like a hung daemon. */
static size_t read_report(struct child *c, struct doc_facts *facts, gint64 deadline)
{
	size_t got = 0;

	while (got < sizeof(*facts)) {
		struct pollfd p[2] = { { c->fd, POLLIN, 0 }, { c->log.fd, POLLIN, 0 } };
		gint64 left = deadline - now_ms();
		ssize_t n;
		int ready;

		notify_alive();
		if (left <= 0)
			break;
		ready = poll(p, 2, (int)MIN(left, 1000));
		if (ready > 0 && p[1].revents != 0)
			relay_read(&c->log);
		if (ready > 0 && p[0].revents == 0)
			continue;
		if (ready == 0 || (ready < 0 && errno == EINTR))
			continue;
		if (ready < 0)
			break;
		n = read(c->fd, (char *)facts + got, sizeof(*facts) - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	return got;
}

static void sniff_in_parent(const struct doc_ref *doc, struct doc_facts *facts)
{
	unsigned char head[1024];
	size_t want = doc->size >= 0 ? (size_t)MIN(doc->size, (gint64)sizeof(head)) : sizeof(head);
	int fd = open(doc->path, O_RDONLY | O_CLOEXEC);
	ssize_t n = fd >= 0 ? pread(fd, head, want, (off_t)doc->offset) : -1;

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

/* The worker program: $ADMITD_DOCREAD (the tests), next to our own program (a build tree), or
 * where the package installs it. */
static char *find_program(void)
{
	const char *env = getenv("ADMITD_DOCREAD");
	char *self, *dir, *beside;

	if (env != NULL && *env != '\0')
		return g_strdup(env);
	if ((self = g_file_read_link("/proc/self/exe", NULL)) == NULL)
		return g_strdup(ADMITD_DOCREAD_PATH);
	dir = g_path_get_dirname(self);
	beside = g_build_filename(dir, "admitd-docread", NULL);
	g_free(dir);
	g_free(self);
	if (g_file_test(beside, G_FILE_TEST_IS_EXECUTABLE))
		return beside;
	g_free(beside);
	return g_strdup(ADMITD_DOCREAD_PATH);
}

/* Found once: it does not move while we run. */
static const char *program(void)
{
	static char *found;

	if (found == NULL)
		found = find_program();
	return found;
}

/* The worker's whole environment: what the sanitizers and the test hooks read, nothing else. */
static char **worker_env(void)
{
	static const char *const keep[] = { "ASAN_OPTIONS",	      "UBSAN_OPTIONS",
					    "LSAN_OPTIONS",	      "ADMITD_TEST_PAUSE",
					    "ADMITD_TEST_PAUSE_FILE", "ADMITD_TEST_FAULT" };
	GPtrArray *env = g_ptr_array_new();

	for (size_t i = 0; i < G_N_ELEMENTS(keep); i++)
		if (g_getenv(keep[i]) != NULL)
			g_ptr_array_add(env, g_strconcat(keep[i], "=", g_getenv(keep[i]), NULL));
	g_ptr_array_add(env, NULL);
	return (char **)g_ptr_array_free(env, FALSE);
}

/* The request list for docs[0..n), and the files it names (owned paths, opened read-only). */
static GByteArray *requests(const struct doc_ref *docs, const bool *want_text, size_t n,
			    GPtrArray *paths)
{
	GByteArray *out = g_byte_array_new();
	struct docworker_header head = { 0, (uint32_t)n };

	g_byte_array_append(out, (const guint8 *)&head, sizeof(head));
	for (size_t i = 0; i < n; i++) {
		struct docworker_request r = { 0, want_text == NULL || want_text[i], docs[i].offset,
					       docs[i].size };
		guint k = 0;

		while (k < paths->len && strcmp(g_ptr_array_index(paths, k), docs[i].path) != 0)
			k++;
		if (k == paths->len)
			g_ptr_array_add(paths, g_strdup(docs[i].path));
		r.file = k;
		g_byte_array_append(out, (const guint8 *)&r, sizeof(r));
	}
	((struct docworker_header *)(void *)out->data)->files = paths->len;
	return out;
}

/* Starts the worker program on docs[0..n), with the files as its descriptors from 3 and
 * nothing else open; its stderr is a pipe to our log. A file that cannot be opened is /dev/null to it: its
 * documents come back unreadable. -1 without a child. */
static int spawn_child(const struct doc_ref *docs, const bool *want_text, size_t n, struct child *c,
		       struct err *err)
{
	GPtrArray *paths = g_ptr_array_new_with_free_func(g_free);
	GByteArray *req = requests(docs, want_text, n, paths);
	int in[2] = { -1, -1 }, out[2] = { -1, -1 }, errs[2] = { -1, -1 }, ret = -1;
	int *fds = g_new(int, paths->len + 1);
	const char *prog = program();
	char **env = worker_env();
	char *argv[] = { (char *)prog, NULL };
	posix_spawn_file_actions_t fa;

	/* A worker that dies before reading its list must not take us with it. */
	signal(SIGPIPE, SIG_IGN);
	for (guint k = 0; k < paths->len; k++) {
		fds[k] = open(g_ptr_array_index(paths, k), O_RDONLY | O_CLOEXEC);
		if (fds[k] < 0)
			fds[k] = open("/dev/null", O_RDONLY | O_CLOEXEC);
	}
	if (pipe2(in, O_CLOEXEC) < 0 || pipe2(out, O_CLOEXEC) < 0 || pipe2(errs, O_CLOEXEC) < 0) {
		err_set(err, ERR_TEMP, "document worker: pipe: %s", strerror(errno));
		goto out;
	}
	/* Room for every report, so the worker finishes while the daemon does other work. */
	fcntl(out[1], F_SETPIPE_SZ, (int)MIN(n * sizeof(struct doc_facts) + 4096, 1024 * 1024));
	fcntl(in[1], F_SETPIPE_SZ, (int)MIN(req->len + 4096, 1024 * 1024));
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, in[0], STDIN_FILENO);
	posix_spawn_file_actions_adddup2(&fa, out[1], STDOUT_FILENO);
	posix_spawn_file_actions_adddup2(&fa, errs[1], STDERR_FILENO);
	for (guint k = 0; k < paths->len; k++)
		posix_spawn_file_actions_adddup2(&fa, fds[k], DOCWORKER_FIRST_FD + (int)k);
	posix_spawn_file_actions_addclosefrom_np(&fa, DOCWORKER_FIRST_FD + (int)paths->len);
	errno = posix_spawn(&c->pid, prog, &fa, NULL, argv, env);
	posix_spawn_file_actions_destroy(&fa);
	if (errno != 0) {
		err_set(err, ERR_TEMP, "document worker %s: %s", prog, strerror(errno));
		goto out;
	}
	/* The request list is small and the worker reads it first: this write does not wait.
	 * Should it fall short, the worker sees a short list and leaves, and its documents come
	 * back unreadable like those of any worker that died. */
	if (write(in[1], req->data, req->len) < 0)
		g_debug("document worker: list not sent: %s", strerror(errno));
	c->fd = out[0];
	out[0] = -1;
	relay_init(&c->log, errs[0], "admitd-docread");
	errs[0] = -1;
	c->exiting = false;
	ret = 0;
out:
	for (int k = 0; k < 2; k++) {
		if (in[k] >= 0)
			close(in[k]);
		if (out[k] >= 0)
			close(out[k]);
		if (errs[k] >= 0)
			close(errs[k]);
	}
	for (guint k = 0; k < paths->len; k++)
		close(fds[k]);
	g_free(fds);
	g_strfreev(env);
	g_byte_array_free(req, TRUE);
	g_ptr_array_free(paths, TRUE);
	return ret;
}

/* A worker that died of anything but its time limits tells the log which signal: SIGSYS is
 * its filter (docread_filter.h), and a library update that needs a new system call would
 * make every document unreadable; the sysadmin must see that. */
static void log_death(int status)
{
	int sig = WTERMSIG(status);

	if (sig == SIGSYS)
		log_warn("document worker killed for a system call outside its filter (SIGSYS)");
	else
		log_warn("document worker died of signal %d (%s)", sig, strsignal(sig));
}

/* Stops the child; whether it had already died of its own time limits (the CPU limit's
 * SIGXCPU, the per-document alarm). */
static bool stop_child(struct child *c)
{
	int status = 0;
	pid_t done;

	close(c->fd);
	/* Its report ended because it is exiting: give it 100 ms to be done, so we know why. */
	for (int i = 0; i < 50; i++) {
		while ((done = waitpid(c->pid, &status, WNOHANG)) < 0 && errno == EINTR)
			;
		if (done != 0 || !c->exiting)
			break;
		relay_read(&c->log); /* its last words must not block its exit */
		g_usleep(2000);
	}
	if (done != c->pid) {
		kill(c->pid, SIGKILL);
		while (waitpid(c->pid, &status, 0) < 0 && errno == EINTR)
			;
		status = 0;
	}
	relay_finish(&c->log);
	if (WIFSIGNALED(status) && (WTERMSIG(status) == SIGXCPU || WTERMSIG(status) == SIGALRM))
		return true;
	if (WIFSIGNALED(status))
		log_death(status);
	return false;
}

struct docworker_job {
	struct doc_facts *facts; /* borrowed: the caller's, one per document */
	struct doc_ref *todo;	 /* the documents a child must read (PDF, DOCX); paths borrowed */
	bool *todo_text;
	size_t *where; /* todo[k] is docs[where[k]] */
	size_t count;
	bool running; /* a child is at work on all of todo */
	struct child first;
	gint64 *message_left; /* milliseconds of each message's budget still unspent */
};

/* DOCWORKER_MESSAGE_MS for each message the documents belong to. */
static gint64 *budgets(const struct doc_ref *docs, size_t n)
{
	unsigned top = 0;
	gint64 *left;

	for (size_t i = 0; i < n; i++)
		top = MAX(top, docs[i].message);
	left = g_new(gint64, (gsize)top + 1);
	for (unsigned m = 0; m <= top; m++)
		left[m] = DOCWORKER_MESSAGE_MS;
	return left;
}

/* Takes the child's raw reports of todo[next..next+n) into reports[]: how many came back
 * whole. A crash, a hang or a limit stops it at the first missing one; *slow_r says whether
 * that one ran out of time (its own budget or its message's). */
static size_t collect_child(struct docworker_job *job, struct child *c, size_t next, size_t n,
			    struct doc_facts *reports, bool *slow_r)
{
	size_t good = 0;

	*slow_r = false;
	for (; good < n; good++) {
		gint64 *left = &job->message_left[job->todo[next + good].message];
		gint64 start = now_ms(), deadline = start + MIN(DOCWORKER_DOCUMENT_MS, *left);
		struct doc_facts report;
		size_t got = *left > 0 ? read_report(c, &report, deadline) : 0;

		*left -= now_ms() - start;
		if (got != sizeof(report)) {
			*slow_r = now_ms() >= deadline;
			c->exiting = !*slow_r;
			break;
		}
		reports[good] = report;
	}
	/* All reports are all we need; the child may still be exiting. Anything else (a hang, a
	 * crash, a limit) ends here. A child that the end of its report found dead of a time
	 * limit was too slow as well. */
	if (stop_child(c) && good < n)
		*slow_r = true;
	return good;
}

struct docworker_job *docworker_start(const struct doc_ref *docs, const bool *want_text, size_t n,
				      struct doc_facts *facts, struct err *err)
{
	struct docworker_job *job = g_new0(struct docworker_job, 1);

	job->facts = facts;
	job->todo = g_new0(struct doc_ref, n + 1);
	job->todo_text = g_new0(bool, n + 1);
	job->where = g_new0(size_t, n + 1);
	job->message_left = budgets(docs, n);
	for (size_t i = 0; i < n; i++) {
		memset(&facts[i], 0, sizeof(facts[i]));
		facts[i].pages = -1;
		sniff_in_parent(&docs[i], &facts[i]);
		/* Only the formats we parse need a worker; the others are known by their start. */
		if (!facts[i].unreadable &&
		    (facts[i].format == FORMAT_PDF || facts[i].format == FORMAT_DOCX)) {
			job->todo[job->count] = docs[i];
			job->todo_text[job->count] = want_text == NULL || want_text[i];
			job->where[job->count++] = i;
		}
	}
	if (job->count == 0)
		return job;
	if (spawn_child(job->todo, job->todo_text, job->count, &job->first, err) < 0) {
		docworker_job_free(&job);
		return NULL;
	}
	job->running = true;
	return job;
}

static void mark_unreadable(struct docworker_job *job, size_t k, bool slow)
{
	struct doc_facts *f = &job->facts[job->where[k]];

	f->unreadable = true;
	f->too_slow = slow;
}

/* Accepts the reports of todo[next..next+good) and, when a child stopped short, marks the one
 * that stopped it unreadable, and those after it whose message has spent its budget. Returns
 * where the next child starts. */
static size_t take_reports(struct docworker_job *job, size_t next, const struct doc_facts *got,
			   size_t good, bool slow)
{
	for (size_t k = 0; k < good; k++)
		accept_report(&job->facts[job->where[next + k]], &got[k]);
	next += good;
	if (next < job->count)
		mark_unreadable(job, next++, slow);
	while (next < job->count && job->message_left[job->todo[next].message] <= 0)
		mark_unreadable(job, next++, true);
	return next;
}

int docworker_finish(struct docworker_job **jobp, struct err *err)
{
	struct docworker_job *job = *jobp;
	size_t next = 0;
	int ret = 0;

	if (job->running) {
		struct doc_facts *got = g_new0(struct doc_facts, job->count);
		size_t good;
		bool slow;

		job->running = false;
		good = collect_child(job, &job->first, 0, job->count, got, &slow);
		next = take_reports(job, 0, got, good, slow);
		g_free(got);
	}
	/* When a document killed the child, a fresh one takes the rest. */
	while (ret == 0 && next < job->count) {
		size_t left = job->count - next;
		struct doc_facts *got = g_new0(struct doc_facts, left);
		struct child c;
		bool slow;

		if (spawn_child(job->todo + next, job->todo_text + next, left, &c, err) < 0) {
			ret = -1;
		} else {
			size_t good = collect_child(job, &c, next, left, got, &slow);

			next = take_reports(job, next, got, good, slow);
		}
		g_free(got);
	}
	docworker_job_free(jobp);
	return ret;
}

void docworker_job_free(struct docworker_job **jobp)
{
	struct docworker_job *job = *jobp;

	if (job == NULL)
		return;
	if (job->running)
		stop_child(&job->first);
	g_free(job->todo);
	g_free(job->todo_text);
	g_free(job->where);
	g_free(job->message_left);
	g_free(job);
	*jobp = NULL;
}

int docworker_inspect_many(const struct doc_ref *docs, const bool *want_text, size_t n,
			   struct doc_facts *facts, struct err *err)
{
	struct docworker_job *job = docworker_start(docs, want_text, n, facts, err);

	return job == NULL ? -1 : docworker_finish(&job, err);
}

int docworker_inspect(const struct doc_ref *doc, struct doc_facts *facts, struct err *err)
{
	return docworker_inspect_many(doc, NULL, 1, facts, err);
}
