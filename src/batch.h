/* batch.h — fortnight arithmetic: which review batch a moment falls in. */
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

#endif
