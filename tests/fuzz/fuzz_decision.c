/* libFuzzer target: the decision parser, the token finder and the Authentication-Results check
 * on arbitrary text. */
#include <stdint.h>
#include <string.h>

#include <glib.h>

#include "decision.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = g_strndup((const char *)data, size);
	struct decision_parse *p = decision_parse(text);
	GPtrArray *tokens = g_ptr_array_new_with_free_func(g_free);

	decision_find_tokens(text, tokens);
	decision_auth_passes(text, "mx.example.org", "dkim");
	for (guint i = 0; i < p->lines->len; i++) {
		const struct decision_line *d = g_ptr_array_index(p->lines, i);

		for (char **r = d->refs; *r != NULL; r++)
			if (strlen(*r) < 7)
				__builtin_trap(); /* a reference is at least "A-2026-1" */
	}
	decision_parse_free(&p);
	g_ptr_array_free(tokens, TRUE);
	g_free(text);
	return 0;
}
