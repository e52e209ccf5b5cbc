#include "tokenfile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <json-glib/json-glib.h>

#include "fdio.h"
#include "jsonout.h"
#include "secret.h"

static char *member(JsonObject *o, const char *name)
{
	JsonNode *n = json_object_get_member(o, name);

	if (n == NULL || !JSON_NODE_HOLDS_VALUE(n) || json_node_get_value_type(n) != G_TYPE_STRING)
		return NULL;
	return g_strdup(json_node_get_string(n));
}

int tokenfile_load(const char *path, struct token_record *t, struct err *err)
{
	JsonParser *p = json_parser_new();
	GError *gerr = NULL;
	JsonNode *root;
	int ret = 1;

	memset(t, 0, sizeof(*t));
	if (!json_parser_load_from_file(p, path, &gerr)) {
		ret = g_error_matches(gerr, G_FILE_ERROR, G_FILE_ERROR_NOENT)
			      ? 0
			      : err_set(err, ERR_TEMP, "oauth2 token file %s: %s", path,
					gerr->message);
		g_error_free(gerr);
	} else if ((root = json_parser_get_root(p)) == NULL || !JSON_NODE_HOLDS_OBJECT(root)) {
		ret = err_set(err, ERR_TEMP, "oauth2 token file %s: not a JSON object", path);
	} else {
		JsonObject *o = json_node_get_object(root);

		t->refresh_token = member(o, "refresh_token");
		t->client_id = member(o, "client_id");
		t->obtained = member(o, "obtained");
		t->via = member(o, "via");
		if (t->refresh_token == NULL)
			ret = err_set(err, ERR_TEMP, "oauth2 token file %s: holds no refresh_token",
				      path);
	}
	g_object_unref(p);
	if (ret != 1)
		token_record_clear(t);
	return ret;
}

static char *record_json(const struct token_record *t)
{
	JsonBuilder *b = json_builder_new();

	json_builder_begin_object(b);
	json_builder_set_member_name(b, "refresh_token");
	json_builder_add_string_value(b, t->refresh_token);
	json_builder_set_member_name(b, "client_id");
	json_builder_add_string_value(b, t->client_id ? t->client_id : "");
	json_builder_set_member_name(b, "obtained");
	json_builder_add_string_value(b, t->obtained ? t->obtained : "");
	json_builder_set_member_name(b, "via");
	json_builder_add_string_value(b, t->via ? t->via : "");
	json_builder_end_object(b);
	return jsonout_finish(b);
}

/* Root writes for the user admitd runs as: the folder's owner. */
static void give_to_folder_owner(int fd, const char *dir)
{
	struct stat st;

	if (geteuid() == 0 && stat(dir, &st) == 0 && st.st_uid != 0)
		if (fchown(fd, st.st_uid, st.st_gid) < 0)
			return; /* then admitd cannot read it, and says so */
}

static int write_tmp(const char *tmp, const char *dir, const char *text, struct err *err)
{
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
	int ret = 0;

	if (fd < 0)
		return err_set(err, ERR_TEMP, "oauth2 token file %s: %s", tmp, strerror(errno));
	/* O_CREAT keeps the mode of a file left by a crash. */
	if (fchmod(fd, 0600) < 0 || fdio_write_all(fd, text, strlen(text)) < 0 || fsync(fd) < 0)
		ret = err_set(err, ERR_TEMP, "oauth2 token file %s: %s", tmp, strerror(errno));
	give_to_folder_owner(fd, dir);
	close(fd);
	return ret;
}

int tokenfile_save(const char *path, const struct token_record *t, struct err *err)
{
	char *dir = g_path_get_dirname(path);
	char *tmp = g_strconcat(path, ".tmp", NULL);
	char *text = record_json(t);
	int ret = 0, dfd;

	if (g_mkdir_with_parents(dir, 0700) < 0)
		ret = err_set(err, ERR_TEMP, "oauth2 token file: cannot create %s: %s", dir,
			      strerror(errno));
	else if (write_tmp(tmp, dir, text, err) < 0)
		ret = -1;
	else if (rename(tmp, path) < 0)
		ret = err_set(err, ERR_TEMP, "oauth2 token file %s: %s", path, strerror(errno));
	if (ret < 0)
		unlink(tmp);
	else if ((dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) >= 0) {
		fsync(dfd);
		close(dfd);
	}
	secret_free(text);
	g_free(tmp);
	g_free(dir);
	return ret;
}

void token_record_clear(struct token_record *t)
{
	secret_clear(&t->refresh_token);
	g_free(t->client_id);
	g_free(t->obtained);
	g_free(t->via);
	memset(t, 0, sizeof(*t));
}
