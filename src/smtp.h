/* smtp.h — libcurl SMTP: deliver one prepared message. One connection is kept and reused
 * between sends; TLS is verified (smtps://, or STARTTLS on smtp:// — required unless
 * smtp.require_tls = false, then used when offered). */
#ifndef ADMITD_SMTP_H
#define ADMITD_SMTP_H

#include <stddef.h>

#include "config.h"
#include "err.h"

struct smtp;

/* cfg is borrowed and must outlive the session. */
int smtp_new(struct smtp **sm_r, const struct config_smtp *cfg, struct err *err);
void smtp_free(struct smtp **smp);

/* As imap_set_oauth2(). */
struct oauth2;
void smtp_set_oauth2(struct smtp *sm, struct oauth2 *o);

/* Sends `message` (CRLF lines) from `from` to `to`. Errors: ERR_MESSAGE when the server
 * refused it for good (5xx), ERR_TEMP for everything worth trying again (network, TLS, 4xx,
 * a refused login: the office fixes the password, the queue must not be lost). */
int smtp_send(struct smtp *sm, const char *from, const char *to, const void *message, size_t len,
	      struct err *err);

#endif
