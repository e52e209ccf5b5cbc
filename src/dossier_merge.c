#include "dossier_merge.h"

#include <string.h>

#include <qpdf/qpdf-c.h>

#include "docread.h"
#include "docworker_proc.h"
#include "fdio.h"

#define STAMP_FONT "/AdmitdStamp"
#define STAMP_SIZE 7

struct merge {
	qpdf_data out;
	/* Every document read, alive until the dossier is written: qpdf copies a foreign
	 * stream's bytes only then. */
	GPtrArray *sources; /* of qpdf_data */
	GPtrArray *mapped;  /* of GBytes *, what the sources read */
	qpdf_oh font, outlines;
	int pages; /* of out so far */
};

struct bookmark {
	qpdf_oh item; /* 0: none yet */
	int count;
};

static qpdf_data quiet_qpdf(void)
{
	qpdf_data q = qpdf_init();

	qpdf_silence_errors(q);
	qpdf_set_suppress_warnings(q, QPDF_TRUE);
	return q;
}

/* The ASCII of a stamp, as a PDF string's bytes: Helvetica without an encoding of our own
 * shows ASCII everywhere. "Müller" becomes "Muller"; what has no ASCII form, "?". */
static GString *stamp_string(const char *text)
{
	char *ascii = g_str_to_ascii(text, "C");
	GString *s = g_string_new("(");

	for (const char *p = ascii; *p != '\0'; p++) {
		if (*p == '(' || *p == ')' || *p == '\\')
			g_string_append_c(s, '\\');
		g_string_append_c(s, g_ascii_isprint(*p) ? *p : ' ');
	}
	g_string_append_c(s, ')');
	g_free(ascii);
	return s;
}

static qpdf_oh new_stream(qpdf_data q, const char *text)
{
	qpdf_oh s = qpdf_oh_new_stream(q);

	qpdf_oh_replace_stream_data(q, s, (const unsigned char *)text, strlen(text),
				    qpdf_oh_new_null(q), qpdf_oh_new_null(q));
	return s;
}

/* The lower left corner of what a reader shows of the page (its crop box, else its media
 * box). */
static void page_corner(qpdf_data q, qpdf_oh page, double *x_r, double *y_r)
{
	qpdf_oh box = qpdf_oh_get_key(q, page, "/CropBox");

	if (!qpdf_oh_is_array(q, box) || qpdf_oh_get_array_n_items(q, box) != 4)
		box = qpdf_oh_get_key(q, page, "/MediaBox");
	*x_r = *y_r = 0;
	if (!qpdf_oh_is_array(q, box) || qpdf_oh_get_array_n_items(q, box) != 4)
		return;
	*x_r = MIN(qpdf_oh_get_numeric_value(q, qpdf_oh_get_array_item(q, box, 0)),
		   qpdf_oh_get_numeric_value(q, qpdf_oh_get_array_item(q, box, 2)));
	*y_r = MIN(qpdf_oh_get_numeric_value(q, qpdf_oh_get_array_item(q, box, 1)),
		   qpdf_oh_get_numeric_value(q, qpdf_oh_get_array_item(q, box, 3)));
}

/* dict[key] as a dictionary, made one when it is not. */
static qpdf_oh dictionary_at(qpdf_data q, qpdf_oh dict, const char *key)
{
	qpdf_oh d = qpdf_oh_get_key(q, dict, key);

	if (!qpdf_oh_is_dictionary(q, d)) {
		d = qpdf_oh_new_dictionary(q);
		qpdf_oh_replace_key(q, dict, key, d);
	}
	return d;
}

/* The page's own drawing between q and Q (so a transformation it leaves behind does not move
 * the stamp), then the stamp near its lower left corner. */
static void stamp_page(struct merge *m, qpdf_oh page, const char *stamp, int k, int n)
{
	qpdf_data q = m->out;
	char *text = g_strdup_printf("%s  %d/%d", stamp, k, n);
	GString *s = stamp_string(text);
	qpdf_oh contents = qpdf_oh_get_key(q, page, "/Contents"), all = qpdf_oh_new_array(q);
	double x, y;
	char *draw;

	page_corner(q, page, &x, &y);
	draw = g_strdup_printf("\nQ\nq BT " STAMP_FONT " %d Tf 0.25 g %.1f %.1f Td %s Tj ET Q\n",
			       STAMP_SIZE, x + 14, y + 8, s->str);
	qpdf_oh_append_item(q, all, new_stream(q, "q\n"));
	if (qpdf_oh_is_array(q, contents))
		for (int i = 0; i < qpdf_oh_get_array_n_items(q, contents); i++)
			qpdf_oh_append_item(q, all, qpdf_oh_get_array_item(q, contents, i));
	else if (qpdf_oh_is_stream(q, contents))
		qpdf_oh_append_item(q, all, contents);
	qpdf_oh_append_item(q, all, new_stream(q, draw));
	qpdf_oh_replace_key(q, page, "/Contents", all);
	qpdf_oh_replace_key(q, dictionary_at(q, dictionary_at(q, page, "/Resources"), "/Font"),
			    STAMP_FONT, m->font);
	g_free(draw);
	g_string_free(s, TRUE);
	g_free(text);
}

/* A bookmark titled `title` to page `page` (from 0) of out, the last child of parent. */
static void bookmark_add(struct merge *m, qpdf_oh parent_item, struct bookmark *parent,
			 const char *title, int page, struct bookmark *item_r)
{
	qpdf_data q = m->out;
	qpdf_oh item = qpdf_make_indirect_object(q, qpdf_oh_new_dictionary(q));
	qpdf_oh dest = qpdf_oh_new_array(q);

	qpdf_oh_append_item(q, dest, qpdf_get_page_n(q, (size_t)page));
	qpdf_oh_append_item(q, dest, qpdf_oh_new_name(q, "/Fit"));
	qpdf_oh_replace_key(q, item, "/Title", qpdf_oh_new_unicode_string(q, title));
	qpdf_oh_replace_key(q, item, "/Parent", parent_item);
	qpdf_oh_replace_key(q, item, "/Dest", dest);
	if (parent->item == 0) {
		qpdf_oh_replace_key(q, parent_item, "/First", item);
	} else {
		qpdf_oh_replace_key(q, parent->item, "/Next", item);
		qpdf_oh_replace_key(q, item, "/Prev", parent->item);
	}
	qpdf_oh_replace_key(q, parent_item, "/Last", item);
	parent->item = item;
	parent->count++;
	item_r->item = 0;
	item_r->count = 0;
}

/* Reads one document and appends its pages, stamped; its page count, or 0 when it is not
 * merged (not a PDF qpdf reads, encrypted, too long). */
static int add_document(struct merge *m, guint32 file, gint64 offset, gint64 size,
			const char *stamp)
{
	GBytes *bytes = docread_map(DOCWORKER_FIRST_FD + (int)file, offset, size);
	qpdf_data src = quiet_qpdf();
	gsize len = 0;
	const char *data = bytes ? g_bytes_get_data(bytes, &len) : NULL;
	int n = -1;

	if (data != NULL && !(qpdf_read_memory(src, "document", data, len, "") & QPDF_ERRORS) &&
	    !qpdf_is_encrypted(src))
		n = qpdf_get_num_pages(src);
	if (n <= 0 || n > DOSSIER_DOC_PAGES_MAX ||
	    (qpdf_push_inherited_attributes_to_page(src) & QPDF_ERRORS)) {
		if (qpdf_has_error(src))
			qpdf_get_error(src); /* taken, so that qpdf does not print it */
		qpdf_cleanup(&src);
		if (bytes != NULL)
			g_bytes_unref(bytes);
		return 0;
	}
	for (int i = 0; i < n; i++) {
		if (qpdf_add_page(m->out, src, qpdf_get_page_n(src, (size_t)i), QPDF_FALSE) &
		    QPDF_ERRORS)
			break; /* the pages before it stay, stamped "k/n" of the whole */
		stamp_page(m, qpdf_get_page_n(m->out, (size_t)m->pages), stamp, i + 1, n);
		m->pages++;
	}
	g_ptr_array_add(m->sources, src);
	g_ptr_array_add(m->mapped, bytes);
	return n;
}

/* One applicant: their bookmark (to their first page, or the cover when none of their
 * documents could be merged), their documents and a bookmark for each. */
static void add_applicant(struct merge *m, GVariant *applicant, struct bookmark *top,
			  GByteArray *merged)
{
	const char *title, *stamp, *doc_title;
	GVariantIter *docs;
	guint32 file;
	gint64 offset, size;
	struct bookmark me, unused;
	qpdf_oh me_item;

	g_variant_get(applicant, "(&sa(uxxss))", &title, &docs);
	bookmark_add(m, m->outlines, top, title, 0, &me);
	me_item = top->item;
	while (g_variant_iter_next(docs, "(uxx&s&s)", &file, &offset, &size, &stamp, &doc_title)) {
		int first = m->pages;
		guint8 ok = add_document(m, file, offset, size, stamp) > 0;

		if (ok)
			bookmark_add(m, me_item, &me, doc_title, first, &unused);
		g_byte_array_append(merged, &ok, 1);
	}
	g_variant_iter_free(docs);
	/* Closed: the list shows applicants; a tap opens their documents. */
	if (me.count > 0)
		qpdf_oh_replace_key(m->out, me_item, "/Count",
				    qpdf_oh_new_integer(m->out, -me.count));
	if (me.count > 0) {
		/* The applicant's bookmark leads to their first page. */
		qpdf_oh dest = qpdf_oh_get_key(m->out, qpdf_oh_get_key(m->out, me_item, "/First"),
					       "/Dest");

		qpdf_oh_replace_key(m->out, me_item, "/Dest", dest);
	}
}

static qpdf_oh stamp_font(qpdf_data q)
{
	qpdf_oh font = qpdf_oh_new_dictionary(q);

	qpdf_oh_replace_key(q, font, "/Type", qpdf_oh_new_name(q, "/Font"));
	qpdf_oh_replace_key(q, font, "/Subtype", qpdf_oh_new_name(q, "/Type1"));
	qpdf_oh_replace_key(q, font, "/BaseFont", qpdf_oh_new_name(q, "/Helvetica"));
	return qpdf_make_indirect_object(q, font);
}

/* The cover opens out; the outline and the documents follow. false when the cover cannot be
 * read. */
static bool merge_begin(struct merge *m, GVariant *cover)
{
	gsize len = 0;
	const char *data = g_variant_get_fixed_array(cover, &len, 1);
	qpdf_oh root;

	m->out = quiet_qpdf();
	m->sources = g_ptr_array_new();
	m->mapped = g_ptr_array_new_with_free_func((GDestroyNotify)g_bytes_unref);
	if (len == 0 || (qpdf_read_memory(m->out, "cover", data, len, "") & QPDF_ERRORS) ||
	    (m->pages = qpdf_get_num_pages(m->out)) <= 0)
		return false;
	m->font = stamp_font(m->out);
	root = qpdf_get_root(m->out);
	m->outlines = qpdf_make_indirect_object(m->out, qpdf_oh_new_dictionary(m->out));
	qpdf_oh_replace_key(m->out, m->outlines, "/Type", qpdf_oh_new_name(m->out, "/Outlines"));
	qpdf_oh_replace_key(m->out, root, "/Outlines", m->outlines);
	/* A reader opens the dossier with its bookmarks shown. */
	qpdf_oh_replace_key(m->out, root, "/PageMode", qpdf_oh_new_name(m->out, "/UseOutlines"));
	return true;
}

static void merge_end(struct merge *m)
{
	for (guint i = 0; i < m->sources->len; i++) {
		qpdf_data src = g_ptr_array_index(m->sources, i);

		qpdf_cleanup(&src);
	}
	g_ptr_array_free(m->sources, TRUE);
	g_ptr_array_free(m->mapped, TRUE);
	qpdf_cleanup(&m->out);
}

static int report(int out_fd, const GByteArray *merged, int pages, const unsigned char *pdf,
		  size_t len)
{
	struct dossier_report r = { merged->len, 0, (uint32_t)MAX(pages, 0), 0, len };

	for (guint i = 0; i < merged->len; i++)
		r.merged += merged->data[i];
	if (fdio_write_all(out_fd, &r, sizeof(r)) < 0 ||
	    fdio_write_all(out_fd, merged->data, merged->len) < 0)
		return -1;
	return len > 0 ? fdio_write_all(out_fd, pdf, len) : 0;
}

int dossier_merge(GVariant *request, int out_fd)
{
	struct merge m = { 0 };
	GVariant *cover = g_variant_get_child_value(request, 0);
	GVariant *applicants = g_variant_get_child_value(request, 1);
	GByteArray *merged = g_byte_array_new();
	struct bookmark top = { 0, 0 };
	bool ok = merge_begin(&m, cover);
	int ret;

	for (gsize i = 0; ok && i < g_variant_n_children(applicants); i++) {
		GVariant *a = g_variant_get_child_value(applicants, i);

		add_applicant(&m, a, &top, merged);
		g_variant_unref(a);
	}
	if (ok) {
		qpdf_oh_replace_key(m.out, m.outlines, "/Count",
				    qpdf_oh_new_integer(m.out, top.count));
		qpdf_init_write_memory(m.out);
		qpdf_set_object_stream_mode(m.out, qpdf_o_generate);
		ok = !(qpdf_write(m.out) & QPDF_ERRORS);
	}
	if (ok)
		ret = report(out_fd, merged, qpdf_get_num_pages(m.out), qpdf_get_buffer(m.out),
			     qpdf_get_buffer_length(m.out));
	else
		ret = report(out_fd, merged, 0, NULL, 0);
	merge_end(&m);
	g_byte_array_free(merged, TRUE);
	g_variant_unref(applicants);
	g_variant_unref(cover);
	return ret;
}
