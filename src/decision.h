/* decision.h — reading the commission's replies: which decisions a reply states, and whether
 * it may state them at all.
 *
 * The body is untrusted text. A decision line is a keyword and one or more references, in any
 * case, then perhaps a reason: "ACCEPT AI4G-2026-0007", "reserve ai4g-2026-0009,
 * AI4G-2026-0011", "ACCEPT AI4G-2026-0007 - excellent profile". Not read: quoted lines (">"),
 * and everything after the signature separator "-- ", a phone's "Sent from my iPhone" (in the
 * commission's languages) or a client's reply header: "-----Original Message-----" and its
 * translations, "On ... wrote:" in English, Spanish, German, Italian, French, Portuguese,
 * Dutch, Estonian, Finnish (also wrapped over two lines), Outlook's "From:/Sent:/To:" block
 * in those languages. At most DECISION_MAX_LINES lines are read. */
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

#define DECISION_LINE_MAX 1000 /* characters of one line that are read */

struct decision_line {
	enum verdict verdict;
	char *text;   /* the line as written, cleaned (one line, plain spaces) */
	char **refs;  /* upper-case references, NULL-terminated; empty for a bare keyword */
	char *reason; /* written after the references (" - ...", "# ...", "(...)"), or NULL */
};

struct decision_parse {
	GPtrArray *lines;     /* of struct decision_line *: decisions in order */
	GPtrArray *ignored;   /* of char *: non-empty lines that are not decisions */
	GPtrArray *malformed; /* of char *: lines that start with a keyword but are not decisions */
	bool truncated;	      /* more than DECISION_MAX_LINES lines */
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

/* Whether an Authentication-Results header (raw value, RFC 8601) is from `authserv_id` and says
 * `method=pass` for the From domain (method: "dkim" or "dmarc"): dkim only with a header.d that
 * is from_domain or a parent of it, dmarc only with header.from equal to from_domain. Comments
 * "(...)" are ignored, case is not significant. */
bool decision_auth_passes(const char *header, const char *authserv_id, const char *method,
			  const char *from_domain);

#endif
