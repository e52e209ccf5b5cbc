#define _GNU_SOURCE /* pipe2, F_SETPIPE_SZ */
#include "docworker_proc.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fdio.h"
#include "log.h"
#include "notify.h"

gint64 docworker_now_ms(void)
{
	return g_get_monotonic_time() / 1000;
}

size_t docworker_read(struct docworker_child *c, void *buf, size_t len, gint64 deadline)
{
	size_t got = 0;

	while (got < len) {
		struct pollfd p[2] = { { c->fd, POLLIN, 0 }, { c->log.fd, POLLIN, 0 } };
		gint64 left = deadline - docworker_now_ms();
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
		n = read(c->fd, (char *)buf + got, len - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	return got;
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

int docworker_spawn(const char *mode, GPtrArray *paths, const void *req, size_t req_len,
		    size_t out_room, struct docworker_child *c, struct err *err)
{
	int in[2] = { -1, -1 }, out[2] = { -1, -1 }, errs[2] = { -1, -1 }, ret = -1;
	int *fds = g_new(int, paths->len + 1);
	const char *prog = program();
	char **env = worker_env();
	char *argv[] = { (char *)prog, (char *)mode, NULL };
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
	fcntl(out[1], F_SETPIPE_SZ, (int)MIN(out_room, 1024 * 1024));
	fcntl(in[1], F_SETPIPE_SZ, (int)MIN(req_len + 4096, 1024 * 1024));
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
	/* The worker reads its request whole before anything else: this write waits for it at
	 * most. Should it fall short, the worker sees a short request and leaves, and its
	 * documents come back unreadable like those of any worker that died. */
	if (fdio_write_all(in[1], req, req_len) < 0)
		g_debug("document worker: request not sent: %s", strerror(errno));
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
bool docworker_stop(struct docworker_child *c)
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
