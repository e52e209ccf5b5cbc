#include "untrusted.h"

#include <string.h>

#include <glib.h>

/* Line and paragraph separators, and every space of Unicode, read as one plain space. */
static gboolean reads_as_space(gunichar c)
{
	GUnicodeType t = g_unichar_type(c);

	return c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f' ||
	       t == G_UNICODE_SPACE_SEPARATOR || t == G_UNICODE_LINE_SEPARATOR ||
	       t == G_UNICODE_PARAGRAPH_SEPARATOR;
}

/* Controls (C0, C1) and format characters (zero-width, bidi controls, BOM, soft hyphen):
 * they change how text looks, or hide what it says. */
static gboolean invisible(gunichar c)
{
	GUnicodeType t = g_unichar_type(c);

	return t == G_UNICODE_CONTROL || t == G_UNICODE_FORMAT || t == G_UNICODE_SURROGATE;
}

char *untrusted_line(const char *text, size_t max_chars)
{
	char *valid = g_utf8_make_valid(text ? text : "", -1);
	GString *out = g_string_new(NULL);
	size_t chars = 0;
	gboolean space = FALSE, cut = FALSE;

	for (const char *p = valid; *p != '\0'; p = g_utf8_next_char(p)) {
		gunichar c = g_utf8_get_char(p);

		if (reads_as_space(c)) {
			space = out->len > 0;
			continue;
		}
		if (invisible(c))
			continue;
		if (chars + (space ? 1 : 0) + 1 > max_chars) {
			cut = TRUE;
			break;
		}
		if (space) {
			g_string_append_c(out, ' ');
			chars++;
			space = FALSE;
		}
		g_string_append_unichar(out, c);
		chars++;
	}
	if (cut)
		g_string_append(out, "…");
	g_free(valid);
	return g_string_free(out, FALSE);
}

void untrusted_cut(char *text, size_t max_bytes)
{
	char *end;

	if (strlen(text) <= max_bytes)
		return;
	end = text + max_bytes;
	while (end > text && ((unsigned char)*end & 0xc0) == 0x80)
		end--;
	*end = '\0';
}
