#include "decision.h"

#include <string.h>

#include "untrusted.h"

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

/* Words that end a client's "wrote" line, in the languages of our commission and more:
 * "On 2 Mar 2026, Admissions <a@b> wrote:", "El lun, 2 mar 2026 ... escribió:", "Am ...
 * schrieb ...:", "Il ... ha scritto:", "Le ... a écrit :", "Em ... escreveu:", "Op ... schreef
 * ...:", "E, 2. märts 2026 kell 10:00 ... kirjutas:", "... kirjoitti:". */
static const char *const wrote_words[] = {
	"wrote",    "escribió", "escribio", "schrieb",	 "ha scritto", "a écrit", "a ecrit",
	"escreveu", "schreef",	"kirjutas", "kirjoitti", "skrev",      "napisał", "écrit",
};

/* The first line of an Outlook header block without ">", and the labels that follow it. */
static const char *const from_labels[] = { "from:", "de:", "von:",	 "da:",	      "saatja:",
					   "van:",  "od:", "lähettäjä:", "lahettaja:" };
static const char *const next_labels[] = {
	"sent:",       "date:",	     "to:",	 "subject:",   "cc:",	      "enviado:",
	"enviado el:", "fecha:",     "para:",	 "asunto:",    "gesendet:",   "datum:",
	"an:",	       "betreff:",   "inviato:", "data:",      "a:",	      "oggetto:",
	"envoyé:",     "envoyé le:", "à:",	 "objet:",     "saadetud:",   "kuupäev:",
	"adressaat:",  "teema:",     "saaja:",	 "lähetetty:", "päivämäärä:", "vastaanottaja:",
	"aihe:",       "verzonden:", "aan:",	 "onderwerp:", "assunto:",    "enviada:",
};

/* What phones and apps append to a reply: the member's text ends before it. */
static const char *const mobile_signatures[] = {
	"sent from my",	    "sent from outlook",     "get outlook for",
	"enviado desde mi", "enviado desde outlook", "enviado do meu",
	"von meinem",	    "gesendet von",	     "inviato da",
	"envoyé de mon",    "envoyé depuis",	     "verzonden vanaf",
	"verstuurd vanaf",  "saadetud minu",	     "lähetetty",
	"sent with",	    "obtener outlook para",  "scarica outlook",
	"outlook für",
};

static bool starts_with_any(const char *folded, const char *const *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (g_str_has_prefix(folded, list[i]))
			return true;
	return false;
}

/* Whether `word` occurs in `text` as whole words. */
static bool has_words(const char *text, const char *word)
{
	size_t n = strlen(word);

	for (const char *p = strstr(text, word); p != NULL; p = strstr(p + 1, word)) {
		bool before = p == text || p[-1] == ' ' || p[-1] == ',';
		bool after = p[n] == '\0' || p[n] == ' ' || p[n] == ':' || p[n] == ',';

		if (before && after)
			return true;
	}
	return false;
}

/* "... wrote:" (or one of its translations) that names a date or an address: also when the
 * client wrapped it over two lines. */
static bool is_wrote_line(const char *folded)
{
	size_t n = strlen(folded);

	if (n == 0 || folded[n - 1] != ':' || strpbrk(folded, "0123456789@") == NULL)
		return false;
	for (size_t i = 0; i < G_N_ELEMENTS(wrote_words); i++)
		if (has_words(folded, wrote_words[i]))
			return true;
	return false;
}

static bool starts_with_keyword(const char *folded)
{
	char *first = g_strndup(folded, strcspn(folded, " \t,;:."));
	enum verdict v;
	bool is = decision_verdict_from_name(first, &v);

	g_free(first);
	return is;
}

/* Where the quoted original starts in clients that do not quote with ">": lines[i], with the
 * lines after it for what spans several. `lines` are folded (decision_parse). */
static bool is_reply_header(char **lines, size_t i)
{
	const char *line = lines[i];

	/* "-----Original Message-----" in any language, Outlook's "________" rule. */
	if (g_str_has_prefix(line, "-----") || g_str_has_prefix(line, "_____"))
		return true;
	if (is_wrote_line(line))
		return true;
	/* Wrapped: "On Mon, 2 Mar 2026 at 10:00, Admissions <a@b>" / "wrote:". Never a line
	 * that is itself a decision followed by a wrote line. */
	if (lines[i + 1] != NULL && line[0] != '\0' && !is_wrote_line(lines[i + 1]) &&
	    !starts_with_keyword(line)) {
		char *joined = g_strconcat(line, " ", lines[i + 1], NULL);
		bool wrapped = is_wrote_line(joined);

		g_free(joined);
		if (wrapped)
			return true;
	}
	/* Some clients mark the labels bold in text: "*From:* ...". */
	if (!starts_with_any(line + strspn(line, "*"), from_labels, G_N_ELEMENTS(from_labels)))
		return false;
	for (size_t k = i + 1; k <= i + 3 && lines[k] != NULL; k++)
		if (starts_with_any(lines[k] + strspn(lines[k], "*"), next_labels,
				    G_N_ELEMENTS(next_labels)))
			return true;
	return false;
}

static void line_free(gpointer p)
{
	struct decision_line *d = p;

	g_free(d->text);
	g_free(d->reason);
	g_strfreev(d->refs);
	g_free(d);
}

/* Where a reason starts: " - excellent profile", " # strong", " (see minutes)", or a ':'
 * straight after a reference. */
static bool opens_reason(const char *word)
{
	return g_str_has_prefix(word, "-") || g_str_has_prefix(word, "–") ||
	       g_str_has_prefix(word, "—") || g_str_has_prefix(word, "#") ||
	       g_str_has_prefix(word, "(");
}

#define WORD_DELIMITERS " \t,;"

/* Where word k of g_strsplit_set(line, DELIMITERS) starts in line: after the k-th delimiter. */
static const char *word_start(const char *line, ptrdiff_t k)
{
	const char *p = line;

	for (; k > 0 && *p != '\0'; p++)
		if (strchr(WORD_DELIMITERS, *p) != NULL)
			k--;
	return p;
}

/* The reason as written, from `from` to the end of the line, without its marker. */
static char *reason_text(const char *from)
{
	char *joined = g_strdup(from), *r = joined;

	while (*r == '-' || *r == '#' || *r == '(' || *r == ':' || *r == ' ')
		r++;
	if (g_str_has_prefix(r, "–") || g_str_has_prefix(r, "—"))
		r += strlen("–");
	r = g_strdup(g_strstrip(r));
	g_free(joined);
	if (g_str_has_suffix(r, ")"))
		r[strlen(r) - 1] = '\0';
	g_strstrip(r);
	if (*r == '\0') {
		g_free(r);
		return NULL;
	}
	return r;
}

enum line_kind { LINE_PROSE, LINE_DECISION, LINE_MALFORMED };

/* Splits on spaces, tabs, commas and semicolons; trailing ':' or '.' on words are dropped
 * ("Accept: AI4G-2026-0001."). A line that starts with a keyword is a decision when the words
 * after it are references, then perhaps a reason; otherwise it is malformed. */
static enum line_kind parse_line(const char *line, struct decision_line **d_r)
{
	char **words = g_strsplit_set(line, WORD_DELIMITERS, -1);
	GPtrArray *refs = g_ptr_array_new();
	char *reason = NULL;
	enum verdict v = VERDICT_ACCEPT;
	enum line_kind kind = LINE_DECISION;
	bool first = true;

	for (char **w = words; *w != NULL && kind == LINE_DECISION; w++) {
		size_t n = strlen(*w);
		bool colon = n > 0 && (*w)[n - 1] == ':';

		if (!first && opens_reason(*w)) {
			reason = reason_text(word_start(line, w - words));
			break;
		}
		while (n > 0 && ((*w)[n - 1] == ':' || (*w)[n - 1] == '.'))
			(*w)[--n] = '\0';
		if (n == 0)
			continue;
		if (first) {
			kind = decision_verdict_from_name(*w, &v) ? LINE_DECISION : LINE_PROSE;
		} else if (looks_like_ref(*w)) {
			g_ptr_array_add(refs, g_ascii_strup(*w, -1));
			if (colon) { /* "ACCEPT AI4G-2026-0007: excellent" */
				reason = w[1] ? reason_text(word_start(line, w + 1 - words)) : NULL;
				break;
			}
		} else {
			kind = LINE_MALFORMED;
		}
		first = false;
	}
	if (first)
		kind = LINE_PROSE;
	*d_r = NULL;
	if (kind == LINE_DECISION) {
		struct decision_line *d = g_new0(struct decision_line, 1);

		d->verdict = v;
		d->text = g_strdup(line);
		d->reason = reason;
		reason = NULL;
		g_ptr_array_add(refs, NULL);
		d->refs = (char **)g_ptr_array_free(refs, FALSE);
		*d_r = d;
	} else {
		g_ptr_array_set_free_func(refs, g_free);
		g_ptr_array_free(refs, TRUE);
	}
	g_free(reason);
	g_strfreev(words);
	return kind;
}

/* Each line as a member's client may have mangled it: one line of plain spaces (Outlook writes
 * U+00A0 between words), no invisible characters; and its case-folded twin for the markers. */
static void clean_lines(const char *body, char ***lines_r, char ***folded_r)
{
	char **raw = g_strsplit(body ? body : "", "\n", -1);
	guint n = g_strv_length(raw);
	char **lines = g_new0(char *, n + 1), **folded = g_new0(char *, n + 1);

	for (guint i = 0; i < n; i++) {
		lines[i] = untrusted_line(raw[i], DECISION_LINE_MAX);
		folded[i] = g_utf8_casefold(lines[i], -1);
	}
	g_strfreev(raw);
	*lines_r = lines;
	*folded_r = folded;
}

struct decision_parse *decision_parse(const char *body)
{
	struct decision_parse *p = g_new0(struct decision_parse, 1);
	char **lines, **folded;
	int count = 0;

	clean_lines(body, &lines, &folded);
	p->lines = g_ptr_array_new_with_free_func(line_free);
	p->ignored = g_ptr_array_new_with_free_func(g_free);
	p->malformed = g_ptr_array_new_with_free_func(g_free);
	for (size_t i = 0; lines[i] != NULL; i++) {
		const char *line = lines[i];
		struct decision_line *d;

		/* The signature separator "-- " is "--" once cleaned. */
		if (strcmp(line, "--") == 0 || is_reply_header(folded, i) ||
		    starts_with_any(folded[i], mobile_signatures, G_N_ELEMENTS(mobile_signatures)))
			break;
		if (++count > DECISION_MAX_LINES) {
			p->truncated = true;
			break;
		}
		if (line[0] == '\0' || line[0] == '>')
			continue;
		switch (parse_line(line, &d)) {
		case LINE_DECISION:
			g_ptr_array_add(p->lines, d);
			break;
		case LINE_MALFORMED:
			g_ptr_array_add(p->malformed, g_strdup(line));
			break;
		case LINE_PROSE:
			g_ptr_array_add(p->ignored, g_strdup(line));
			break;
		}
	}
	g_strfreev(lines);
	g_strfreev(folded);
	return p;
}

void decision_parse_free(struct decision_parse **pp)
{
	struct decision_parse *p = *pp;

	if (p == NULL)
		return;
	g_ptr_array_free(p->lines, TRUE);
	g_ptr_array_free(p->ignored, TRUE);
	g_ptr_array_free(p->malformed, TRUE);
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

/* The header without RFC 5322 comments ("(...)", nested, with \-escapes), lower-cased. */
static char *without_comments(const char *s)
{
	GString *out = g_string_new(NULL);
	int depth = 0;

	for (const char *p = s; *p != '\0'; p++) {
		if (*p == '\\' && p[1] != '\0' && depth > 0)
			p++;
		else if (*p == '(')
			depth++;
		else if (*p == ')' && depth > 0)
			depth--;
		else if (depth == 0)
			g_string_append_c(out, g_ascii_tolower(*p));
	}
	return g_string_free(out, FALSE);
}

/* The value of `name` ("header.d") among a resinfo's properties, unquoted; NULL when absent. */
static char *property(char **words, const char *name)
{
	size_t n = strlen(name);

	for (char **w = words; *w != NULL; w++)
		if (strncmp(*w, name, n) == 0 && (*w)[n] == '=') {
			char *v = g_strdup(*w + n + 1);

			return g_strstrip(g_strdelimit(v, "\"", ' '));
		}
	return NULL;
}

/* DKIM's relaxed alignment (RFC 7489 3.1.1): the signing domain is the From domain or a parent
 * of it; never a bare top-level name. */
static bool dkim_aligned(const char *d, const char *from_domain)
{
	size_t nd = strlen(d), nf = strlen(from_domain);

	if (strchr(d, '.') == NULL)
		return false;
	return strcmp(d, from_domain) == 0 || (nf > nd && from_domain[nf - nd - 1] == '.' &&
					       strcmp(from_domain + nf - nd, d) == 0);
}

/* One resinfo ("dkim=pass header.d=example.org header.i=@example.org"). */
static bool resinfo_passes(const char *resinfo, const char *method, const char *from_domain)
{
	char **words = g_strsplit_set(resinfo, " \t\r\n", -1);
	char **w = words, *want = g_strconcat(method, "=pass", NULL), *domain = NULL;
	bool ok = false;

	while (*w != NULL && **w == '\0')
		w++;
	/* "method=pass" or "method/1=pass". */
	if (*w != NULL && (strcmp(*w, want) == 0 ||
			   (g_str_has_prefix(*w, method) && (*w)[strlen(method)] == '/' &&
			    g_str_has_suffix(*w, "=pass")))) {
		if (strcmp(method, "dkim") == 0) {
			domain = property(w, "header.d");
			ok = domain != NULL && dkim_aligned(domain, from_domain);
		} else {
			domain = property(w, "header.from");
			ok = domain != NULL && strcmp(domain, from_domain) == 0;
		}
	}
	g_free(domain);
	g_free(want);
	g_strfreev(words);
	return ok;
}

bool decision_auth_passes(const char *header, const char *authserv_id, const char *method,
			  const char *from_domain)
{
	char *text = without_comments(header), *id, *domain = g_ascii_strdown(from_domain, -1);
	char **parts = g_strsplit(text, ";", -1);
	size_t n = strlen(authserv_id);
	bool ok = false;

	id = g_strstrip(parts[0] ? parts[0] : text);
	/* The authserv-id may carry a version ("mx.example.org 1"). */
	if (parts[0] != NULL && parts[1] != NULL && g_ascii_strncasecmp(id, authserv_id, n) == 0 &&
	    (id[n] == '\0' || id[n] == ' '))
		for (char **r = parts + 1; *r != NULL && !ok; r++)
			ok = resinfo_passes(*r, method, domain);
	g_strfreev(parts);
	g_free(text);
	g_free(domain);
	return ok;
}
