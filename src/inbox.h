/* inbox.h — one pass over the IMAP inbox: every new UID is fetched to the spool and synced,
 * filed by intake in a transaction, and only then moved to imap.processed_mailbox. (Messages go
 * in groups that share the syncs, the document worker and the transaction: inbox.c.) */
#ifndef ADMITD_INBOX_H
#define ADMITD_INBOX_H

#include "config.h"
#include "err.h"
#include "imap.h"
#include "spool.h"
#include "store.h"

struct inbox_stats {
	int filed; /* messages newly recorded in the store */
	int moved; /* messages moved to the processed mailbox */
};

/* All arguments are borrowed. Errors: ERR_TEMP (server or disk: try again next cycle; what was
 * committed stays committed), ERR_CONFIG (a missing mailbox or template), ERR_FATAL. */
int inbox_poll(struct imap *im, struct store *st, struct spool *sp, const struct config *cfg,
	       struct inbox_stats *stats_r, struct err *err);

#endif
