/* dossier_cover.h — the first pages of a dossier (dossier.h): a heading and a table of the
 * part's applications (reference, name and email, received, the pages of the letter and the
 * CV, problems), then a line for each document attached beside the dossier instead of in it.
 * Drawn here in admitd with cairo's PDF surface and pango, which lays out names in any script
 * the installed fonts cover; no document is read. Every word of ours comes from
 * templates/snippets/dossier-*.txt. */
#ifndef ADMITD_DOSSIER_COVER_H
#define ADMITD_DOSSIER_COVER_H

#include <glib.h>

#include "config.h"
#include "err.h"

/* The cover of `apps` (struct app_row *). vars: the part's variables (digest_vars_new);
 * separate: the documents (struct doc_row *, as keys) attached as they came. *pdf_r is owned.
 * Errors: ERR_CONFIG from a snippet, ERR_TEMP when cairo fails. */
int dossier_cover_draw(const struct config *cfg, GHashTable *vars, GPtrArray *apps,
		       GHashTable *separate, GByteArray **pdf_r, struct err *err);

/* snippets/dossier-letter or dossier-cv: what the dossier calls a document of `kind`. Owned. */
int dossier_document_name(const struct config *cfg, const char *kind, char **name_r,
			  struct err *err);

#endif
