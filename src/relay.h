/* relay.h — what a worker program writes on its stderr, passed into our log: line by line,
 * each made one safe line (untrusted.h) behind the worker's name, at most RELAY_MAX bytes per
 * worker. A pipe, not our own stderr, because the worker may write no file (RLIMIT_FSIZE 0),
 * and our stderr may be one; and because what a parser of hostile input says is the sender's
 * words as much as ours. */
#ifndef ADMITD_RELAY_H
#define ADMITD_RELAY_H

#include <stddef.h>

#include <glib.h>

#define RELAY_MAX (64 * 1024)

struct relay {
	int fd; /* owned, non-blocking; -1 once at its end */
	const char *who;
	size_t bytes;
	GString *line; /* an unfinished line */
};

void relay_init(struct relay *r, int fd, const char *who);

/* Logs what the pipe holds now, without waiting. */
void relay_read(struct relay *r);

/* Logs the rest (the writer has exited) and closes the pipe. */
void relay_finish(struct relay *r);

#endif
