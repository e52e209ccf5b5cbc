/* retention.h — nothing is kept for ever: after retention.*_days in a final (or abandoned)
 * state, an application's documents and raw messages are deleted (its row, with reference,
 * state and dates, stays, and the purge is recorded); mail of no application (inquiries,
 * ignored, quarantined, too large, decisions, duplicates) loses its raw copy, sender and
 * subject after its kind's days; letters sent lose their body after letters_days. */
#ifndef ADMITD_RETENTION_H
#define ADMITD_RETENTION_H

#include "config.h"
#include "err.h"
#include "store.h"

/* One transaction per application; files deleted before its commit (a crash repeats the
 * purge, never forgets files). *purged_r counts applications purged. */
int retention_purge(struct store *st, const struct config *cfg, gint64 now, int *purged_r,
		    struct err *err);

#endif
