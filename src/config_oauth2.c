/* config_oauth2.c — the oauth2 group: a provider's preset (endpoints, scopes)
 * completed by what the administrator wrote, and the rules that keep it usable: an https
 * token endpoint, a grant the provider offers for mail, a secret where the grant needs one. */
#include <string.h>

#include <glib.h>

#include "config_p.h"
#include "secret.h"

/* What each provider documents for IMAP and SMTP (docs/OAUTH2.md gives the sources). Microsoft's
 * URLs take the tenant in place of %s. Google's device grant does not allow the mail scope, so
 * its refresh token comes from the code grant (admitctl oauth login picks it). */
struct preset {
	const char *name;
	const char *default_grant;
	const char *token_url, *device_url, *authorization_url;
	const char *scope_app;	     /* client_credentials */
	const char *scope_delegated; /* refresh_token */
	const char *needs;	     /* what --check-config reminds the administrator of */
};

static const struct preset presets[] = {
	{ "microsoft", "client_credentials",
	  "https://login.microsoftonline.com/%s/oauth2/v2.0/token",
	  "https://login.microsoftonline.com/%s/oauth2/v2.0/devicecode",
	  "https://login.microsoftonline.com/%s/oauth2/v2.0/authorize",
	  "https://outlook.office365.com/.default",
	  "offline_access https://outlook.office.com/IMAP.AccessAsUser.All "
	  "https://outlook.office.com/SMTP.Send",
	  "client_credentials: the application permissions IMAP.AccessAsApp and SMTP.SendAsApp "
	  "(Office 365 Exchange Online), admin consent, the Exchange service principal and its "
	  "FullAccess permission on the mailbox; refresh_token: the delegated permissions "
	  "IMAP.AccessAsUser.All, SMTP.Send and offline_access, then admitctl oauth login" },
	{ "google", "refresh_token", "https://oauth2.googleapis.com/token", NULL,
	  "https://accounts.google.com/o/oauth2/v2/auth", NULL, "https://mail.google.com/",
	  "refresh_token: an OAuth client of type Desktop app with the scope "
	  "https://mail.google.com/ on the consent screen, then admitctl oauth login" },
	{ "generic", NULL, NULL, NULL, NULL, NULL, NULL,
	  "token_url (and device_authorization_url or authorization_url for admitctl oauth "
	  "login) from your identity provider" },
};

static const struct preset *find_preset(const char *name)
{
	for (size_t i = 0; i < G_N_ELEMENTS(presets); i++)
		if (strcmp(presets[i].name, name) == 0)
			return &presets[i];
	return NULL;
}

static int line_of(const config_setting_t *group, const char *name)
{
	const config_setting_t *s = group ? config_setting_get_member(group, name) : NULL;

	if (s == NULL && group == NULL)
		return 0; /* the group is missing: reported as such, at the file's end */
	return config_setting_line(s != NULL ? s : group);
}

/* A tenant goes into the endpoints' path: a GUID, a domain, "organizations" or "common". */
static bool valid_tenant(const char *t)
{
	for (const char *p = t; *p != '\0'; p++)
		if (!g_ascii_isalnum(*p) && *p != '.' && *p != '-')
			return false;
	return t[0] != '\0';
}

static void fill(char **slot, const char *format, const char *tenant)
{
	if (*slot == NULL && format != NULL)
		*slot = g_strdup_printf(format, tenant != NULL ? tenant : "");
}

static void check_https(struct loader *ld, const config_setting_t *g, const char *name,
			const char *url)
{
	if (url != NULL && g_ascii_strncasecmp(url, "https://", 8) != 0)
		config_problem(
			ld, line_of(g, name),
			"oauth2.%s: \"%s\" must be an https:// address (tokens travel there)", name,
			url);
}

static void check_choice(struct loader *ld, int line, const char *where, const char *value,
			 const char *a, const char *b)
{
	if (value != NULL && strcmp(value, a) != 0 && strcmp(value, b) != 0)
		config_problem(ld, line, "%s: \"%s\" must be \"%s\" or \"%s\"", where, value, a, b);
}

static void complete(struct loader *ld, struct config_oauth2 *o, const struct preset *p,
		     const config_setting_t *g)
{
	bool app;

	if (strcmp(p->name, "microsoft") == 0 && (o->tenant == NULL || !valid_tenant(o->tenant)))
		config_problem(ld, line_of(g, "tenant"),
			       "oauth2.tenant: microsoft needs the directory (tenant) ID of your "
			       "Entra ID, or its domain");
	if (o->grant == NULL && p->default_grant != NULL)
		o->grant = g_strdup(p->default_grant);
	if (o->grant == NULL)
		config_problem(
			ld, config_setting_line(g),
			"oauth2.grant: missing: \"client_credentials\" or \"refresh_token\"");
	check_choice(ld, line_of(g, "grant"), "oauth2.grant", o->grant, "client_credentials",
		     "refresh_token");
	app = g_strcmp0(o->grant, "client_credentials") == 0;
	if (app && strcmp(p->name, "google") == 0)
		config_problem(ld, line_of(g, "grant"),
			       "oauth2.grant: Google offers no client_credentials grant for IMAP "
			       "and SMTP; use \"refresh_token\" and admitctl oauth login");
	fill(&o->token_url, p->token_url, o->tenant);
	fill(&o->device_authorization_url, p->device_url, o->tenant);
	fill(&o->authorization_url, p->authorization_url, o->tenant);
	fill(&o->scope, app ? p->scope_app : p->scope_delegated, NULL);
	if (o->token_url == NULL)
		config_problem(ld, config_setting_line(g),
			       "oauth2.token_url: missing: a generic provider needs its token "
			       "endpoint");
	check_https(ld, g, "token_url", o->token_url);
	check_https(ld, g, "device_authorization_url", o->device_authorization_url);
	check_https(ld, g, "authorization_url", o->authorization_url);
}

static void check_auth(struct loader *ld, const config_setting_t *root, const char *service,
		       const char *auth, bool configured)
{
	const config_setting_t *g = config_setting_get_member(root, service);
	char *where = g_strdup_printf("%s.auth", service);

	check_choice(ld, line_of(g, "auth"), where, auth, "password", "oauth2");
	if (g_strcmp0(auth, "oauth2") == 0 && !configured)
		config_problem(ld, line_of(g, "auth"),
			       "%s: \"oauth2\" needs the oauth2 group { provider = ...; ... }",
			       where);
	g_free(where);
}

void config_oauth2_check(struct loader *ld, struct config *cfg, const config_setting_t *root,
			 unsigned flags)
{
	const config_setting_t *g = config_setting_get_member(root, "oauth2");
	struct config_oauth2 *o = &cfg->oauth2;
	const struct preset *p;
	char *state_dir;

	o->configured = g != NULL && config_setting_type(g) == CONFIG_TYPE_GROUP;
	check_auth(ld, root, "imap", cfg->imap.auth, o->configured);
	check_auth(ld, root, "smtp", cfg->smtp.auth, o->configured);
	if (strcmp(cfg->smtp.auth, "oauth2") == 0 && cfg->smtp.username == NULL)
		config_problem(
			ld, line_of(config_setting_get_member(root, "smtp"), "auth"),
			"smtp.auth: \"oauth2\" needs smtp.username, the mailbox it sends as");
	if (!o->configured || o->provider == NULL)
		return;
	if ((p = find_preset(o->provider)) == NULL) {
		config_problem(ld, line_of(g, "provider"),
			       "oauth2.provider: \"%s\" must be \"microsoft\", \"google\" or "
			       "\"generic\"",
			       o->provider);
		return;
	}
	complete(ld, o, p, g);
	state_dir = g_path_get_dirname(cfg->storage.database);
	o->token_file = g_build_filename(state_dir, "oauth2-token.json", NULL);
	g_free(state_dir);
	if (!(flags & (CONFIG_SECRETS | CONFIG_OAUTH2_SECRET)))
		return;
	o->client_secret = config_read_secret(ld, line_of(g, "client_secret_file"), "oauth2",
					      "oauth2.client_secret_file", o->client_secret_file);
	if (o->client_secret == NULL && g_strcmp0(o->grant, "client_credentials") == 0)
		config_problem(ld, line_of(g, "client_secret_file"),
			       "oauth2: the client_credentials grant needs the client secret: set "
			       "client_secret_file or provide the systemd credential \"oauth2\"");
}

const char *config_oauth2_needs(const struct config_oauth2 *o)
{
	const struct preset *p = o->provider ? find_preset(o->provider) : NULL;

	return p != NULL ? p->needs : "";
}

void config_oauth2_clear(struct config_oauth2 *o)
{
	g_free(o->provider);
	g_free(o->tenant);
	g_free(o->grant);
	g_free(o->client_id);
	g_free(o->client_secret_file);
	secret_free(o->client_secret);
	g_free(o->token_url);
	g_free(o->device_authorization_url);
	g_free(o->authorization_url);
	g_free(o->scope);
	g_free(o->ca_file);
	g_free(o->token_file);
	memset(o, 0, sizeof(*o));
}
