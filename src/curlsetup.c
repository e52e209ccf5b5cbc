#include "curlsetup.h"

void curlsetup_server(CURL *c, const struct curl_server *s)
{
	curl_easy_setopt(c, CURLOPT_URL, s->url);
	curl_easy_setopt(c, CURLOPT_USE_SSL,
			 s->require_tls ? (long)CURLUSESSL_ALL : (long)CURLUSESSL_TRY);
	if (s->ca_file != NULL)
		curl_easy_setopt(c, CURLOPT_CAINFO, s->ca_file);
	if (s->username != NULL) {
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
}
