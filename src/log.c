#include "log.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

static const char *log_program = "admitd";
static bool log_journal;

void log_init(const char *program)
{
	log_program = program;
	/* systemd sets JOURNAL_STREAM when stderr is connected to the journal. */
	log_journal = getenv("JOURNAL_STREAM") != NULL;
}

static void log_line(const char *journal_prefix, const char *level, const char *fmt, va_list ap)
{
	if (log_journal)
		fputs(journal_prefix, stderr);
	else
		fprintf(stderr, "%s: %s", log_program, level);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void log_info(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_line("<6>", "", fmt, ap);
	va_end(ap);
}

void log_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_line("<4>", "warning: ", fmt, ap);
	va_end(ap);
}

void log_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_line("<3>", "error: ", fmt, ap);
	va_end(ap);
}
