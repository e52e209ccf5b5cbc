/* spool.h — the folder where raw messages land, synced, before anything else happens to them.
 *
 *   SPOOL/tmp/            files being written
 *   SPOOL/msg/V-U.eml     the raw message of UIDVALIDITY V, UID U
 *   SPOOL/att/V-U/part-N  its attachments, decoded, under generated names
 *
 * Returned paths belong to the caller (g_free). */
#ifndef ADMITD_SPOOL_H
#define ADMITD_SPOOL_H

#include <stdint.h>

#include <glib.h>

#include "err.h"

struct spool;

int spool_open(struct spool **spool_r, const char *dir, struct err *err);
void spool_close(struct spool **spoolp);

/* Opens a new temporary file for one message; write to *fd_r, then spool_commit() it. */
int spool_begin(struct spool *sp, int *fd_r, char **tmp_path_r, struct err *err);

/* Closes fd and renames the temporary file to msg/V-U.eml; sets *path_r to the final path.
 * On error the temporary file is removed. Nothing is durable until spool_sync(). */
int spool_commit(struct spool *sp, int fd, const char *tmp_path, uint32_t uidvalidity,
		 uint32_t uid, char **path_r, struct err *err);

/* Makes everything written to the spool so far durable (messages, their names, attachments):
 * call it before anything else happens to a message, and before the store names a file. */
int spool_sync(struct spool *sp, struct err *err);

/* Drops a temporary file after a failed fetch. */
void spool_abort(int fd, const char *tmp_path);

/* Creates (if needed) and returns att/V-U for the attachments of that message. */
int spool_attachment_dir(struct spool *sp, uint32_t uidvalidity, uint32_t uid, char **dir_r,
			 struct err *err);

/* The SHA-256 of a file's bytes, as 64 lower-case hex digits. */
int spool_file_sha256(const char *path, char out[65], struct err *err);

/* Deletes a spooled file; for a raw message (msg/V-U.eml) also its att/V-U folder. Returns 0
 * when the file was deleted. */
int spool_remove(const char *path);
/* spool_remove() for each path (char *); returns how many were deleted. */
int spool_remove_all(GPtrArray *paths);

#endif
