/* tokenfile.h — the refresh token admitd holds, in a JSON file of the state directory (never
 * in the config, never in a log line). Written atomically: a temporary file of mode 0600,
 * fsync, rename, fsync of the folder, so a crash leaves the old token or the new, never half
 * of one (a provider that rotates refresh tokens has already spent the old one). */
#ifndef ADMITD_TOKENFILE_H
#define ADMITD_TOKENFILE_H

#include <glib.h>

#include "err.h"

struct token_record {
	char *refresh_token; /* secret */
	char *client_id;     /* the client it was issued to: another one cannot use it */
	char *obtained;	     /* ISO 8601, when it was issued */
	char *via;	     /* "device login", "code login", "rotation" */
};

/* 1 and *t filled, 0 when there is no file, -1 (ERR_TEMP: unreadable or not ours). */
int tokenfile_load(const char *path, struct token_record *t, struct err *err);

/* Replaces the file with t. When run as root (admitctl oauth login by an administrator), the
 * file is given to the owner of its folder, the user admitd runs as. */
int tokenfile_save(const char *path, const struct token_record *t, struct err *err);

/* Wipes and frees the fields. */
void token_record_clear(struct token_record *t);

#endif
