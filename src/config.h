/* config.h — the libconfig file as one typed, validated struct, with defaults filled in.
 *
 * Every string in struct config belongs to the config and lives until config_free(), which
 * also wipes the passwords. A password is never a setting (the file is refused if it has one):
 * with CONFIG_SECRETS it is read from the systemd credential $CREDENTIALS_DIRECTORY/imap (or
 * /smtp) when that exists, else from `password_file`; without it (admitctl) it stays NULL. */
#ifndef ADMITD_CONFIG_H
#define ADMITD_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include <glib.h>

struct edition {
	char *name;
	GDate opens;
	GDate closes; /* inclusive: the last day applications count for this edition */
};

struct config_imap {
	char *url; /* imaps://host:port/MAILBOX */
	char *username;
	char *password_file; /* as configured, or NULL; a credential wins over it */
	char *password; /* NULL unless loaded with CONFIG_SECRETS: the credential or the file */
	char *processed_mailbox;
	char *ca_file; /* NULL: the system's trust store */
	int poll_seconds;
	int timeout_seconds; /* the server may be silent this long (connect, answer, transfer) */
	bool require_tls;    /* imap:// only: STARTTLS required (true) or used when offered */
	char *auth;	     /* "password" (default) or "oauth2" (the oauth2 group's token) */
};

struct config_smtp {
	char *url;	/* smtp://host:587 (STARTTLS) or smtps://host:465 */
	char *username; /* NULL: no AUTH */
	char *password_file;
	char *password;
	char *ca_file;
	int timeout_seconds; /* as for IMAP */
	bool require_tls;
	char *auth; /* as for IMAP */
};

/* The oauth2 group, with the provider's preset filled in where a setting was left out. */
struct config_oauth2 {
	bool configured; /* the group is there */
	char *provider;	 /* "microsoft", "google" or "generic" */
	char *tenant;	 /* microsoft: the directory (tenant) ID or domain */
	char *grant;	 /* "client_credentials" or "refresh_token" */
	char *client_id;
	char *client_secret_file;
	char *client_secret; /* NULL unless read (CONFIG_SECRETS, CONFIG_OAUTH2_SECRET) */
	char *token_url;
	char *device_authorization_url; /* RFC 8628; NULL when the provider has none for mail */
	char *authorization_url;	/* the code grant's (RFC 6749 4.1), for providers without */
	char *scope;
	char *ca_file;	  /* the identity provider's private CA; NULL: the system's */
	char *token_file; /* the refresh token, in the state directory (tokenfile.h) */
};

struct config {
	char *path;
	struct {
		char *name;
		char *reference_prefix;
		char *registration_url;
		char *reply_from;     /* "Admissions <admissions@example.org>" */
		char *office_address; /* told of letters that could not be delivered; may be NULL */
	} programme;
	struct edition *editions;
	size_t n_editions;
	struct {
		GDate anchor;
		int period_days;
		int reminder_days; /* undecided this long after the digest: one reminder */
	} batches;
	struct {
		char *address;
		char **members;	    /* NULL-terminated, lower-case addresses */
		char *require_auth; /* NULL, "dkim" or "dmarc": Authentication-Results must pass */
		char *authserv_id;  /* whose Authentication-Results count (our own MTA) */
		int token_days;	    /* a batch's token decides this long after it is all decided */
		int max_message_bytes; /* a digest part, as it travels (digest_parts.h) */
		bool dossier;	       /* its documents in one PDF (dossier.h) */
	} commission;
	struct config_imap imap;
	struct config_smtp smtp;
	struct config_oauth2 oauth2;
	struct {
		char *database;
		char *spool;
	} storage;
	struct {
		char *dir;	 /* the shipped templates */
		char *local_dir; /* files here override the shipped ones, one by one */
		char *search;	 /* "local_dir:dir": what the template functions take */
	} templates;
	struct {
		int discarded_days, withdrawn_days, accepted_days, reserve_days, incomplete_days;
		/* The raw copies of mail that belongs to no application, by how it was filed, and
		 * the bodies of letters sent (the rows stay, without content). */
		int inquiry_days, ignored_days, quarantined_days, too_large_days, decision_days,
			duplicate_days, letters_days;
	} retention;
	struct {
		int max_message_bytes;		 /* larger messages are not fetched whole */
		int replies_per_address_per_day; /* automatic replies to one address */
		int replies_per_hour;		 /* automatic replies in all */
	} limits;
};

/* Reads and validates PATH. On success *cfg_r is set and 0 returned. On failure returns -1 and
 * appends to `problems` one line per problem, each "FILE:LINE: what is wrong\n". */
enum config_flags {
	CONFIG_SECRETS = 1 << 0,       /* read the passwords (the daemon); admitctl does without */
	CONFIG_OAUTH2_SECRET = 1 << 1, /* read only oauth2's client secret (admitctl oauth) */
};
int config_load(struct config **cfg_r, const char *path, unsigned flags, GString *problems);
void config_free(struct config **cfgp);

/* The edition whose opens..closes holds `day`, or NULL. Borrowed from cfg. */
const struct edition *config_edition_on(const struct config *cfg, const GDate *day);

/* Whether addr (lower-case) is the commission's, a member's or the office's: the addresses a
 * log line may name (an applicant's never: logs name applications). */
bool config_is_staff(const struct config *cfg, const char *addr);

/* Whether imap.auth / smtp.auth say "oauth2". */
bool config_uses_oauth2(const struct config *cfg);

/* What the configured provider needs set up on its side (permissions, scopes, the login
 * command), for --check-config; "" without a provider. Static. */
const char *config_oauth2_needs(const struct config_oauth2 *o);

#endif
