#include "curlsetup.h"

#include "log.h"

int curlsetup_server(CURL *c, const struct curl_server *s, struct err *err)
{
	const char *token = NULL;

	curl_easy_setopt(c, CURLOPT_URL, s->url);
	curl_easy_setopt(c, CURLOPT_USE_SSL,
			 s->require_tls ? (long)CURLUSESSL_ALL : (long)CURLUSESSL_TRY);
	if (s->ca_file != NULL)
		curl_easy_setopt(c, CURLOPT_CAINFO, s->ca_file);
	if (s->oauth2 != NULL) {
		if (oauth2_bearer(s->oauth2, &token, err) < 0)
			return -1;
		curl_easy_setopt(c, CURLOPT_USERNAME, s->username);
		curl_easy_setopt(c, CURLOPT_XOAUTH2_BEARER, token);
	} else if (s->username != NULL) {
		curl_easy_setopt(c, CURLOPT_USERNAME, s->username);
		curl_easy_setopt(c, CURLOPT_PASSWORD, s->password);
	}
	/* The connect timeout covers the TLS handshake and the greeting, the response timeout
	 * each answer after it, the low-speed limit a transfer that stalls. */
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, (long)s->timeout_seconds);
	curl_easy_setopt(c, CURLOPT_SERVER_RESPONSE_TIMEOUT, (long)s->timeout_seconds);
	curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1L);
	curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, (long)s->timeout_seconds);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	return 0;
}

CURLcode curlsetup_perform(CURL *c, const struct curl_server *s)
{
	CURLcode rc = curl_easy_perform(c);
	const char *token;
	struct err err = { 0 };

	if (rc != CURLE_LOGIN_DENIED || s->oauth2 == NULL)
		return rc;
	log_info("oauth2 token refused at login url=%s: asking for a new one", s->url);
	oauth2_refused(s->oauth2);
	if (oauth2_bearer(s->oauth2, &token, &err) < 0)
		return rc; /* the caller reports the refusal; oauth2_problem() says the rest */
	curl_easy_setopt(c, CURLOPT_XOAUTH2_BEARER, token);
	return curl_easy_perform(c);
}
