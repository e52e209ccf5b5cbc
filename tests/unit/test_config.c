/* Config validation: every problem is reported as FILE:LINE: what is wrong. */
#include "testutil.h"

#include "config.h"
#include "mail.h"

/* Line numbers below refer to this text. */
static const char base_config[] =
	"programme = {\n"								  /* 1 */
	"  name = \"Master in AI4Gov\";\n"						  /* 2 */
	"  reference_prefix = \"AI4G\";\n"						  /* 3 */
	"  registration_url = \"https://registration.example.org/ai4gov\";\n"		  /* 4 */
	"  reply_from = \"AI4Gov Admissions <admissions@example.org>\";\n"		  /* 5 */
	"};\n"										  /* 6 */
	"editions = (\n"								  /* 7 */
	"  { name = \"2026-2027\"; opens = \"2026-01-12\"; closes = \"2026-06-30\"; }\n"  /* 8 */
	");\n"										  /* 9 */
	"batches = { anchor = \"2026-01-12\"; period_days = 14; };\n"			  /* 10 */
	"commission = {\n"								  /* 11 */
	"  address = \"commission@example.org\";\n"					  /* 12 */
	"  members = [ \"chair@example.org\", \"Secretary@Example.org\" ];\n"		  /* 13 */
	"};\n"										  /* 14 */
	"imap = {\n"									  /* 15 */
	"  url = \"imaps://imap.example.org:993/INBOX\";\n"				  /* 16 */
	"  username = \"admissions@example.org\";\n"					  /* 17 */
	"  password_file = \"imap.password\";\n"					  /* 18 */
	"  processed_mailbox = \"Processed\";\n"					  /* 19 */
	"  poll_seconds = 60;\n"							  /* 20 */
	"};\n"										  /* 21 */
	"smtp = {\n"									  /* 22 */
	"  url = \"smtp://smtp.example.org:587\";\n"					  /* 23 */
	"  username = \"admissions@example.org\";\n"					  /* 24 */
	"  password_file = \"smtp.password\";\n"					  /* 25 */
	"};\n"										  /* 26 */
	"storage = { database = \"state/admitd.db\"; spool = \"/var/spool/admitd\"; };\n" /* 27 */
	"templates = { dir = \"/usr/share/admitd/templates\"; };\n";			  /* 28 */

#define TEMPLATES_LINE "templates = { dir = \"/usr/share/admitd/templates\"; };\n"

struct config_case {
	const char *name;
	const char *find; /* text of base_config to replace (NULL: use as is) */
	const char *replace;
	const char *expect; /* substring of the problems; NULL: the file must load */
};

static const struct config_case cases[] = {
	{ "the base file is valid", NULL, NULL, NULL },
	{ "syntax error", "period_days = 14;", "period_days = = 14;", "cfg:10: syntax error" },
	{ "missing setting", "  registration_url = \"https://registration.example.org/ai4gov\";\n",
	  "", "cfg:1: programme.registration_url: missing required setting" },
	{ "wrong type", "poll_seconds = 60;", "poll_seconds = \"60\";",
	  "cfg:20: imap.poll_seconds: expected a whole number" },
	{ "out of range", "poll_seconds = 60;", "poll_seconds = 1;",
	  "cfg:20: imap.poll_seconds: 1 is out of range" },
	{ "unknown setting", "  poll_seconds = 60;\n", "  poll_seconds = 60;\n  colour = 1;\n",
	  "cfg:21: imap.colour: unknown setting" },
	{ "unknown group", "templates = {", "template = {", "cfg:28: template: unknown setting" },
	{ "malformed date", "opens = \"2026-01-12\"", "opens = \"2026-13-01\"",
	  "cfg:8: editions[1].opens: \"2026-13-01\" is not a date" },
	{ "date with time", "anchor = \"2026-01-12\"", "anchor = \"2026-01-12T00:00\"",
	  "cfg:10: batches.anchor:" },
	{ "edition closes first", "closes = \"2026-06-30\"", "closes = \"2025-06-30\"",
	  "cfg:8: editions[1]: closes before it opens" },
	{ "IMAP URL of another scheme", "imaps://imap.example.org:993/INBOX",
	  "https://imap.example.org/INBOX",
	  "cfg:16: imap.url: \"https://imap.example.org/INBOX\" is "
	  "not an IMAP URL" },
	{ "IMAP URL without a mailbox", "imaps://imap.example.org:993/INBOX",
	  "imaps://imap.example.org:993", "cfg:16: imap.url:" },
	{ "SMTP URL garbage", "smtp://smtp.example.org:587", "smtp.example.org",
	  "cfg:23: smtp.url:" },
	{ "registration URL", "https://registration.example.org/ai4gov", "registration",
	  "cfg:4: programme.registration_url:" },
	{ "reply_from not an address", "AI4Gov Admissions <admissions@example.org>",
	  "AI4Gov Admissions", "cfg:5: programme.reply_from:" },
	{ "member not an address", "\"chair@example.org\",", "\"chair\",",
	  "cfg:13: commission.members: item 1 is not a bare email address" },
	{ "prefix with a dash", "\"AI4G\"", "\"AI-4G\"", "cfg:3: programme.reference_prefix:" },
	{ "unreadable password file", "password_file = \"imap.password\"",
	  "password_file = \"/nonexistent/imap.password\"",
	  "cfg:18: imap.password_file: cannot read /nonexistent/imap.password" },
	{ "password in the config", "  poll_seconds = 60;\n",
	  "  poll_seconds = 60;\n  password = \"hunter2\";\n",
	  "cfg:21: imap.password: passwords do not belong in the config file" },
	{ "no password at all", "  password_file = \"imap.password\";\n", "",
	  "cfg:15: imap: no password" },
	{ "missing group",
	  "smtp = {\n  url = \"smtp://smtp.example.org:587\";\n  username = "
	  "\"admissions@example.org\";\n  password_file = \"smtp.password\";\n};\n",
	  "", "smtp: missing required group" },
	{ "empty editions",
	  "  { name = \"2026-2027\"; opens = \"2026-01-12\"; closes = "
	  "\"2026-06-30\"; }\n",
	  "", "cfg:7: editions: expected" },
	{ "empty string", "name = \"Master in AI4Gov\";", "name = \"\";",
	  "cfg:2: programme.name: must not be empty" },
	{ "auth oauth2 without the group", "poll_seconds = 60;",
	  "poll_seconds = 60; auth = \"oauth2\";",
	  "cfg:20: imap.auth: \"oauth2\" needs the oauth2 group" },
	{ "unknown auth", "poll_seconds = 60;", "poll_seconds = 60; auth = \"kerberos\";",
	  "cfg:20: imap.auth: \"kerberos\" must be \"password\" or \"oauth2\"" },
	{ "microsoft without a tenant", TEMPLATES_LINE,
	  TEMPLATES_LINE "oauth2 = { provider = \"microsoft\"; client_id = \"app\"; "
			 "client_secret_file = \"imap.password\"; };\n",
	  "cfg:29: oauth2.tenant: microsoft needs the directory (tenant) ID" },
	{ "a tenant that would change the URL", TEMPLATES_LINE,
	  TEMPLATES_LINE
	  "oauth2 = { provider = \"microsoft\"; tenant = \"a/b\"; client_id = \"app\"; "
	  "client_secret_file = \"imap.password\"; };\n",
	  "cfg:29: oauth2.tenant:" },
	{ "google with client credentials", TEMPLATES_LINE,
	  TEMPLATES_LINE "oauth2 = { provider = \"google\"; grant = \"client_credentials\"; "
			 "client_id = \"app\"; };\n",
	  "cfg:29: oauth2.grant: Google offers no client_credentials grant" },
	{ "a token endpoint over http", TEMPLATES_LINE,
	  TEMPLATES_LINE "oauth2 = { provider = \"generic\"; grant = \"refresh_token\"; "
			 "client_id = \"app\"; token_url = \"http://idp.example.org/token\"; };\n",
	  "cfg:29: oauth2.token_url: \"http://idp.example.org/token\" must be an https:// "
	  "address" },
	{ "generic without a token endpoint", TEMPLATES_LINE,
	  TEMPLATES_LINE "oauth2 = { provider = \"generic\"; grant = \"refresh_token\"; "
			 "client_id = \"app\"; };\n",
	  "cfg:29: oauth2.token_url: missing" },
	{ "client credentials without a secret", TEMPLATES_LINE,
	  TEMPLATES_LINE "oauth2 = { provider = \"microsoft\"; tenant = \"contoso.example\"; "
			 "client_id = \"app\"; };\n",
	  "cfg:29: oauth2: the client_credentials grant needs the client secret" },
	{ "unknown provider", TEMPLATES_LINE,
	  TEMPLATES_LINE "oauth2 = { provider = \"yahoo\"; client_id = \"app\"; };\n",
	  "cfg:29: oauth2.provider: \"yahoo\" must be" },
	{ "oauth2 needs no password file", "  password_file = \"imap.password\";\n",
	  "  auth = \"oauth2\";\n", "cfg:18: imap.auth: \"oauth2\" needs the oauth2 group" },
};

static char *config_text(const struct config_case *c)
{
	const char *at;
	GString *s;

	if (c->find == NULL)
		return g_strdup(base_config);
	at = strstr(base_config, c->find);
	assert_non_null(at);
	s = g_string_new_len(base_config, at - base_config);
	g_string_append(s, c->replace);
	g_string_append(s, at + strlen(c->find));
	return g_string_free(s, FALSE);
}

static void test_config_table(void **state)
{
	char *dir = test_tmpdir();
	int failures = 0;

	(void)state;
	g_free(test_write_file(dir, "imap.password", "imap-secret\n"));
	g_free(test_write_file(dir, "smtp.password", "smtp-secret"));
	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		const struct config_case *c = &cases[i];
		char *text = config_text(c);
		char *path = test_write_file(dir, "cfg", text);
		GString *problems = g_string_new(NULL);
		struct config *cfg = NULL;
		int rc = config_load(&cfg, path, CONFIG_SECRETS, problems);
		/* Problems name the file as given; compare against the short name "cfg". */
		char *shown = g_strdup(problems->str);
		char *prefix = g_strconcat(path, ":", NULL);
		GString *normal = g_string_new(shown);

		g_string_replace(normal, prefix, "cfg:", 0);
		if (c->expect == NULL)
			ROW_CHECK(failures, rc == 0 && cfg != NULL,
				  "%s: expected success, got:\n%s", c->name, problems->str);
		else
			ROW_CHECK(failures, rc < 0 && strstr(normal->str, c->expect) != NULL,
				  "%s: expected \"%s\", got:\n%s", c->name, c->expect, normal->str);
		config_free(&cfg);
		g_string_free(problems, TRUE);
		g_string_free(normal, TRUE);
		g_free(shown);
		g_free(prefix);
		g_free(text);
		g_free(path);
	}
	g_free(dir);
	assert_int_equal(failures, 0);
}

static void test_config_values(void **state)
{
	char *dir = test_tmpdir();
	char *path, *creds;
	GString *problems = g_string_new(NULL);
	struct config *cfg = NULL;
	GDate day;

	(void)state;
	g_free(test_write_file(dir, "imap.password", "imap-secret\n"));
	g_free(test_write_file(dir, "smtp.password", "smtp-secret"));
	path = test_write_file(dir, "cfg", base_config);
	assert_int_equal(config_load(&cfg, path, CONFIG_SECRETS, problems), 0);
	assert_string_equal(cfg->imap.password, "imap-secret"); /* trailing newline dropped */
	assert_string_equal(cfg->smtp.password, "smtp-secret");
	assert_string_equal(cfg->commission.members[1], "secretary@example.org");
	assert_null(cfg->commission.members[2]);
	assert_int_equal(cfg->batches.period_days, 14);
	assert_true(cfg->imap.require_tls);
	/* Relative paths are taken from the config file's folder. */
	char *db = g_build_filename(dir, "state/admitd.db", NULL);
	assert_string_equal(cfg->storage.database, db);
	g_free(db);
	g_date_clear(&day, 1);
	g_date_set_dmy(&day, 30, 6, 2026);
	assert_non_null(config_edition_on(cfg, &day));
	g_date_set_dmy(&day, 1, 7, 2026);
	assert_null(config_edition_on(cfg, &day));
	config_free(&cfg);
	assert_null(cfg);

	/* A systemd credential wins over the password file. */
	creds = g_build_filename(dir, "creds", NULL);
	g_mkdir(creds, 0700);
	g_free(test_write_file(creds, "imap", "from-credential\n"));
	g_setenv("CREDENTIALS_DIRECTORY", creds, TRUE);
	assert_int_equal(config_load(&cfg, path, CONFIG_SECRETS, problems), 0);
	assert_string_equal(cfg->imap.password, "from-credential");
	assert_string_equal(cfg->smtp.password, "smtp-secret");
	config_free(&cfg);
	g_unsetenv("CREDENTIALS_DIRECTORY");

	/* Without CONFIG_SECRETS (admitctl) no password is read. */
	assert_int_equal(config_load(&cfg, path, 0, problems), 0);
	assert_null(cfg->imap.password);
	config_free(&cfg);
	g_string_free(problems, TRUE);
	g_free(creds);
	g_free(path);
	g_free(dir);
}

/* The provider's preset fills what the administrator left out; the secret comes from the
 * credential "oauth2" before the file; a service with auth = "oauth2" needs no password. */
static void test_config_oauth2(void **state)
{
	char *dir = test_tmpdir(), *creds = g_build_filename(dir, "creds", NULL);
	GString *text = g_string_new(base_config), *problems = g_string_new(NULL);
	struct config *cfg = NULL;
	char *path, *token_file;

	(void)state;
	g_string_replace(text, "  password_file = \"imap.password\";\n", "  auth = \"oauth2\";\n",
			 1);
	g_string_append(text,
			"oauth2 = { provider = \"microsoft\"; tenant = \"contoso.example\";\n"
			"  client_id = \"app-id\"; client_secret_file = \"oauth2.secret\"; };\n");
	g_free(test_write_file(dir, "smtp.password", "smtp-secret"));
	g_free(test_write_file(dir, "oauth2.secret", "file-secret\n"));
	path = test_write_file(dir, "cfg", text->str);
	assert_int_equal(config_load(&cfg, path, CONFIG_SECRETS, problems), 0);
	assert_true(config_uses_oauth2(cfg));
	assert_null(cfg->imap.password);
	assert_string_equal(cfg->smtp.password, "smtp-secret");
	assert_string_equal(cfg->oauth2.grant, "client_credentials");
	assert_string_equal(cfg->oauth2.token_url,
			    "https://login.microsoftonline.com/contoso.example/oauth2/v2.0/token");
	assert_string_equal(cfg->oauth2.scope, "https://outlook.office365.com/.default");
	assert_string_equal(cfg->oauth2.client_secret, "file-secret");
	token_file = g_build_filename(dir, "state", "oauth2-token.json", NULL);
	assert_string_equal(cfg->oauth2.token_file, token_file);
	assert_non_null(strstr(config_oauth2_needs(&cfg->oauth2), "IMAP.AccessAsApp"));
	config_free(&cfg);

	g_mkdir(creds, 0700);
	g_free(test_write_file(creds, "oauth2", "credential-secret\n"));
	g_setenv("CREDENTIALS_DIRECTORY", creds, TRUE);
	assert_int_equal(config_load(&cfg, path, CONFIG_OAUTH2_SECRET, problems), 0);
	assert_string_equal(cfg->oauth2.client_secret, "credential-secret");
	assert_null(cfg->smtp.password); /* admitctl oauth reads the client secret only */
	config_free(&cfg);
	g_unsetenv("CREDENTIALS_DIRECTORY");
	assert_int_equal(problems->len, 0);
	g_string_free(problems, TRUE);
	g_string_free(text, TRUE);
	g_free(token_file);
	g_free(path);
	g_free(creds);
	g_free(dir);
}

static void test_config_missing_file(void **state)
{
	GString *problems = g_string_new(NULL);
	struct config *cfg = NULL;

	(void)state;
	assert_int_equal(config_load(&cfg, "/nonexistent/admitd.conf", CONFIG_SECRETS, problems),
			 -1);
	assert_non_null(strstr(problems->str, "/nonexistent/admitd.conf:0: cannot read the file"));
	g_string_free(problems, TRUE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_config_table),
		cmocka_unit_test(test_config_values),
		cmocka_unit_test(test_config_oauth2),
		cmocka_unit_test(test_config_missing_file),
	};

	mail_library_init();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
