/* oauth2.h — the access token admitd logs in with (SASL XOAUTH2 or OAUTHBEARER), obtained from
 * the identity provider with the configured grant: client credentials (no person involved) or
 * the refresh token that admitctl oauth login stored (tokenfile.h), rotated when the provider
 * rotates it. The access token is kept in memory only, until shortly before it expires.
 *
 * A refusal that only a person can fix (a revoked or expired refresh token, a wrong or expired
 * client secret) becomes the "problem": every request fails at once with its text, which names
 * the command that fixes it, until the token file changes (admitctl oauth login) or the
 * configuration is reloaded. Tokens never reach an error text or a log line. */
#ifndef ADMITD_OAUTH2_H
#define ADMITD_OAUTH2_H

#include <glib.h>

#include "config.h"
#include "err.h"

struct oauth2;

/* cfg is borrowed and must outlive the object. Nothing is requested yet. */
struct oauth2 *oauth2_new(const struct config_oauth2 *cfg);
void oauth2_free(struct oauth2 **op);

/* A usable access token, borrowed until the next call: the cached one, or a new one when it
 * is within a few minutes of its expiry or was refused. Errors are ERR_TEMP (an outage of the
 * provider, or the problem above: see oauth2_problem()). */
int oauth2_bearer(struct oauth2 *o, const char **token_r, struct err *err);

/* The mail server refused the token: the next oauth2_bearer() asks for a new one (the
 * caller tries once more with it, then backs off as for any outage). */
void oauth2_refused(struct oauth2 *o);

/* The refusal a person must fix, or NULL. Borrowed. */
const char *oauth2_problem(const struct oauth2 *o);

/* What the administrator does about such a refusal ("run `admitctl oauth login` ..."). Static. */
const char *oauth2_fix(const struct oauth2 *o);

/* When the cached access token expires (Unix seconds), or 0 when none is held. */
gint64 oauth2_expires(const struct oauth2 *o);

/* Exchanges a grant's answer: stores a refresh token it carries (rotation, or the first from a
 * login) in cfg->token_file, via `via`. Used by oauth2.c and by admitctl oauth login. */
int oauth2_store_refresh(const struct config_oauth2 *cfg, const char *refresh_token,
			 const char *via, struct err *err);

/* The RFC 6749 error codes that need a person, not a retry. */
bool oauth2_error_is_final(const char *code);

#endif
