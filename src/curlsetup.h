/* curlsetup.h — what every libcurl request of ours sets, IMAP or SMTP alike: the URL, TLS
 * (STARTTLS required or only used when offered; always verified, against a private CA when
 * one is named), the login when there is one, and the timeouts that end an attempt on a
 * server that accepts and then says nothing. Call after curl_easy_reset(). */
#ifndef ADMITD_CURLSETUP_H
#define ADMITD_CURLSETUP_H

#include <stdbool.h>

#include <curl/curl.h>

#include "err.h"
#include "oauth2.h"

struct curl_server {
	const char *url;
	bool require_tls;
	const char *ca_file;  /* NULL: the system's trust store */
	const char *username; /* NULL: no login */
	const char *password;
	int timeout_seconds; /* silence allowed: connecting, each answer, a stalled transfer */
	/* Not NULL: log in with its token instead of the password, over OAUTHBEARER when the
	 * server offers it, else XOAUTH2: libcurl 7.88 picks so and ignores "AUTH=XOAUTH2" in
	 * CURLOPT_LOGIN_OPTIONS when both are offered (curl issue 10259). */
	struct oauth2 *oauth2;
};

/* Fails only when an OAuth2 token is needed and cannot be had (ERR_TEMP). */
int curlsetup_server(CURL *c, const struct curl_server *s, struct err *err);

/* curl_easy_perform(); when the server refused an OAuth2 login, once more with a new token:
 * the cached one may have been revoked or expired early. */
CURLcode curlsetup_perform(CURL *c, const struct curl_server *s);

#endif
