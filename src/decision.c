#include "decision.h"

#include <string.h>

static const char *const verdict_names[] = { "accept", "discard", "reserve" };
static const enum app_state verdict_states[] = { APP_ACCEPTED, APP_DISCARDED, APP_RESERVE };

const char *decision_verdict_name(enum verdict v)
{
	return verdict_names[v];
}

enum app_state decision_verdict_state(enum verdict v)
{
	return verdict_states[v];
}

bool decision_verdict_from_name(const char *name, enum verdict *v_r)
{
	for (size_t i = 0; i < G_N_ELEMENTS(verdict_names); i++) {
		if (g_ascii_strcasecmp(name, verdict_names[i]) == 0) {
			*v_r = (enum verdict)i;
			return true;
		}
	}
	return false;
}

/* "AI4G-2026-0007": letters and digits, a dash, four digits, a dash, digits. */
static bool looks_like_ref(const char *w)
{
	const char *dash1 = strchr(w, '-'), *dash2;
	size_t n;

	if (dash1 == NULL || dash1 == w || (dash2 = strchr(dash1 + 1, '-')) == NULL)
		return false;
	for (const char *p = w; p < dash1; p++)
		if (!g_ascii_isalnum(*p))
			return false;
	if (dash2 - dash1 - 1 != 4)
		return false;
	for (const char *p = dash1 + 1; p < dash2; p++)
		if (!g_ascii_isdigit(*p))
			return false;
	n = strlen(dash2 + 1);
	if (n == 0 || n > 9)
		return false;
	for (const char *p = dash2 + 1; *p != '\0'; p++)
		if (!g_ascii_isdigit(*p))
			return false;
	return true;
}

/* Where the quoted original starts in clients that do not quote with ">". */
static bool is_reply_header(const char *line)
{
	return g_str_has_prefix(line, "-----Original Message-----") ||
	       g_str_has_prefix(line, "________________________________") ||
	       (g_str_has_prefix(line, "On ") && g_str_has_suffix(line, "wrote:"));
}

static void line_free(gpointer p)
{
	struct decision_line *d = p;

	g_free(d->text);
	g_strfreev(d->refs);
	g_free(d);
}

/* Splits on spaces, tabs, commas and semicolons; trailing ':' or '.' on words are dropped
 * ("Accept: AI4G-2026-0001."). Returns NULL when the line is not a decision. */
static struct decision_line *parse_line(const char *line)
{
	char **words = g_strsplit_set(line, " \t,;", -1);
	GPtrArray *refs = g_ptr_array_new();
	struct decision_line *d = NULL;
	enum verdict v = VERDICT_ACCEPT;
	bool first = true, ok = true;

	for (char **w = words; *w != NULL && ok; w++) {
		size_t n = strlen(*w);

		while (n > 0 && ((*w)[n - 1] == ':' || (*w)[n - 1] == '.'))
			(*w)[--n] = '\0';
		if (n == 0)
			continue;
		if (first)
			ok = decision_verdict_from_name(*w, &v);
		else if ((ok = looks_like_ref(*w)))
			g_ptr_array_add(refs, g_ascii_strup(*w, -1));
		first = false;
	}
	if (ok && !first) {
		d = g_new0(struct decision_line, 1);
		d->verdict = v;
		d->text = g_strdup(line);
		g_ptr_array_add(refs, NULL);
		d->refs = (char **)g_ptr_array_free(refs, FALSE);
	} else {
		g_ptr_array_set_free_func(refs, g_free);
		g_ptr_array_free(refs, TRUE);
	}
	g_strfreev(words);
	return d;
}

struct decision_parse *decision_parse(const char *body)
{
	struct decision_parse *p = g_new0(struct decision_parse, 1);
	char **lines = g_strsplit(body ? body : "", "\n", -1);
	int count = 0;

	p->lines = g_ptr_array_new_with_free_func(line_free);
	p->ignored = g_ptr_array_new_with_free_func(g_free);
	for (char **l = lines; *l != NULL; l++) {
		char *line = g_strstrip(*l);
		struct decision_line *d;

		/* The signature separator is "-- " before trimming; after it, "--". */
		if (strcmp(line, "--") == 0 || is_reply_header(line))
			break;
		if (++count > DECISION_MAX_LINES) {
			p->truncated = true;
			break;
		}
		if (line[0] == '\0' || line[0] == '>')
			continue;
		if ((d = parse_line(line)) != NULL)
			g_ptr_array_add(p->lines, d);
		else
			g_ptr_array_add(p->ignored, g_strdup(line));
	}
	g_strfreev(lines);
	return p;
}

void decision_parse_free(struct decision_parse **pp)
{
	struct decision_parse *p = *pp;

	if (p == NULL)
		return;
	g_ptr_array_free(p->lines, TRUE);
	g_ptr_array_free(p->ignored, TRUE);
	g_free(p);
	*pp = NULL;
}

void decision_find_tokens(const char *text, GPtrArray *tokens)
{
	size_t run = 0;

	for (const char *p = text ? text : "";; p++) {
		bool hex = (*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f');

		if (hex) {
			run++;
			continue;
		}
		if (run == 24)
			g_ptr_array_add(tokens, g_strndup(p - 24, 24));
		run = 0;
		if (*p == '\0')
			break;
	}
}

bool decision_auth_passes(const char *header, const char *authserv_id, const char *method)
{
	const char *semi = strchr(header, ';');
	char *id, *rest, *want;
	bool ok;

	if (semi == NULL)
		return false;
	id = g_strstrip(g_strndup(header, (gsize)(semi - header)));
	rest = g_ascii_strdown(semi + 1, -1);
	want = g_strconcat(method, "=pass", NULL);
	/* The authserv-id may carry a version ("mx.example.org 1"). */
	ok = (g_ascii_strcasecmp(id, authserv_id) == 0 ||
	      (g_str_has_prefix(id, authserv_id) && id[strlen(authserv_id)] == ' ')) &&
	     strstr(rest, want) != NULL;
	g_free(id);
	g_free(rest);
	g_free(want);
	return ok;
}
