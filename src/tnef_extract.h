/* tnef_extract.h — Outlook's winmail.dat (application/ms-tnef, TNEF) opened into the files it
 * carries, by libytnef.
 *
 * The stream is UNTRUSTED and libytnef has a history of memory errors (CVE-2017-9058,
 * CVE-2021-3403, CVE-2021-3404): tnef_extract() runs only inside the document worker
 * (admitd-docread --tnef), under its limits. admitd sends a struct tnef_request on the
 * worker's stdin, the file holding the stream at DOCWORKER_FIRST_FD; the worker answers on its
 * report descriptor with the length (uint64_t) of a GVariant of TNEF_FILES_TYPE, then the
 * GVariant: [(file name, declared MIME type, content)], both texts valid UTF-8 of at most
 * TNEF_TEXT_MAX bytes ("" when none),
 * at most TNEF_FILES_MAX files, an embedded TNEF opened in turn (TNEF_DEPTH_MAX). */
#ifndef ADMITD_TNEF_EXTRACT_H
#define ADMITD_TNEF_EXTRACT_H

#include <stdint.h>

#define TNEF_FILES_TYPE "a(ssay)"
#define TNEF_FILES_MAX	64
#define TNEF_DEPTH_MAX	3
/* A name or a MIME type is cut to this many bytes (the parent shows at most 120 characters). */
#define TNEF_TEXT_MAX 1024
/* What the answer may add to the stream's own size: names, types and framing. */
#define TNEF_FRAMING_MAX (TNEF_FILES_MAX * (2 * TNEF_TEXT_MAX + 64))

struct tnef_request {
	int64_t offset, size; /* the stream's bytes in the file */
};

/* Reads the stream from fd and writes the answer to out_fd. 0 when the answer was written, 1
 * when the stream is not TNEF or libytnef refused it (nothing written), -1 when reading or
 * writing failed. */
int tnef_extract(int fd, const struct tnef_request *req, int out_fd);

#endif
