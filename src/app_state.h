/* app_state.h — the states of an application, written once: each state's stored name, what it
 * allows, and which moves lead out of it. The store's CHECK constraint is checked against this
 * table when the database opens (store_schema.c), the store's queries ask it through the SQL
 * function app_state_has(state, 'PROPERTY'), and intake, decisions, withdrawal, retention and
 * admitctl read it here.
 *
 *   incomplete ─documents complete─▶ pending ─batch closes─▶ in_review ─┬▶ accepted
 *        ▲  │                           │                               ├▶ discarded
 *        │  └─(no edition open)─▶ next_edition ◀─┘                      └▶ reserve ─▶ accepted
 *        └────── next edition opens ──────┘                                       └▶ discarded
 *   withdrawn: from any state under way, or from accepted (admitctl withdraw).
 *
 * Names returned are static. */
#ifndef ADMITD_APP_STATE_H
#define ADMITD_APP_STATE_H

#include <stdbool.h>

enum app_state {
	APP_INCOMPLETE,
	APP_PENDING, /* complete, waiting for its batch to close */
	APP_IN_REVIEW,
	APP_ACCEPTED,
	APP_DISCARDED,
	APP_RESERVE,
	APP_NEXT_EDITION, /* arrived when no edition was open: kept for the next one */
	APP_WITHDRAWN,
};
#define APP_STATE_COUNT (APP_WITHDRAWN + 1)

/* What a state allows. The names in parentheses are the properties' names in SQL. */
enum app_state_property {
	APP_TAKES_DOCUMENTS = 1 << 0, /* (takes_documents) new documents replace the old ones */
	APP_UNDER_WAY = 1 << 1,	      /* (under_way) not decided for good: mail still joins it */
	APP_UNDECIDED = 1 << 2,	      /* (undecided) the commission owes it a decision */
	APP_DECIDABLE = 1 << 3,	      /* (decidable) a commission reply may decide it */
	APP_FINAL = 1 << 4,	      /* (final) decided for good: only --force changes it */
};

/* The stored name ("in_review"). */
const char *app_state_name(enum app_state s);
/* false when `name` is not a state's name. */
bool app_state_parse(const char *name, enum app_state *s_r);
bool app_state_is(enum app_state s, enum app_state_property p);
/* A property by its SQL name ("under_way"); false when unknown. */
bool app_state_property_parse(const char *name, enum app_state_property *p_r);
/* Whether the rules lead from `from` to `to` (without --force). */
bool app_state_may_move(enum app_state from, enum app_state to);

#endif
