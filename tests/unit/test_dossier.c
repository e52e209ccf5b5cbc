/* The batch dossier (dossier.h): one PDF per digest part with a cover, every document's pages
 * stamped, a bookmark per applicant and per document; read back with poppler, as a member's
 * PDF reader would. */
#include "unitbench.h"

#include <sys/stat.h>

#include <gmime/gmime.h>
#include <poppler.h>

#include "digest.h"
#include "dossier.h"

struct found {
	const char *filename;
	GByteArray *bytes;
	int attachments;
};

static void find_part(GMimeObject *parent, GMimeObject *part, gpointer data)
{
	struct found *f = data;
	GMimeStream *mem;

	(void)parent;
	if (!GMIME_IS_PART(part) || g_mime_part_get_filename(GMIME_PART(part)) == NULL)
		return;
	f->attachments++;
	if (strcmp(g_mime_part_get_filename(GMIME_PART(part)), f->filename) != 0)
		return;
	mem = g_mime_stream_mem_new();
	g_mime_data_wrapper_write_to_stream(g_mime_part_get_content(GMIME_PART(part)), mem);
	f->bytes = g_byte_array_new();
	g_byte_array_append(f->bytes, g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(mem))->data,
			    g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(mem))->len);
	g_object_unref(mem);
}

/* The attachment `filename` of a message, decoded (NULL when it has none); *count_r: how many
 * attachments it has. */
static GByteArray *attachment_of(const char *message, const char *filename, int *count_r)
{
	GMimeStream *s = g_mime_stream_mem_new_with_buffer(message, strlen(message));
	GMimeParser *p = g_mime_parser_new_with_stream(s);
	GMimeMessage *m = g_mime_parser_construct_message(p, NULL);
	struct found f = { filename, NULL, 0 };

	assert_non_null(m);
	g_mime_message_foreach(m, find_part, &f);
	*count_r = f.attachments;
	g_object_unref(m);
	g_object_unref(p);
	g_object_unref(s);
	return f.bytes;
}

static PopplerDocument *pdf_of(GByteArray *bytes)
{
	GBytes *b = g_bytes_new(bytes->data, bytes->len);
	GError *gerr = NULL;
	PopplerDocument *doc = poppler_document_new_from_bytes(b, NULL, &gerr);

	if (doc == NULL)
		fail_msg("the dossier is not a PDF poppler reads: %s", gerr->message);
	g_bytes_unref(b);
	return doc;
}

/* The PDF a dossier holds, read back from its memory file. */
static PopplerDocument *dossier_pdf(const struct dossier *d)
{
	char *data = NULL;
	gsize len = 0;
	GByteArray *bytes = g_byte_array_new();
	PopplerDocument *doc;

	assert_true(g_file_get_contents(d->path, &data, &len, NULL));
	assert_int_equal(len, d->size);
	g_byte_array_append(bytes, (const guint8 *)data, (guint)len);
	doc = pdf_of(bytes);
	g_byte_array_free(bytes, TRUE);
	g_free(data);
	return doc;
}

static char *page_text(PopplerDocument *doc, int i)
{
	PopplerPage *page = poppler_document_get_page(doc, i);
	char *text = poppler_page_get_text(page);

	g_object_unref(page);
	return text;
}

/* The page (from 0) a bookmark leads to. */
static int bookmark_page(PopplerDocument *doc, PopplerIndexIter *it, char **title_r)
{
	PopplerAction *a = poppler_index_iter_get_action(it);
	PopplerDest *d;
	int page;

	assert_int_equal(a->type, POPPLER_ACTION_GOTO_DEST);
	d = a->goto_dest.dest;
	if (d->type == POPPLER_DEST_NAMED)
		d = poppler_document_find_dest(doc, d->named_dest);
	page = d->page_num - 1;
	*title_r = g_strdup(a->any.title);
	if (d != a->goto_dest.dest)
		poppler_dest_free(d);
	poppler_action_free(a);
	return page;
}

struct expect {
	const char *ref, *name;
	int letter_pages, cv_pages;
};

/* One applicant's bookmark: their reference and name, leading to their letter's first page;
 * under it the letter's and the CV's; each page of theirs stamped "letter 1/1", "CV 2/2". */
static int check_applicant(PopplerDocument *doc, PopplerIndexIter *it, const struct expect *e)
{
	PopplerIndexIter *child = poppler_index_iter_get_child(it);
	const char *kinds[] = { "letter", "CV" };
	int pages[] = { e->letter_pages, e->cv_pages };
	char *title = NULL;
	int first = bookmark_page(doc, it, &title), page = first;

	assert_non_null(strstr(title, e->ref));
	assert_non_null(strstr(title, e->name));
	g_free(title);
	assert_non_null(child);
	for (int k = 0; k < 2; k++) {
		assert_int_equal(bookmark_page(doc, child, &title), page);
		assert_non_null(strstr(title, kinds[k]));
		g_free(title);
		for (int p = 1; p <= pages[k]; p++, page++) {
			char *text = page_text(doc, page);
			char *stamp = g_strdup_printf("%s %d/%d", kinds[k], p, pages[k]);

			assert_non_null(strstr(text, e->ref));
			if (strstr(text, stamp) == NULL)
				fail_msg("page %d: no stamp \"%s\" in:\n%s", page + 1, stamp, text);
			g_free(stamp);
			g_free(text);
		}
		assert_int_equal(poppler_index_iter_next(child), k == 0);
	}
	poppler_index_iter_free(child);
	return page;
}

/* Two applications closed into a batch: the digest carries one PDF instead of four files; a
 * cover (one page), then each letter and CV; one bookmark per applicant. */
static void test_digest_dossier(void **state)
{
	struct bench b;
	struct ledger_result ana, lena;
	char *text, *cover;
	GByteArray *pdf;
	PopplerDocument *doc;
	PopplerIndexIter *it;
	int count = 0, page;

	(void)state;
	bench_init(&b, "2026-01-12", "2027-06-30");
	ana = bench_file(&b, "complete-application.eml", NULL);
	lena = bench_file(&b, "german-application.eml", NULL);
	bench_close_batch(&b, BENCH_NOW + 60);
	text = bench_outbox_text(&b, "digest");
	assert_non_null(strstr(text, "batch-1-dossier.pdf: its first page"));
	pdf = attachment_of(text, "batch-1-dossier.pdf", &count);
	assert_non_null(pdf);
	assert_int_equal(count, 1);
	doc = pdf_of(pdf);
	/* The cover, then 1 + 2 pages for each (docs-letter.pdf, docs-cv.pdf). */
	assert_int_equal(poppler_document_get_n_pages(doc), 1 + 2 * (1 + 2));
	cover = page_text(doc, 0);
	assert_non_null(strstr(cover, ana.ref));
	assert_non_null(strstr(cover, "Ana Sánchez"));
	assert_non_null(strstr(cover, "lena.mueller@example.org"));
	g_free(cover);
	it = poppler_index_iter_new(doc);
	assert_non_null(it);
	page = check_applicant(doc, it, &(struct expect){ ana.ref, "Ana Sánchez", 1, 2 });
	assert_int_equal(page, 4);
	assert_true(poppler_index_iter_next(it));
	page = check_applicant(doc, it, &(struct expect){ lena.ref, "Lena Müller", 1, 2 });
	assert_int_equal(page, 7);
	assert_false(poppler_index_iter_next(it)); /* one bookmark per applicant, no more */
	poppler_index_iter_free(it);
	g_object_unref(doc);
	g_byte_array_free(pdf, TRUE);
	g_free(text);
	ledger_result_clear(&ana);
	ledger_result_clear(&lena);
	bench_free(&b);
}

static struct doc_row *doc_new(const char *kind, const char *path, const char *format, int pages)
{
	struct doc_row *d = g_new0(struct doc_row, 1);
	struct stat st;

	assert_int_equal(stat(path, &st), 0);
	d->kind = g_strdup(kind);
	d->path = g_strdup(path);
	d->filename = g_strdup(strcmp(format, "pdf") == 0 ? "Lebenslauf.PDF" : "cv.docx");
	d->content_type = g_strdup("application/octet-stream");
	d->format = g_strdup(format);
	d->size = st.st_size;
	d->pages = pages;
	return d;
}

static GHashTable *vars_of(struct bench *b, GPtrArray *apps)
{
	struct batch_row batch = { .id = 7,
				   .opens_on = "2026-09-07",
				   .closes_on = "2026-09-21",
				   .token = "0123456789abcdef01234567" };
	struct err err = { 0 };
	GHashTable *vars = digest_vars_new(b->cfg, &batch, apps, 1, 1, apps->len, false, &err);

	if (vars == NULL)
		fail_msg("%s", err.text);
	return vars;
}

/* A CV that is not a PDF goes beside the dossier, named after the reference, and the cover
 * says so; a "PDF" qpdf refuses although it was counted goes beside it too, and the cover
 * is drawn again. A name in Greek is on the cover as written. */
static void test_documents_beside(void **state)
{
	struct bench b;
	struct app_row *a = g_new0(struct app_row, 1);
	GPtrArray *apps = g_ptr_array_new_with_free_func(app_row_free);
	char *letter = test_fixture("docs-letter.pdf"), *docx, *broken, *cover;
	struct dossier d = { 0 };
	struct err err = { 0 };
	GHashTable *vars;
	PopplerDocument *doc;
	GHashTableIter it;
	gpointer key, name;
	int names = 0;

	(void)state;
	bench_init(&b, "2026-01-12", "2027-06-30");
	docx = test_write_file(b.dir, "cv.docx", "PK\003\004 not really a zip");
	broken = test_write_file(b.dir, "broken.pdf", "%PDF-1.4\nnothing of a PDF after this\n");
	a->ref = g_strdup("AI4G-2026-0007");
	a->name = g_strdup("Ελένη Παπαδοπούλου");
	a->email = g_strdup("eleni@example.gr");
	a->received_at = g_strdup("2026-09-10T08:00:00Z");
	a->problems = g_strdup("");
	a->edition = g_strdup("2026");
	a->documents = g_ptr_array_new_with_free_func(store_doc_row_free);
	g_ptr_array_add(a->documents, doc_new("letter", letter, "pdf", 1));
	g_ptr_array_add(a->documents, doc_new("cv", docx, "docx", 2));
	g_ptr_array_add(apps, a);
	vars = vars_of(&b, apps);
	if (dossier_build(b.cfg, vars, apps, &d, &err) < 0)
		fail_msg("%s", err.text);
	assert_int_equal(g_hash_table_size(d.separate), 1);
	assert_string_equal(g_hash_table_lookup(d.separate, g_ptr_array_index(a->documents, 1)),
			    "AI4G-2026-0007-cv.docx");
	doc = dossier_pdf(&d);
	assert_int_equal(poppler_document_get_n_pages(doc), 2);
	assert_int_equal(d.pages, 2);
	cover = page_text(doc, 0);
	assert_non_null(strstr(cover, "Ελένη Παπαδοπούλου"));
	assert_non_null(strstr(cover, "AI4G-2026-0007-cv.docx"));
	g_free(cover);
	g_object_unref(doc);
	dossier_clear(&d);

	/* The letter is a "PDF" that qpdf cannot read: only the cover is left. */
	g_ptr_array_add(a->documents, doc_new("letter", broken, "pdf", 1));
	g_ptr_array_remove_index(a->documents, 0);
	if (dossier_build(b.cfg, vars, apps, &d, &err) < 0)
		fail_msg("%s", err.text);
	g_hash_table_iter_init(&it, d.separate);
	while (g_hash_table_iter_next(&it, &key, &name))
		names += g_str_has_prefix(name, "AI4G-2026-0007-");
	assert_int_equal(names, 2);
	doc = dossier_pdf(&d);
	assert_int_equal(poppler_document_get_n_pages(doc), 1);
	cover = page_text(doc, 0);
	assert_non_null(strstr(cover, "AI4G-2026-0007-letter.pdf"));
	g_free(cover);
	g_object_unref(doc);
	dossier_clear(&d);
	g_hash_table_destroy(vars);
	g_ptr_array_free(apps, TRUE);
	g_free(letter);
	g_free(docx);
	g_free(broken);
	bench_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_digest_dossier),
		cmocka_unit_test(test_documents_beside),
	};

	mail_library_init();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
