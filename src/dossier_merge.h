/* dossier_merge.h — a digest part's dossier as one PDF: the cover admitd drew (dossier_cover.h),
 * then each applicant's PDF documents with their pages as they came, every page stamped in its
 * margin ("REF  Name  letter 1/1") and a bookmark per applicant and per document.
 *
 * The documents are UNTRUSTED: dossier_merge() runs only inside the document worker
 * (admitd-docread --dossier), under its limits. qpdf copies the pages as they are (fonts,
 * images and sizes untouched, so a part weighs what digest_parts.h planned), where rendering
 * them through poppler into cairo would draw every page anew and re-encode its images.
 *
 * admitd sends the request on the worker's stdin as a GVariant of DOSSIER_REQUEST_TYPE:
 *   (cover PDF, [(applicant's bookmark, [(file, offset, size, stamp, bookmark)])])
 * file is the worker's descriptor DOCWORKER_FIRST_FD + file; size < 0: to the end. The worker
 * answers on stdout with a struct dossier_report, one byte per document (1: merged, 0: not a
 * PDF qpdf could read, or longer than DOSSIER_DOC_PAGES_MAX), then the PDF. */
#ifndef ADMITD_DOSSIER_MERGE_H
#define ADMITD_DOSSIER_MERGE_H

#include <stdint.h>

#include <glib.h>

#define DOSSIER_REQUEST_TYPE  "(aya(sa(uxxss)))"
#define DOSSIER_REQUEST_MAX   (16 * 1024 * 1024)
#define DOSSIER_DOC_PAGES_MAX 50

struct dossier_report {
	uint32_t docs;	 /* the request's documents, all applicants' together */
	uint32_t merged; /* how many of them are in the PDF */
	uint32_t pages;	 /* of the PDF */
	uint32_t unused;
	uint64_t pdf_len; /* 0: no dossier (the cover could not be read, or qpdf failed) */
};

/* Builds the dossier and writes the report and the PDF to out_fd. The stamp is drawn in
 * Helvetica, which every PDF reader has: its text is reduced to ASCII here (the cover shows
 * names in any script). -1 when the report could not be written. */
int dossier_merge(GVariant *request, int out_fd);

#endif
