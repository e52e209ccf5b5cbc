/* curlsetup.h — what every libcurl request of ours sets, IMAP or SMTP alike: the URL, TLS
 * (STARTTLS required or only used when offered; always verified, against a private CA when
 * one is named), the login when there is one, and the timeouts that end an attempt on a
 * server that accepts and then says nothing. Call after curl_easy_reset(). */
#ifndef ADMITD_CURLSETUP_H
#define ADMITD_CURLSETUP_H

#include <stdbool.h>

#include <curl/curl.h>

struct curl_server {
	const char *url;
	bool require_tls;
	const char *ca_file;  /* NULL: the system's trust store */
	const char *username; /* NULL: no login */
	const char *password;
	int timeout_seconds; /* silence allowed: connecting, each answer, a stalled transfer */
};

void curlsetup_server(CURL *c, const struct curl_server *s);

#endif
