/* batch.h — the fortnightly batches: which one a moment falls in, closing one (its pending
 * applications go to review and the digest is queued) and reminding the commission of
 * undecided ones. */
#ifndef ADMITD_BATCH_H
#define ADMITD_BATCH_H

#include <stdint.h>

#include <glib.h>

#include "config.h"
#include "err.h"
#include "store.h"

/* The window of batches.period_days days, counted from batches.anchor (before or after it),
 * that holds `day`: opens_r is its first day, closes_r the day after its last, when the
 * batch goes to the commission. */
void batch_window(const struct config *cfg, const GDate *day, GDate *opens_r, GDate *closes_r);

/* The batch row for the moment t (made when missing); *closes_r ("YYYY-MM-DD", owned) is the
 * day it goes to the commission. */
int batch_for_time(struct store *st, const struct config *cfg, gint64 t, int64_t *batch_id_r,
		   char **closes_r, struct err *err);

/* Closes batch `id` in one transaction: its pending applications go in_review, the digest is
 * queued to the commission, the batch is marked closed with its token. An empty batch closes
 * without a digest. *reviewed_r: how many applications went to review. */
int batch_close(struct store *st, const struct config *cfg, int64_t id, gint64 now, int *reviewed_r,
		struct err *err);

/* Closes every open batch whose window has ended by `now`, oldest first (also windows the
 * daemon slept through). *closed_r counts them. */
int batch_close_due(struct store *st, const struct config *cfg, gint64 now, int *closed_r,
		    struct err *err);

/* The open batch whose window holds `now`: 1 and *b_r (release with batch_row_clear), 0 when
 * there is none, -1 on error. */
int batch_current(struct store *st, gint64 now, struct batch_row *b_r, struct err *err);

/* The open batch whose window holds `now`, closed early (admitctl batch close). Returns 1 and
 * sets *id_r when there was one, 0 when not. */
int batch_close_current(struct store *st, const struct config *cfg, gint64 now, int64_t *id_r,
			int *reviewed_r, struct err *err);

/* Sends the digest of closed batch `id` again, for its applications still in review, as a
 * new round planned with today's commission.max_message_bytes (after a server refused it):
 * its failed digest and reminder emails are superseded, those still waiting withdrawn, replies to the old round still decide
 * (any application of the batch). *count_r: how many it lists (0: none undecided, nothing
 * sent). ERR_CONFIG for a batch that does not exist or has no digest. */
int batch_resend(struct store *st, const struct config *cfg, int64_t id, gint64 now, int *count_r,
		 struct err *err);
/* The same inside the caller's transaction (gdpr_erase: a digest withdrawn because it named an
 * erased person goes out again without them). */
int batch_resend_in_tx(struct store *st, const struct config *cfg, int64_t id, gint64 now,
		       int *count_r, struct err *err);

/* One reminder per batch still undecided batches.reminder_days after its digest. */
int batch_remind_due(struct store *st, const struct config *cfg, gint64 now, int *sent_r,
		     struct err *err);

#endif
