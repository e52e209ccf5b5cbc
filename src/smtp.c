#include "smtp.h"

#include <string.h>

#include <curl/curl.h>
#include <glib.h>

#include "curlsetup.h"

/* What the server's EHLO said of SMTPUTF8 (RFC 6531), for the connection curl keeps. */
enum utf8_offer { UTF8_UNKNOWN, UTF8_OFFERED, UTF8_NOT_OFFERED };

struct smtp {
	const struct config_smtp *cfg; /* borrowed */
	CURL *curl;		       /* owned; keeps the connection between sends */
	struct oauth2 *oauth2;	       /* borrowed; NULL: the password */
	struct curl_server server;     /* what the current send logs in with */
	enum utf8_offer utf8;
};

struct upload {
	const struct smtp *sm;
	const char *data;
	size_t len, off;
	bool needs_utf8;   /* the recipient's local part is not ASCII */
	bool refused_utf8; /* so the message was not sent: the server does not offer SMTPUTF8 */
};

/* Whether a line the server sent is one EHLO keyword ("250-SMTPUTF8", "250 SMTPUTF8"). */
static bool is_keyword(const char *line, size_t len, const char *keyword)
{
	size_t k = strlen(keyword);

	return len >= 4 + k && strncmp(line, "250", 3) == 0 && (line[3] == '-' || line[3] == ' ') &&
	       g_ascii_strncasecmp(line + 4, keyword, k) == 0 &&
	       (len == 4 + k || line[4 + k] == '\r' || line[4 + k] == ' ');
}

/* libcurl shows the server's lines only to its debug callback: a greeting (220, also the one
 * after STARTTLS) starts a new EHLO answer, which may offer SMTPUTF8. What we send is never
 * looked at: it holds the login. */
static int listen_cb(CURL *c, curl_infotype type, char *data, size_t size, void *userdata)
{
	struct smtp *sm = userdata;
	size_t start = 0;

	(void)c;
	if (type != CURLINFO_HEADER_IN)
		return 0;
	while (start < size) {
		const char *line = data + start, *nl = memchr(line, '\n', size - start);
		size_t len = nl != NULL ? (size_t)(nl - line) : size - start;

		if (len >= 3 && strncmp(line, "220", 3) == 0)
			sm->utf8 = UTF8_NOT_OFFERED;
		else if (is_keyword(line, len, "SMTPUTF8"))
			sm->utf8 = UTF8_OFFERED;
		start += len + 1;
	}
	return 0;
}

/* The message is read only after DATA, when the EHLO answer is known: an address that needs
 * SMTPUTF8 goes to no server that does not offer it (RFC 6531 3.4), so nothing is sent. */
static size_t read_cb(char *buf, size_t size, size_t nitems, void *userdata)
{
	struct upload *u = userdata;
	size_t n = MIN(size * nitems, u->len - u->off);

	if (u->off == 0 && u->needs_utf8 && u->sm->utf8 != UTF8_OFFERED) {
		u->refused_utf8 = true;
		return CURL_READFUNC_ABORT;
	}

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
	curl_easy_setopt(c, CURLOPT_DEBUGFUNCTION, listen_cb);
	curl_easy_setopt(c, CURLOPT_DEBUGDATA, sm);
	curl_easy_setopt(c, CURLOPT_VERBOSE, 1L);
	return 0;
}

/* A local part that is not ASCII needs SMTPUTF8; a domain that is not becomes IDNA (curl for
 * the envelope, GMime for the header). */
static bool needs_utf8(const char *addr)
{
	const char *at = strrchr(addr, '@');

	for (const char *p = addr; *p != '\0' && p != at; p++)
		if ((unsigned char)*p >= 0x80)
			return true;
	return false;
}

int smtp_send(struct smtp *sm, const char *from, const char *to, const void *message, size_t len,
	      struct err *err)
{
	struct upload up = { sm, message, len, 0, needs_utf8(to), false };
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
	if (up.refused_utf8)
		/* Named by the row, not here: the log names no applicant. */
		return err_set(
			err, ERR_MESSAGE,
			"smtp: the recipient's address is not ASCII and the server does not "
			"offer SMTPUTF8 (RFC 6531): it cannot be answered through this server");
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
