#include "oauth2_http.h"

#include <stdarg.h>
#include <string.h>

#include <curl/curl.h>

#include "secret.h"

#define ANSWER_MAX	(64 * 1024)
#define TIMEOUT_SECONDS 30L

static size_t collect_cb(char *data, size_t size, size_t nmemb, void *userdata)
{
	GString *answer = userdata;

	if (answer->len + size * nmemb > ANSWER_MAX)
		return 0;
	g_string_append_len(answer, data, (gssize)(size * nmemb));
	return size * nmemb;
}

/* "a=1&b=2", each value escaped; the caller wipes it. */
static char *form_body(CURL *c, va_list ap)
{
	GString *body = g_string_new(NULL);
	const char *name;

	while ((name = va_arg(ap, const char *)) != NULL) {
		const char *value = va_arg(ap, const char *);
		char *escaped;

		if (value == NULL)
			continue; /* an optional field left out */
		escaped = curl_easy_escape(c, value, 0);
		g_string_append_printf(body, "%s%s=%s", body->len ? "&" : "", name, escaped);
		explicit_bzero(escaped, strlen(escaped));
		curl_free(escaped);
	}
	return g_string_free(body, FALSE);
}

static int parse_answer(struct oauth2_reply *r, const char *url, const GString *answer,
			struct err *err)
{
	JsonNode *root;

	r->json = json_parser_new();
	if (!json_parser_load_from_data(r->json, answer->str, (gssize)answer->len, NULL) ||
	    (root = json_parser_get_root(r->json)) == NULL || !JSON_NODE_HOLDS_OBJECT(root)) {
		oauth2_reply_clear(r);
		return err_set(err, ERR_TEMP, "oauth2 %s: HTTP %ld without a JSON answer", url,
			       r->status);
	}
	r->obj = json_node_get_object(root);
	return 0;
}

int oauth2_post(const struct config_oauth2 *o, const char *url, struct oauth2_reply *r,
		struct err *err, ...)
{
	CURL *c = curl_easy_init();
	GString *answer = g_string_new(NULL);
	char *body;
	va_list ap;
	CURLcode rc;
	int ret;

	memset(r, 0, sizeof(*r));
	if (c == NULL) {
		g_string_free(answer, TRUE);
		return err_set(err, ERR_FATAL, "oauth2: curl_easy_init failed");
	}
	va_start(ap, err);
	body = form_body(c, ap);
	va_end(ap);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "https");
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
	if (o->ca_file != NULL)
		curl_easy_setopt(c, CURLOPT_CAINFO, o->ca_file);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, TIMEOUT_SECONDS);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_USERAGENT, "admitd");
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect_cb);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, answer);
	rc = curl_easy_perform(c);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r->status);
	curl_easy_cleanup(c);
	secret_free(body);
	if (rc != CURLE_OK)
		ret = err_set(err, ERR_TEMP, "oauth2 %s: %s%s", url, curl_easy_strerror(rc),
			      rc == CURLE_PEER_FAILED_VERIFICATION
				      ? " (set oauth2.ca_file if the identity provider's "
					"certificate is signed by a private CA)"
				      : "");
	else
		ret = parse_answer(r, url, answer, err);
	explicit_bzero(answer->str, answer->len);
	g_string_free(answer, TRUE);
	return ret;
}

void oauth2_reply_clear(struct oauth2_reply *r)
{
	if (r->json != NULL)
		g_object_unref(r->json);
	memset(r, 0, sizeof(*r));
}

const char *oauth2_reply_string(const struct oauth2_reply *r, const char *name)
{
	JsonNode *n = r->obj ? json_object_get_member(r->obj, name) : NULL;

	if (n == NULL || !JSON_NODE_HOLDS_VALUE(n) || json_node_get_value_type(n) != G_TYPE_STRING)
		return NULL;
	return json_node_get_string(n);
}

gint64 oauth2_reply_int(const struct oauth2_reply *r, const char *name, gint64 fallback)
{
	JsonNode *n = r->obj ? json_object_get_member(r->obj, name) : NULL;
	const char *text;
	char *end;
	gint64 v;

	if (n == NULL || !JSON_NODE_HOLDS_VALUE(n))
		return fallback;
	if (json_node_get_value_type(n) == G_TYPE_INT64)
		return json_node_get_int(n);
	/* Some providers send "3599" as a string. */
	if ((text = oauth2_reply_string(r, name)) == NULL)
		return fallback;
	v = g_ascii_strtoll(text, &end, 10);
	return *end == '\0' && end != text ? v : fallback;
}

char *oauth2_reply_error(const struct oauth2_reply *r)
{
	const char *code = oauth2_reply_string(r, "error");
	const char *text = oauth2_reply_string(r, "error_description");
	GString *out = g_string_new(code ? code : "no error code");

	if (text != NULL)
		g_string_append_printf(out, ": %.*s", 200, text);
	for (char *p = out->str; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = ' ';
	return g_string_free(out, FALSE);
}
