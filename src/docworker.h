/* docworker.h — untrusted documents are read by a separate program, admitd-docread, started
 * with nothing but its documents (see that file for its limits: 256 MB, CPU, no files, no
 * new privileges). A crash, a hang or a limit hit marks the document unreadable; the daemon
 * goes on.
 *
 * Time budgets protect the cycle, counted in wall time while the daemon waits: a document gets
 * DOCWORKER_DOCUMENT_MS, the documents of one message (doc_ref.message) DOCWORKER_MESSAGE_MS
 * together; a document over its budget, and those after it in a message that has spent its
 * own, are unreadable and too_slow. The watchdog is pinged every second meanwhile. */
#ifndef ADMITD_DOCWORKER_H
#define ADMITD_DOCWORKER_H

#include <stdint.h>

#include "docread.h"
#include "docworker_proc.h"
#include "err.h"

#define DOCWORKER_DOCUMENT_MS 10000
#define DOCWORKER_MESSAGE_MS  30000

/* What admitd tells admitd-docread on its stdin: a header, then one request per document.
 * The files are the worker's descriptors from DOCWORKER_FIRST_FD on. */
#define DOCWORKER_DOCS_MAX 100000
struct docworker_header {
	uint32_t files, docs;
};
struct docworker_request {
	uint32_t file; /* DOCWORKER_FIRST_FD + file holds it */
	uint32_t want_text;
	int64_t offset, size; /* size < 0: to the end of the file */
};

/* Fills *facts for the document. The format is sniffed in the parent too, so it is known
 * even when the worker dies. Errors (ERR_TEMP) only when no child can be started. */
int docworker_inspect(const struct doc_ref *doc, struct doc_facts *facts, struct err *err);

/* The same for several documents at once, in one worker (one start for many documents); a
 * document that crashes or hangs its worker is unreadable, and a new worker reads the rest.
 * want_text[i] false: the text of docs[i] is not needed (docread_fd); NULL: all are. */
int docworker_inspect_many(const struct doc_ref *docs, const bool *want_text, size_t n,
			   struct doc_facts *facts, struct err *err);

/* The same in two steps, so the daemon works on while the child reads: docworker_start sniffs
 * each document and starts a child (facts and the paths must stay valid, and the files in
 * place, until docworker_finish, which waits for the reports). NULL from start when no child
 * can be started. docworker_job_free drops a job unfinished (its child is stopped). */
struct docworker_job;
struct docworker_job *docworker_start(const struct doc_ref *docs, const bool *want_text, size_t n,
				      struct doc_facts *facts, struct err *err);
int docworker_finish(struct docworker_job **jobp, struct err *err);
void docworker_job_free(struct docworker_job **jobp);

#endif
