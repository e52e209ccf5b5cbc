/* fdio.h — whole reads and writes on a descriptor (pipes return less than asked). */
#ifndef ADMITD_FDIO_H
#define ADMITD_FDIO_H

#include <stddef.h>

/* All n bytes, or -1 (an error, or end of file before n). EINTR is retried. */
int fdio_read_all(int fd, void *buf, size_t n);
int fdio_write_all(int fd, const void *buf, size_t n);

#endif
