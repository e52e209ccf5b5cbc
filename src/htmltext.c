#include "htmltext.h"

#include <stdbool.h>
#include <string.h>

#include <glib.h>
#include <libxml/HTMLparser.h>

#include "untrusted.h"

struct walk {
	GString *out;
	size_t max;
	bool stop; /* the quoted original has begun: nothing after it is the member's */
};

static bool attr_has(xmlNode *n, const char *attr, const char *word)
{
	xmlChar *v = xmlGetProp(n, (const xmlChar *)attr);
	bool has = false;

	if (v != NULL) {
		char **words = g_strsplit_set((const char *)v, " \t\n", -1);

		for (char **w = words; *w != NULL && !has; w++)
			has = g_ascii_strcasecmp(*w, word) == 0;
		g_strfreev(words);
		xmlFree(v);
	}
	return has;
}

static bool named(xmlNode *n, const char *name)
{
	return g_ascii_strcasecmp((const char *)n->name, name) == 0;
}

/* Where the original starts in Outlook: everything from here on is quoted. */
static bool starts_original(xmlNode *n)
{
	return attr_has(n, "id", "divRplyFwdMsg") || attr_has(n, "id", "appendonsend") ||
	       attr_has(n, "class", "divRplyFwdMsg");
}

/* Quoted by the other clients: left out, and the member's text may go on after it. */
static bool quoted(xmlNode *n)
{
	return named(n, "blockquote") || attr_has(n, "class", "gmail_quote") ||
	       attr_has(n, "class", "gmail_attr") || attr_has(n, "class", "moz-cite-prefix") ||
	       attr_has(n, "type", "cite") || named(n, "script") || named(n, "style") ||
	       named(n, "head") || named(n, "title");
}

static bool block(xmlNode *n)
{
	static const char *const names[] = { "p",  "div", "br", "tr",	 "li", "h1", "h2", "h3",
					     "h4", "h5",  "h6", "table", "ul", "ol", "pre" };

	for (size_t i = 0; i < G_N_ELEMENTS(names); i++)
		if (named(n, names[i]))
			return true;
	return false;
}

static void newline(struct walk *w)
{
	if (w->out->len > 0 && w->out->str[w->out->len - 1] != '\n')
		g_string_append_c(w->out, '\n');
}

static void walk(xmlNode *n, struct walk *w)
{
	for (; n != NULL && !w->stop && w->out->len < w->max; n = n->next) {
		if (n->type == XML_TEXT_NODE && n->content != NULL) {
			/* HTML folds the line breaks of its source into spaces. */
			char *text = g_strdelimit(g_strdup((const char *)n->content), "\r\n", ' ');

			g_string_append(w->out, text);
			g_free(text);
			continue;
		}
		if (n->type != XML_ELEMENT_NODE)
			continue;
		if (starts_original(n)) {
			w->stop = true;
			break;
		}
		if (quoted(n))
			continue;
		if (block(n))
			newline(w);
		walk(n->children, w);
		if (block(n))
			newline(w);
	}
}

char *htmltext_reply(const char *html, size_t len, size_t max_bytes)
{
	struct walk w = { .out = g_string_new(NULL), .max = max_bytes };
	htmlDocPtr doc;
	char *text;

	if (len > 0 && len <= G_MAXINT) {
		doc = htmlReadMemory(html, (int)len, NULL, "UTF-8",
				     HTML_PARSE_RECOVER | HTML_PARSE_NOERROR |
					     HTML_PARSE_NOWARNING | HTML_PARSE_NONET);
		if (doc != NULL) {
			walk(xmlDocGetRootElement(doc), &w);
			xmlFreeDoc(doc);
		}
	}
	text = g_string_free(w.out, FALSE);
	untrusted_cut(text, max_bytes);
	return text;
}
