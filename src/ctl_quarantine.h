/* ctl_quarantine.h — admitctl quarantine list | show ID | release ID (part of admitctl). */
#ifndef ADMITD_CTL_QUARANTINE_H
#define ADMITD_CTL_QUARANTINE_H

#include "config.h"
#include "store.h"

/* argv[0] is "list", "show" or "release". Returns a sysexits code. */
int ctl_quarantine(const struct config *cfg, struct store *st, int argc, char **argv);

#endif
