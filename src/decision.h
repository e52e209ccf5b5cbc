/* decision.h — reading the commission's replies: which decisions a reply states, and whether
 * it may state them at all.
 *
 * The body is untrusted text. A decision line is a keyword and one or more references, in any
 * case: "ACCEPT AI4G-2026-0007", "reserve ai4g-2026-0009, AI4G-2026-0011". Quoted lines (">"),
 * everything after the signature separator "-- " and everything below a client's reply header
 * ("-----Original Message-----", "On ... wrote:") are not read. At most DECISION_MAX_LINES
 * lines are read. */
#ifndef ADMITD_DECISION_H
#define ADMITD_DECISION_H

#include <stdbool.h>

#include <glib.h>

#include "app_state.h"
#include "config.h"

#define DECISION_MAX_LINES 500

enum verdict {
	VERDICT_ACCEPT,
	VERDICT_DISCARD,
	VERDICT_RESERVE,
};

struct decision_line {
	enum verdict verdict;
	char *text;  /* the line as written, trimmed */
	char **refs; /* upper-case references, NULL-terminated; empty for a bare keyword */
};

struct decision_parse {
	GPtrArray *lines;   /* of struct decision_line *: decisions in order */
	GPtrArray *ignored; /* of char *: non-empty lines that are not decisions */
	bool truncated;	    /* more than DECISION_MAX_LINES lines */
};

/* Parses a reply body. The result belongs to the caller: decision_parse_free(). */
struct decision_parse *decision_parse(const char *body);
void decision_parse_free(struct decision_parse **pp);

/* "accept", "discard", "reserve" (as stored), and the state each leads to. */
const char *decision_verdict_name(enum verdict v);
enum app_state decision_verdict_state(enum verdict v);
bool decision_verdict_from_name(const char *name, enum verdict *v_r);

/* Every digest token-like word in `text` (24 lower-case hex digits), appended to `tokens`
 * (owned strings). Used on In-Reply-To, References and Subject. */
void decision_find_tokens(const char *text, GPtrArray *tokens);

/* Whether an Authentication-Results header (raw value) from `authserv_id` says `method=pass`
 * (method: "dkim" or "dmarc"). */
bool decision_auth_passes(const char *header, const char *authserv_id, const char *method);

#endif
