#include "log.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>
#include <syslog.h>

#include <systemd/sd-journal.h>

static const char *log_program = "admitd";
static bool log_journal;

/* systemd sets JOURNAL_STREAM=DEV:INODE for the stream it connects to stderr; it only counts
 * while stderr is still that stream (a test redirecting stderr to a file must get plain lines). */
static bool stderr_is_journal(void)
{
	const char *env = getenv("JOURNAL_STREAM");
	unsigned long long dev, ino;
	struct stat st;

	return env != NULL && sscanf(env, "%llu:%llu", &dev, &ino) == 2 &&
	       fstat(STDERR_FILENO, &st) == 0 && (unsigned long long)st.st_dev == dev &&
	       (unsigned long long)st.st_ino == ino;
}

void log_init(const char *program)
{
	log_program = program;
	log_journal = stderr_is_journal();
}

void log_field(const char *line, const char *key, char *out, size_t len)
{
	size_t klen = strlen(key), n = 0;
	const char *p = line;

	out[0] = '\0';
	while ((p = strstr(p, key)) != NULL) {
		if ((p == line || p[-1] == ' ') && p[klen] == '=')
			break;
		p += klen;
	}
	if (p == NULL)
		return;
	for (p += klen + 1; *p != '\0' && *p != ' ' && n + 1 < len; p++)
		if (*p != '<' && *p != '>')
			out[n++] = *p;
	out[n] = '\0';
}

/* Adds "NAME=value" to the entry when value is not empty. */
static void add_field(struct iovec *iov, int *n, char *buf, size_t len, const char *name,
		      const char *value)
{
	if (value[0] == '\0')
		return;
	snprintf(buf, len, "%s=%s", name, value);
	iov[*n].iov_base = buf;
	iov[(*n)++].iov_len = strlen(buf);
}

static void log_to_journal(int priority, const char *line)
{
	char value[256], fields[6][2304];
	struct iovec iov[6];
	int n = 0;

	add_field(iov, &n, fields[0], sizeof(fields[0]), "MESSAGE", line);
	snprintf(value, sizeof(value), "%d", priority);
	add_field(iov, &n, fields[1], sizeof(fields[1]), "PRIORITY", value);
	add_field(iov, &n, fields[2], sizeof(fields[2]), "SYSLOG_IDENTIFIER", log_program);
	log_field(line, "ref", value, sizeof(value));
	add_field(iov, &n, fields[3], sizeof(fields[3]), "ADMITD_REF", value);
	log_field(line, "batch", value, sizeof(value));
	add_field(iov, &n, fields[4], sizeof(fields[4]), "ADMITD_BATCH", value);
	log_field(line, "message_id", value, sizeof(value));
	add_field(iov, &n, fields[5], sizeof(fields[5]), "ADMITD_MESSAGE_ID", value);
	sd_journal_sendv(iov, n);
}

static void log_line(int priority, const char *level, const char *fmt, va_list ap)
{
	char line[2048];

	vsnprintf(line, sizeof(line), fmt, ap);
	if (log_journal) {
		log_to_journal(priority, line);
		return;
	}
	fprintf(stderr, "%s: %s%s\n", log_program, level, line);
}

void log_info(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_line(LOG_INFO, "", fmt, ap);
	va_end(ap);
}

void log_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_line(LOG_WARNING, "warning: ", fmt, ap);
	va_end(ap);
}

void log_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_line(LOG_ERR, "error: ", fmt, ap);
	va_end(ap);
}
