/* mail.h — reading one inbound message with GMime.
 *
 * Everything in struct mail comes from the sender and is untrusted: attachment file names are
 * for display only and never become paths. All strings are UTF-8 and belong to the struct. */
#ifndef ADMITD_MAIL_H
#define ADMITD_MAIL_H

#include <stdbool.h>

#include <glib.h>

#include "err.h"
#include "mail_loop.h"

struct mail_attachment {
	char *filename; /* decoded name as one safe line (untrusted_line), or NULL; display only */
	char *content_type; /* declared type, lower-case "type/subtype" */
	char *path;	    /* the file its decoded content was saved in (a generated name) */
	gint64 offset;	    /* where in that file, shared by the message's attachments */
	gint64 size;
	char sha256[65];
	bool is_inline;	    /* Content-Disposition: inline */
	char *content_id;   /* or NULL */
	bool shown_in_html; /* an HTML part of the message shows it (src="cid:...") */
};

struct mail {
	char *from_addr;   /* lower-case address, never NULL */
	char *from_name;   /* decoded display name as one safe line (untrusted_line), or "" */
	char *from_raw;	   /* the From header as it came (at most MAIL_RAW_FROM_MAX), or NULL */
	char *subject;	   /* decoded, one safe line (untrusted_line), "" when none */
	char *message_id;  /* without angle brackets, or NULL */
	char *in_reply_to; /* raw header value, or NULL */
	char *references;  /* raw header value, or NULL */
	/* The first text/plain part (format=flowed joined), or the text of the first text/html
	 * one when there is none (htmltext.h); UTF-8, at most 64 KiB, or "". */
	char *body_text;
	char *body_html;	 /* while reading only: the first text/html part */
	gint64 received_at;	 /* from our server's top Received header; 0 when unknown */
	const char *automatic;	 /* static reason this mail is machine-made (RFC 3834), or NULL */
	GPtrArray *attachments;	 /* of struct mail_attachment *, owned */
	GPtrArray *auth_results; /* of char *: every Authentication-Results header, top first */
	GPtrArray *reported_ids; /* of char *: in a delivery report, the Message-IDs it returns */
};

/* The body text of a whole message (one we sent, from the outbox), as body_text above.
 * Belongs to the caller. */
char *mail_text_of(GBytes *message);

/* Makes GMime ready; call once before any other mail_ or compose_ function. */
void mail_library_init(void);

/* Parses the message at eml_path and saves its attachments, decoded, one after the other in the
 * file parts_path (created at the first one; one file a message spares the filesystem an inode
 * an attachment). Errors: ERR_MESSAGE when the file is not a usable message (no sender),
 * ERR_TEMP when saving fails. The attachments are written, not synced (spool_sync). */
int mail_read(struct mail **mail_r, const char *eml_path, const char *parts_path, struct err *err);
void mail_free(struct mail **mailp);

/* The Message-IDs this mail answers, nearest first: In-Reply-To, then References from the
 * newest. A new array of owned strings (g_ptr_array_free(ids, TRUE)). */
GPtrArray *mail_thread_ids(const struct mail *m);

/* Parses one mailbox ("Name <a@b>" or "a@b"). Returns 0 and, when not NULL, sets *addr_r to the
 * lower-case address and *name_r to the display name ("" when none), both owned by the caller;
 * -1 when the text is not exactly one address. */
int mail_address_parse(const char *text, char **addr_r, char **name_r);

/* How much of the raw From header the ledger keeps. */
#define MAIL_RAW_FROM_MAX 2000

#endif
