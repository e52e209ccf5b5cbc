/* rollover.h — the scheduled job that brings applications kept for the next edition into it
 * once that edition opens. */
#ifndef ADMITD_ROLLOVER_H
#define ADMITD_ROLLOVER_H

#include "config.h"
#include "err.h"
#include "store.h"

/* When an edition is open on the day of `now`, applications in next_edition join it (pending
 * when complete, in the current batch; incomplete otherwise) and their applicants are told,
 * once. One transaction per application; *moved_r counts them. */
int rollover_open_editions(struct store *st, const struct config *cfg, gint64 now, int *moved_r,
			   struct err *err);

#endif
