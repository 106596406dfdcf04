/* copyout: write table rows for PostgreSQL COPY, CSV or text format.
 *
 * CSV (`COPY ... (FORMAT csv, HEADER)`): NULL is an empty unquoted field;
 * every text value is double-quoted with quotes doubled (libcsv's
 * csv_write), so "" is the empty string; numbers are unquoted.
 * Text (`COPY ... (FORMAT text, HEADER)`): TAB-separated, NULL is \N, and
 * backslash, LF, CR and TAB in values are escaped.
 *
 * A row is built field by field and then either ended (kept) or discarded,
 * so a record found invalid half-way leaves nothing behind. Output is
 * buffered and written with write(2); fd -1 discards everything (a table
 * that is counted but not wanted).
 */
#ifndef IE_COPYOUT_H
#define IE_COPYOUT_H

#include <stddef.h>
#include <stdint.h>

#include "ierr.h"

enum copy_format { COPY_CSV, COPY_TEXT };

typedef struct copyout copyout;

copyout *copyout_new(int fd, enum copy_format fmt);
void copyout_free(copyout *c);

/* The header line: column names. Returns 0 or -1 (e set). */
int copyout_header(copyout *c, const char *const *cols, size_t ncols, ierr *e);

/* Fields of the current row, in column order. Each returns 0, or -1 when
 * memory is exhausted. */
int copyout_null(copyout *c);
int copyout_text(copyout *c, const char *s, size_t n);	/* quoted in CSV */
int copyout_num(copyout *c, const char *s, size_t n);	/* unquoted */
int copyout_int(copyout *c, int64_t v);

/* End the row: keep it. May write the buffer out. Returns 0 or -1 (e set). */
int copyout_row_end(copyout *c, ierr *e);
/* Forget the fields written since the last row end. */
void copyout_row_discard(copyout *c);

/* Write out everything buffered. Returns 0 or -1 (e set). */
int copyout_flush(copyout *c, ierr *e);

/* Values written (in kept rows) that hold a line that is exactly "\." :
 * psql's \copy before PostgreSQL 18 takes such a line, even inside a quoted
 * CSV field, for the end of the data. */
uint64_t copyout_eod_values(const copyout *c);

/* 1 when s[0..n) holds a line that is exactly "\." after a newline. */
int copyout_has_eod_line(const char *s, size_t n);

/* After a fatal error, for output that cannot be taken back (a pipe): drop
 * the row in progress, write the complete rows, then a line that no COPY
 * reads, so that a psql \copy loading the stream fails and rolls back
 * instead of committing part of the data. Errors are ignored. */
void copyout_poison(copyout *c);

#endif
