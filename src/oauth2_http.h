/* oauth2_http.h — one request to an OAuth2 endpoint: a form POSTed over HTTPS (TLS always
 * verified, no redirects followed), its JSON answer parsed with json-glib. The form holds
 * secrets: it is wiped once sent, and nothing of it or of the answer is logged. */
#ifndef ADMITD_OAUTH2_HTTP_H
#define ADMITD_OAUTH2_HTTP_H

#include <json-glib/json-glib.h>

#include "config.h"
#include "err.h"

struct oauth2_reply {
	long status;	  /* the HTTP status */
	JsonParser *json; /* owns `obj` */
	JsonObject *obj;  /* the answer's top-level object (borrowed from json) */
};

/* POSTs the pairs name, value, ..., NULL (values escaped here) to `url`, trusting o->ca_file
 * when set. Returns 0 with *r filled for any answer that is a JSON object, whatever its status
 * (an RFC 6749 error is for the caller to read); -1 with ERR_TEMP when there is no such answer
 * (network, TLS, a server error page). */
int oauth2_post(const struct config_oauth2 *o, const char *url, struct oauth2_reply *r,
		struct err *err, ...) __attribute__((sentinel));
void oauth2_reply_clear(struct oauth2_reply *r);

/* A string member of the answer, or NULL (borrowed). */
const char *oauth2_reply_string(const struct oauth2_reply *r, const char *name);

/* A whole-number member ("expires_in"), or `fallback` when it is missing or not a number. */
gint64 oauth2_reply_int(const struct oauth2_reply *r, const char *name, gint64 fallback);

/* "invalid_grant: AADSTS70008: The refresh token has expired" from an RFC 6749 error answer,
 * cut to a sane length and stripped of control characters; g_free it. */
char *oauth2_reply_error(const struct oauth2_reply *r);

#endif
