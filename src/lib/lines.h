/* lines: split a gzin stream into numbered lines.
 *
 * A line ends at "\n"; a "\r" before it is dropped too (CRLF files), and a
 * last line without a newline still counts. A line longer than the maximum
 * is cut: the first max bytes are handed out with *too_long set, the rest up
 * to its newline is read and dropped, and numbering stays right.
 */
#ifndef IE_LINES_H
#define IE_LINES_H

#include <stddef.h>
#include <stdint.h>

#include "gzin.h"
#include "ierr.h"

typedef struct lines lines;

/* A splitter over src (borrowed: close it after lines_free). NULL on OOM. */
lines *lines_new(gzin *src, size_t max_line);
void lines_free(lines *l);

/* Next line: 1 with *line and *len set (borrowed until the next call; not
 * NUL-terminated), 0 at the end, -1 on a read error (e set). */
int lines_next(lines *l, const char **line, size_t *len, int *too_long, ierr *e);

/* Number of the line last returned (1-based). */
uint64_t lines_lineno(const lines *l);

#endif
