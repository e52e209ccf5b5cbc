/* fuzz_store.h — what the intake targets share: a config and a real sqlite store in a temporary
 * folder, made once per process, and one input filed through intake as the daemon would,
 * rolled back after each input so that inputs stay independent. */
#ifndef ADMITD_FUZZ_STORE_H
#define ADMITD_FUZZ_STORE_H

#include <stddef.h>
#include <stdint.h>

struct mail;
struct doc_facts;

/* What each attachment of m is: *facts_r (g_free) with an entry per attachment (after the
 * target made any change to them, such as opening a winmail.dat). */
typedef void (*fuzz_facts_fn)(struct mail *m, struct doc_facts **facts_r);

/* Files the input as a raw message, its documents described by `facts`, into the process's
 * store (set up on first use; aborts when it cannot be), and rolls it back. */
void fuzz_store_file(const uint8_t *data, size_t size, fuzz_facts_fn facts);

#endif
