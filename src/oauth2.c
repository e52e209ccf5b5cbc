#include "oauth2.h"

#include <string.h>
#include <sys/stat.h>

#include "log.h"
#include "oauth2_http.h"
#include "secret.h"
#include "timeutil.h"
#include "tokenfile.h"

/* Asked for again this long before it expires (a login takes seconds, a cycle may be long), or
 * a quarter of its lifetime when that is shorter. */
#define EXPIRY_MARGIN	 300
#define DEFAULT_LIFETIME 3600

struct oauth2 {
	const struct config_oauth2 *cfg;
	char *access;	   /* secret */
	gint64 renew;	   /* Unix seconds: ask for a new one from then on */
	gint64 expires;	   /* Unix seconds */
	char *problem;	   /* a refusal that needs a person, or NULL */
	struct stat token; /* the token file when the problem began: a change lifts it */
};

struct oauth2 *oauth2_new(const struct config_oauth2 *cfg)
{
	struct oauth2 *o = g_new0(struct oauth2, 1);

	o->cfg = cfg;
	return o;
}

void oauth2_free(struct oauth2 **op)
{
	struct oauth2 *o = *op;

	if (o == NULL)
		return;
	secret_free(o->access);
	g_free(o->problem);
	g_free(o);
	*op = NULL;
}

bool oauth2_error_is_final(const char *code)
{
	static const char *const final[] = { "invalid_grant",	       "invalid_client",
					     "unauthorized_client",    "invalid_scope",
					     "unsupported_grant_type", "access_denied" };

	for (size_t i = 0; code != NULL && i < G_N_ELEMENTS(final); i++)
		if (strcmp(code, final[i]) == 0)
			return true;
	return false;
}

static bool refresh_grant(const struct oauth2 *o)
{
	return g_strcmp0(o->cfg->grant, "refresh_token") == 0;
}

const char *oauth2_fix(const struct oauth2 *o)
{
	return refresh_grant(o) ? "run `admitctl oauth login` as an administrator"
				: "check oauth2.client_id and put a valid client secret in "
				  "oauth2.client_secret_file (or the credential \"oauth2\"), then "
				  "reload admitd";
}

static void set_problem(struct oauth2 *o, const char *what)
{
	g_free(o->problem);
	o->problem = g_strdup_printf("oauth2: the identity provider refused %s: %s", what,
				     oauth2_fix(o));
	memset(&o->token, 0, sizeof(o->token));
	stat(o->cfg->token_file, &o->token);
	log_error("%s", o->problem);
}

/* A login stored a new token since the problem began. */
static bool token_file_changed(const struct oauth2 *o)
{
	struct stat now;

	if (stat(o->cfg->token_file, &now) < 0)
		return false;
	return now.st_ino != o->token.st_ino || now.st_mtim.tv_sec != o->token.st_mtim.tv_sec ||
	       now.st_mtim.tv_nsec != o->token.st_mtim.tv_nsec || now.st_size != o->token.st_size;
}

int oauth2_store_refresh(const struct config_oauth2 *cfg, const char *refresh_token,
			 const char *via, struct err *err)
{
	struct token_record t = { 0 };
	int ret;

	t.refresh_token = g_strdup(refresh_token);
	t.client_id = g_strdup(cfg->client_id);
	t.obtained = time_iso8601(g_get_real_time() / G_USEC_PER_SEC);
	t.via = g_strdup(via);
	ret = tokenfile_save(cfg->token_file, &t, err);
	token_record_clear(&t);
	return ret;
}

/* The refresh token to present: from the file admitctl oauth login wrote. */
static int load_refresh(struct oauth2 *o, struct token_record *t, struct err *err)
{
	int got = tokenfile_load(o->cfg->token_file, t, err);

	if (got < 0)
		return -1;
	if (got == 0) {
		g_free(o->problem);
		o->problem = g_strdup_printf("oauth2: no refresh token in %s yet: run `admitctl "
					     "oauth login` as an administrator",
					     o->cfg->token_file);
		memset(&o->token, 0, sizeof(o->token));
		return err_set(err, ERR_TEMP, "%s", o->problem);
	}
	if (g_strcmp0(t->client_id, o->cfg->client_id) != 0) {
		set_problem(o, "nothing yet: the stored refresh token belongs to another "
			       "oauth2.client_id");
		token_record_clear(t);
		return err_set(err, ERR_TEMP, "%s", o->problem);
	}
	return 0;
}

static int request(struct oauth2 *o, struct token_record *t, struct oauth2_reply *r,
		   struct err *err)
{
	const struct config_oauth2 *c = o->cfg;

	if (!refresh_grant(o))
		return oauth2_post(c, c->token_url, r, err, "grant_type", "client_credentials",
				   "client_id", c->client_id, "client_secret", c->client_secret,
				   "scope", c->scope, NULL);
	if (load_refresh(o, t, err) < 0)
		return -1;
	return oauth2_post(c, c->token_url, r, err, "grant_type", "refresh_token", "refresh_token",
			   t->refresh_token, "client_id", c->client_id, "client_secret",
			   c->client_secret, "scope", c->scope, NULL);
}

/* A provider that rotates sends a new refresh token; the old one is spent. */
static void keep_rotated(struct oauth2 *o, const struct token_record *t,
			 const struct oauth2_reply *r)
{
	const char *rotated = oauth2_reply_string(r, "refresh_token");
	struct err err = { 0 };

	if (rotated == NULL || t->refresh_token == NULL || strcmp(rotated, t->refresh_token) == 0)
		return;
	if (oauth2_store_refresh(o->cfg, rotated, "rotation", &err) < 0)
		log_error("oauth2: the provider rotated the refresh token and it could not be "
			  "stored (%s): the next restart needs `admitctl oauth login`",
			  err.text);
	else
		log_info("oauth2 refresh token rotated file=%s", o->cfg->token_file);
}

static int fetch(struct oauth2 *o, struct err *err)
{
	struct token_record t = { 0 };
	struct oauth2_reply r = { 0 };
	const char *access;
	int ret = 0;

	if (request(o, &t, &r, err) < 0) {
		token_record_clear(&t);
		return -1;
	}
	access = oauth2_reply_string(&r, "access_token");
	if (r.status != 200 || access == NULL) {
		char *why = oauth2_reply_error(&r);

		if (oauth2_error_is_final(oauth2_reply_string(&r, "error")))
			set_problem(o, refresh_grant(o) ? "the refresh token" : "the client");
		ret = o->problem != NULL ? err_set(err, ERR_TEMP, "%s (%s)", o->problem, why)
					 : err_set(err, ERR_TEMP, "oauth2 %s: HTTP %ld: %s",
						   o->cfg->token_url, r.status, why);
		g_free(why);
	} else {
		gint64 lifetime = oauth2_reply_int(&r, "expires_in", DEFAULT_LIFETIME);

		keep_rotated(o, &t, &r);
		secret_free(o->access);
		o->access = g_strdup(access);
		lifetime = MAX(lifetime, 0);
		o->expires = g_get_real_time() / G_USEC_PER_SEC + lifetime;
		o->renew = o->expires - MIN(EXPIRY_MARGIN, lifetime / 4);
		g_clear_pointer(&o->problem, g_free);
		log_info("oauth2 token grant=%s expires_in=%" G_GINT64_FORMAT, o->cfg->grant,
			 lifetime);
	}
	oauth2_reply_clear(&r);
	token_record_clear(&t);
	return ret;
}

int oauth2_bearer(struct oauth2 *o, const char **token_r, struct err *err)
{
	gint64 now = g_get_real_time() / G_USEC_PER_SEC;

	if (o->problem != NULL && refresh_grant(o) && !token_file_changed(o))
		return err_set(err, ERR_TEMP, "%s", o->problem);
	if (o->access == NULL || now >= o->renew) {
		if (fetch(o, err) < 0)
			return -1;
	}
	*token_r = o->access;
	return 0;
}

void oauth2_refused(struct oauth2 *o)
{
	secret_clear(&o->access);
	o->expires = o->renew = 0;
}

const char *oauth2_problem(const struct oauth2 *o)
{
	return o->problem;
}

gint64 oauth2_expires(const struct oauth2 *o)
{
	return o->access != NULL ? o->expires : 0;
}
