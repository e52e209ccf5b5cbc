/* outbox.h — the delivery queue. Rows are written by the transaction that causes them
 * (intake, decisions) with a fixed Message-ID; this module only sends what is due, after
 * commit, and records the outcome: sent, retried later with backoff, or failed for good. */
#ifndef ADMITD_OUTBOX_H
#define ADMITD_OUTBOX_H

#include "config.h"
#include "err.h"
#include "smtp.h"
#include "store.h"

struct outbox_stats {
	int sent, deferred, failed;
};

/* Sends every due row through sm. A temporary failure defers that row and stops the run
 * (the server is likely down for the rest too); a permanent one marks the row failed. Both
 * are logged here. Returns -1 only when the store fails. */
int outbox_flush(struct store *st, struct smtp *sm, const struct config *cfg, gint64 now,
		 struct outbox_stats *stats_r, struct err *err);

/* Seconds to wait before attempt number `attempts` + 1: one minute, doubling, at most 6 h. */
gint64 outbox_backoff(int attempts);

/* One summary to programme.office_address of every letter that failed for good (refused or
 * bounced) since the last one; nothing when there is none or no office address. 1 when a
 * summary was queued (the caller sends it in the same cycle: a refused digest is news), 0
 * when none was. */
int outbox_report_failures(struct store *st, const struct config *cfg, gint64 now, struct err *err);

#endif
