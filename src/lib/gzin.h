/* gzin: read an archive, gzip or plain, from a file or stdin.
 *
 * The format is detected from the first two bytes (1f 8b = gzip). gzip data
 * may hold several members one after another (cat a.gz b.gz); they read as
 * one stream. Inflating runs on a thread of its own, a few blocks ahead of the
 * reader, so that parsing and inflating use both cores.
 *
 * Errors are fatal for the stream: a truncated or corrupt gzip member,
 * trailing bytes that are not a gzip member, a read error. They are reported
 * by gzin_read() after every byte that came before them has been delivered.
 */
#ifndef IE_GZIN_H
#define IE_GZIN_H

#include <stddef.h>
#include <stdint.h>

#include "ierr.h"

typedef struct gzin gzin;

/* Open path ("-" or NULL for stdin) and start reading ahead. Returns NULL on
 * failure with e set ("cannot open: ..."). */
gzin *gzin_open(const char *path, ierr *e);

/* The same with blocks (and compressed reads) of block bytes instead of the
 * default (block 0): tests use tiny blocks to cut lines everywhere. */
gzin *gzin_open_sized(const char *path, size_t block, ierr *e);

/* Give the next block of data. Sets *data (borrowed: valid until the next
 * gzin_read or gzin_close) and returns its length (> 0); returns 0 at the end
 * of the stream and -1 on error (e set, in terms of the compressed input). */
long gzin_read(gzin *g, const char **data, ierr *e);

/* 1 when the input is gzip, 0 when plain (known after the first read). */
int gzin_is_gzip(const gzin *g);

/* Bytes read so far from the file itself (compressed when gzip); for progress. */
uint64_t gzin_bytes_in(gzin *g);

/* Stop the reader thread, close the file, free everything. NULL is ok. */
void gzin_close(gzin *g);

#endif
