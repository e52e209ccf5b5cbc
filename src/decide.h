/* decide.h — applying one decision to one application, by email or from admitctl: the rules,
 * the decision row, the audit event and the letter to the applicant, all inside the caller's
 * transaction.
 *
 * Rules: in_review → accepted, discarded or reserve; reserve → accepted or discarded (the
 * reserve list moves as places free up). A final decision (accepted, discarded) is not changed
 * by email; `force` (admitctl decide --force) can change it, and can decide an application not
 * yet in review. */
#ifndef ADMITD_DECIDE_H
#define ADMITD_DECIDE_H

#include <stdbool.h>

#include "config.h"
#include "decision.h"
#include "err.h"
#include "store.h"

enum decide_result {
	DECIDE_APPLIED,	      /* the state changed and the letter is queued */
	DECIDE_UNCHANGED,     /* already in that state: nothing done */
	DECIDE_FINAL,	      /* already accepted or discarded: needs --force */
	DECIDE_NOT_IN_REVIEW, /* incomplete, pending ...: not the commission's yet */
	DECIDE_UNKNOWN,	      /* no such reference */
};

struct decide_in {
	const char *ref;
	enum verdict verdict;
	const char *decided_by;	       /* an address, or "admitctl:USER" */
	const char *source_message_id; /* the commission's email, or NULL */
	bool force;
};

/* *state_r (owned, may be NULL on DECIDE_UNKNOWN) is the state before the decision. */
int decide_apply(struct store *st, const struct config *cfg, const struct decide_in *in, gint64 now,
		 enum decide_result *result_r, char **state_r, struct err *err);

/* "applied", "unchanged", "final", "not-in-review", "unknown": the snippet suffix
 * (snippets/transcript-NAME.txt) and the word admitctl prints. */
const char *decide_result_name(enum decide_result r);

#endif
