#define _GNU_SOURCE /* memfd_create */
#include "dossier.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <unistd.h>

#include "docworker_proc.h"
#include "dossier_cover.h"
#include "dossier_merge.h"
#include "fdio.h"
#include "letter.h"
#include "store.h"
#include "template.h"

/* What a dossier the worker sends may weigh: its address space. */
#define DOSSIER_PDF_MAX DOCWORKER_MEMORY

/* ".pdf" from "Carta.PDF"; "" when the name has no sensible extension. */
static char *extension_of(const char *filename)
{
	const char *dot = filename ? strrchr(filename, '.') : NULL;

	if (dot == NULL || strlen(dot + 1) == 0 || strlen(dot + 1) > 5)
		return g_strdup("");
	for (const char *p = dot + 1; *p != '\0'; p++)
		if (!g_ascii_isalnum(*p))
			return g_strdup("");
	return g_ascii_strdown(dot, -1);
}

char *dossier_attachment_name(const char *ref, const char *kind, const char *filename)
{
	char *ext = extension_of(filename), *name = g_strdup_printf("%s-%s%s", ref, kind, ext);

	g_free(ext);
	return name;
}

char *dossier_filename(gint64 batch, int part, int parts)
{
	if (parts > 1)
		return g_strdup_printf("batch-%" G_GINT64_FORMAT "-part-%d-dossier.pdf", batch,
				       part);
	return g_strdup_printf("batch-%" G_GINT64_FORMAT "-dossier.pdf", batch);
}

/* Whether the worker is asked to merge d: a PDF whose pages were counted, not too many. */
static bool mergeable(const struct doc_row *d)
{
	return d->format != NULL && strcmp(d->format, "pdf") == 0 && d->pages > 0 &&
	       d->pages <= DOSSIER_DOC_PAGES_MAX;
}

static bool sent(const struct doc_row *d)
{
	return strcmp(d->kind, "other") != 0;
}

static void set_aside(struct dossier *dos, const struct app_row *a, const struct doc_row *d)
{
	g_hash_table_replace(dos->separate, (gpointer)d,
			     dossier_attachment_name(a->ref, d->kind, d->filename));
}

/* A snippet about document d of application a: its name as "document", and its pages. */
static char *document_snippet(const struct config *cfg, const char *snippet,
			      const struct app_row *a, const struct doc_row *d, struct err *err)
{
	GHashTable *vars = letter_vars_new(cfg, a->name, a->email, a->ref, a->edition);
	char *name = NULL, *text = NULL;

	if (d != NULL && dossier_document_name(cfg, d->kind, &name, err) == 0) {
		g_hash_table_insert(vars, "document", name);
		g_hash_table_insert(vars, "pages", g_strdup_printf("%d", d->pages));
	}
	if (d == NULL || name != NULL)
		template_snippet(cfg->templates.search, snippet, vars, &text, err);
	g_hash_table_destroy(vars);
	return text;
}

static guint32 file_index(GPtrArray *paths, const char *path)
{
	guint k = 0;

	while (k < paths->len && strcmp(g_ptr_array_index(paths, k), path) != 0)
		k++;
	if (k == paths->len)
		g_ptr_array_add(paths, g_strdup(path));
	return k;
}

/* A document the worker is asked to merge, in the order it reports on them. */
struct merging {
	const struct app_row *app;
	const struct doc_row *doc;
};

/* One applicant of the request: their bookmark and their documents to merge (added to
 * order). */
static GVariant *applicant_request(const struct config *cfg, const struct dossier *dos,
				   const struct app_row *a, GPtrArray *paths, GArray *order,
				   struct err *err)
{
	GVariantBuilder docs;
	char *title = document_snippet(cfg, "dossier-bookmark-applicant", a, NULL, err);
	GVariant *one;

	g_variant_builder_init(&docs, G_VARIANT_TYPE("a(uxxss)"));
	/* The letter first, then the CV, as a member reads them. */
	for (guint k = 0; title != NULL && k < 2 * a->documents->len; k++) {
		const struct doc_row *d = g_ptr_array_index(a->documents, k % a->documents->len);
		char *stamp, *mark;

		if (!sent(d) || g_hash_table_contains(dos->separate, d) ||
		    (strcmp(d->kind, "letter") == 0) != (k < a->documents->len))
			continue;
		stamp = document_snippet(cfg, "dossier-stamp", a, d, err);
		mark = stamp ? document_snippet(cfg, "dossier-bookmark-document", a, d, err) : NULL;
		if (mark != NULL) {
			g_variant_builder_add(&docs, "(uxxss)", file_index(paths, d->path),
					      (gint64)d->offset, (gint64)d->size, stamp, mark);
			struct merging m = { a, d };

			g_array_append_val(order, m);
		} else {
			g_clear_pointer(&title, g_free);
		}
		g_free(stamp);
		g_free(mark);
	}
	if (title == NULL) {
		g_variant_builder_clear(&docs);
		return NULL;
	}
	one = g_variant_new("(s@a(uxxss))", title, g_variant_builder_end(&docs));
	g_free(title);
	return one;
}

/* The worker's request: the cover, then the applicants. Owned (floating: sink it). */
static GVariant *request_new(const struct config *cfg, const struct dossier *dos, GByteArray *cover,
			     GPtrArray *apps, GPtrArray *paths, GArray *order, struct err *err)
{
	GVariantBuilder list;

	g_variant_builder_init(&list, G_VARIANT_TYPE("a(sa(uxxss))"));
	for (guint i = 0; i < apps->len; i++) {
		GVariant *one = applicant_request(cfg, dos, g_ptr_array_index(apps, i), paths,
						  order, err);

		if (one == NULL) {
			g_variant_builder_clear(&list);
			return NULL;
		}
		g_variant_builder_add_value(&list, one);
	}
	return g_variant_new(
		"(@ay@a(sa(uxxss)))",
		g_variant_new_fixed_array(G_VARIANT_TYPE_BYTE, cover->data, cover->len, 1),
		g_variant_builder_end(&list));
}

/* Copies the worker's PDF (len bytes) into a memory file. -1 when it falls short. */
static int take_pdf(struct docworker_child *c, guint64 len, gint64 deadline, struct dossier *dos)
{
	char buf[64 * 1024];
	int fd = memfd_create("admitd-dossier", MFD_CLOEXEC);
	guint64 done = 0;

	while (fd >= 0 && done < len) {
		size_t want = (size_t)MIN(len - done, sizeof(buf));

		if (docworker_read(c, buf, want, deadline) != want ||
		    fdio_write_all(fd, buf, want) < 0)
			break;
		done += want;
	}
	if (fd < 0 || done < len) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	dos->fd = fd;
	dos->size = (gint64)len;
	dos->path = g_strdup_printf("/proc/self/fd/%d", fd);
	return 0;
}

/* Runs the worker on the request: its report in *r, which documents it merged in merged[],
 * and the PDF into dos. false when it made none in time. */
static bool run_worker(GPtrArray *paths, GVariant *req, guint n_docs, struct dossier_report *r,
		       guint8 *merged, struct dossier *dos, struct err *err)
{
	GByteArray *msg = g_byte_array_new();
	guint64 len = g_variant_get_size(req);
	struct docworker_child c;
	gint64 deadline = docworker_now_ms() + DOSSIER_WORKER_MS;
	bool ok;

	g_byte_array_append(msg, (const guint8 *)&len, sizeof(len));
	g_byte_array_append(msg, g_variant_get_data(req), (guint)len);
	ok = docworker_spawn("--dossier", paths, msg->data, msg->len, 1024 * 1024, &c, err) == 0;
	g_byte_array_free(msg, TRUE);
	if (!ok)
		return false;
	ok = docworker_read(&c, r, sizeof(*r), deadline) == sizeof(*r) && r->docs == n_docs &&
	     r->pdf_len > 0 && r->pdf_len <= DOSSIER_PDF_MAX &&
	     docworker_read(&c, merged, n_docs, deadline) == n_docs &&
	     take_pdf(&c, r->pdf_len, deadline, dos) == 0;
	c.exiting = !ok && docworker_now_ms() < deadline;
	docworker_stop(&c);
	if (!ok)
		err_set(err, ERR_TEMP, "the document worker made no dossier");
	return ok;
}

static void drop_pdf(struct dossier *d)
{
	if (d->fd >= 0)
		close(d->fd);
	g_free(d->path);
	d->fd = -1;
	d->path = NULL;
	d->size = 0;
}

/* One try: 0 with the dossier made, 1 when the worker could not merge some documents (now
 * set aside: the cover must say so, so the caller tries again), -1 on error. */
static int try_build(const struct config *cfg, GHashTable *vars, GPtrArray *apps,
		     struct dossier *dos, struct err *err)
{
	GPtrArray *paths = g_ptr_array_new_with_free_func(g_free);
	GArray *order = g_array_new(FALSE, FALSE, sizeof(struct merging));
	GByteArray *cover = NULL;
	GVariant *req = NULL;
	struct dossier_report r = { 0 };
	guint8 *merged = NULL;
	int ret = dossier_cover_draw(cfg, vars, apps, dos->separate, &cover, err);

	if (ret == 0 && (req = request_new(cfg, dos, cover, apps, paths, order, err)) == NULL)
		ret = -1;
	if (ret == 0) {
		g_variant_ref_sink(req);
		merged = g_new0(guint8, order->len + 1);
		if (!run_worker(paths, req, order->len, &r, merged, dos, err))
			ret = -1;
	}
	for (guint i = 0; ret >= 0 && merged != NULL && i < order->len; i++)
		if (!merged[i]) {
			const struct merging *m = &g_array_index(order, struct merging, i);

			set_aside(dos, m->app, m->doc);
			ret = 1;
		}
	if (ret == 1)
		drop_pdf(dos);
	dos->pages = (int)r.pages;
	g_free(merged);
	if (req != NULL)
		g_variant_unref(req);
	if (cover != NULL)
		g_byte_array_free(cover, TRUE);
	g_array_free(order, TRUE);
	g_ptr_array_free(paths, TRUE);
	return ret;
}

int dossier_build(const struct config *cfg, GHashTable *vars, GPtrArray *apps, struct dossier *d,
		  struct err *err)
{
	int ret = 1;

	memset(d, 0, sizeof(*d));
	d->fd = -1;
	d->separate = g_hash_table_new_full(NULL, NULL, NULL, g_free);
	for (guint i = 0; i < apps->len; i++) {
		const struct app_row *a = g_ptr_array_index(apps, i);

		for (guint k = 0; k < a->documents->len; k++) {
			const struct doc_row *doc = g_ptr_array_index(a->documents, k);

			if (sent(doc) && !mergeable(doc))
				set_aside(d, a, doc);
		}
	}
	/* A document qpdf refuses is set aside and the cover drawn again, once. */
	for (int attempt = 0; ret == 1 && attempt < 2; attempt++)
		ret = try_build(cfg, vars, apps, d, err);
	if (ret == 1)
		ret = err_set(err, ERR_TEMP, "the document worker refused documents it had read");
	if (ret < 0)
		dossier_clear(d);
	return ret;
}

void dossier_clear(struct dossier *d)
{
	if (d->path != NULL)
		drop_pdf(d);
	if (d->separate != NULL)
		g_hash_table_destroy(d->separate);
	memset(d, 0, sizeof(*d));
	d->fd = -1;
}

int dossier_save(const struct dossier *d, const char *path, struct err *err)
{
	char *tmp = g_strconcat(path, ".tmp", NULL);
	int out = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
	off_t at = 0;
	int ret = 0;

	while (out >= 0 && at < d->size)
		if (sendfile(out, d->fd, &at, (size_t)(d->size - at)) <= 0)
			break;
	if (out < 0 || at < d->size || fsync(out) < 0 || rename(tmp, path) < 0)
		ret = err_set(err, ERR_TEMP, "%s: %s", out < 0 ? tmp : path, strerror(errno));
	if (out >= 0)
		close(out);
	if (ret < 0)
		unlink(tmp);
	g_free(tmp);
	return ret;
}
