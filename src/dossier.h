/* dossier.h — the one PDF a digest part carries when commission.dossier is on: a cover with
 * the part's table (dossier_cover.h), then each applicant's letter and CV, every page stamped
 * with the reference, the name and "letter 1/1", and a bookmark per applicant and per document
 * (dossier_merge.h, in the document worker). Documents that are not PDF, unreadable, or longer
 * than DOSSIER_DOC_PAGES_MAX pages go beside it as they came, and the cover names them. */
#ifndef ADMITD_DOSSIER_H
#define ADMITD_DOSSIER_H

#include <glib.h>

#include "config.h"
#include "err.h"

/* The worker's wall-time budget for one dossier. */
#define DOSSIER_WORKER_MS 60000

struct dossier {
	/* The PDF, in a memory file (memfd): it is attached from there, read as it is encoded,
	 * so a part's ~10 MB dossier is never one more copy on our heap. */
	int fd;	    /* owned; -1: none */
	char *path; /* "/proc/self/fd/N", to open it again (owned) */
	gint64 size;
	int pages;
	/* The documents attached beside it: struct doc_row * (borrowed from the applications)
	 * → the name it is attached under, "REF-kind.ext" (owned). */
	GHashTable *separate;
};

/* The dossier of `apps` (struct app_row *; their "other" documents are never sent). vars: the
 * part's variables (digest_vars_new), for the cover's heading. Fills *d (free with
 * dossier_clear). Errors: ERR_CONFIG from a snippet, ERR_TEMP when the worker could not make
 * it (the caller then sends the documents as separate files). */
int dossier_build(const struct config *cfg, GHashTable *vars, GPtrArray *apps, struct dossier *d,
		  struct err *err);
void dossier_clear(struct dossier *d);

/* Writes the dossier to `path` (a temporary file beside it, synced, then renamed). */
int dossier_save(const struct dossier *d, const char *path, struct err *err);

/* "REF-letter.pdf": the name a document of an application is sent under. Owned. */
char *dossier_attachment_name(const char *ref, const char *kind, const char *filename);

/* "batch-3-dossier.pdf", "batch-3-part-2-dossier.pdf". Owned. */
char *dossier_filename(gint64 batch, int part, int parts);

#endif
