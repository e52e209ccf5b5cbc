#include "docread.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <poppler.h>
#include <qpdf/qpdf-c.h>
#include <zip.h>

/* Parts of a zip we read at most; a bigger one is treated as a zip bomb. */
#define ZIP_MEMBER_MAX (8 * 1024 * 1024)

const char *docread_format_name(enum doc_format f)
{
	static const char *const names[] = { "unknown", "pdf", "docx",	"odt",
					     "doc",	"rtf", "image", "calendar" };

	return names[f];
}

enum doc_format docread_sniff(const unsigned char *head, size_t len)
{
	/* PDF readers accept the header anywhere in the first kilobyte. */
	for (size_t i = 0; i + 5 <= len && i < 1024; i++)
		if (memcmp(head + i, "%PDF-", 5) == 0)
			return FORMAT_PDF;
	if (len >= 4 && memcmp(head, "PK\x03\x04", 4) == 0)
		return FORMAT_DOCX; /* a zip: docread_fd() tells DOCX from ODT */
	if (len >= 8 && memcmp(head, "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", 8) == 0)
		return FORMAT_DOC;
	if (len >= 5 && memcmp(head, "{\\rtf", 5) == 0)
		return FORMAT_RTF;
	if ((len >= 8 && memcmp(head, "\x89PNG\r\n\x1a\n", 8) == 0) ||
	    (len >= 3 && memcmp(head, "\xFF\xD8\xFF", 3) == 0) ||
	    (len >= 6 && (memcmp(head, "GIF87a", 6) == 0 || memcmp(head, "GIF89a", 6) == 0)))
		return FORMAT_IMAGE;
	if (len >= 15 && g_ascii_strncasecmp((const char *)head, "BEGIN:VCALENDAR", 15) == 0)
		return FORMAT_CALENDAR;
	return FORMAT_UNKNOWN;
}

static void keep_text(struct doc_facts *facts, const char *text)
{
	const char *end;

	if (text == NULL)
		return;
	g_strlcpy(facts->text, text, sizeof(facts->text));
	/* Cut at a character boundary, so the text stays valid UTF-8. */
	if (!g_utf8_validate(facts->text, -1, &end))
		facts->text[end - facts->text] = '\0';
}

/* The first page's text, by poppler. */
static void read_pdf_text(GBytes *bytes, struct doc_facts *facts)
{
	PopplerDocument *doc = poppler_document_new_from_bytes(bytes, NULL, NULL);

	if (doc != NULL && poppler_document_get_n_pages(doc) > 0) {
		PopplerPage *page = poppler_document_get_page(doc, 0);
		char *text = page ? poppler_page_get_text(page) : NULL;

		keep_text(facts, text);
		g_free(text);
		if (page != NULL)
			g_object_unref(page);
	}
	if (doc != NULL)
		g_object_unref(doc);
}

/* qpdf walks the real page tree (a lying /Count does not fool it); poppler gives the text.
 * Both read the bytes mapped: qpdf on a path seeks and reads a few bytes at a time (~140
 * system calls for a one-page PDF). */
static void read_pdf(GBytes *bytes, bool want_text, struct doc_facts *facts)
{
	qpdf_data q = qpdf_init();
	gsize len = 0;
	const char *data = g_bytes_get_data(bytes, &len);

	qpdf_silence_errors(q);
	qpdf_set_suppress_warnings(q, QPDF_TRUE);
	if (data == NULL || (qpdf_read_memory(q, "document", data, len, "") & QPDF_ERRORS) ||
	    qpdf_is_encrypted(q) || (facts->pages = qpdf_get_num_pages(q)) < 0) {
		facts->unreadable = true;
		facts->pages = -1;
	} else if (want_text) {
		read_pdf_text(bytes, facts);
	}
	qpdf_cleanup(&q);
}

/* A member of the zip, whole, if it exists and is not too big. */
static char *zip_member(zip_t *z, const char *name, zip_uint64_t *len_r)
{
	zip_stat_t st;
	zip_file_t *f;
	char *buf;

	if (zip_stat(z, name, 0, &st) < 0 || !(st.valid & ZIP_STAT_SIZE) ||
	    st.size > ZIP_MEMBER_MAX)
		return NULL;
	if ((f = zip_fopen(z, name, 0)) == NULL)
		return NULL;
	buf = g_malloc(st.size + 1);
	if (zip_fread(f, buf, st.size) != (zip_int64_t)st.size) {
		g_free(buf);
		buf = NULL;
	} else {
		buf[st.size] = '\0';
		*len_r = st.size;
	}
	zip_fclose(f);
	return buf;
}

/* No network, no entity substitution, no DTD loading: the XML is untrusted. */
static xmlDocPtr parse_xml(const char *buf, zip_uint64_t len)
{
	return xmlReadMemory(buf, (int)len, NULL, NULL,
			     XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
}

static xmlNodePtr find_element(xmlNodePtr node, const char *name)
{
	for (; node != NULL; node = node->next) {
		xmlNodePtr found;

		if (node->type == XML_ELEMENT_NODE && xmlStrcmp(node->name, BAD_CAST name) == 0)
			return node;
		if ((found = find_element(node->children, name)) != NULL)
			return found;
	}
	return NULL;
}

/* The text of elements named `name` (w:t in DOCX) or of every text node, in order. */
static void collect_text(xmlNodePtr node, const char *paragraph, GString *out)
{
	for (; node != NULL && out->len < DOC_TEXT_MAX; node = node->next) {
		if (node->type == XML_TEXT_NODE && node->content != NULL)
			g_string_append(out, (const char *)node->content);
		collect_text(node->children, paragraph, out);
		if (node->type == XML_ELEMENT_NODE &&
		    xmlStrcmp(node->name, BAD_CAST paragraph) == 0)
			g_string_append_c(out, '\n');
	}
}

static void read_zip_text(zip_t *z, const char *member, const char *paragraph,
			  struct doc_facts *facts)
{
	zip_uint64_t len = 0;
	char *buf = zip_member(z, member, &len);
	xmlDocPtr doc = buf ? parse_xml(buf, len) : NULL;
	GString *text = g_string_new(NULL);

	if (doc != NULL)
		collect_text(xmlDocGetRootElement(doc), paragraph, text);
	keep_text(facts, text->str);
	g_string_free(text, TRUE);
	if (doc != NULL)
		xmlFreeDoc(doc);
	g_free(buf);
}

/* DOCX docProps/app.xml <Pages> and ODT meta:page-count are written by the last editor:
 * hints, not facts, but the best a server can know without rendering. */
static int zip_pages(zip_t *z, bool odt)
{
	zip_uint64_t len = 0;
	char *buf = zip_member(z, odt ? "meta.xml" : "docProps/app.xml", &len);
	xmlDocPtr doc = buf ? parse_xml(buf, len) : NULL;
	xmlNodePtr node = doc ? find_element(xmlDocGetRootElement(doc),
					     odt ? "document-statistic" : "Pages")
			      : NULL;
	xmlChar *value = NULL;
	int pages = -1;

	if (node != NULL)
		value = odt ? xmlGetProp(node, BAD_CAST "page-count") : xmlNodeGetContent(node);
	if (value != NULL) {
		char *end;
		long n = strtol((const char *)value, &end, 10);

		if (end != (const char *)value && *end == '\0' && n > 0 && n < 10000)
			pages = (int)n;
		xmlFree(value);
	}
	if (doc != NULL)
		xmlFreeDoc(doc);
	g_free(buf);
	return pages;
}

static void read_zip(GBytes *bytes, bool want_text, struct doc_facts *facts)
{
	gsize size = 0;
	const void *data = g_bytes_get_data(bytes, &size);
	zip_source_t *src = data ? zip_source_buffer_create(data, size, 0, NULL) : NULL;
	zip_t *z = src ? zip_open_from_source(src, ZIP_RDONLY, NULL) : NULL;
	zip_uint64_t len = 0;
	char *mimetype;

	if (z == NULL) {
		if (src != NULL)
			zip_source_free(src);
		facts->unreadable = true;
		return;
	}
	mimetype = zip_member(z, "mimetype", &len);
	if (mimetype != NULL &&
	    g_str_has_prefix(mimetype, "application/vnd.oasis.opendocument.text")) {
		facts->format = FORMAT_ODT;
		facts->pages = zip_pages(z, true);
		if (want_text)
			read_zip_text(z, "content.xml", "p", facts);
	} else if (zip_name_locate(z, "word/document.xml", 0) >= 0) {
		facts->format = FORMAT_DOCX;
		facts->pages = zip_pages(z, false);
		if (want_text)
			read_zip_text(z, "word/document.xml", "p", facts);
	} else {
		facts->format = FORMAT_UNKNOWN; /* a zip of something else */
	}
	g_free(mimetype);
	zip_close(z);
}

/* Bytes offset..offset+size of the mapped file (size < 0: to its end), or NULL when the file
 * is shorter than the range. The bytes keep the mapping alive. */
static GBytes *range_of(GMappedFile *file, gint64 offset, gint64 size)
{
	gsize len = g_mapped_file_get_length(file);
	GBytes *all, *part;

	if (offset < 0 || (gsize)offset > len || (size >= 0 && (gsize)size > len - (gsize)offset))
		return NULL;
	all = g_mapped_file_get_bytes(file);
	part = g_bytes_new_from_bytes(all, (gsize)offset,
				      size >= 0 ? (gsize)size : len - (gsize)offset);
	g_bytes_unref(all);
	return part;
}

GBytes *docread_map(int fd, gint64 offset, gint64 size)
{
	GMappedFile *file = g_mapped_file_new_from_fd(fd, FALSE, NULL);
	GBytes *bytes = file ? range_of(file, offset, size) : NULL;

	if (file != NULL)
		g_mapped_file_unref(file);
	return bytes;
}

void docread_fd(int fd, gint64 offset, gint64 size, bool want_text, struct doc_facts *facts)
{
	GBytes *bytes = docread_map(fd, offset, size);
	gsize len = 0;
	const unsigned char *data = bytes ? g_bytes_get_data(bytes, &len) : NULL;

	memset(facts, 0, sizeof(*facts));
	facts->pages = -1;
	if (bytes == NULL) {
		facts->unreadable = true;
		return;
	}
	facts->format = docread_sniff(data, len);
	if (facts->format == FORMAT_PDF)
		read_pdf(bytes, want_text, facts);
	else if (facts->format == FORMAT_DOCX)
		read_zip(bytes, want_text, facts);
	g_bytes_unref(bytes);
}
