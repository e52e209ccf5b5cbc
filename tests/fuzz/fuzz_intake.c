/* libFuzzer target, the whole path and slow (a worker is forked per input): GMime reading,
 * attachment saving, winmail.dat opened (tnef.h), the document worker, classification, and intake_file() into a real sqlite
 * store (fuzz_store.h). fuzz_mail.c is the fast one. */
#include <stdint.h>
#include <stdlib.h>

#include "documents.h"
#include "fuzz_store.h"
#include "tnef.h"

static void worker_facts(struct mail *m, struct doc_facts **facts_r)
{
	struct err err = { 0 };

	if (tnef_expand(m, &err) < 0 || documents_inspect_all(m, facts_r, &err) < 0)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_store_file(data, size, worker_facts);
	return 0;
}
