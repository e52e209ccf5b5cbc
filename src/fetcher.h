/* fetcher.h — fetches a list of inbox messages into the spool in a thread of its own, so the
 * next messages come over the network while those before them are parsed and filed.
 *
 * While a fetcher runs, its thread alone uses the IMAP connection; the caller waits for
 * fetcher_free() before sending any other IMAP command. Spooled files are not yet synced
 * (spool_sync). */
#ifndef ADMITD_FETCHER_H
#define ADMITD_FETCHER_H

#include <stdbool.h>
#include <stdint.h>

#include "err.h"
#include "imap.h"
#include "spool.h"

struct fetched {
	uint32_t uid;
	bool too_large;	 /* only its header was fetched (limits.max_message_bytes) */
	char *path;	 /* owned: the spooled message */
	char sha256[65]; /* of its bytes */
};

struct fetcher;

/* Starts fetching uids[i] (only the header where too_large[i]) in order. */
struct fetcher *fetcher_start(struct imap *im, struct spool *sp, uint32_t uidvalidity,
			      const uint32_t *uids, const bool *too_large, size_t n);

/* The next message, in order, waiting for it: 1 and *f_r, 0 when all are fetched (messages gone
 * since the search are skipped), -1 and err when a fetch failed (the fetcher stops there). */
int fetcher_next(struct fetcher *f, struct fetched *f_r, struct err *err);

/* Stops after the message in hand, waits for the thread and removes what was fetched but not
 * taken (it is fetched again next time). */
void fetcher_free(struct fetcher **fp);

#endif
