#include "docread_filter.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include <seccomp.h>

/* Seen under strace on poppler, qpdf, libzip and libxml2 reading our hostile fixtures, plus
 * what glibc's malloc, abort() and the sanitizer runtimes use. */
static const int allowed[] = {
	SCMP_SYS(read),		  SCMP_SYS(pread64),	   SCMP_SYS(readv),
	SCMP_SYS(lseek),	  SCMP_SYS(fstat),	   SCMP_SYS(newfstatat),
	SCMP_SYS(statx),	  SCMP_SYS(close),	   SCMP_SYS(mmap),
	SCMP_SYS(munmap),	  SCMP_SYS(mremap),	   SCMP_SYS(mprotect),
	SCMP_SYS(madvise),	  SCMP_SYS(brk),	   SCMP_SYS(futex),
	SCMP_SYS(getrandom),	  SCMP_SYS(clock_gettime), SCMP_SYS(clock_nanosleep),
	SCMP_SYS(nanosleep),	  SCMP_SYS(alarm),	   SCMP_SYS(rt_sigaction),
	SCMP_SYS(rt_sigprocmask), SCMP_SYS(rt_sigreturn),  SCMP_SYS(sigaltstack),
	SCMP_SYS(getpid),	  SCMP_SYS(gettid),	   SCMP_SYS(sched_yield),
	SCMP_SYS(exit),		  SCMP_SYS(exit_group),
};

/* Argument `arg` equals `value`. Spelled out: the SCMP_A0() macros leave datum_b to the
 * compiler, which clang's -Wmissing-field-initializers refuses. */
static struct scmp_arg_cmp arg_is(unsigned arg, scmp_datum_t value)
{
	struct scmp_arg_cmp cmp = { .arg = arg, .op = SCMP_CMP_EQ, .datum_a = value, .datum_b = 0 };

	return cmp;
}

/* The call allowed when its argument `arg` is `value`. */
static int allow_if(scmp_filter_ctx ctx, int call, unsigned arg, scmp_datum_t value)
{
	struct scmp_arg_cmp cmp = arg_is(arg, value);

	return seccomp_rule_add_array(ctx, SCMP_ACT_ALLOW, call, 1, &cmp);
}

/* Signals only to itself: abort() raises SIGABRT with tgkill(getpid(), gettid(), …). */
static int allow_self_signals(scmp_filter_ctx ctx)
{
	pid_t self = getpid();
	struct scmp_arg_cmp cmp[2] = { arg_is(0, (scmp_datum_t)self),
				       arg_is(1, (scmp_datum_t)self) };

	return seccomp_rule_add_array(ctx, SCMP_ACT_ALLOW, SCMP_SYS(tgkill), 2, cmp);
}

/* Writes only to the report (stdout) and the log (stderr); the documents are read-only. */
static int allow_report_writes(scmp_filter_ctx ctx)
{
	for (int fd = STDOUT_FILENO; fd <= STDERR_FILENO; fd++) {
		int rc = allow_if(ctx, SCMP_SYS(write), 0, (scmp_datum_t)fd);

		if (rc == 0)
			rc = allow_if(ctx, SCMP_SYS(writev), 0, (scmp_datum_t)fd);
		if (rc < 0)
			return rc;
	}
	return 0;
}

/* Opening by name fails softly, and so does asking whether stderr is a terminal (the
 * sanitizers' reports do); fcntl only reads descriptor flags. */
static int refuse_opens(scmp_filter_ctx ctx)
{
	static const int opens[] = { SCMP_SYS(open), SCMP_SYS(openat), SCMP_SYS(openat2) };
	int rc = 0;

	for (size_t i = 0; rc == 0 && i < sizeof(opens) / sizeof(opens[0]); i++)
		rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EACCES), opens[i], 0);
	if (rc == 0)
		rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOTTY), SCMP_SYS(ioctl), 0);
	if (rc == 0)
		rc = allow_if(ctx, SCMP_SYS(fcntl), 1, (scmp_datum_t)F_GETFL);
	if (rc == 0)
		rc = allow_if(ctx, SCMP_SYS(fcntl), 1, (scmp_datum_t)F_GETFD);
	return rc;
}

static int add_rules(scmp_filter_ctx ctx)
{
	int rc = 0;

	for (size_t i = 0; rc == 0 && i < sizeof(allowed) / sizeof(allowed[0]); i++)
		rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, allowed[i], 0);
	if (rc == 0)
		rc = allow_self_signals(ctx);
	if (rc == 0)
		rc = allow_report_writes(ctx);
	if (rc == 0)
		rc = refuse_opens(ctx);
	return rc;
}

int docread_filter_install(struct err *err)
{
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_KILL_PROCESS);
	int rc;

	/* Without seccomp(2) (a unit's SystemCallFilter may deny it) libseccomp cannot tell
	 * whether the kernel kills whole processes; killing the thread kills this one too. */
	if (ctx == NULL)
		ctx = seccomp_init(SCMP_ACT_KILL);
	if (ctx == NULL)
		return err_set(err, ERR_FATAL, "seccomp: cannot start a filter");
	rc = add_rules(ctx);
	if (rc == 0)
		rc = seccomp_load(ctx);
	seccomp_release(ctx);
	if (rc < 0)
		return err_set(err, ERR_FATAL, "seccomp: %s", strerror(-rc));
	return 0;
}
