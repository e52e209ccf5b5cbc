/* docworker_proc.h — the document worker's process (admitd-docread), for docworker.c (what
 * documents are) and dossier.c (a digest part's dossier): start it, read its report, stop it. */
#ifndef ADMITD_DOCWORKER_PROC_H
#define ADMITD_DOCWORKER_PROC_H

#include <stdbool.h>
#include <sys/types.h>

#include <glib.h>

#include "err.h"
#include "relay.h"

/* The worker's address space (its RLIMIT_AS). */
#define DOCWORKER_MEMORY (256UL * 1024 * 1024)
/* The files it reads are its descriptors from this one on. */
#define DOCWORKER_FIRST_FD 3

/* A worker at work, reporting on fd. */
struct docworker_child {
	pid_t pid;
	int fd;
	struct relay log; /* its stderr */
	bool exiting;	  /* its report ended early: it crashed or a limit killed it */
};

gint64 docworker_now_ms(void);

/* Starts admitd-docread (with `mode` as its one argument, or none when NULL), the files of
 * `paths` as its descriptors from DOCWORKER_FIRST_FD and nothing else open, and sends it
 * `req`. Its stderr is a pipe to our log; out_room is what its report needs of the stdout pipe.
 * A file that cannot be opened is /dev/null to it. -1 (ERR_TEMP) without a child. */
int docworker_spawn(const char *mode, GPtrArray *paths, const void *req, size_t req_len,
		    size_t out_room, struct docworker_child *c, struct err *err);

/* Reads len bytes of its report, until complete, end of file or the deadline (monotonic
 * milliseconds), and logs what it says on its stderr meanwhile. The watchdog hears from us
 * every second: a slow document must not look like a hung daemon. How many bytes came. */
size_t docworker_read(struct docworker_child *c, void *buf, size_t len, gint64 deadline);

/* Stops the child; whether it had already died of its own time limits (the CPU limit's
 * SIGXCPU, the per-document alarm). */
bool docworker_stop(struct docworker_child *c);

#endif
