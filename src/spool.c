#define _GNU_SOURCE /* syncfs */
#include "spool.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib.h>
#include <glib/gstdio.h>
#include <openssl/evp.h>

struct spool {
	char *dir; /* owned */
};

static int make_dir(const char *path, struct err *err)
{
	if (g_mkdir_with_parents(path, 0700) < 0)
		return err_set(err, ERR_CONFIG, "spool: cannot create %s: %s", path,
			       strerror(errno));
	return 0;
}

int spool_open(struct spool **spool_r, const char *dir, struct err *err)
{
	static const char *const subdirs[] = { "tmp", "msg", "att" };

	for (size_t i = 0; i < G_N_ELEMENTS(subdirs); i++) {
		char *path = g_build_filename(dir, subdirs[i], NULL);
		int ret = make_dir(path, err);

		g_free(path);
		if (ret < 0)
			return -1;
	}
	*spool_r = g_new0(struct spool, 1);
	(*spool_r)->dir = g_strdup(dir);
	return 0;
}

void spool_close(struct spool **spoolp)
{
	if (*spoolp == NULL)
		return;
	g_free((*spoolp)->dir);
	g_free(*spoolp);
	*spoolp = NULL;
}

int spool_begin(struct spool *sp, int *fd_r, char **tmp_path_r, struct err *err)
{
	char *path = g_strdup_printf("%s/tmp/fetch-XXXXXX", sp->dir);
	int fd = g_mkstemp_full(path, O_RDWR | O_CLOEXEC, 0600);

	if (fd < 0) {
		err_set(err, ERR_TEMP, "spool: cannot create %s: %s", path, strerror(errno));
		g_free(path);
		return -1;
	}
	*fd_r = fd;
	*tmp_path_r = path;
	return 0;
}

void spool_abort(int fd, const char *tmp_path)
{
	if (fd >= 0)
		close(fd);
	unlink(tmp_path);
}

int spool_commit(struct spool *sp, int fd, const char *tmp_path, uint32_t uidvalidity,
		 uint32_t uid, char **path_r, struct err *err)
{
	char *final = g_strdup_printf("%s/msg/%u-%u.eml", sp->dir, uidvalidity, uid);

	close(fd);
	if (rename(tmp_path, final) < 0) {
		err_set(err, ERR_TEMP, "spool: rename to %s: %s", final, strerror(errno));
		unlink(tmp_path);
		g_free(final);
		return -1;
	}
	*path_r = final;
	return 0;
}

/* One syncfs() for the whole group: on ext4 an fsync costs a journal commit each, so syncing
 * fifty messages and their attachments one file at a time cost far more than the bytes. */
int spool_sync(struct spool *sp, struct err *err)
{
	int fd = open(sp->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int ret = 0;

	if (fd < 0 || syncfs(fd) < 0)
		ret = err_set(err, ERR_TEMP, "spool: sync %s: %s", sp->dir, strerror(errno));
	if (fd >= 0)
		close(fd);
	return ret;
}

int spool_attachment_dir(struct spool *sp, uint32_t uidvalidity, uint32_t uid, char **dir_r,
			 struct err *err)
{
	char *dir = g_strdup_printf("%s/att/%u-%u", sp->dir, uidvalidity, uid);

	if (g_mkdir_with_parents(dir, 0700) < 0) {
		err_set(err, ERR_TEMP, "spool: cannot create %s: %s", dir, strerror(errno));
		g_free(dir);
		return -1;
	}
	*dir_r = dir;
	return 0;
}

/* OpenSSL, not GChecksum: its SHA-256 uses the CPU's SHA extensions and was the largest single
 * cost of filing a message (a raw message and its attachments, ~400 KB, hashed each). */
int spool_file_sha256(const char *path, char out[65], struct err *err)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	unsigned char buf[65536], md[EVP_MAX_MD_SIZE];
	unsigned int len = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC), ok;
	ssize_t n = 0;

	ok = fd >= 0 && ctx != NULL && EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) == 1;
	while (ok && (n = read(fd, buf, sizeof(buf))) > 0)
		ok = EVP_DigestUpdate(ctx, buf, (size_t)n) == 1;
	ok = ok && n == 0 && EVP_DigestFinal_ex(ctx, md, &len) == 1 && len == 32;
	if (ok)
		for (unsigned int i = 0; i < len; i++)
			snprintf(out + 2 * i, 3, "%02x", md[i]);
	else
		err_set(err, ERR_TEMP, "hash %s: %s", path, fd < 0 || n < 0 ? strerror(errno) : "failed");
	if (fd >= 0)
		close(fd);
	EVP_MD_CTX_free(ctx);
	return ok ? 0 : -1;
}

/* The attachments of a raw message live in att/V-U next to msg/V-U.eml. */
static void remove_attachments(const char *eml)
{
	char *base = g_path_get_basename(eml), *spool = g_path_get_dirname(eml);
	char *top = g_path_get_dirname(spool), *stem = g_strndup(base, strlen(base) - 4);
	char *att = g_build_filename(top, "att", stem, NULL);
	GDir *d = g_dir_open(att, 0, NULL);
	const char *name;

	while (d != NULL && (name = g_dir_read_name(d)) != NULL) {
		char *f = g_build_filename(att, name, NULL);

		g_unlink(f);
		g_free(f);
	}
	if (d != NULL)
		g_dir_close(d);
	g_rmdir(att);
	g_free(base);
	g_free(spool);
	g_free(top);
	g_free(stem);
	g_free(att);
}

int spool_remove(const char *path)
{
	if (g_str_has_suffix(path, ".eml"))
		remove_attachments(path);
	return g_unlink(path);
}

int spool_remove_all(GPtrArray *paths)
{
	int removed = 0;

	for (guint i = 0; i < paths->len; i++)
		removed += spool_remove(g_ptr_array_index(paths, i)) == 0;
	return removed;
}
