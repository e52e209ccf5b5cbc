/* libFuzzer target, the whole path and slow (a worker is forked per input): GMime reading,
 * attachment saving, the document worker, classification, and intake_file() into a real sqlite
 * store (rolled back after each input, so inputs stay independent). fuzz_mail.c is the fast one. */
#include <stdint.h>
#include <stdlib.h>

#include <glib.h>
#include <glib/gstdio.h>

#include "documents.h"
#include "fuzz_store.h"
#include "intake.h"
#include "mail.h"
#include "store.h"

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
	if (mail_read(&m, fs->eml, fs->parts, &err) < 0)
		src.unreadable = err.text;
	else if (documents_inspect_all(m, &facts, &err) < 0)
		abort();
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
