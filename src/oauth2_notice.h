/* oauth2_notice.h — what the office and admitctl learn about the OAuth2 login: the refusal
 * that needs a person (store state "oauth2_problem", shown by admitctl status under Needs
 * attention, and told to programme.office_address once per episode, across restarts; when it
 * ends, letters that waited for the login are due at once) and
 * when the access token held expires ("oauth2_access_expires", for admitctl oauth status). */
#ifndef ADMITD_OAUTH2_NOTICE_H
#define ADMITD_OAUTH2_NOTICE_H

#include <glib.h>

#include "config.h"
#include "err.h"
#include "oauth2.h"
#include "store.h"

/* After a cycle. Returns 1 when a letter to the office was queued (worth a flush), 0, or -1. */
int oauth2_notice(struct store *st, const struct config *cfg, const struct oauth2 *o, gint64 now,
		  struct err *err);

#endif
