/* commission.h — one email from the commission's side: authenticated, its decisions applied,
 * a transcript sent back; or refused, changing nothing, with a warning to the commission.
 *
 * A reply counts only when its sender is one of commission.members AND it carries the token of
 * a digest (In-Reply-To, References or Subject), AND — when commission.require_auth is set — an
 * Authentication-Results header from commission.authserv_id says dkim=pass (or dmarc=pass).
 * Runs inside the intake transaction; sends nothing itself. */
#ifndef ADMITD_COMMISSION_H
#define ADMITD_COMMISSION_H

#include "config.h"
#include "err.h"
#include "ledger.h"
#include "mail.h"
#include "store.h"

/* 1 when this mail is the commission's business (from a member or the commission address, or
 * carrying a digest token), 0 when not, -1 on error. */
int commission_concerns(struct store *st, const struct config *cfg, const struct mail *m,
			struct err *err);

/* Files the reply: outcome "decision" (or "duplicate" for the same email delivered again). */
int commission_reply(struct store *st, const struct config *cfg, const struct ledger_source *src,
		     gint64 now, struct ledger_result *res, struct err *err);

/* Refusal warnings past the day's limit (see commission.c warn_commission) are gathered; once a
 * day, when there are any, one summary lists them to commission.address. One transaction;
 * *sent_r is 1 when a summary was queued. */
int commission_refusal_summary(struct store *st, const struct config *cfg, gint64 now, int *sent_r,
			       struct err *err);

#endif
