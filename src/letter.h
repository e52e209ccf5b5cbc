/* letter.h — the mail we write: the letter variables, the three kinds of mail (to an
 * applicant, an answer to inbound mail, our own to the commission or the office), queuing a
 * composed message in the outbox inside the caller's transaction within the reply limits, and
 * --check-config's rendering of every template. */
#ifndef ADMITD_LETTER_H
#define ADMITD_LETTER_H

#include <stdbool.h>
#include <stdint.h>

#include <glib.h>

#include "compose.h"
#include "config.h"
#include "err.h"
#include "mail.h"
#include "store.h"

/* name, email, reference, programme, registration_url, edition: a new table (char * → owned
 * char *) the caller adds to and destroys. `name` falls back to the email when empty. */
GHashTable *letter_vars_new(const struct config *cfg, const char *name, const char *email,
			    const char *ref, const char *edition);

/* Composes `in` and writes it to the outbox (application_id 0: about no single application).
 * *message_id_r, when not NULL, gets the Message-ID (owned). Errors as compose_message() and
 * the store. */
int letter_queue(struct store *st, const struct config *cfg, int64_t application_id,
		 const struct compose_in *in, gint64 now, char **message_id_r, struct err *err);

/* letter_queue() for an automatic reply to inbound mail, within limits.replies_per_address_
 * per_day and limits.replies_per_hour: over a limit nothing is queued, *held_r is set, and the
 * hold is recorded (event "reply-held", the "replies_held" count for status). */
int letter_queue_reply(struct store *st, const struct config *cfg, int64_t application_id,
		       const struct compose_in *in, gint64 now, bool *held_r, char **message_id_r,
		       struct err *err);

/* The three kinds of mail we write, each composed the same way every time: */
/* To the applicant of `a`, threaded to their first message (decisions, a withdrawal, an
 * edition opening): auto-generated, not rate-limited. */
int letter_queue_to_applicant(struct store *st, const struct config *cfg, const struct app_row *a,
			      const char *template_name, GHashTable *vars, gint64 now,
			      struct err *err);
/* An automatic answer to the inbound mail `m` (to its sender, or to to_addr), threaded to it:
 * auto-replied, within the reply limits (letter_queue_reply) when `limited`. */
int letter_queue_answer(struct store *st, const struct config *cfg, int64_t application_id,
			const struct mail *m, const char *to_addr, const char *to_name,
			const char *template_name, GHashTable *vars, bool limited, gint64 now,
			struct err *err);
/* Our own mail to the commission or the office: auto-generated, threaded to nothing; the
 * caller may add a Message-ID, a thread or attachments before letter_queue(). */
struct compose_in letter_internal(const char *template_name, GHashTable *vars, const char *to_addr);

/* The list of what is missing, one snippet per document (snippets/missing-cv.txt ...), for
 * {{missing}}; "" when nothing is. *text_r belongs to the caller. Errors: ERR_CONFIG. */
int letter_missing_text(const struct config *cfg, bool cv, bool letter, char **text_r,
			struct err *err);

/* Renders every template and snippet of template_spec.c with a sample value for exactly the
 * variables its spec lists, as the daemon will: a typo, a variable its caller does not fill or
 * a missing file shows at --check-config, not at the first applicant. Errors: ERR_CONFIG. */
int letter_check_templates(const struct config *cfg, struct err *err);

#endif
