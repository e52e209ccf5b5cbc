/* gdpr_mentions.h — mail that names a person without being theirs: the digests, reminders
 * and transcripts we sent the commission (their table lists applicants, their dossier holds
 * the documents), and the raw copies of the commission's replies, which quote those tables.
 * Found by reading each body's text for the person's address, name or references. */
#ifndef ADMITD_GDPR_MENTIONS_H
#define ADMITD_GDPR_MENTIONS_H

#include <glib.h>

#include "err.h"
#include "store.h"

struct gdpr_mentions {
	GArray *letters;  /* int64_t: outbox rows to others that name the person */
	GArray *replies;  /* int64_t: ledger rows of others' mail that names them */
	GPtrArray *files; /* char *: the spooled copies of those (deleted with the erasure) */
};

/* Reads the person's name and references from the store, then every other body. */
int gdpr_mentions_find(struct store *st, const char *email, struct gdpr_mentions *out,
		       struct err *err);
void gdpr_mentions_clear(struct gdpr_mentions *m);

#endif
