/* gdpr.h — a person's data on request: everything stored about them, exported; or erased,
 * keeping only each application's reference, state and dates and a record of the erasure. */
#ifndef ADMITD_GDPR_H
#define ADMITD_GDPR_H

#include <glib.h>

#include "config.h"
#include "err.h"
#include "store.h"

/* Writes DIR/person.json and copies of the documents, the raw messages and the letters sent
 * (DIR/documents/, DIR/messages/, DIR/letters/). DIR must not exist yet. *found_r: whether the
 * store knows the person. Errors: ERR_CONFIG for DIR, ERR_TEMP/ERR_FATAL from the store. */
int gdpr_export(struct store *st, const char *email, const char *dir, bool *found_r,
		struct err *err);

/* What an erasure removed, item by item, for the office's answer to the request. */
struct gdpr_erasure {
	struct person_erased rows;
	int commission_letters; /* letters to others (digests, transcripts) that named them */
	int withdrawn_letters;	/* of those, still waiting to be sent: withdrawn */
	int digests_again;	/* batches whose digest is queued again without them */
	int commission_replies; /* raw copies of others' mail (a member's reply) that quoted them */
	int files;		/* files deleted: documents and raw messages */
	char hash[80];		/* "sha256:<hex>" of the address: the record of the erasure */
};

/* Erases the person (store_person_erase: their applications still under way are withdrawn)
 * and every other letter or spooled reply that names them (gdpr_mentions.h), deletes their
 * files, then compacts the store (store_compact) so that no byte of them is left in the
 * database, its WAL or the spool. A letter to the commission still waiting to be sent is
 * withdrawn; when it is a batch's digest or reminder, the digest is queued again (a new round,
 * batch_resend_in_tx) listing the batch's other applications. */
int gdpr_erase(struct store *st, const struct config *cfg, const char *email, gint64 now,
	       struct gdpr_erasure *out, struct err *err);

#endif
