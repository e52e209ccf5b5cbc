#include "template.h"

#include <string.h>

#include "template_spec.h"

static int line_of(const char *text, const char *at)
{
	int line = 1;

	for (const char *p = text; p < at; p++)
		line += *p == '\n';
	return line;
}

/* Appends `from` with every {{name}} replaced; `base` is the whole text, for line numbers. */
static int substitute(const char *file, const char *base, const char *from, GHashTable *vars,
		      GString *out, struct err *err)
{
	const char *p = from, *open;

	while ((open = strstr(p, "{{")) != NULL) {
		const char *close = strstr(open + 2, "}}");
		char *name;
		const char *value;

		if (close == NULL)
			return err_set(err, ERR_CONFIG, "%s:%d: \"{{\" without \"}}\"", file,
				       line_of(base, open));
		g_string_append_len(out, p, open - p);
		name = g_strstrip(g_strndup(open + 2, (gsize)(close - open - 2)));
		value = vars ? g_hash_table_lookup(vars, name) : NULL;
		if (value == NULL) {
			err_set(err, ERR_CONFIG, "%s:%d: unknown variable {{%s}}", file,
				line_of(base, open), name);
			g_free(name);
			return -1;
		}
		g_string_append(out, value);
		g_free(name);
		p = close + 2;
	}
	g_string_append(out, p);
	return 0;
}

int template_render_text(const char *file, const char *text, GHashTable *vars, char **subject_r,
			 char **body_r, struct err *err)
{
	const char *eol, *body;
	GString *subject, *out;
	char *subject_line;

	if (!g_str_has_prefix(text, "Subject:") || (eol = strchr(text, '\n')) == NULL)
		return err_set(err, ERR_CONFIG, "%s:1: the first line must be \"Subject: ...\"",
			       file);
	body = eol + 1;
	if (*body != '\n' && !(body[0] == '\r' && body[1] == '\n'))
		return err_set(err, ERR_CONFIG, "%s:2: an empty line must follow the subject",
			       file);
	body += *body == '\r' ? 2 : 1;
	subject_line = g_strstrip(g_strndup(text + 8, (gsize)(eol - text - 8)));
	subject = g_string_new(NULL);
	out = g_string_new(NULL);
	if (substitute(file, subject_line, subject_line, vars, subject, err) < 0 ||
	    substitute(file, text, body, vars, out, err) < 0) {
		g_free(subject_line);
		g_string_free(subject, TRUE);
		g_string_free(out, TRUE);
		return -1;
	}
	g_free(subject_line);
	*subject_r = g_string_free(subject, FALSE);
	*body_r = g_string_free(out, FALSE);
	return 0;
}

/* The first folder of the search path ("local:shipped") that has the file; the last one when
 * none has it, so the error names where it was expected. */
static char *find_file(const char *search, const char *relative)
{
	char **dirs = g_strsplit(search, ":", -1);
	char *path = NULL;

	for (char **d = dirs; *d != NULL; d++) {
		if (**d == '\0')
			continue;
		g_free(path);
		path = g_build_filename(*d, relative, NULL);
		if (g_file_test(path, G_FILE_TEST_IS_REGULAR))
			break;
	}
	g_strfreev(dirs);
	return path ? path : g_strdup(relative);
}

/* The text of SEARCH/RELATIVE (owned), checked to be UTF-8; *file_r names where it was found
 * (owned, set even on error). */
static int read_template(const char *search, const char *relative, char **file_r, char **text_r,
			 struct err *err)
{
	GError *gerr = NULL;

	*file_r = find_file(search, relative);
	*text_r = NULL;
	if (!g_file_get_contents(*file_r, text_r, NULL, &gerr)) {
		err_set(err, ERR_CONFIG, "template %s: %s", *file_r, gerr->message);
		g_error_free(gerr);
		return -1;
	}
	if (!g_utf8_validate(*text_r, -1, NULL))
		return err_set(err, ERR_CONFIG, "template %s: not valid UTF-8", *file_r);
	return 0;
}

/* The variables the spec of NAME allows, from `vars` (a new table, borrowed values). */
static int spec_vars(const char *name, bool snippet, GHashTable *vars, GHashTable **out_r,
		     struct err *err)
{
	const struct template_spec *spec = template_spec_find(name, snippet);

	if (spec == NULL)
		return err_set(err, ERR_FATAL,
			       "%s%s: not one that admitd renders (template_spec.c)",
			       snippet ? "snippets/" : "", name);
	return template_spec_vars(spec, vars, out_r, err);
}

int template_render(const char *search, const char *name, GHashTable *vars, char **subject_r,
		    char **body_r, struct err *err)
{
	char *relative = g_strconcat(name, ".txt", NULL);
	char *file = NULL, *text = NULL;
	GHashTable *allowed = NULL;
	int ret = -1;

	if (spec_vars(name, false, vars, &allowed, err) == 0 &&
	    read_template(search, relative, &file, &text, err) == 0)
		ret = template_render_text(file, text, allowed, subject_r, body_r, err);
	if (allowed != NULL)
		g_hash_table_destroy(allowed);
	g_free(text);
	g_free(file);
	g_free(relative);
	return ret;
}

int template_snippet(const char *search, const char *name, GHashTable *vars, char **text_r,
		     struct err *err)
{
	char *relative = g_strdup_printf("snippets/%s.txt", name);
	char *file = NULL, *text = NULL;
	GHashTable *allowed = NULL;
	GString *out = g_string_new(NULL);
	int ret = -1;

	if (spec_vars(name, true, vars, &allowed, err) == 0 &&
	    read_template(search, relative, &file, &text, err) == 0 &&
	    substitute(file, g_strchomp(text), text, allowed, out, err) == 0) {
		*text_r = g_string_free(out, FALSE);
		out = NULL;
		ret = 0;
	}
	if (out != NULL)
		g_string_free(out, TRUE);
	if (allowed != NULL)
		g_hash_table_destroy(allowed);
	g_free(text);
	g_free(file);
	g_free(relative);
	return ret;
}

int template_snippet_append(const char *search, const char *name, GHashTable *vars, GString *out,
			    struct err *err)
{
	char *text = NULL;

	if (template_snippet(search, name, vars, &text, err) < 0)
		return -1;
	g_string_append_printf(out, "%s%s", out->len ? "\n" : "", text);
	g_free(text);
	return 0;
}

int template_snippet_rows(const char *search, const char *name, GPtrArray *rows,
			  template_row_vars_fn *vars_of, const void *ctx, char **text_r,
			  struct err *err)
{
	GString *out = g_string_new(NULL);

	for (guint i = 0; i < rows->len; i++) {
		GHashTable *vars = vars_of(g_ptr_array_index(rows, i), ctx);
		int ret = template_snippet_append(search, name, vars, out, err);

		g_hash_table_destroy(vars);
		if (ret < 0) {
			g_string_free(out, TRUE);
			return -1;
		}
	}
	*text_r = g_string_free(out, FALSE);
	return 0;
}
