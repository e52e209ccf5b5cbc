/* intake.h — one spooled inbound message becomes an application, a follow-up to one, or a
 * message we file and leave alone (machine-made, from the commission, a duplicate).
 *
 * intake_file() runs inside the caller's transaction and writes everything the message causes
 * there: the ledger row, applicant, application, documents, the reply in the outbox and the
 * audit events. It sends nothing. */
#ifndef ADMITD_INTAKE_H
#define ADMITD_INTAKE_H

#include <stdbool.h>
#include <stdint.h>

#include "config.h"
#include "docread.h"
#include "err.h"
#include "mail.h"
#include "store.h"

struct intake_source {
	uint32_t uidvalidity, uid;
	const char *spool_path;
	const char *sha256;	       /* of the raw message */
	const struct mail *mail;       /* NULL when the message could not be read */
	const struct doc_facts *facts; /* one per attachment of mail (documents_inspect_all) */
	const char *unreadable;	       /* why, when mail is NULL */
	bool too_large; /* over limits.max_message_bytes: only the header was fetched */
};

struct intake_result {
	const char *outcome; /* static: application, followup, ignored, decision, duplicate,
				quarantined */
	char *ref;	     /* owned; the application concerned, or NULL */
	const char *state;   /* its state afterwards (static: app_state_name), or NULL */
	const char *reply;   /* static: the template queued, or NULL */
};

/* Errors: ERR_TEMP/ERR_FATAL from the store, ERR_CONFIG from templates. On error the caller
 * rolls back; nothing of the message is kept. */
int intake_file(struct store *st, const struct config *cfg, const struct intake_source *src,
		gint64 now, struct intake_result *res, struct err *err);
void intake_result_clear(struct intake_result *res);

/* Writes the ledger row of the message in hand (*id_r, when not NULL, gets its id). */
int intake_ledger(struct store *st, const struct intake_source *src, const char *outcome,
		  const char *detail, int64_t app_id, gint64 now, int64_t *id_r, struct err *err);

/* When an edition is open today, applications kept for the next edition join it (pending when
 * complete, in the current batch; incomplete otherwise) and their applicants are told, once.
 * One transaction per application. */
int intake_open_editions(struct store *st, const struct config *cfg, gint64 now, int *moved_r,
			 struct err *err);

#endif
