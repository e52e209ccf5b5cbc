#include "oauth2_login.h"

#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include <glib.h>

#include "oauth2.h"
#include "oauth2_http.h"
#include "secret.h"

#define DEVICE_GRANT "urn:ietf:params:oauth:grant-type:device_code"

const char *oauth2_login_kind(const struct config_oauth2 *cfg)
{
	if (cfg->device_authorization_url != NULL)
		return "device";
	return cfg->authorization_url != NULL ? "code" : NULL;
}

/* What the provider sends is shown to a person: printable ASCII only. */
static char *printable(const char *s)
{
	char *out = g_strdup(s ? s : "");

	for (char *p = out; *p != '\0'; p++)
		if ((unsigned char)*p < 0x21 || (unsigned char)*p > 0x7e)
			*p = '?';
	return out;
}

/* The answer of a successful grant: the refresh token it must carry, stored. */
static int keep_token(const struct config_oauth2 *c, const struct oauth2_reply *r, const char *via,
		      FILE *out, struct err *err)
{
	const char *refresh = oauth2_reply_string(r, "refresh_token");

	if (refresh == NULL)
		return err_set(err, ERR_TEMP,
			       "oauth2 login: the provider gave no refresh token (for Microsoft, "
			       "oauth2.scope needs offline_access)");
	if (oauth2_store_refresh(c, refresh, via, err) < 0)
		return -1;
	fprintf(out,
		"Signed in. The refresh token is stored in %s (mode 0600); admitd uses it "
		"from its next cycle.\n",
		c->token_file);
	return 0;
}

static int grant_error(const struct oauth2_reply *r, const char *what, struct err *err)
{
	char *why = oauth2_reply_error(r);
	int ret = err_set(err, ERR_TEMP, "oauth2 login: %s: %s", what, why);

	g_free(why);
	return ret;
}

static void show_device_code(const struct oauth2_reply *r, FILE *out)
{
	const char *uri = oauth2_reply_string(r, "verification_uri");
	char *u = printable(uri ? uri : oauth2_reply_string(r, "verification_url"));
	char *code = printable(oauth2_reply_string(r, "user_code"));
	char *complete = printable(oauth2_reply_string(r, "verification_uri_complete"));

	fprintf(out,
		"Sign in as the admissions mailbox: open %s in any browser and enter the "
		"code\n\n    %s\n\n",
		u, code);
	if (complete[0] != '\0')
		fprintf(out, "(or open %s)\n", complete);
	fprintf(out, "Waiting for the sign-in (Ctrl-C to give up)...\n");
	fflush(out);
	g_free(u);
	g_free(code);
	g_free(complete);
}

/* Polls the token endpoint at the interval the provider asks for, until the person has
 * answered or the code expires (RFC 8628 3.4, 3.5). */
static int poll_device(const struct config_oauth2 *c, const char *device_code, gint64 interval,
		       gint64 deadline, FILE *out, struct err *err)
{
	while (g_get_monotonic_time() / G_USEC_PER_SEC < deadline) {
		struct oauth2_reply r = { 0 };
		const char *code;
		int ret;

		sleep((unsigned)interval);
		if (oauth2_post(c, c->token_url, &r, err, "grant_type", DEVICE_GRANT, "device_code",
				device_code, "client_id", c->client_id, "client_secret",
				c->client_secret, NULL) < 0)
			return -1;
		code = oauth2_reply_string(&r, "error");
		if (r.status == 200 && oauth2_reply_string(&r, "access_token") != NULL)
			ret = keep_token(c, &r, "device login", out, err);
		else if (g_strcmp0(code, "authorization_pending") == 0)
			ret = 1;
		else if (g_strcmp0(code, "slow_down") == 0)
			ret = 1, interval += 5;
		else if (g_strcmp0(code, "expired_token") == 0)
			ret = err_set(err, ERR_TEMP,
				      "oauth2 login: the code expired before the sign-in: run "
				      "admitctl oauth login again");
		else
			ret = grant_error(&r, "the sign-in did not succeed", err);
		oauth2_reply_clear(&r);
		if (ret <= 0)
			return ret;
	}
	return err_set(err, ERR_TEMP,
		       "oauth2 login: the code expired before the sign-in: run admitctl oauth "
		       "login again");
}

int oauth2_login_device(const struct config_oauth2 *c, FILE *out, struct err *err)
{
	struct oauth2_reply r = { 0 };
	char *device_code;
	gint64 interval, deadline;
	int ret;

	if (oauth2_post(c, c->device_authorization_url, &r, err, "client_id", c->client_id, "scope",
			c->scope, NULL) < 0)
		return -1;
	if (r.status != 200 || oauth2_reply_string(&r, "device_code") == NULL ||
	    oauth2_reply_string(&r, "user_code") == NULL) {
		ret = grant_error(&r, "the device authorization was refused", err);
		oauth2_reply_clear(&r);
		return ret;
	}
	show_device_code(&r, out);
	device_code = g_strdup(oauth2_reply_string(&r, "device_code"));
	interval = CLAMP(oauth2_reply_int(&r, "interval", 5), 1, 60);
	deadline = g_get_monotonic_time() / G_USEC_PER_SEC +
		   CLAMP(oauth2_reply_int(&r, "expires_in", 900), 10, 3600);
	oauth2_reply_clear(&r);
	ret = poll_device(c, device_code, interval, deadline, out, err);
	secret_free(device_code);
	return ret;
}

/* n random bytes as base64url without padding (RFC 7636 4.1). */
static char *random_b64url(size_t n)
{
	guchar buf[64];
	char *text;

	g_assert(n <= sizeof(buf));
	if (getrandom(buf, n, 0) != (ssize_t)n)
		g_error("getrandom failed"); /* the kernel has no entropy source: a broken system */
	text = g_base64_encode(buf, n);
	explicit_bzero(buf, sizeof(buf));
	g_strdelimit(text, "+", '-');
	g_strdelimit(text, "/", '_');
	g_strdelimit(text, "=", '\0');
	return text;
}

static char *s256(const char *verifier)
{
	GChecksum *sum = g_checksum_new(G_CHECKSUM_SHA256);
	guint8 digest[32];
	gsize len = sizeof(digest);
	char *text;

	g_checksum_update(sum, (const guchar *)verifier, (gssize)strlen(verifier));
	g_checksum_get_digest(sum, digest, &len);
	g_checksum_free(sum);
	text = g_base64_encode(digest, len);
	g_strdelimit(text, "+", '-');
	g_strdelimit(text, "/", '_');
	g_strdelimit(text, "=", '\0');
	return text;
}

static char *authorize_url(const struct config_oauth2 *c, const char *state, const char *challenge)
{
	GString *u = g_string_new(c->authorization_url);
	const char *pairs[][2] = { { "client_id", c->client_id },
				   { "redirect_uri", OAUTH2_REDIRECT_URI },
				   { "response_type", "code" },
				   { "scope", c->scope ? c->scope : "" },
				   { "state", state },
				   { "code_challenge", challenge },
				   { "code_challenge_method", "S256" },
				   /* Google gives a refresh token only with these two. */
				   { "access_type", "offline" },
				   { "prompt", "consent" } };

	for (size_t i = 0; i < G_N_ELEMENTS(pairs); i++) {
		char *v = g_uri_escape_string(pairs[i][1], NULL, FALSE);

		g_string_append_printf(u, "%c%s=%s", i == 0 && !strchr(u->str, '?') ? '?' : '&',
				       pairs[i][0], v);
		g_free(v);
	}
	return g_string_free(u, FALSE);
}

/* The code from the address the browser was sent to, checked against our state. */
static char *code_from_pasted(const char *pasted, const char *state, struct err *err)
{
	GUri *uri = g_uri_parse(pasted, G_URI_FLAGS_ENCODED_QUERY, NULL);
	GHashTable *params = NULL;
	const char *query = uri ? g_uri_get_query(uri) : NULL;
	char *code = NULL;

	if (query != NULL)
		params = g_uri_parse_params(query, -1, "&", G_URI_PARAMS_NONE, NULL);
	if (params == NULL)
		err_set(err, ERR_TEMP,
			"oauth2 login: that is not the address the browser was sent to (it "
			"starts with %s)",
			OAUTH2_REDIRECT_URI);
	else if (g_hash_table_lookup(params, "error") != NULL)
		err_set(err, ERR_TEMP, "oauth2 login: the sign-in was refused: %s",
			(char *)g_hash_table_lookup(params, "error"));
	else if (g_strcmp0(g_hash_table_lookup(params, "state"), state) != 0)
		err_set(err, ERR_TEMP,
			"oauth2 login: that address belongs to another sign-in (its state does "
			"not match): run admitctl oauth login again");
	else if ((code = g_strdup(g_hash_table_lookup(params, "code"))) == NULL)
		err_set(err, ERR_TEMP, "oauth2 login: the address carries no code");
	if (params != NULL)
		g_hash_table_destroy(params);
	if (uri != NULL)
		g_uri_unref(uri);
	return code;
}

static int exchange_code(const struct config_oauth2 *c, const char *code, const char *verifier,
			 FILE *out, struct err *err)
{
	struct oauth2_reply r = { 0 };
	int ret;

	if (oauth2_post(c, c->token_url, &r, err, "grant_type", "authorization_code", "code", code,
			"redirect_uri", OAUTH2_REDIRECT_URI, "client_id", c->client_id,
			"client_secret", c->client_secret, "code_verifier", verifier, NULL) < 0)
		return -1;
	if (r.status == 200 && oauth2_reply_string(&r, "access_token") != NULL)
		ret = keep_token(c, &r, "code login", out, err);
	else
		ret = grant_error(&r, "the code was refused", err);
	oauth2_reply_clear(&r);
	return ret;
}

int oauth2_login_code(const struct config_oauth2 *c, FILE *in, FILE *out, struct err *err)
{
	char *verifier = random_b64url(48), *state = random_b64url(16);
	char *challenge = s256(verifier), *url = authorize_url(c, state, challenge);
	char line[8192], *code = NULL;
	int ret = -1;

	fprintf(out,
		"Open this address in any browser and sign in as the admissions mailbox:\n\n"
		"    %s\n\n"
		"The browser is then sent to %s..., a page that does not load. Copy that "
		"address from the address bar and paste it here:\n",
		url, OAUTH2_REDIRECT_URI);
	fflush(out);
	if (fgets(line, sizeof(line), in) == NULL)
		err_set(err, ERR_TEMP, "oauth2 login: no address was pasted");
	else if ((code = code_from_pasted(g_strstrip(line), state, err)) != NULL)
		ret = exchange_code(c, code, verifier, out, err);
	explicit_bzero(line, sizeof(line));
	secret_free(code);
	secret_free(verifier);
	g_free(state);
	g_free(challenge);
	g_free(url);
	return ret;
}
