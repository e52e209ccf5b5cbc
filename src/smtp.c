#include "smtp.h"

#include <string.h>

#include <curl/curl.h>
#include <glib.h>

#include "curlsetup.h"

struct smtp {
	const struct config_smtp *cfg; /* borrowed */
	CURL *curl;		       /* owned; keeps the connection between sends */
	struct oauth2 *oauth2;	       /* borrowed; NULL: the password */
	struct curl_server server;     /* what the current send logs in with */
};

struct upload {
	const char *data;
	size_t len, off;
};

static size_t read_cb(char *buf, size_t size, size_t nitems, void *userdata)
{
	struct upload *u = userdata;
	size_t n = MIN(size * nitems, u->len - u->off);

	memcpy(buf, u->data + u->off, n);
	u->off += n;
	return n;
}

int smtp_new(struct smtp **sm_r, const struct config_smtp *cfg, struct err *err)
{
	struct smtp *sm = g_new0(struct smtp, 1);

	sm->cfg = cfg;
	sm->curl = curl_easy_init();
	if (sm->curl == NULL) {
		g_free(sm);
		return err_set(err, ERR_FATAL, "smtp: curl_easy_init failed");
	}
	*sm_r = sm;
	return 0;
}

void smtp_free(struct smtp **smp)
{
	if (*smp == NULL)
		return;
	curl_easy_cleanup((*smp)->curl);
	g_free(*smp);
	*smp = NULL;
}

void smtp_set_oauth2(struct smtp *sm, struct oauth2 *o)
{
	sm->oauth2 = o;
}

static int setup(struct smtp *sm, struct upload *up, struct curl_slist *rcpt, const char *from,
		 struct err *err)
{
	CURL *c = sm->curl;

	curl_easy_reset(c);
	sm->server.url = sm->cfg->url;
	sm->server.require_tls = sm->cfg->require_tls;
	sm->server.ca_file = sm->cfg->ca_file;
	sm->server.username = sm->cfg->username;
	sm->server.password = sm->cfg->password;
	sm->server.timeout_seconds = sm->cfg->timeout_seconds;
	sm->server.oauth2 = sm->oauth2;
	if (curlsetup_server(c, &sm->server, err) < 0) {
		err_prefix(err, "smtp");
		return -1;
	}
	curl_easy_setopt(c, CURLOPT_MAIL_FROM, from);
	curl_easy_setopt(c, CURLOPT_MAIL_RCPT, rcpt);
	curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
	curl_easy_setopt(c, CURLOPT_READFUNCTION, read_cb);
	curl_easy_setopt(c, CURLOPT_READDATA, up);
	curl_easy_setopt(c, CURLOPT_INFILESIZE_LARGE, (curl_off_t)up->len);
	return 0;
}

int smtp_send(struct smtp *sm, const char *from, const char *to, const void *message, size_t len,
	      struct err *err)
{
	struct upload up = { message, len, 0 };
	struct curl_slist *rcpt = curl_slist_append(NULL, to);
	long code = 0;
	CURLcode rc;

	if (setup(sm, &up, rcpt, from, err) < 0) {
		curl_slist_free_all(rcpt);
		return -1;
	}
	rc = curlsetup_perform(sm->curl, &sm->server);
	curl_easy_getinfo(sm->curl, CURLINFO_RESPONSE_CODE, &code);
	curl_slist_free_all(rcpt);
	if (rc == CURLE_OK)
		return 0;
	if (rc == CURLE_LOGIN_DENIED && sm->oauth2 != NULL)
		return err_set(err, ERR_TEMP, "smtp: login refused for %s with %s",
			       sm->cfg->username,
			       oauth2_problem(sm->oauth2) != NULL
				       ? oauth2_problem(sm->oauth2)
				       : "a new OAuth2 token (may the application send as this "
					 "mailbox?)");
	if (code >= 500 && code < 600 && rc != CURLE_LOGIN_DENIED)
		return err_set(err, ERR_MESSAGE, "smtp: refused (%ld): %s", code,
			       curl_easy_strerror(rc));
	return err_set(err, ERR_TEMP, "smtp: %s%s (code %ld)", curl_easy_strerror(rc),
		       rc == CURLE_PEER_FAILED_VERIFICATION
			       ? ": the server's certificate is not trusted"
			       : "",
		       code);
}
