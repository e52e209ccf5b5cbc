/* template_spec.h — every template and snippet admitd renders: its name, the variables it may
 * use and which code supplies them, in one table (template_spec.c). template_render() and
 * template_snippet() give a template exactly its spec's variables, and --check-config
 * (letter_check_templates) renders each with exactly those, so what the check accepts is what
 * runs. A caller that does not supply a variable its spec lists is a bug in admitd, reported
 * as ERR_FATAL naming both. */
#ifndef ADMITD_TEMPLATE_SPEC_H
#define ADMITD_TEMPLATE_SPEC_H

#include <stdbool.h>
#include <stddef.h>

#include <glib.h>

#include "err.h"

struct template_spec {
	const char *name; /* templates/NAME.txt, or templates/snippets/NAME.txt */
	bool snippet;
	const char *vars;     /* space-separated names */
	const char *supplier; /* the code that fills them, for the error and the docs */
};

/* The spec of a template or snippet (static), or NULL when admitd renders no such thing. */
const struct template_spec *template_spec_find(const char *name, bool snippet);
/* All specs, for --check-config: *count_r entries. */
const struct template_spec *template_spec_all(size_t *count_r);

/* The spec's variable names, NULL-terminated; free with g_strfreev(). */
char **template_spec_names(const struct template_spec *spec);
/* A new table (char * → char *, values borrowed from `vars`, which may be NULL) holding
 * exactly the spec's variables; free it with g_hash_table_destroy(). ERR_FATAL when `vars`
 * lacks one of them. */
int template_spec_vars(const struct template_spec *spec, GHashTable *vars, GHashTable **out_r,
		       struct err *err);

#endif
