#define _GNU_SOURCE /* syncfs */
#include "spool.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
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

/* A fetched message arrives a TLS record (~4 KB) at a time: a write() each cost a third of the
 * fetch. It is gathered and written this much at once, and hashed as it comes, in the
 * fetcher's thread, instead of read back by the one that files it. */
#define WRITER_BUFFER (256 * 1024)

struct spool_writer {
	char *tmp_path;
	int fd;
	EVP_MD_CTX *sha;
	char *buf; /* WRITER_BUFFER bytes */
	size_t used;
};

int spool_writer_new(struct spool *sp, struct spool_writer **w_r, struct err *err)
{
	struct spool_writer *w = g_new0(struct spool_writer, 1);

	w->tmp_path = g_strdup_printf("%s/tmp/fetch-XXXXXX", sp->dir);
	w->fd = g_mkstemp_full(w->tmp_path, O_RDWR | O_CLOEXEC, 0600);
	if (w->fd < 0) {
		err_set(err, ERR_TEMP, "spool: cannot create %s: %s", w->tmp_path, strerror(errno));
		g_clear_pointer(&w->tmp_path, g_free); /* nothing of ours to unlink */
		spool_writer_free(&w);
		return -1;
	}
	w->sha = EVP_MD_CTX_new();
	w->buf = g_malloc(WRITER_BUFFER);
	if (w->sha == NULL || EVP_DigestInit_ex(w->sha, EVP_sha256(), NULL) != 1) {
		err_set(err, ERR_FATAL, "spool: SHA-256 unavailable");
		spool_writer_free(&w);
		return -1;
	}
	*w_r = w;
	return 0;
}

static int write_all(struct spool_writer *w, const char *data, size_t n, struct err *err)
{
	for (size_t done = 0; done < n;) {
		ssize_t k = write(w->fd, data + done, n - done);

		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return err_set(err, ERR_TEMP, "spool: write %s: %s", w->tmp_path,
				       k < 0 ? strerror(errno) : "no progress");
		done += (size_t)k;
	}
	return 0;
}

static int flush(struct spool_writer *w, struct err *err)
{
	int ret = write_all(w, w->buf, w->used, err);

	w->used = 0;
	return ret;
}

int spool_writer_write(struct spool_writer *w, const char *data, size_t n, struct err *err)
{
	if (EVP_DigestUpdate(w->sha, data, n) != 1)
		return err_set(err, ERR_FATAL, "spool: SHA-256 failed");
	if (w->used + n > WRITER_BUFFER && flush(w, err) < 0)
		return -1;
	if (n > WRITER_BUFFER)
		return write_all(w, data, n, err);
	memcpy(w->buf + w->used, data, n);
	w->used += n;
	return 0;
}

static bool digest_hex(EVP_MD_CTX *ctx, char out[65])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int len = 0;

	if (EVP_DigestFinal_ex(ctx, md, &len) != 1 || len != 32)
		return false;
	for (unsigned int i = 0; i < len; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
	return true;
}

int spool_writer_commit(struct spool_writer **wp, struct spool *sp, uint32_t uidvalidity,
			uint32_t uid, char **path_r, char sha256_r[65], struct err *err)
{
	struct spool_writer *w = *wp;
	char *final = g_strdup_printf("%s/msg/%u-%u.eml", sp->dir, uidvalidity, uid);
	int ret = -1;

	if (flush(w, err) < 0)
		goto out;
	if (!digest_hex(w->sha, sha256_r)) {
		err_set(err, ERR_FATAL, "spool: SHA-256 failed");
		goto out;
	}
	if (rename(w->tmp_path, final) < 0) {
		err_set(err, ERR_TEMP, "spool: rename to %s: %s", final, strerror(errno));
		goto out;
	}
	g_clear_pointer(&w->tmp_path, g_free);
	*path_r = g_steal_pointer(&final);
	ret = 0;
out:
	g_free(final);
	spool_writer_free(wp);
	return ret;
}

void spool_writer_free(struct spool_writer **wp)
{
	struct spool_writer *w = *wp;

	if (w == NULL)
		return;
	if (w->fd >= 0)
		close(w->fd);
	if (w->tmp_path != NULL)
		unlink(w->tmp_path);
	g_free(w->tmp_path);
	EVP_MD_CTX_free(w->sha);
	g_free(w->buf);
	g_free(w);
	*wp = NULL;
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

char *spool_parts_path(struct spool *sp, uint32_t uidvalidity, uint32_t uid)
{
	return spool_parts_path_in(sp->dir, uidvalidity, uid);
}

char *spool_parts_path_in(const char *dir, uint32_t uidvalidity, uint32_t uid)
{
	return g_strdup_printf("%s/att/%u-%u.parts", dir, uidvalidity, uid);
}

/* OpenSSL, not GChecksum: its SHA-256 uses the CPU's SHA extensions and was the largest single
 * cost of filing a message (a raw message and its attachments, ~400 KB, hashed each). */
int spool_range_sha256(int fd, gint64 offset, gint64 size, char out[65], struct err *err)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	unsigned char buf[65536];
	ssize_t n = 0;
	bool ok = ctx != NULL && EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) == 1;

	while (ok && size > 0) {
		n = pread(fd, buf, (size_t)MIN((gint64)sizeof(buf), size), (off_t)offset);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		ok = EVP_DigestUpdate(ctx, buf, (size_t)n) == 1;
		offset += n;
		size -= n;
	}
	ok = ok && size == 0 && digest_hex(ctx, out);
	if (!ok)
		err_set(err, ERR_TEMP, "hash: %s",
			n < 0 ? strerror(errno) : "short file or failure");
	EVP_MD_CTX_free(ctx);
	return ok ? 0 : -1;
}

/* The attachments of msg/V-U.eml are att/V-U.parts; spools written before that kept them as
 * files in a folder att/V-U/. */
static void remove_attachments(const char *eml)
{
	char *base = g_path_get_basename(eml), *spool = g_path_get_dirname(eml);
	char *top = g_path_get_dirname(spool), *stem = g_strndup(base, strlen(base) - 4);
	char *att = g_build_filename(top, "att", stem, NULL);
	char *parts = g_strconcat(att, ".parts", NULL);
	GDir *d = g_dir_open(att, 0, NULL);
	const char *name;

	g_unlink(parts);
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
	g_free(parts);
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

int spool_forget(struct store *st, spool_forget_fn *forget, const void *ctx, int *removed_r,
		 struct err *err)
{
	GPtrArray *files = g_ptr_array_new_with_free_func(g_free);
	int removed = 0, ret = -1;

	if (store_begin(st, err) < 0)
		goto out;
	if (forget(st, ctx, files, err) < 0) {
		store_rollback(st);
		goto out;
	}
	/* Order matters: the files go before the commit. A crash in between leaves rows that
	 * still name them, so doing it again finishes the job; the other order could leave
	 * files that nothing points to any more (personal data nobody can find to erase). */
	removed = spool_remove_all(files);
	if (store_commit(st, err) < 0) {
		store_rollback(st);
		goto out;
	}
	ret = 0;
out:
	if (removed_r != NULL)
		*removed_r = removed;
	g_ptr_array_free(files, TRUE);
	return ret;
}
