/* tnef.h — an Outlook winmail.dat (application/ms-tnef) among a message's attachments is
 * replaced by the files it carries, so that a CV sent from Outlook in rich-text mode is a
 * document like any other. The stream is opened by the document worker (tnef_extract.h);
 * its files are appended to the message's parts file. A winmail.dat the worker cannot open
 * stays as it came (a document in a format we cannot read, and the applicant is told); one
 * that carries no file (rich text only) is no document at all. */
#ifndef ADMITD_TNEF_H
#define ADMITD_TNEF_H

#include "err.h"
#include "mail.h"

/* Replaces each winmail.dat of m->attachments by its files, in its place. Errors (ERR_TEMP)
 * when the parts file cannot be written or no worker can be started. */
int tnef_expand(struct mail *m, struct err *err);

#endif
