#include "tnef.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "docworker.h"
#include "fdio.h"
#include "log.h"
#include "tnef_extract.h"
#include "untrusted.h"

static bool declared_tnef(const struct mail_attachment *a)
{
	return g_strcmp0(a->content_type, "application/ms-tnef") == 0 ||
	       g_strcmp0(a->content_type, "application/vnd.ms-tnef") == 0 ||
	       (a->filename != NULL && g_ascii_strcasecmp(a->filename, "winmail.dat") == 0);
}

/* The worker's answer, a GVariant of TNEF_FILES_TYPE; NULL when it gave none (not TNEF, or it
 * died), and -1 in *failed_r only when no worker could be started. */
static GVariant *open_stream(const struct mail_attachment *a, int *failed_r, struct err *err)
{
	GPtrArray *paths = g_ptr_array_new_with_free_func(g_free);
	struct tnef_request req = { a->offset, a->size };
	gint64 deadline = docworker_now_ms() + DOCWORKER_DOCUMENT_MS;
	struct docworker_child c;
	GVariant *files = NULL;
	guint64 len = 0;

	g_ptr_array_add(paths, g_strdup(a->path));
	*failed_r = docworker_spawn("--tnef", paths, &req, sizeof(req), 1024 * 1024, &c, err);
	g_ptr_array_free(paths, TRUE);
	if (*failed_r < 0)
		return NULL;
	if (docworker_read(&c, &len, sizeof(len), deadline) == sizeof(len) &&
	    len <= (guint64)a->size + TNEF_FRAMING_MAX) {
		guint8 *buf = g_malloc(len + 1);

		if (docworker_read(&c, buf, len, deadline) == len)
			/* Not trusted: GVariant checks the framing as it reads. */
			files = g_variant_ref_sink(g_variant_new_from_data(
				G_VARIANT_TYPE(TNEF_FILES_TYPE), buf, len, FALSE, g_free, buf));
		else
			g_free(buf);
	}
	c.exiting = files == NULL && docworker_now_ms() < deadline;
	docworker_stop(&c);
	return files;
}

/* A declared type as we keep them ("type/subtype", lower case), or the neutral one. */
static char *content_type_of(const char *declared)
{
	char *lower = g_ascii_strdown(declared, -1);
	const char *slash = strchr(lower, '/');

	if (slash == NULL || slash == lower || slash[1] == '\0' ||
	    strspn(lower, "abcdefghijklmnopqrstuvwxyz0123456789!#$&^_.+-/") != strlen(lower) ||
	    strchr(slash + 1, '/') != NULL) {
		g_free(lower);
		return g_strdup("application/octet-stream");
	}
	return lower;
}

/* A new attachment for one file, written at `offset` of the parts file (fd, appending). */
static struct mail_attachment *append_file(int fd, const char *path, gint64 offset,
					   const char *name, const char *type, GVariant *content,
					   struct err *err)
{
	gsize len = 0;
	const guint8 *data = g_variant_get_fixed_array(content, &len, 1);
	struct mail_attachment *a;
	char *sha;

	if (fdio_write_all(fd, data, len) < 0) {
		err_set(err, ERR_TEMP, "write %s: %s", path, strerror(errno));
		return NULL;
	}
	a = g_new0(struct mail_attachment, 1);
	a->filename = name[0] != '\0' ? untrusted_line(name, UNTRUSTED_FILENAME_MAX) : NULL;
	a->content_type = content_type_of(type);
	a->path = g_strdup(path);
	a->offset = offset;
	a->size = (gint64)len;
	sha = g_compute_checksum_for_data(G_CHECKSUM_SHA256, data, len);
	g_strlcpy(a->sha256, sha, sizeof(a->sha256));
	g_free(sha);
	return a;
}

/* Puts the stream's files where the stream was (index i), appended to the parts file it came
 * from; how many there were, or -1 (then the message is dropped by the caller, and read again
 * in the next cycle). */
static int replace(struct mail *m, guint i, GVariant *files, struct err *err)
{
	char *path = g_strdup(
		((struct mail_attachment *)g_ptr_array_index(m->attachments, i))->path);
	gsize n = g_variant_n_children(files);
	int fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC), ret = 0;
	struct stat st;

	if (fd < 0 || fstat(fd, &st) < 0)
		ret = err_set(err, ERR_TEMP, "open %s: %s", path, strerror(errno));
	for (gsize k = 0; k < n && ret == 0; k++) {
		const char *name, *type;
		GVariant *content;
		struct mail_attachment *a;

		g_variant_get_child(files, k, "(&s&s@ay)", &name, &type, &content);
		a = append_file(fd, path, st.st_size, name, type, content, err);
		g_variant_unref(content);
		if (a == NULL) {
			ret = -1;
		} else {
			st.st_size += a->size;
			g_ptr_array_insert(m->attachments, (gint)(i + 1 + k), a);
		}
	}
	if (fd >= 0)
		close(fd);
	g_free(path);
	if (ret < 0)
		return -1;
	g_ptr_array_remove_index(m->attachments, i);
	return (int)n;
}

int tnef_expand(struct mail *m, struct err *err)
{
	guint i = 0;

	while (i < m->attachments->len) {
		const struct mail_attachment *a = g_ptr_array_index(m->attachments, i);
		int failed = 0, n;
		GVariant *files;

		if (!declared_tnef(a)) {
			i++;
			continue;
		}
		files = open_stream(a, &failed, err);
		if (failed < 0)
			return -1;
		if (files == NULL) {
			log_warn("intake a winmail.dat could not be opened: kept as it came");
			i++;
			continue;
		}
		n = replace(m, i, files, err);
		g_variant_unref(files);
		if (n < 0)
			return -1;
		log_info("intake a winmail.dat held %d file(s)", n);
		/* Its files are not streams to open again: the worker opened nested ones. */
		i += (guint)n;
	}
	return 0;
}
