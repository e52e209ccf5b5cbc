/* docread.h — what a document file is and says: format by content (magic bytes, never the
 * declared type or the name), page count, and the text of its first page.
 *
 * The files are UNTRUSTED: call docread_fd() only inside the document worker (admitd-docread). */
#ifndef ADMITD_DOCREAD_H
#define ADMITD_DOCREAD_H

#include <stdbool.h>
#include <stddef.h>

#include <glib.h>

enum doc_format {
	FORMAT_UNKNOWN = 0,
	FORMAT_PDF,
	FORMAT_DOCX,
	FORMAT_ODT,
	FORMAT_DOC, /* legacy Word: recognised, not read */
	FORMAT_RTF, /* recognised, not read */
	FORMAT_IMAGE,
	FORMAT_CALENDAR,
};

#define DOC_TEXT_MAX 4096

/* Fixed size and flat: it crosses a pipe from the worker. */
struct doc_facts {
	enum doc_format format;
	int pages;		 /* -1: unknown */
	bool unreadable;	 /* damaged, encrypted, or the worker failed */
	bool too_slow;		 /* unreadable because it was over its time budget (docworker.h) */
	char text[DOC_TEXT_MAX]; /* the first page's text, UTF-8, NUL-terminated; may be empty */
};

/* A document: `size` bytes at `offset` of the file at `path` (a message's attachments share one
 * file, see spool.h); size < 0: to the end of the file. */
struct doc_ref {
	const char *path;
	gint64 offset;
	gint64 size;
	unsigned message; /* documents of one message share its time budget (docworker.h) */
};

/* "pdf", "docx", ... for logs and the store. */
const char *docread_format_name(enum doc_format f);

/* Format from the first bytes of the file (cheap; safe in the daemon). */
enum doc_format docread_sniff(const unsigned char *head, size_t len);

/* Fills facts for the document at offset..offset+size of the open file fd (size < 0: to its
 * end). Runs the parsers (qpdf, poppler, libzip, libxml2). Without want_text the first page's
 * text is left empty: only classification by content needs it, and poppler's text costs
 * several times qpdf's page count. */
void docread_fd(int fd, gint64 offset, gint64 size, bool want_text, struct doc_facts *facts);

/* The document's bytes, mapped (no copy), or NULL when the file is shorter than the range.
 * Owned. */
GBytes *docread_map(int fd, gint64 offset, gint64 size);

#endif
