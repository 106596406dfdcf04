/* buf: a growable byte buffer with a cap.
 *
 * Every buffer that grows with the input has a maximum size, so that a
 * hostile or broken input cannot take all memory (curl's dynbuf). The
 * contents are not NUL-terminated unless the caller appends a NUL.
 */
#ifndef IE_BUF_H
#define IE_BUF_H

#include <stddef.h>

typedef struct buf {
	char *p;	/* the bytes; NULL until the first append */
	size_t len;	/* bytes in use */
	size_t cap;	/* bytes allocated */
	size_t max;	/* len may never exceed this */
} buf;

/* An empty buffer that may grow to max bytes. Allocates nothing. */
void buf_init(buf *b, size_t max);

/* Free the memory; b is then an empty buffer with the same cap. NULL is ok. */
void buf_free(buf *b);

/* Make room for n more bytes. Returns 0, or -1 when that would pass max or
 * memory is exhausted (errno ENOBUFS or ENOMEM); b is unchanged then. */
int buf_reserve(buf *b, size_t n);

/* Append n bytes / one byte / a C string. Return 0 or -1 as buf_reserve. */
int buf_append(buf *b, const void *s, size_t n);
int buf_putc(buf *b, int c);
int buf_puts(buf *b, const char *s);

/* Append printf output. Returns 0 or -1. */
int buf_printf(buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Forget the contents, keep the memory. */
static inline void buf_reset(buf *b) { b->len = 0; }

#endif
