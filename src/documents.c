#include "documents.h"

#include <stdbool.h>
#include <string.h>

#include <glib.h>

struct doc_word {
	const char *word; /* lower-case ASCII, as after transliteration */
	enum doc_kind kind;
	int weight;
};

/* Whole words weigh their weight; words of six letters or more also count, one less, inside a
 * longer word ("lebenslaufjose", "myresume"). "cv" counts at the edge of a word ("mycv"). */
static const struct doc_word doc_words[] = {
	{ "cv", DOC_CV, 3 },
	{ "resume", DOC_CV, 3 },
	{ "curriculum", DOC_CV, 3 },
	{ "vitae", DOC_CV, 2 },
	{ "vita", DOC_CV, 2 },
	{ "lebenslauf", DOC_CV, 3 },
	{ "elulookirjeldus", DOC_CV, 3 },
	{ "elulugu", DOC_CV, 2 },
	{ "hoja", DOC_CV, 1 },
	{ "vida", DOC_CV, 1 },
	{ "letter", DOC_LETTER, 3 },
	{ "lettera", DOC_LETTER, 3 },
	{ "lettre", DOC_LETTER, 3 },
	{ "carta", DOC_LETTER, 3 },
	{ "brief", DOC_LETTER, 2 },
	{ "motivation", DOC_LETTER, 3 },
	{ "motivazione", DOC_LETTER, 3 },
	{ "motivacion", DOC_LETTER, 3 },
	{ "motivationsschreiben", DOC_LETTER, 3 },
	{ "anschreiben", DOC_LETTER, 3 },
	{ "motivatsioonikiri", DOC_LETTER, 3 },
	{ "kaaskiri", DOC_LETTER, 3 },
	{ "cover", DOC_LETTER, 2 },
	{ "interest", DOC_LETTER, 2 },
	{ "interes", DOC_LETTER, 2 },
	{ "interesse", DOC_LETTER, 2 },
	{ "intent", DOC_LETTER, 2 },
	{ "presentacion", DOC_LETTER, 2 },
	{ "presentazione", DOC_LETTER, 2 },
	{ "statement", DOC_LETTER, 2 },
};

const char *documents_kind_name(enum doc_kind kind)
{
	switch (kind) {
	case DOC_CV:
		return "cv";
	case DOC_LETTER:
		return "letter";
	case DOC_OTHER:
		break;
	}
	return "other";
}

static int word_score(const char *token, const struct doc_word *w)
{
	size_t tlen = strlen(token), wlen = strlen(w->word);

	if (strcmp(token, w->word) == 0)
		return w->weight;
	if (wlen >= 6 && strstr(token, w->word) != NULL)
		return w->weight - 1;
	if (wlen == 2 && tlen > 2 && tlen <= 8 &&
	    (g_str_has_prefix(token, w->word) || g_str_has_suffix(token, w->word)))
		return w->weight - 1;
	return 0;
}

/* Letters and digits make separate words: "CV2026" is "cv" and "2026". */
static char **split_words(const char *ascii)
{
	GPtrArray *words = g_ptr_array_new();
	GString *cur = g_string_new(NULL);

	for (const char *p = ascii;; p++) {
		bool same = *p != '\0' && cur->len > 0 && g_ascii_isalnum(*p) &&
			    (g_ascii_isdigit(*p) == g_ascii_isdigit(cur->str[cur->len - 1]));

		if (!same && cur->len > 0) {
			g_ptr_array_add(words, g_string_free(cur, FALSE));
			cur = g_string_new(NULL);
		}
		if (*p == '\0')
			break;
		if (g_ascii_isalnum(*p))
			g_string_append_c(cur, g_ascii_tolower(*p));
	}
	g_string_free(cur, TRUE);
	g_ptr_array_add(words, NULL);
	return (char **)g_ptr_array_free(words, FALSE);
}

enum doc_kind documents_classify_name(const char *filename)
{
	int score[3] = { 0, 0, 0 };
	char *ascii, *dot, **words;

	if (filename == NULL || !g_utf8_validate(filename, -1, NULL))
		return DOC_OTHER;
	ascii = g_str_to_ascii(filename, "C");
	/* The extension is not a word of the name ("cv.pdf" must not score "pdf"). */
	if ((dot = strrchr(ascii, '.')) != NULL && strlen(dot) <= 5)
		*dot = '\0';
	words = split_words(ascii);
	for (char **t = words; *t != NULL; t++)
		for (size_t i = 0; i < G_N_ELEMENTS(doc_words); i++)
			score[doc_words[i].kind] += word_score(*t, &doc_words[i]);
	g_strfreev(words);
	g_free(ascii);
	if (score[DOC_CV] > score[DOC_LETTER])
		return DOC_CV;
	if (score[DOC_LETTER] > score[DOC_CV])
		return DOC_LETTER;
	return DOC_OTHER;
}
