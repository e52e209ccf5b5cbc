/* libFuzzer target, fast and in-process: GMime reading, attachment saving, classification and
 * intake_file() into a real sqlite store (fuzz_store.h). The document worker is
 * left out: each attachment's facts are made up from its own bytes (format sniffed from its head,
 * a page count and first-page text taken from it), so every classification path is reached at
 * hundreds of inputs a second. fuzz_intake.c runs the same path with the real worker. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "documents.h"
#include "fuzz_store.h"
#include "mail.h"

/* What the worker would report, from the attachment's first bytes: the head sniffed as by the
 * daemon, pages from its last byte read, the rest as its "text". */
static void made_up_facts(const struct mail_attachment *a, struct doc_facts *f)
{
	unsigned char head[DOC_TEXT_MAX];
	size_t n = 0;
	FILE *in = fopen(a->path, "rb");

	memset(f, 0, sizeof(*f));
	if (in != NULL) {
		if (fseek(in, (long)a->offset, SEEK_SET) == 0)
			n = fread(head, 1, (size_t)MIN(a->size, (gint64)sizeof(head) - 1), in);
		fclose(in);
	}
	f->format = docread_sniff(head, n);
	f->pages = n > 0 ? (int)(head[n - 1] % 5) - 1 : -1;
	f->unreadable = n > 1 && head[n - 2] == 'U';
	memcpy(f->text, head, n);
	f->text[n] = '\0';
	if (!g_utf8_validate(f->text, -1, NULL))
		f->text[0] = '\0';
}

static void all_made_up(struct mail *m, struct doc_facts **facts_r)
{
	*facts_r = g_new0(struct doc_facts, MAX(m->attachments->len, 1));
	for (guint i = 0; i < m->attachments->len; i++)
		made_up_facts(g_ptr_array_index(m->attachments, i), &(*facts_r)[i]);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_store_file(data, size, all_made_up);
	return 0;
}
