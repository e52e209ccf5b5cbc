/* docread_filter.h — the system calls admitd-docread keeps once its documents are open: what
 * reading a document from a descriptor, allocating memory and writing the report need, and
 * nothing that reaches another file, a socket, a process or the kernel's keys. A call outside
 * the list kills the worker (SIGSYS), so an exploited parser dies at its first step; opening a
 * file by name fails with EACCES instead, because poppler and the C library look for data
 * files (/usr/share/poppler, /etc/localtime) and must carry on without them. */
#ifndef ADMITD_DOCREAD_FILTER_H
#define ADMITD_DOCREAD_FILTER_H

#include "err.h"

/* Installs the filter for the rest of the process's life (no new privileges must be set
 * already). -1 with err set when the kernel refuses it: the worker must not go on without. */
int docread_filter_install(struct err *err);

#endif
