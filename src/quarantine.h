/* quarantine.h — mail set aside as quarantined (unusable From, unreadable, or a message that
 * stopped admitd three times), for the office: listed and shown by admitctl, and released once
 * after a fix or a config change: intake runs again on the spooled copy, as on arrival, in one
 * transaction that replaces the quarantined ledger row. The replies it queues go out with the
 * daemon's next cycle. */
#ifndef ADMITD_QUARANTINE_H
#define ADMITD_QUARANTINE_H

#include "config.h"
#include "err.h"
#include "ledger.h"
#include "spool.h"
#include "store.h"

/* Errors: ERR_CONFIG when `id` is no quarantined message, or it still cannot be read (nothing
 * changes, err says why); ERR_TEMP from the store or the document worker. */
int quarantine_release(struct store *st, struct spool *sp, const struct config *cfg, int64_t id,
		       gint64 now, struct ledger_result *res, struct err *err);

/* The scheduled job: when programme.office_address is set and mail was quarantined since the
 * last summary, one letter (templates/quarantine-summary.txt) lists it, at most once a day.
 * *sent_r is 1 when one was queued. */
int quarantine_summary(struct store *st, const struct config *cfg, gint64 now, int *sent_r,
		       struct err *err);

#endif
