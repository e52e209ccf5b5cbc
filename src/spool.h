/* spool.h — the folder where raw messages land, synced, before anything else happens to them.
 *
 *   SPOOL/tmp/            files being written
 *   SPOOL/msg/V-U.eml     the raw message of UIDVALIDITY V, UID U
 *   SPOOL/att/V-U.parts   its attachments, decoded, one after the other (the store keeps each
 *                         one's offset and size); spools written before kept att/V-U/part-N
 *
 * Returned paths belong to the caller (g_free). */
#ifndef ADMITD_SPOOL_H
#define ADMITD_SPOOL_H

#include <stdint.h>

#include <glib.h>

#include "err.h"
#include "store.h"

struct spool;

int spool_open(struct spool **spool_r, const char *dir, struct err *err);
void spool_close(struct spool **spoolp);

/* A message being written to the spool (SPOOL/tmp/ until committed), buffered and hashed. */
struct spool_writer;

int spool_writer_new(struct spool *sp, struct spool_writer **w_r, struct err *err);
int spool_writer_write(struct spool_writer *w, const char *data, size_t n, struct err *err);

/* Writes what is buffered and renames the file to msg/V-U.eml: *path_r is the final path and
 * sha256_r the SHA-256 of the bytes written (64 hex digits). Frees the writer either way.
 * Nothing is durable until spool_sync(). */
int spool_writer_commit(struct spool_writer **wp, struct spool *sp, uint32_t uidvalidity,
			uint32_t uid, char **path_r, char sha256_r[65], struct err *err);

/* Drops an uncommitted writer and its temporary file. */
void spool_writer_free(struct spool_writer **wp);

/* Makes everything written to the spool so far durable (messages, their names, attachments):
 * call it before anything else happens to a message, and before the store names a file. */
int spool_sync(struct spool *sp, struct err *err);

/* Where the attachments of that message go: att/V-U.parts (not created here). */
char *spool_parts_path(struct spool *sp, uint32_t uidvalidity, uint32_t uid);
/* The same for the spool folder `dir` (retention, without an open spool). */
char *spool_parts_path_in(const char *dir, uint32_t uidvalidity, uint32_t uid);

/* The SHA-256 of size bytes at offset of fd, as 64 lower-case hex digits. */
int spool_range_sha256(int fd, gint64 offset, gint64 size, char out[65], struct err *err);

/* Deletes a spooled file; for a raw message (msg/V-U.eml) also its attachments. Returns 0
 * when the file was deleted. */
int spool_remove(const char *path);
/* spool_remove() for each path (char *); returns how many were deleted. */
int spool_remove_all(GPtrArray *paths);

/* Writes what `forget` changes in the store and deletes the files it names, in one
 * transaction: `forget` runs inside it and appends the paths (char *, owned) to its array;
 * the files go, then the commit. *removed_r (may be NULL) counts the files deleted. */
typedef int spool_forget_fn(struct store *st, const void *ctx, GPtrArray *files, struct err *err);
int spool_forget(struct store *st, spool_forget_fn *forget, const void *ctx, int *removed_r,
		 struct err *err);

#endif
