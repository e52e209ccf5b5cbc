/* libFuzzer target, fast and in-process: GMime reading, attachment saving, classification and
 * intake_file() into a real sqlite store (rolled back after each input). The document worker is
 * left out: each attachment's facts are made up from its own bytes (format sniffed from its head,
 * a page count and first-page text taken from it), so every classification path is reached at
 * thousands of inputs a second. fuzz_intake.c runs the same path with the real worker. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>
#include <glib/gstdio.h>

#include "documents.h"
#include "fuzz_store.h"
#include "intake.h"
#include "mail.h"
#include "store.h"

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

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_store *fs = fuzz_store_get();
	struct intake_source src = { .uidvalidity = 1, .uid = 1 };
	struct intake_result res = { 0 };
	struct doc_facts *facts = NULL;
	struct mail *m = NULL;
	struct err err = { 0 };
	char *sha = fuzz_store_write_input(fs, data, size);

	src.spool_path = fs->eml;
	src.sha256 = sha;
	if (mail_read(&m, fs->eml, fs->parts, &err) < 0) {
		src.unreadable = err.text;
	} else {
		facts = g_new0(struct doc_facts, MAX(m->attachments->len, 1));
		for (guint i = 0; i < m->attachments->len; i++)
			made_up_facts(g_ptr_array_index(m->attachments, i), &facts[i]);
	}
	src.mail = m;
	src.facts = facts;
	if (store_begin(fs->st, &err) == 0) {
		intake_file(fs->st, fs->cfg, &src, 1790000000, &res, &err);
		store_rollback(fs->st);
	}
	intake_result_clear(&res);
	g_unlink(fs->parts);
	mail_free(&m);
	g_free(facts);
	g_free(sha);
	return 0;
}
