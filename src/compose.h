/* compose.h — a rendered template becomes a complete outgoing message (GMime), ready for the
 * outbox. Every header is built by GMime; values from applicants never paste into headers. */
#ifndef ADMITD_COMPOSE_H
#define ADMITD_COMPOSE_H

#include <glib.h>

#include "config.h"
#include "err.h"

struct compose_attachment {
	const char *path;	  /* the file that holds it */
	gint64 offset, size;	  /* which bytes of that file */
	const char *filename;	  /* the name the reader sees */
	const char *content_type; /* "application/pdf" */
};

struct compose_in {
	const char *template_name; /* templates/NAME.txt */
	GHashTable *vars;	   /* char * → char *, borrowed */
	const char *to_addr;
	const char *to_name;	    /* may be NULL or "" */
	const char *in_reply_to;    /* Message-ID we answer, without <>, or NULL */
	const char *references;	    /* the References header of that message, or NULL */
	const char *auto_submitted; /* "auto-replied" or "auto-generated" */
	const char *message_id;	    /* NULL: a fresh one */
	const struct compose_attachment *attachments; /* may be NULL */
	size_t n_attachments;
};

/* Renders and builds the message: From programme.reply_from, a fresh Message-ID (fixed from
 * now on: the outbox row keeps it), CRLF line ends, 7-bit clean. *message_id_r (without <>) and
 * *bytes_r belong to the caller. Errors: ERR_CONFIG from the template, ERR_TEMP when an
 * attachment cannot be read. */
int compose_message(const struct config *cfg, const struct compose_in *in, gint64 now,
		    char **message_id_r, GBytes **bytes_r, struct err *err);

/* "LOCAL@domain-of-reply_from", a Message-ID we choose ourselves (digests carry their token in
 * it). Belongs to the caller. */
char *compose_message_id_for(const struct config *cfg, const char *local_part);

#endif
