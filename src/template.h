/* template.h — the texts applicants and the commission read, from templates/NAME.txt.
 *
 * A template starts with a "Subject: ..." line, then an empty line, then the body. {{name}}
 * is replaced by the variable `name`; an unknown variable is an error naming file and line,
 * so a typo in a template never reaches an applicant. */
#ifndef ADMITD_TEMPLATE_H
#define ADMITD_TEMPLATE_H

#include <glib.h>

#include "err.h"

/* SEARCH is a list of folders separated by ':' (config's templates.search: the local folder
 * first, whose files override the shipped ones one by one). */

/* Renders SEARCH/NAME.txt with the variables its spec (template_spec.h) allows, taken from vars
 * (char * → char *, borrowed; others are ignored). *subject_r and *body_r belong to the caller.
 * Errors: ERR_CONFIG (missing file, not UTF-8, bad template, a variable outside the spec);
 * ERR_FATAL when NAME has no spec or vars lacks one of its variables (a bug in admitd). */
int template_render(const char *search, const char *name, GHashTable *vars, char **subject_r,
		    char **body_r, struct err *err);

/* The same, from text already read and with no spec: every variable of `vars` may be used.
 * `file` only names the source in errors. */
int template_render_text(const char *file, const char *text, GHashTable *vars, char **subject_r,
			 char **body_r, struct err *err);

/* SEARCH/snippets/NAME.txt rendered like template_render(), without its trailing newline: the
 * short pieces that templates list (what is missing, a row of the digest, a line of a
 * transcript). *text_r belongs to the caller. */
int template_snippet(const char *search, const char *name, GHashTable *vars, char **text_r,
		     struct err *err);

/* template_snippet(), appended to `out` on a new line (no newline before the first). */
int template_snippet_append(const char *search, const char *name, GHashTable *vars, GString *out,
			    struct err *err);

/* One SEARCH/snippets/NAME.txt per element of rows, one per line: vars_of makes each row's
 * variables (a new table, destroyed here). *text_r belongs to the caller. */
typedef GHashTable *template_row_vars_fn(const void *row, const void *ctx);
int template_snippet_rows(const char *search, const char *name, GPtrArray *rows,
			  template_row_vars_fn *vars_of, const void *ctx, char **text_r,
			  struct err *err);

#endif
