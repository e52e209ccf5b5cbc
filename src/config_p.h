/* config_p.h — what config.c shares with the files that check one group each
 * (config_oauth2.c): where problems go and how a secret file is read. Not for other modules. */
#ifndef ADMITD_CONFIG_P_H
#define ADMITD_CONFIG_P_H

#include <libconfig.h>

#include "config.h"

/* State of one load: where problems go and what relative paths are relative to. */
struct loader {
	const char *path;
	char *dir;
	int last_line;
	GString *problems;
	int count;
};

/* Appends "FILE:LINE: message\n" (line 0: the file's last line). */
void config_problem(struct loader *ld, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

int config_setting_line(const config_setting_t *s);

/* The file's text without its trailing newline, or NULL with *errno_r set. g_free it. */
char *config_read_secret_file(const char *path, int *errno_r);

/* The credential $CREDENTIALS_DIRECTORY/name when there is one, else `file`'s text; NULL when
 * neither is there (a problem at `line` is recorded for an unreadable or empty file). */
char *config_read_secret(struct loader *ld, int line, const char *name, const char *setting,
			 const char *file);

/* config_oauth2.c: checks the oauth2 group and imap.auth / smtp.auth, fills in the provider's
 * preset and (with CONFIG_SECRETS or CONFIG_OAUTH2_SECRET) reads the client secret. */
void config_oauth2_check(struct loader *ld, struct config *cfg, const config_setting_t *root,
			 unsigned flags);
void config_oauth2_clear(struct config_oauth2 *o);

#endif
