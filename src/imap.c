#include "imap.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdbool.h>
#include <string.h>

#include <curl/curl.h>

#include "curlsetup.h"
#include "log.h"

#define RESPONSE_MAX (4 * 1024 * 1024)

struct imap {
	const struct config_imap *cfg; /* borrowed */
	CURL *curl;		       /* owned; keeps the connection between requests */
	char *base;		       /* "imaps://host:port" */
	char *mailbox;		       /* the inbox, decoded from the URL path */
	char *mailbox_url;	       /* base + "/" + escaped mailbox */
	GString *response;	       /* what the last custom command answered */
	bool too_long;
	bool trace;
	struct oauth2 *oauth2;	   /* borrowed; NULL: the password */
	struct curl_server server; /* what the current request logs in with */
};

static size_t collect_cb(char *data, size_t size, size_t nmemb, void *userdata)
{
	struct imap *im = userdata;
	size_t n = size * nmemb;

	if (im->response->len + n > RESPONSE_MAX) {
		im->too_long = true;
		return 0;
	}
	g_string_append_len(im->response, data, (gssize)n);
	return n;
}

/* Where a fetch's bytes go. */
struct fetch_sink {
	imap_sink_fn fn;
	void *ctx;
	struct err *err;
	gint64 received;
	gint64 limit; /* 0: the whole message; else stop after this many bytes */
	bool refused; /* the sink failed (and said why in err) */
	bool capped;  /* the limit was reached: the transfer was ended on purpose */
};

static size_t sink_cb(char *data, size_t size, size_t nmemb, void *userdata)
{
	struct fetch_sink *sink = userdata;
	size_t n = size * nmemb, take = n;

	if (sink->limit > 0 && sink->received + (gint64)n > sink->limit)
		take = (size_t)(sink->limit - sink->received);
	if (sink->fn(sink->ctx, data, take, sink->err) < 0) {
		sink->refused = true;
		return 0;
	}
	sink->received += (gint64)take;
	if (take < n) {
		sink->capped = true;
		return 0; /* curl ends the transfer (and drops the connection) */
	}
	return n;
}

static int split_url(struct imap *im, struct err *err)
{
	CURLU *u = curl_url();
	char *scheme = NULL, *host = NULL, *port = NULL, *path = NULL, *escaped = NULL;
	int ret = -1;

	if (curl_url_set(u, CURLUPART_URL, im->cfg->url, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_PATH, &path, CURLU_URLDECODE) != CURLUE_OK) {
		err_set(err, ERR_CONFIG, "imap.url: cannot parse \"%s\"", im->cfg->url);
		goto out;
	}
	curl_url_get(u, CURLUPART_PORT, &port, 0);
	im->base = port ? g_strdup_printf("%s://%s:%s", scheme, host, port)
			: g_strdup_printf("%s://%s", scheme, host);
	im->mailbox = g_strdup(path[0] == '/' ? path + 1 : path);
	if (im->mailbox[0] == '\0') {
		g_free(im->mailbox);
		im->mailbox = g_strdup("INBOX");
	}
	escaped = curl_easy_escape(im->curl, im->mailbox, 0);
	im->mailbox_url = g_strdup_printf("%s/%s", im->base, escaped);
	ret = 0;
out:
	curl_free(scheme);
	curl_free(host);
	curl_free(port);
	curl_free(path);
	curl_free(escaped);
	curl_url_cleanup(u);
	return ret;
}

int imap_new(struct imap **im_r, const struct config_imap *cfg, struct err *err)
{
	struct imap *im = g_new0(struct imap, 1);

	im->cfg = cfg;
	im->response = g_string_new(NULL);
	im->curl = curl_easy_init();
	if (im->curl == NULL) {
		imap_free(&im);
		return err_set(err, ERR_FATAL, "imap: curl_easy_init failed");
	}
	if (split_url(im, err) < 0) {
		imap_free(&im);
		return -1;
	}
	*im_r = im;
	return 0;
}

void imap_free(struct imap **imp)
{
	struct imap *im = *imp;

	if (im == NULL)
		return;
	if (im->curl != NULL)
		curl_easy_cleanup(im->curl);
	g_free(im->base);
	g_free(im->mailbox);
	g_free(im->mailbox_url);
	g_string_free(im->response, TRUE);
	g_free(im);
	*imp = NULL;
}

void imap_set_trace(struct imap *im, bool on)
{
	im->trace = on;
}

/* Commands only, cut after the command name: "A003 UID SEARCH ..." -> "A003 UID SEARCH". */
static int trace_cb(CURL *c, curl_infotype type, char *data, size_t size, void *userdata)
{
	GString *line;
	char **words;

	(void)c;
	(void)userdata;
	if (type != CURLINFO_HEADER_OUT)
		return 0;
	line = g_string_new_len(data, (gssize)size);
	g_strchomp(line->str);
	words = g_strsplit(line->str, " ", 4);
	if (words[0] != NULL && words[1] != NULL)
		fprintf(stderr, "imap> %s %s%s%s\n", words[0], words[1],
			g_ascii_strcasecmp(words[1], "UID") == 0 && words[2] ? " " : "",
			g_ascii_strcasecmp(words[1], "UID") == 0 && words[2] ? words[2] : "");
	g_strfreev(words);
	g_string_free(line, TRUE);
	return 0;
}

const char *imap_mailbox(const struct imap *im)
{
	return im->mailbox;
}

void imap_set_oauth2(struct imap *im, struct oauth2 *o)
{
	im->oauth2 = o;
}

/* Options every request shares: TLS, credentials, timeouts. */
static int setup(struct imap *im, const char *url, struct err *err)
{
	CURL *c = im->curl;

	curl_easy_reset(c);
	im->server.url = url;
	im->server.require_tls = im->cfg->require_tls;
	im->server.ca_file = im->cfg->ca_file;
	im->server.username = im->cfg->username;
	im->server.password = im->cfg->password;
	im->server.timeout_seconds = im->cfg->timeout_seconds;
	im->server.oauth2 = im->oauth2;
	if (curlsetup_server(c, &im->server, err) < 0) {
		err_prefix(err, "imap");
		return -1;
	}
	/* Large untagged answers (SEARCH) arrive whole only with a large buffer. */
	curl_easy_setopt(c, CURLOPT_BUFFERSIZE, 512L * 1024L);
	if (im->trace) {
		curl_easy_setopt(c, CURLOPT_DEBUGFUNCTION, trace_cb);
		curl_easy_setopt(c, CURLOPT_VERBOSE, 1L);
	}
	return 0;
}

static int curl_fail(struct imap *im, CURLcode rc, const char *what, struct err *err)
{
	if (rc == CURLE_LOGIN_DENIED && im->oauth2 != NULL)
		return err_set(err, ERR_TEMP, "imap %s: login refused for user %s with %s", what,
			       im->cfg->username,
			       oauth2_problem(im->oauth2) != NULL
				       ? oauth2_problem(im->oauth2)
				       : "a new OAuth2 token (does the application have access to "
					 "this mailbox?)");
	if (rc == CURLE_LOGIN_DENIED)
		return err_set(err, ERR_TEMP, "imap %s: login refused for user %s", what,
			       im->cfg->username);
	if (rc == CURLE_PEER_FAILED_VERIFICATION)
		return err_set(err, ERR_TEMP,
			       "imap %s: the server's certificate is not trusted (set imap.ca_file "
			       "if it is signed by a private CA)",
			       what);
	return err_set(err, ERR_TEMP, "imap %s: %s", what, curl_easy_strerror(rc));
}

/* What a server restart (a reload by logrotate at 3 a.m.) does to us: the connection curl
 * keeps is gone, or connections are refused for a moment. */
static bool restarting(CURLcode rc)
{
	return rc == CURLE_COULDNT_CONNECT || rc == CURLE_RECV_ERROR || rc == CURLE_SEND_ERROR ||
	       rc == CURLE_GOT_NOTHING;
}

/* A command changes nothing twice (a repeated UID MOVE finds nothing left to move), so after
 * a restart it is sent once more on a new connection a second later, before the cycle fails. */
static CURLcode perform_command(struct imap *im, const char *what)
{
	for (int attempt = 1;; attempt++) {
		CURLcode rc;

		g_string_truncate(im->response, 0);
		im->too_long = false;
		rc = curlsetup_perform(im->curl, &im->server);
		if (attempt == 2 || !restarting(rc))
			return rc;
		log_info("imap %s: %s; once more on a new connection", what,
			 curl_easy_strerror(rc));
		g_usleep(G_USEC_PER_SEC);
		curl_easy_setopt(im->curl, CURLOPT_FRESH_CONNECT, 1L);
	}
}

/* Sends one command through CURLOPT_CUSTOMREQUEST and keeps its untagged answer. */
static int command(struct imap *im, const char *url, const char *cmd, const char *what,
		   CURLcode *rc_r, struct err *err)
{
	CURLcode rc;

	if (setup(im, url, err) < 0)
		return -1;
	curl_easy_setopt(im->curl, CURLOPT_CUSTOMREQUEST, cmd);
	curl_easy_setopt(im->curl, CURLOPT_WRITEFUNCTION, collect_cb);
	curl_easy_setopt(im->curl, CURLOPT_WRITEDATA, im);
	rc = perform_command(im, what);
	if (rc_r != NULL)
		*rc_r = rc;
	if (im->too_long)
		return err_set(err, ERR_TEMP, "imap %s: answer longer than %d bytes", what,
			       RESPONSE_MAX);
	if (rc != CURLE_OK)
		return curl_fail(im, rc, what, err);
	return 0;
}

/* A mailbox name as an IMAP quoted string. Config validation keeps CR, LF and NUL out. */
static char *quoted(const char *name)
{
	GString *q = g_string_new("\"");

	for (const char *p = name; *p != '\0'; p++) {
		if (*p == '"' || *p == '\\')
			g_string_append_c(q, '\\');
		g_string_append_c(q, *p);
	}
	g_string_append_c(q, '"');
	return g_string_free(q, FALSE);
}

static bool number_after(const char *text, const char *key, uint32_t *value_r)
{
	const char *p = strstr(text, key);
	char *end;
	unsigned long v;

	if (p == NULL)
		return false;
	p += strlen(key);
	errno = 0;
	v = strtoul(p, &end, 10);
	if (end == p || errno != 0 || v > UINT32_MAX)
		return false;
	*value_r = (uint32_t)v;
	return true;
}

int imap_status(struct imap *im, uint32_t *uidvalidity_r, uint32_t *uidnext_r, struct err *err)
{
	char *name = quoted(im->mailbox);
	char *cmd = g_strdup_printf("STATUS %s (UIDNEXT UIDVALIDITY)", name);
	char *root = g_strdup_printf("%s/", im->base);
	CURLcode rc = CURLE_OK;
	int ret = command(im, root, cmd, "status", &rc, err);

	if (ret < 0 && rc == CURLE_QUOTE_ERROR)
		ret = err_set(err, ERR_CONFIG, "imap status: the server has no mailbox %s", name);
	if (ret == 0 && (!number_after(im->response->str, "UIDVALIDITY ", uidvalidity_r) ||
			 !number_after(im->response->str, "UIDNEXT ", uidnext_r)))
		ret = err_set(err, ERR_TEMP, "imap status: no UIDVALIDITY/UIDNEXT in the answer");
	g_free(name);
	g_free(cmd);
	g_free(root);
	return ret;
}

int imap_search(struct imap *im, uint32_t first, uint32_t last, uint64_t larger, GArray *uids,
		struct err *err)
{
	char *cmd = larger ? g_strdup_printf("UID SEARCH UID %u:%u LARGER %" G_GUINT64_FORMAT,
					     first, last, larger)
			   : g_strdup_printf("UID SEARCH UID %u:%u", first, last);
	int ret = command(im, im->mailbox_url, cmd, "search", NULL, err);
	const char *p;

	g_free(cmd);
	if (ret < 0)
		return -1;
	/* "* SEARCH 3 4 7". A range a:b also matches the highest UID when it is below a, so
	 * only UIDs inside the window count. */
	for (p = strstr(im->response->str, "SEARCH"); p != NULL && *p != '\0';) {
		char *end;
		unsigned long v;

		p += strcspn(p, "0123456789\r\n");
		if (*p == '\r' || *p == '\n' || *p == '\0')
			break;
		v = strtoul(p, &end, 10);
		if (v >= first && v <= last) {
			uint32_t uid = (uint32_t)v;

			g_array_append_val(uids, uid);
		}
		p = end;
	}
	return 0;
}

int imap_fetch(struct imap *im, uint32_t uidvalidity, uint32_t uid, bool header_only,
	       imap_sink_fn sink_fn, void *ctx, struct err *err)
{
	/* ;SECTION=HEADER makes curl send BODY[HEADER] and frame it like BODY[]. */
	char *url = g_strdup_printf("%s;UIDVALIDITY=%u/;UID=%u%s", im->mailbox_url, uidvalidity,
				    uid, header_only ? "/;SECTION=HEADER" : "");
	struct fetch_sink sink = {
		.fn = sink_fn, .ctx = ctx, .err = err, .limit = header_only ? IMAP_HEADER_MAX : 0
	};
	CURLcode rc;

	if (setup(im, url, err) < 0) {
		g_free(url);
		return -1;
	}
	curl_easy_setopt(im->curl, CURLOPT_WRITEFUNCTION, sink_cb);
	curl_easy_setopt(im->curl, CURLOPT_WRITEDATA, &sink);
	rc = curlsetup_perform(im->curl, &im->server);
	g_free(url);
	if (sink.refused)
		return -1;
	if (sink.capped)
		rc = CURLE_OK;
	if (rc == CURLE_REMOTE_FILE_NOT_FOUND || (rc == CURLE_OK && sink.received == 0))
		return 1;
	if (rc != CURLE_OK) {
		char what[32];

		snprintf(what, sizeof(what), "fetch uid=%u", uid);
		return curl_fail(im, rc, what, err);
	}
	return 0;
}

int imap_ensure_mailbox(struct imap *im, const char *mailbox, struct err *err)
{
	char *name = quoted(mailbox);
	char *list = g_strdup_printf("LIST \"\" %s", name);
	char *create = g_strdup_printf("CREATE %s", name);
	char *root = g_strdup_printf("%s/", im->base);
	int ret = command(im, root, list, "list", NULL, err);

	if (ret == 0 && strstr(im->response->str, "* LIST") == NULL)
		ret = command(im, root, create, "create", NULL, err);
	g_free(name);
	g_free(list);
	g_free(create);
	g_free(root);
	return ret;
}

char *imap_uid_set(const uint32_t *uids, size_t n)
{
	GString *s = g_string_new(NULL);

	for (size_t i = 0; i < n; i++) {
		size_t j = i;

		while (j + 1 < n && uids[j + 1] == uids[j] + 1)
			j++;
		g_string_append_printf(s, "%s%u", s->len ? "," : "", uids[i]);
		if (j > i)
			g_string_append_printf(s, ":%u", uids[j]);
		i = j;
	}
	return g_string_free(s, FALSE);
}

/* libcurl 7.88 counts a custom command's untagged answers toward its 300 KB header limit once
 * per line received, the whole answer so far each time: a UID MOVE of ~125 messages (one
 * EXPUNGE line each) fails with "Too large response headers". Fifty stay far below. */
#define UID_COMMAND_MAX 50

/* "UID <verb> <set> <args>" for uids[0..n), fifty to a command. */
static int uid_commands(struct imap *im, const uint32_t *uids, size_t n, const char *verb,
			const char *args, struct err *err)
{
	char *lower = g_ascii_strdown(verb, -1);
	int ret = 0;

	for (size_t i = 0; i < n && ret == 0; i += UID_COMMAND_MAX) {
		char *set = imap_uid_set(uids + i, MIN(UID_COMMAND_MAX, n - i));
		char *cmd = g_strdup_printf("UID %s %s %s", verb, set, args);
		char *what = g_strdup_printf("%s uid=%s", lower, set);

		ret = command(im, im->mailbox_url, cmd, what, NULL, err);
		g_free(what);
		g_free(set);
		g_free(cmd);
	}
	g_free(lower);
	return ret;
}

int imap_mark_seen(struct imap *im, const uint32_t *uids, size_t n, struct err *err)
{
	return uid_commands(im, uids, n, "STORE", "+FLAGS.SILENT (\\Seen)", err);
}

int imap_move(struct imap *im, const uint32_t *uids, size_t n, const char *mailbox, struct err *err)
{
	char *name = quoted(mailbox);
	int ret = uid_commands(im, uids, n, "MOVE", name, err);

	g_free(name);
	return ret;
}
