#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <libconfig.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "config_p.h"
#include "secret.h"
#include "mail.h"

#ifndef ADMITD_TEMPLATES_DIR
#define ADMITD_TEMPLATES_DIR "/usr/share/admitd/templates"
#endif
#ifndef ADMITD_LOCAL_TEMPLATES_DIR
#define ADMITD_LOCAL_TEMPLATES_DIR "/etc/admitd/templates"
#endif

enum field_type {
	F_STRING,
	F_INT,
	F_BOOL,
	F_DATE,
	F_PREFIX,
	F_ADDRESS,   /* one mailbox, display name allowed; stored as written */
	F_ADDR_SPEC, /* one bare address; stored lower-case */
	F_ADDR_LIST, /* array of bare addresses; stored as char ** */
	F_URL_IMAP,
	F_URL_SMTP,
	F_URL_WEB,
	F_PATH, /* relative paths are taken from the config file's folder */
	F_MAILBOX,
};

struct field {
	const char *name;
	enum field_type type;
	bool required;
	size_t offset;
	int min, max; /* F_INT only */
};

/* clang-format off: it would spread each one-line initialiser over four lines */
#define FIELD(n, t, req, member)                                 \
	{                                                        \
		n, t, req, offsetof(struct config, member), 0, 0 \
	}
#define INT_FIELD(n, req, member, lo, hi)                              \
	{                                                              \
		n, F_INT, req, offsetof(struct config, member), lo, hi \
	}
/* clang-format on */

static const struct field programme_fields[] = {
	FIELD("name", F_STRING, true, programme.name),
	FIELD("reference_prefix", F_PREFIX, true, programme.reference_prefix),
	FIELD("registration_url", F_URL_WEB, true, programme.registration_url),
	FIELD("reply_from", F_ADDRESS, true, programme.reply_from),
	FIELD("office_address", F_ADDR_SPEC, false, programme.office_address),
	{ NULL, 0, false, 0, 0, 0 },
};

static const struct field batches_fields[] = {
	FIELD("anchor", F_DATE, true, batches.anchor),
	INT_FIELD("period_days", false, batches.period_days, 1, 366),
	INT_FIELD("reminder_days", false, batches.reminder_days, 1, 366),
	{ NULL, 0, false, 0, 0, 0 },
};

static const struct field commission_fields[] = {
	FIELD("address", F_ADDR_SPEC, true, commission.address),
	FIELD("members", F_ADDR_LIST, true, commission.members),
	FIELD("require_auth", F_STRING, false, commission.require_auth),
	FIELD("authserv_id", F_STRING, false, commission.authserv_id),
	INT_FIELD("token_days", false, commission.token_days, 1, 3650),
	INT_FIELD("max_message_bytes", false, commission.max_message_bytes, 65536, 1073741824),
	FIELD("dossier", F_BOOL, false, commission.dossier),
	{ NULL, 0, false, 0, 0, 0 },
};

static const struct field imap_fields[] = {
	FIELD("url", F_URL_IMAP, true, imap.url),
	FIELD("username", F_STRING, true, imap.username),
	FIELD("password_file", F_PATH, false, imap.password_file),
	FIELD("processed_mailbox", F_MAILBOX, true, imap.processed_mailbox),
	INT_FIELD("poll_seconds", false, imap.poll_seconds, 5, 86400),
	FIELD("ca_file", F_PATH, false, imap.ca_file),
	FIELD("require_tls", F_BOOL, false, imap.require_tls),
	INT_FIELD("timeout_seconds", false, imap.timeout_seconds, 1, 3600),
	FIELD("auth", F_STRING, false, imap.auth),
	{ NULL, 0, false, 0, 0, 0 },
};

static const struct field smtp_fields[] = {
	FIELD("url", F_URL_SMTP, true, smtp.url),
	FIELD("username", F_STRING, false, smtp.username),
	FIELD("password_file", F_PATH, false, smtp.password_file),
	FIELD("ca_file", F_PATH, false, smtp.ca_file),
	FIELD("require_tls", F_BOOL, false, smtp.require_tls),
	INT_FIELD("timeout_seconds", false, smtp.timeout_seconds, 1, 3600),
	FIELD("auth", F_STRING, false, smtp.auth),
	{ NULL, 0, false, 0, 0, 0 },
};

/* Checked and completed from the provider's preset in config_oauth2.c. */
static const struct field oauth2_fields[] = {
	FIELD("provider", F_STRING, true, oauth2.provider),
	FIELD("tenant", F_STRING, false, oauth2.tenant),
	FIELD("grant", F_STRING, false, oauth2.grant),
	FIELD("client_id", F_STRING, true, oauth2.client_id),
	FIELD("client_secret_file", F_PATH, false, oauth2.client_secret_file),
	FIELD("token_url", F_URL_WEB, false, oauth2.token_url),
	FIELD("device_authorization_url", F_URL_WEB, false, oauth2.device_authorization_url),
	FIELD("authorization_url", F_URL_WEB, false, oauth2.authorization_url),
	FIELD("scope", F_STRING, false, oauth2.scope),
	FIELD("ca_file", F_PATH, false, oauth2.ca_file),
	{ NULL, 0, false, 0, 0, 0 },
};

static const struct field storage_fields[] = {
	FIELD("database", F_PATH, false, storage.database),
	FIELD("spool", F_PATH, false, storage.spool),
	{ NULL, 0, false, 0, 0, 0 },
};

static const struct field templates_fields[] = {
	FIELD("dir", F_PATH, false, templates.dir),
	FIELD("local_dir", F_PATH, false, templates.local_dir),
	{ NULL, 0, false, 0, 0, 0 },
};

static const struct field limits_fields[] = {
	INT_FIELD("max_message_bytes", false, limits.max_message_bytes, 65536, 1073741824),
	INT_FIELD("replies_per_address_per_day", false, limits.replies_per_address_per_day, 1,
		  1000),
	INT_FIELD("replies_per_hour", false, limits.replies_per_hour, 1, 1000000),
	{ NULL, 0, false, 0, 0, 0 },
};

static const struct field retention_fields[] = {
	INT_FIELD("discarded_days", false, retention.discarded_days, 1, 36500),
	INT_FIELD("withdrawn_days", false, retention.withdrawn_days, 1, 36500),
	INT_FIELD("accepted_days", false, retention.accepted_days, 1, 36500),
	INT_FIELD("reserve_days", false, retention.reserve_days, 1, 36500),
	INT_FIELD("incomplete_days", false, retention.incomplete_days, 1, 36500),
	INT_FIELD("inquiry_days", false, retention.inquiry_days, 1, 36500),
	INT_FIELD("ignored_days", false, retention.ignored_days, 1, 36500),
	INT_FIELD("quarantined_days", false, retention.quarantined_days, 1, 36500),
	INT_FIELD("too_large_days", false, retention.too_large_days, 1, 36500),
	INT_FIELD("decision_days", false, retention.decision_days, 1, 36500),
	INT_FIELD("duplicate_days", false, retention.duplicate_days, 1, 36500),
	INT_FIELD("letters_days", false, retention.letters_days, 1, 36500),
	{ NULL, 0, false, 0, 0, 0 },
};

static const struct field edition_fields[] = {
	{ "name", F_STRING, true, offsetof(struct edition, name), 0, 0 },
	{ "opens", F_DATE, true, offsetof(struct edition, opens), 0, 0 },
	{ "closes", F_DATE, true, offsetof(struct edition, closes), 0, 0 },
	{ NULL, 0, false, 0, 0, 0 },
};

struct group {
	const char *name;
	const struct field *fields;
	bool required;
};

static const struct group groups[] = {
	{ "programme", programme_fields, true },
	{ "batches", batches_fields, true },
	{ "commission", commission_fields, true },
	{ "imap", imap_fields, true },
	{ "smtp", smtp_fields, true },
	{ "oauth2", oauth2_fields, false },
	{ "storage", storage_fields, false },
	{ "templates", templates_fields, false },
	{ "limits", limits_fields, false },
	{ "retention", retention_fields, false },
};

void config_problem(struct loader *ld, int line, const char *fmt, ...)
{
	va_list ap;

	g_string_append_printf(ld->problems, "%s:%d: ", ld->path, line > 0 ? line : ld->last_line);
	va_start(ap, fmt);
	g_string_append_vprintf(ld->problems, fmt, ap);
	va_end(ap);
	g_string_append_c(ld->problems, '\n');
	ld->count++;
}

int config_setting_line(const config_setting_t *s)
{
	return (int)config_setting_source_line(s);
}

static bool parse_date(const char *text, GDate *date_r)
{
	unsigned y, m, d;
	int used = 0;

	if (strlen(text) != 10 || sscanf(text, "%4u-%2u-%2u%n", &y, &m, &d, &used) != 3 ||
	    used != 10)
		return false;
	if (!g_date_valid_dmy((GDateDay)d, (GDateMonth)m, (GDateYear)y))
		return false;
	g_date_clear(date_r, 1);
	g_date_set_dmy(date_r, (GDateDay)d, (GDateMonth)m, (GDateYear)y);
	return true;
}

static bool url_has_scheme(const char *url, const char *const *schemes, bool need_path)
{
	CURLU *u = curl_url();
	char *scheme = NULL, *host = NULL, *path = NULL;
	bool ok = false;

	if (u == NULL)
		return false;
	if (curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK || host[0] == '\0')
		goto out;
	for (size_t i = 0; schemes[i] != NULL && !ok; i++)
		ok = g_ascii_strcasecmp(scheme, schemes[i]) == 0;
	if (ok && need_path)
		ok = curl_url_get(u, CURLUPART_PATH, &path, 0) == CURLUE_OK && strlen(path) > 1;
out:
	curl_free(scheme);
	curl_free(host);
	curl_free(path);
	curl_url_cleanup(u);
	return ok;
}

static bool has_control_chars(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return true;
	return false;
}

static char *resolve_path(const struct loader *ld, const char *value)
{
	if (g_path_is_absolute(value))
		return g_strdup(value);
	return g_build_filename(ld->dir, value, NULL);
}

static bool valid_prefix(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > 12)
		return false;
	for (; *s != '\0'; s++)
		if (!isalnum((unsigned char)*s))
			return false;
	return true;
}

static char **read_address_list(struct loader *ld, const config_setting_t *s, const char *where)
{
	int n = config_setting_length(s);
	char **list;

	if (config_setting_type(s) != CONFIG_TYPE_ARRAY &&
	    config_setting_type(s) != CONFIG_TYPE_LIST) {
		config_problem(ld, config_setting_line(s),
			       "%s: expected a list of addresses like [ \"a@example.org\" ]",
			       where);
		return NULL;
	}
	if (n == 0)
		config_problem(ld, config_setting_line(s), "%s: the list is empty", where);
	list = g_new0(char *, (size_t)n + 1);
	for (int i = 0, kept = 0; i < n; i++) {
		const char *text = config_setting_get_string_elem(s, i);
		char *addr = NULL;

		if (text == NULL || mail_address_parse(text, &addr, NULL) < 0 ||
		    strchr(text, '<')) {
			config_problem(ld, config_setting_line(s),
				       "%s: item %d is not a bare email address", where, i + 1);
			g_free(addr);
			continue;
		}
		list[kept++] = addr;
	}
	return list;
}

/* Reads one setting of a known type into the struct field at `slot`. */
static void read_field(struct loader *ld, const config_setting_t *s, const struct field *f,
		       void *slot, const char *where)
{
	static const char *const imap_schemes[] = { "imap", "imaps", NULL };
	static const char *const smtp_schemes[] = { "smtp", "smtps", NULL };
	static const char *const web_schemes[] = { "http", "https", NULL };
	int line = config_setting_line(s);
	const char *text = NULL;

	if (f->type == F_INT) {
		if (config_setting_type(s) != CONFIG_TYPE_INT) {
			config_problem(ld, line, "%s: expected a whole number", where);
			return;
		}
		int v = config_setting_get_int(s);
		if (v < f->min || v > f->max)
			config_problem(ld, line, "%s: %d is out of range (%d to %d)", where, v,
				       f->min, f->max);
		*(int *)slot = v;
		return;
	}
	if (f->type == F_BOOL) {
		if (config_setting_type(s) != CONFIG_TYPE_BOOL) {
			config_problem(ld, line, "%s: expected true or false", where);
			return;
		}
		*(bool *)slot = config_setting_get_bool(s);
		return;
	}
	if (f->type == F_ADDR_LIST) {
		*(char ***)slot = read_address_list(ld, s, where);
		return;
	}
	if (config_setting_type(s) != CONFIG_TYPE_STRING) {
		config_problem(ld, line, "%s: expected a string in double quotes", where);
		return;
	}
	text = config_setting_get_string(s);
	if (text[0] == '\0') {
		config_problem(ld, line, "%s: must not be empty", where);
		return;
	}
	if (has_control_chars(text)) {
		config_problem(ld, line, "%s: contains control characters", where);
		return;
	}
	switch (f->type) {
	case F_DATE:
		if (!parse_date(text, slot))
			config_problem(ld, line, "%s: \"%s\" is not a date of the form YYYY-MM-DD",
				       where, text);
		return;
	case F_PREFIX:
		if (!valid_prefix(text))
			config_problem(ld, line, "%s: \"%s\" must be 1 to 12 letters or digits",
				       where, text);
		break;
	case F_ADDRESS:
		if (mail_address_parse(text, NULL, NULL) < 0)
			config_problem(ld, line, "%s: \"%s\" is not one email address", where,
				       text);
		break;
	case F_ADDR_SPEC: {
		char *addr = NULL;

		if (mail_address_parse(text, &addr, NULL) < 0 || strchr(text, '<'))
			config_problem(ld, line, "%s: \"%s\" is not a bare email address", where,
				       text);
		*(char **)slot = addr;
		return;
	}
	case F_URL_IMAP:
		if (!url_has_scheme(text, imap_schemes, true))
			config_problem(ld, line,
				       "%s: \"%s\" is not an IMAP URL like imaps://host:993/INBOX",
				       where, text);
		break;
	case F_URL_SMTP:
		if (!url_has_scheme(text, smtp_schemes, false))
			config_problem(ld, line,
				       "%s: \"%s\" is not an SMTP URL like smtp://host:587", where,
				       text);
		break;
	case F_URL_WEB:
		if (!url_has_scheme(text, web_schemes, false))
			config_problem(ld, line,
				       "%s: \"%s\" is not a web address like https://host/path",
				       where, text);
		break;
	case F_PATH:
		*(char **)slot = resolve_path(ld, text);
		return;
	default:
		break;
	}
	*(char **)slot = g_strdup(text);
}

static const struct field *find_field(const struct field *fields, const char *name)
{
	for (const struct field *f = fields; f->name != NULL; f++)
		if (strcmp(f->name, name) == 0)
			return f;
	return NULL;
}

/* Checks one group against its table: unknown settings, missing ones, then each value. */
static void read_group(struct loader *ld, const config_setting_t *g, const char *gname,
		       const struct field *fields, void *base)
{
	int n = config_setting_length(g);

	for (int i = 0; i < n; i++) {
		const config_setting_t *s = config_setting_get_elem(g, (unsigned)i);
		const char *name = config_setting_name(s);

		if (strcmp(name, "password") == 0)
			config_problem(
				ld, config_setting_line(s),
				"%s.password: passwords do not belong in the config file; use "
				"password_file or a systemd credential",
				gname);
		else if (find_field(fields, name) == NULL)
			config_problem(ld, config_setting_line(s), "%s.%s: unknown setting", gname,
				       name);
	}
	for (const struct field *f = fields; f->name != NULL; f++) {
		const config_setting_t *s = config_setting_get_member(g, f->name);
		char *where = g_strdup_printf("%s.%s", gname, f->name);

		if (s != NULL)
			read_field(ld, s, f, (char *)base + f->offset, where);
		else if (f->required)
			config_problem(ld, config_setting_line(g), "%s: missing required setting",
				       where);
		g_free(where);
	}
}

static void read_editions(struct loader *ld, struct config *cfg, const config_setting_t *list)
{
	int n;

	if (list == NULL) {
		config_problem(ld, 0, "editions: missing required list of editions");
		return;
	}
	if (config_setting_type(list) != CONFIG_TYPE_LIST ||
	    (n = config_setting_length(list)) == 0) {
		config_problem(ld, config_setting_line(list),
			       "editions: expected ( { name = ...; opens = ...; "
			       "closes = ...; }, ... )");
		return;
	}
	cfg->editions = g_new0(struct edition, (size_t)n);
	cfg->n_editions = (size_t)n;
	for (int i = 0; i < n; i++) {
		const config_setting_t *e = config_setting_get_elem(list, (unsigned)i);
		struct edition *ed = &cfg->editions[i];
		char *where = g_strdup_printf("editions[%d]", i + 1);

		if (config_setting_type(e) != CONFIG_TYPE_GROUP) {
			config_problem(ld, config_setting_line(e), "%s: expected a group { ... }",
				       where);
		} else {
			read_group(ld, e, where, edition_fields, ed);
			if (g_date_valid(&ed->opens) && g_date_valid(&ed->closes) &&
			    g_date_compare(&ed->opens, &ed->closes) > 0)
				config_problem(ld, config_setting_line(e),
					       "%s: closes before it opens", where);
		}
		g_free(where);
	}
}

static void check_top_level(struct loader *ld, const config_setting_t *root)
{
	int n = config_setting_length(root);

	for (int i = 0; i < n; i++) {
		const config_setting_t *s = config_setting_get_elem(root, (unsigned)i);
		const char *name = config_setting_name(s);
		bool known = strcmp(name, "editions") == 0;

		for (size_t k = 0; k < G_N_ELEMENTS(groups) && !known; k++)
			known = strcmp(groups[k].name, name) == 0;
		if (!known)
			config_problem(ld, config_setting_line(s), "%s: unknown setting", name);
	}
}

char *config_read_secret_file(const char *path, int *errno_r)
{
	gchar *text = NULL;
	GError *gerr = NULL;

	if (!g_file_get_contents(path, &text, NULL, &gerr)) {
		*errno_r = gerr->domain == G_FILE_ERROR ? EACCES : EIO;
		if (g_error_matches(gerr, G_FILE_ERROR, G_FILE_ERROR_NOENT))
			*errno_r = ENOENT;
		g_error_free(gerr);
		return NULL;
	}
	g_strchomp(text);
	return text;
}

/* The credential wins over the file, so a unit can override the file. */
char *config_read_secret(struct loader *ld, int line, const char *name, const char *setting,
			 const char *file)
{
	const char *creds = getenv("CREDENTIALS_DIRECTORY");
	char *secret;
	int e = 0;

	if (creds != NULL) {
		char *path = g_build_filename(creds, name, NULL);

		secret = config_read_secret_file(path, &e);
		g_free(path);
		if (secret != NULL)
			return secret;
	}
	if (file == NULL)
		return NULL;
	secret = config_read_secret_file(file, &e);
	if (secret == NULL)
		config_problem(ld, line, "%s: cannot read %s: %s", setting, file, strerror(e));
	else if (secret[0] == '\0')
		config_problem(ld, line, "%s: %s is empty", setting, file);
	return secret;
}

static void resolve_password(struct loader *ld, const config_setting_t *group, const char *name,
			     const char *file, const char *username, char **password_r)
{
	const config_setting_t *s = group ? config_setting_get_member(group, "password_file")
					  : NULL;
	int line = s ? config_setting_line(s) : (group ? config_setting_line(group) : 0);
	char *setting = g_strdup_printf("%s.password_file", name);

	*password_r = config_read_secret(ld, line, name, setting, file);
	g_free(setting);
	if (*password_r == NULL && file == NULL && username != NULL)
		config_problem(ld, line,
			       "%s: no password: set password_file or provide the systemd "
			       "credential \"%s\"",
			       name, name);
}

static void set_defaults(struct config *cfg)
{
	cfg->batches.period_days = 14;
	cfg->batches.reminder_days = 7;
	cfg->commission.token_days = 90;
	/* Postfix's default message_size_limit: what the smallest common server accepts. */
	cfg->commission.max_message_bytes = 10240000;
	cfg->commission.dossier = true;
	cfg->limits.max_message_bytes = 25 * 1024 * 1024;
	cfg->retention.discarded_days = 365;
	cfg->retention.withdrawn_days = 365;
	cfg->retention.incomplete_days = 365;
	cfg->retention.accepted_days = 730;
	cfg->retention.reserve_days = 730;
	/* Mail that files no application is kept long enough to answer a question about it. */
	cfg->retention.inquiry_days = 90;
	cfg->retention.ignored_days = 30;
	cfg->retention.quarantined_days = 180;
	cfg->retention.too_large_days = 30;
	cfg->retention.decision_days = 365;
	cfg->retention.duplicate_days = 30;
	cfg->retention.letters_days = 365;
	cfg->limits.replies_per_address_per_day = 5;
	cfg->limits.replies_per_hour = 2000;
	cfg->imap.poll_seconds = 60;
	cfg->imap.require_tls = true;
	cfg->imap.timeout_seconds = 60;
	cfg->smtp.require_tls = true;
	cfg->smtp.timeout_seconds = 60;
}

static void fill_missing_defaults(struct config *cfg)
{
	if (cfg->storage.database == NULL)
		cfg->storage.database = g_strdup("/var/lib/admitd/admitd.db");
	if (cfg->storage.spool == NULL)
		cfg->storage.spool = g_strdup("/var/lib/admitd/spool");
	if (cfg->templates.dir == NULL)
		cfg->templates.dir = g_strdup(ADMITD_TEMPLATES_DIR);
	if (cfg->templates.local_dir == NULL)
		cfg->templates.local_dir = g_strdup(ADMITD_LOCAL_TEMPLATES_DIR);
	cfg->templates.search = g_strconcat(cfg->templates.local_dir, ":", cfg->templates.dir,
					    NULL);
	if (cfg->imap.auth == NULL)
		cfg->imap.auth = g_strdup("password");
	if (cfg->smtp.auth == NULL)
		cfg->smtp.auth = g_strdup("password");
}

static int count_lines(const char *path)
{
	gchar *text = NULL;
	int lines = 1;

	if (g_file_get_contents(path, &text, NULL, NULL))
		for (const char *p = text; *p != '\0'; p++)
			lines += *p == '\n' && p[1] != '\0';
	g_free(text);
	return lines;
}

static void check_commission_auth(struct loader *ld, const struct config *cfg,
				  const config_setting_t *group)
{
	const char *req = cfg->commission.require_auth;
	const config_setting_t *s = group ? config_setting_get_member(group, "require_auth") : NULL;

	if (req == NULL)
		return;
	if (strcmp(req, "dkim") != 0 && strcmp(req, "dmarc") != 0)
		config_problem(ld, config_setting_line(s),
			       "commission.require_auth: \"%s\" must be \"dkim\" or "
			       "\"dmarc\"",
			       req);
	else if (cfg->commission.authserv_id == NULL)
		config_problem(ld, config_setting_line(s),
			       "commission.require_auth: needs commission.authserv_id, "
			       "the name your mail server writes in "
			       "Authentication-Results");
}

static void read_groups(struct loader *ld, struct config *cfg, const config_setting_t *root,
			unsigned flags)
{
	check_top_level(ld, root);
	for (size_t k = 0; k < G_N_ELEMENTS(groups); k++) {
		const config_setting_t *g = config_setting_get_member(root, groups[k].name);

		if (g == NULL) {
			if (groups[k].required)
				config_problem(ld, 0, "%s: missing required group { ... }",
					       groups[k].name);
		} else if (config_setting_type(g) != CONFIG_TYPE_GROUP) {
			config_problem(ld, config_setting_line(g), "%s: expected a group { ... }",
				       groups[k].name);
		} else {
			read_group(ld, g, groups[k].name, groups[k].fields, cfg);
		}
	}
	read_editions(ld, cfg, config_setting_get_member(root, "editions"));
	check_commission_auth(ld, cfg, config_setting_get_member(root, "commission"));
	fill_missing_defaults(cfg);
	config_oauth2_check(ld, cfg, root, flags);
	if (!(flags & CONFIG_SECRETS))
		return;
	if (strcmp(cfg->imap.auth, "password") == 0)
		resolve_password(ld, config_setting_get_member(root, "imap"), "imap",
				 cfg->imap.password_file, cfg->imap.username, &cfg->imap.password);
	if (strcmp(cfg->smtp.auth, "password") == 0)
		resolve_password(ld, config_setting_get_member(root, "smtp"), "smtp",
				 cfg->smtp.password_file, cfg->smtp.username, &cfg->smtp.password);
}

int config_load(struct config **cfg_r, const char *path, unsigned flags, GString *problems)
{
	struct loader ld = { .path = path, .problems = problems };
	struct config *cfg = g_new0(struct config, 1);
	config_t lc;

	*cfg_r = NULL;
	config_init(&lc);
	cfg->path = g_strdup(path);
	set_defaults(cfg);
	if (!config_read_file(&lc, path)) {
		if (config_error_type(&lc) == CONFIG_ERR_FILE_IO)
			g_string_append_printf(problems, "%s:0: cannot read the file: %s\n", path,
					       g_strerror(errno));
		else
			g_string_append_printf(problems, "%s:%d: %s\n", path,
					       config_error_line(&lc), config_error_text(&lc));
		ld.count++;
		goto out;
	}
	ld.dir = g_path_get_dirname(path);
	ld.last_line = count_lines(path);
	read_groups(&ld, cfg, config_root_setting(&lc), flags);
out:
	config_destroy(&lc);
	g_free(ld.dir);
	if (ld.count > 0) {
		config_free(&cfg);
		return -1;
	}
	*cfg_r = cfg;
	return 0;
}

void config_free(struct config **cfgp)
{
	struct config *cfg = *cfgp;

	if (cfg == NULL)
		return;
	g_free(cfg->path);
	g_free(cfg->programme.name);
	g_free(cfg->programme.reference_prefix);
	g_free(cfg->programme.registration_url);
	g_free(cfg->programme.reply_from);
	g_free(cfg->programme.office_address);
	for (size_t i = 0; i < cfg->n_editions; i++)
		g_free(cfg->editions[i].name);
	g_free(cfg->editions);
	g_free(cfg->commission.address);
	g_strfreev(cfg->commission.members);
	g_free(cfg->commission.require_auth);
	g_free(cfg->commission.authserv_id);
	g_free(cfg->imap.url);
	g_free(cfg->imap.username);
	g_free(cfg->imap.password_file);
	secret_free(cfg->imap.password);
	g_free(cfg->imap.processed_mailbox);
	g_free(cfg->imap.ca_file);
	g_free(cfg->smtp.url);
	g_free(cfg->smtp.username);
	g_free(cfg->smtp.password_file);
	secret_free(cfg->smtp.password);
	g_free(cfg->smtp.ca_file);
	g_free(cfg->imap.auth);
	g_free(cfg->smtp.auth);
	config_oauth2_clear(&cfg->oauth2);
	g_free(cfg->storage.database);
	g_free(cfg->storage.spool);
	g_free(cfg->templates.dir);
	g_free(cfg->templates.local_dir);
	g_free(cfg->templates.search);
	g_free(cfg);
	*cfgp = NULL;
}

const struct edition *config_edition_on(const struct config *cfg, const GDate *day)
{
	for (size_t i = 0; i < cfg->n_editions; i++) {
		const struct edition *ed = &cfg->editions[i];

		if (g_date_compare(&ed->opens, day) <= 0 && g_date_compare(day, &ed->closes) <= 0)
			return ed;
	}
	return NULL;
}

bool config_uses_oauth2(const struct config *cfg)
{
	return g_strcmp0(cfg->imap.auth, "oauth2") == 0 || g_strcmp0(cfg->smtp.auth, "oauth2") == 0;
}

bool config_is_staff(const struct config *cfg, const char *addr)
{
	if (addr == NULL)
		return false;
	if (g_ascii_strcasecmp(addr, cfg->commission.address ? cfg->commission.address : "") == 0 ||
	    g_ascii_strcasecmp(addr, cfg->programme.office_address ? cfg->programme.office_address
								   : "") == 0)
		return true;
	for (char **m = cfg->commission.members; m != NULL && *m != NULL; m++)
		if (g_ascii_strcasecmp(addr, *m) == 0)
			return true;
	return false;
}
