/* libFuzzer target: the decision parser, the token finder and the Authentication-Results check
 * on arbitrary text; and the same bytes read as a whole reply, the way a commission member's
 * mail is read (charsets, format=flowed, HTML-only bodies through htmltext.c). */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <glib.h>

#include "decision.h"
#include "mail.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static bool ready;
	char *text = g_strndup((const char *)data, size), *body;
	GBytes *bytes = g_bytes_new(data, size);
	struct decision_parse *p;

	if (!ready) {
		mail_library_init();
		ready = true;
	}
	body = mail_text_of(bytes);
	p = decision_parse(body);
	decision_parse_free(&p);
	g_free(body);
	g_bytes_unref(bytes);
	p = decision_parse(text);
	GPtrArray *tokens = g_ptr_array_new_with_free_func(g_free);

	decision_find_tokens(text, tokens);
	decision_auth_passes(text, "mx.example.org", "dkim", "example.org");
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
