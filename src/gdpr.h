/* gdpr.h — a person's data on request: everything stored about them, exported; or erased,
 * keeping only each application's reference, state and dates and a record of the erasure. */
#ifndef ADMITD_GDPR_H
#define ADMITD_GDPR_H

#include <glib.h>

#include "err.h"
#include "store.h"

/* Writes DIR/person.json and copies of the documents, the raw messages and the letters sent
 * (DIR/documents/, DIR/messages/, DIR/letters/). DIR must not exist yet. *found_r: whether the
 * store knows the person. Errors: ERR_CONFIG for DIR, ERR_TEMP/ERR_FATAL from the store. */
int gdpr_export(struct store *st, const char *email, const char *dir, bool *found_r,
		struct err *err);

/* Erases the person (store_person_erase) and deletes their files. *files_r: files deleted. */
int gdpr_erase(struct store *st, const char *email, gint64 now, int *files_r, struct err *err);

#endif
