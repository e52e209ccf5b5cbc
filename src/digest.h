/* digest.h — the commission's emails about a batch: the digest (a table of the applications,
 * each one's letter and CV attached, instructions to reply) and the reminder. Both carry the
 * batch's token in Message-ID and Subject, so a reply proves its author received them. */
#ifndef ADMITD_DIGEST_H
#define ADMITD_DIGEST_H

#include <stdbool.h>

#include <glib.h>

#include "config.h"
#include "err.h"
#include "store.h"

/* A fresh unguessable token: 24 lower-case hex digits (96 bits from getrandom). Owned. */
int digest_token_new(char **token_r, struct err *err);

/* Queues the digest of batch b (its applications `apps`, struct app_row *) to
 * commission.address, in as many parts as commission.max_message_bytes needs
 * (digest_parts.h), as round b->digest_round, and records each application's part.
 * *message_id_r (owned) is the first part's Message-ID (digest_part_message_id). */
int digest_queue(struct store *st, const struct config *cfg, const struct batch_row *b,
		 GPtrArray *apps, const char *token, gint64 now, char **message_id_r,
		 struct err *err);

/* Queues the one reminder of batch b listing `apps`, still undecided: one per digest part
 * (of `parts`) that has any, threaded to that part and carrying the same token. */
int digest_queue_reminder(struct store *st, const struct config *cfg, const struct batch_row *b,
			  GPtrArray *apps, int parts, gint64 now, struct err *err);

/* The variables of a digest part's templates (templates/digest.txt but "applications" and
 * "documents_note"): the batch's, and the part's of `parts`, listing `apps` (struct app_row *)
 * of `total`. Owned; NULL with err from a snippet. */
GHashTable *digest_vars_new(const struct config *cfg, const struct batch_row *b, GPtrArray *apps,
			    int part, int parts, guint total, bool without_documents,
			    struct err *err);

/* The Message-ID of part `part` (from 1) of round `round` of a batch's "digest" or
 * "reminder": KIND.TOKEN, then ".rR" for a round sent again (admitctl batch resend), then ".K"
 * for a part after the first; the first part of round 0 is what a batch always had. Owned. */
char *digest_part_message_id(const struct config *cfg, const char *kind, const struct batch_row *b,
			     int round, int part);

#endif
