/* application.h — changing an application's state on someone's word: a decision (by email
 * from the commission, or admitctl decide) and a withdrawal (admitctl withdraw). Each change
 * writes the state, the decision row when it is one, the audit event and the applicant's
 * letter, all inside the caller's transaction. Which changes are allowed is app_state.h's
 * table: the commission decides what is in review or on the reserve list; a final state is
 * not changed by email, and `force` (admitctl decide --force) can change it and can decide an
 * application not yet in review. A withdrawal ends any application under way, or an accepted
 * one (a place declined). */
#ifndef ADMITD_APPLICATION_H
#define ADMITD_APPLICATION_H

#include <stdbool.h>

#include "app_state.h"
#include "config.h"
#include "decision.h"
#include "err.h"
#include "store.h"

enum application_result {
	APPLICATION_APPLIED,	   /* the state changed and the letter is queued */
	APPLICATION_UNCHANGED,	   /* already in that state: nothing done */
	APPLICATION_FINAL,	   /* decided for good: a decision needs --force */
	APPLICATION_NOT_IN_REVIEW, /* incomplete, pending ...: not the commission's yet */
	APPLICATION_UNKNOWN,	   /* no such reference */
	APPLICATION_OTHER_BATCH,   /* not in the batch the decision was limited to */
	APPLICATION_OTHER_PART,	   /* in that batch, but another part of its digest lists it */
};

struct application_decision {
	const char *ref;
	enum verdict verdict;
	const char *decided_by;	       /* an address, or "admitctl:USER" */
	const char *source_message_id; /* the commission's email, or NULL */
	const char *reason;	       /* written after the references, or NULL */
	int64_t batch_id; /* nonzero: only an application of this batch (the email's token) */
	int digest_part;  /* nonzero: only one that this part of its digest listed */
	bool force;
};

/* *before_r is the state before (set unless APPLICATION_UNKNOWN). */
int application_decide(struct store *st, const struct config *cfg,
		       const struct application_decision *d, gint64 now,
		       enum application_result *result_r, enum app_state *before_r,
		       struct err *err);

/* `by` is "admitctl:USER". APPLICATION_FINAL when the application cannot be withdrawn any
 * more (discarded); UNCHANGED when it already was. */
int application_withdraw(struct store *st, const struct config *cfg, const char *ref,
			 const char *by, gint64 now, enum application_result *result_r,
			 enum app_state *before_r, struct err *err);

/* "applied", "unchanged", "final", "not-in-review", "unknown", "other-batch", "other-part": the
 * snippet suffix (snippets/transcript-NAME.txt) and the word admitctl prints. */
const char *application_result_name(enum application_result r);

#endif
