/* documents.h — what an attachment is for: the CV, the letter of interest, or something else.
 * The (untrusted, display-only) file name decides first, then the text of the document's
 * first page as the limited worker read it (documents_inspect_*). */
#ifndef ADMITD_DOCUMENTS_H
#define ADMITD_DOCUMENTS_H

#include <stdbool.h>

#include "docread.h"
#include "err.h"
#include "mail.h"

enum doc_kind {
	DOC_OTHER = 0,
	DOC_CV,
	DOC_LETTER,
};

/* "cv", "letter" or "other": the names used in the store and in JSON. */
const char *documents_kind_name(enum doc_kind kind);

/* Scores the words of a file name in the languages of our applicants, ignoring case and
 * accents: "Currículum Vítae José.pdf" is a CV, "Motivationsschreiben.docx" a letter.
 * NULL or a name that says nothing is DOC_OTHER. */
enum doc_kind documents_classify_name(const char *filename);

/* Scores the words of a document's first page: sections of a CV (education, experience ...)
 * against the marks of a letter (a salutation, "I am writing", "commission" ...), in the same
 * languages; one page with a letter's marks is a letter. DOC_OTHER when it says nothing. */
enum doc_kind documents_classify_text(const char *text, int pages);

/* The kind of one attachment: its name first, then what its text says. */
enum doc_kind documents_classify(const char *filename, const struct doc_facts *facts);

/* Whether the format is one we read (PDF, DOCX, ODT). */
bool documents_supported(enum doc_format f);

/* Whether an attachment is not a document at all: a logo or signature image that an HTML part
 * of the mail shows (cid:), a calendar invitation. An image nothing shows is a document. */
bool documents_ignorable(const struct mail_attachment *a, const struct doc_facts *facts);

/* Inspects every attachment of m in the limited worker. *facts_r (g_free) has
 * m->attachments->len entries. Errors: ERR_TEMP when no worker can be started. */
int documents_inspect_all(const struct mail *m, struct doc_facts **facts_r, struct err *err);

/* The same for n messages with one worker (a fork costs more than reading a PDF): facts_r[i]
 * (g_free each) for mails[i]. A worker reads the documents of several applicants; DESIGN's
 * limits (memory, CPU, time per document) still apply to each. */
int documents_inspect_mails(const struct mail *const *mails, size_t n, struct doc_facts **facts_r,
			    struct err *err);

/* The same in two steps, so the daemon works on while the worker reads (docworker.h): the
 * mails, their attachment files and the array stay valid until finish or free. */
struct documents_job;
struct documents_job *documents_inspect_start(const struct mail *const *mails, size_t n,
					      struct err *err);
int documents_inspect_finish(struct documents_job **jobp, struct doc_facts **facts_r,
			     struct err *err);
void documents_job_free(struct documents_job **jobp);

struct doc_plan {
	const struct mail_attachment *att; /* borrowed */
	const struct doc_facts *facts;	   /* borrowed */
	enum doc_kind kind;
	const char *problem; /* NULL, "unreadable-document" or "unsupported-format" */
};

/* Which attachments of m are documents, and of which kind (GArray of struct doc_plan, owned by
 * the caller). Signature images and calendars are left out. When a message brings one CV or
 * one letter and exactly one document that says nothing, that one is taken for the other.
 * A would-be CV or letter in a format we cannot read (DOC, RTF, images) is "other" with the
 * problem "unsupported-format". */
GArray *documents_plan(const struct mail *m, const struct doc_facts *facts);

#endif
