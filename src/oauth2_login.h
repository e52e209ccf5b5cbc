/* oauth2_login.h — how an administrator gives admitd its refresh token, from any browser, with
 * nothing reaching the server: the device authorization grant (RFC 8628; Microsoft), or, for
 * providers whose device grant does not allow the mail scope (Google), the authorization code
 * grant with PKCE (RFC 7636) whose redirect to a loopback address the administrator copies
 * back from the browser's address bar. The token goes to cfg->token_file (tokenfile.h). */
#ifndef ADMITD_OAUTH2_LOGIN_H
#define ADMITD_OAUTH2_LOGIN_H

#include <stdio.h>

#include "config.h"
#include "err.h"

/* The loopback address the code grant redirects to (register it with the provider). */
#define OAUTH2_REDIRECT_URI "http://127.0.0.1:8400/"

/* "device" or "code": what the provider offers, or NULL when it has neither URL. */
const char *oauth2_login_kind(const struct config_oauth2 *cfg);

/* Prints what to do on `out`, waits for the person (polls, or reads the pasted address from
 * `in`), stores the token. Errors name what went wrong and what to do. */
int oauth2_login_device(const struct config_oauth2 *cfg, FILE *out, struct err *err);
int oauth2_login_code(const struct config_oauth2 *cfg, FILE *in, FILE *out, struct err *err);

#endif
