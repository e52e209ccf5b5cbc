/* intake.h — one spooled inbound message becomes an application, a follow-up to one, a
 * question we answer with how to apply, a decision of the commission (handed to
 * commission.c), or a message we file and leave alone (machine-made, a duplicate, too large,
 * unreadable).
 *
 * intake_file() runs inside the caller's transaction and writes everything the message causes
 * there: the ledger row, applicant, application, documents, the reply in the outbox and the
 * audit events. It sends nothing. */
#ifndef ADMITD_INTAKE_H
#define ADMITD_INTAKE_H

#include <stdbool.h>
#include <stdint.h>

#include "config.h"
#include "err.h"
#include "ledger.h"
#include "store.h"

/* Errors: ERR_TEMP/ERR_FATAL from the store, ERR_CONFIG from templates. On error the caller
 * rolls back; nothing of the message is kept. */
int intake_file(struct store *st, const struct config *cfg, const struct ledger_source *src,
		gint64 now, struct ledger_result *res, struct err *err);

#endif
