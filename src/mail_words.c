#include "mail_words.h"

#include <stdbool.h>
#include <string.h>

static bool is_encoded_word(const char *t)
{
	size_t n = strlen(t);

	return n > 8 && g_str_has_prefix(t, "=?") && g_str_has_suffix(t, "?=");
}

static bool is_base64_word(const char *t)
{
	return is_encoded_word(t) && (strstr(t, "?B?") != NULL || strstr(t, "?b?") != NULL);
}

/* Two base64 words with only white space between them. */
static bool has_adjacent_base64(char **tokens)
{
	const char *prev = NULL;

	for (char **t = tokens; *t != NULL; t++) {
		if (**t == '\0')
			continue;
		if (prev != NULL && is_base64_word(prev) && is_base64_word(*t))
			return true;
		prev = *t;
	}
	return false;
}

char *mail_words_decode(GMimeParserOptions *opts, const char *raw)
{
	char **tokens = g_strsplit_set(raw ? raw : "", " \t\r\n", -1);
	GString *out;
	bool prev_encoded = false;

	if (!has_adjacent_base64(tokens)) {
		g_strfreev(tokens);
		return NULL;
	}
	out = g_string_new(NULL);
	for (char **t = tokens; *t != NULL; t++) {
		bool encoded = is_encoded_word(*t);
		char *text;

		if (**t == '\0')
			continue;
		/* RFC 2047 6.2: white space between adjacent encoded words is not displayed. */
		if (out->len > 0 && !(encoded && prev_encoded))
			g_string_append_c(out, ' ');
		text = encoded ? g_mime_utils_header_decode_text(opts, *t) : g_strdup(*t);
		g_string_append(out, text);
		g_free(text);
		prev_encoded = encoded;
	}
	g_strfreev(tokens);
	return g_string_free(out, FALSE);
}

char *mail_words_display_part(const char *raw)
{
	const char *lt = raw ? strrchr(raw, '<') : NULL;
	char *phrase = lt ? g_strndup(raw, (gsize)(lt - raw)) : g_strdup("");

	g_strdelimit(phrase, "\"", ' ');
	return g_strstrip(phrase);
}
