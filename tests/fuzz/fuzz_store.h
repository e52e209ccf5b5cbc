/* fuzz_store.h — what the intake targets share: a config and a real sqlite store in a temporary
 * folder, made once per process, and one raw message written where intake reads it. */
#ifndef ADMITD_FUZZ_STORE_H
#define ADMITD_FUZZ_STORE_H

#include <stddef.h>
#include <stdint.h>

struct config;
struct store;

struct fuzz_store {
	struct config *cfg; /* owned by the process */
	struct store *st;
	char *dir;
	char *eml;   /* the input as a raw message */
	char *parts; /* where its attachments are decoded */
};

/* The process's store, set up on first use; aborts when it cannot be. */
struct fuzz_store *fuzz_store_get(void);

/* Writes the input to fs->eml; its SHA-256 (g_free). */
char *fuzz_store_write_input(struct fuzz_store *fs, const uint8_t *data, size_t size);

#endif
