/* confirm.h — a change nobody confirmed is not made. Anyone can write any From header: a mail
 * that would replace an application's documents (or rename its applicant) counts at once only
 * when it comes in our thread with that address — its In-Reply-To or References carry the
 * Message-ID of a letter we sent there. Otherwise its documents are stored but not used, and
 * the applicant is asked to reply to confirm (Mailman's confirmation pattern); the reply
 * applies the change. New applications and documents of a kind the application lacks need no
 * confirmation. Runs inside intake's transaction. */
#ifndef ADMITD_CONFIRM_H
#define ADMITD_CONFIRM_H

#include "config.h"
#include "err.h"
#include "mail.h"
#include "store.h"

/* 1 when m answers a letter we sent to `address`, 0 when not, -1. */
int confirm_in_thread(struct store *st, const struct mail *m, const char *address, struct err *err);

/* m answers our letter that asked to confirm a waiting change of the application: the change
 * is applied (documents; the name, renaming applicant_id). 1 when one was, 0 when none, -1. */
int confirm_apply(struct store *st, const struct mail *m, int64_t app_id, int64_t applicant_id,
		  gint64 now, struct err *err);

/* The documents of ledger row `ledger_id` were stored superseded: records the waiting change
 * and asks m's sender to confirm it (templates/confirm-change.txt). */
int confirm_ask(struct store *st, const struct config *cfg, const struct mail *m, int64_t app_id,
		const char *ref, const char *edition, int64_t ledger_id, gint64 now,
		struct err *err);

#endif
