/* ledger.h — the message in hand and what filing it did: every inbound message gets one row
 * in the store's ledger (store_ledger.c), written by whichever module files it (intake for
 * applicants, commission for decisions, inbox for what cannot be read). */
#ifndef ADMITD_LEDGER_H
#define ADMITD_LEDGER_H

#include <stdbool.h>
#include <stdint.h>

#include "docread.h"
#include "err.h"
#include "mail.h"
#include "store.h"

/* A spooled message and what was read from it; every field borrowed. */
struct ledger_source {
	uint32_t uidvalidity, uid;
	const char *spool_path;
	const char *sha256;	       /* of the raw message */
	const struct mail *mail;       /* NULL when the message could not be read */
	const struct doc_facts *facts; /* one per attachment of mail (documents_inspect_all) */
	const char *unreadable;	       /* why, when mail is NULL */
	bool too_large; /* over limits.max_message_bytes: only the header was fetched */
};

/* What filing one message did, for the log line and the tests. */
struct ledger_result {
	/* static: application, followup, inquiry, decision, too-large, duplicate, ignored,
	 * quarantined */
	const char *outcome;
	char *ref;	   /* owned; the application concerned, or NULL */
	const char *state; /* its state afterwards (static: app_state_name), or NULL */
	const char *reply; /* static: the template queued, or NULL */
};
void ledger_result_clear(struct ledger_result *res);

/* Writes the ledger row of the message in hand (*id_r, when not NULL, gets its id), inside
 * the caller's transaction. Errors from the store. */
int ledger_record(struct store *st, const struct ledger_source *src, const char *outcome,
		  const char *detail, int64_t app_id, gint64 now, int64_t *id_r, struct err *err);

#endif
