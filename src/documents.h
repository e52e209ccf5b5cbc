/* documents.h — what an attachment is for: the CV, the letter of interest, or something else.
 * This first version decides by the (untrusted, display-only) file name. */
#ifndef ADMITD_DOCUMENTS_H
#define ADMITD_DOCUMENTS_H

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

#endif
