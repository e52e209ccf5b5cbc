#include "relay.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include "log.h"
#include "untrusted.h"

#define RELAY_LINE_MAX 300

void relay_init(struct relay *r, int fd, const char *who)
{
	r->fd = fd;
	r->who = who;
	r->bytes = 0;
	r->line = g_string_new(NULL);
	if (fd >= 0)
		fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
}

static void emit(struct relay *r)
{
	char *safe = untrusted_line(r->line->str, RELAY_LINE_MAX);

	if (*safe != '\0')
		log_warn("%s: %s", r->who, safe);
	g_free(safe);
	g_string_truncate(r->line, 0);
}

static void take(struct relay *r, const char *buf, size_t n)
{
	for (size_t i = 0; i < n && r->bytes < RELAY_MAX; i++) {
		if (buf[i] == '\n')
			emit(r);
		else
			g_string_append_c(r->line, buf[i]);
		if (++r->bytes == RELAY_MAX) {
			emit(r);
			log_warn("%s: more output, not logged (over %d bytes)", r->who, RELAY_MAX);
		}
	}
}

void relay_read(struct relay *r)
{
	char buf[4096];
	ssize_t n;

	while (r->fd >= 0) {
		n = read(r->fd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return; /* EAGAIN: nothing more for now */
		if (n == 0) {
			close(r->fd);
			r->fd = -1;
			break;
		}
		take(r, buf, (size_t)n);
	}
}

void relay_finish(struct relay *r)
{
	if (r->line == NULL)
		return;
	relay_read(r);
	if (r->fd >= 0)
		close(r->fd);
	r->fd = -1;
	if (r->line->len > 0)
		emit(r);
	g_string_free(r->line, TRUE);
	r->line = NULL;
}
