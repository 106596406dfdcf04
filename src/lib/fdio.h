/* fdio: whole writes to file descriptors. */
#ifndef IE_FDIO_H
#define IE_FDIO_H

#include <stddef.h>

/* Write all n bytes of p to fd, retrying short writes and EINTR. Returns 0,
 * or -1 with errno set. */
int fdio_write_all(int fd, const void *p, size_t n);

#endif
