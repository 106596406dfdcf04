#include "config.h"

#include <csv.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "copyout.h"
#include "fdio.h"

#define FLUSH_AT (256u * 1024u)

struct copyout {
	int fd;
	enum copy_format fmt;
	buf out;
	size_t row_start;	/* out.len when the row began */
	int nfields;		/* fields in the current row */
	uint64_t eod, row_eod;
};

copyout *
copyout_new(int fd, enum copy_format fmt)
{
	copyout *c = calloc(1, sizeof *c);

	if (!c)
		return NULL;
	c->fd = fd;
	c->fmt = fmt;
	buf_init(&c->out, (size_t)1 << 31);
	return c;
}

void
copyout_free(copyout *c)
{
	if (!c)
		return;
	buf_free(&c->out);
	free(c);
}

static int
sep(copyout *c)
{
	if (c->nfields++ == 0)
		return 0;
	return buf_putc(&c->out, c->fmt == COPY_CSV ? ',' : '\t');
}

int
copyout_has_eod_line(const char *s, size_t n)
{
	const char *p = s, *end = s + n;

	while ((p = memchr(p, '\n', (size_t)(end - p))) != NULL) {
		p++;
		if (end - p >= 3 && p[0] == '\\' && p[1] == '.' && (p[2] == '\n' || (p[2] == '\r' && end - p >= 4 && p[3] == '\n')))
			return 1;
	}
	return 0;
}

int
copyout_null(copyout *c)
{
	if (sep(c) < 0)
		return -1;
	return c->fmt == COPY_CSV ? 0 : buf_append(&c->out, "\\N", 2);
}

/* COPY text escaping: backslash, LF, CR, TAB. */
static int
text_escape(buf *b, const char *s, size_t n)
{
	size_t i, run = 0;

	for (i = 0; i < n; i++) {
		const char *e;
		switch (s[i]) {
		case '\\': e = "\\\\"; break;
		case '\n': e = "\\n"; break;
		case '\r': e = "\\r"; break;
		case '\t': e = "\\t"; break;
		default: continue;
		}
		if (buf_append(b, s + run, i - run) < 0 || buf_append(b, e, 2) < 0)
			return -1;
		run = i + 1;
	}
	return buf_append(b, s + run, n - run);
}

static int
csv_quote(buf *b, const char *s, size_t n)
{
	size_t need;

	if (!memchr(s, '"', n)) {
		if (buf_reserve(b, n + 2) < 0)
			return -1;
		b->p[b->len++] = '"';
		memcpy(b->p + b->len, s, n);
		b->len += n;
		b->p[b->len++] = '"';
		return 0;
	}
	/* quotes inside: libcsv doubles them (worst case 2n + 2 bytes) */
	if (buf_reserve(b, 2 * n + 2) < 0)
		return -1;
	need = csv_write(b->p + b->len, b->cap - b->len, s, n);
	b->len += need;
	return 0;
}

static int
add_value(copyout *c, const char *s, size_t n)
{
	if (n > 0 && copyout_has_eod_line(s, n))
		c->row_eod++;
	return c->fmt == COPY_CSV ? csv_quote(&c->out, s, n) : text_escape(&c->out, s, n);
}

int
copyout_text(copyout *c, const char *s, size_t n)
{
	if (sep(c) < 0)
		return -1;
	return add_value(c, s, n);
}

int
copyout_num(copyout *c, const char *s, size_t n)
{
	if (sep(c) < 0)
		return -1;
	return buf_append(&c->out, s, n);
}

int
copyout_int(copyout *c, int64_t v)
{
	if (sep(c) < 0)
		return -1;
	return buf_printf(&c->out, "%" PRId64, v);
}

int
copyout_flush(copyout *c, ierr *e)
{
	int rc = 0;

	if (c->fd >= 0 && c->out.len > 0)
		rc = fdio_write_all(c->fd, c->out.p, c->out.len) < 0 ? ierr_sys(e, errno, "write error") : 0;
	buf_reset(&c->out);
	c->row_start = 0;
	return rc;
}

int
copyout_header(copyout *c, const char *const *cols, size_t ncols, ierr *e)
{
	size_t i;

	for (i = 0; i < ncols; i++) {
		if (i && buf_putc(&c->out, c->fmt == COPY_CSV ? ',' : '\t') < 0)
			return ierr_oom(e);
		if (buf_puts(&c->out, cols[i]) < 0)
			return ierr_oom(e);
	}
	if (buf_putc(&c->out, '\n') < 0)
		return ierr_oom(e);
	c->row_start = c->out.len;
	return 0;
}

int
copyout_row_end(copyout *c, ierr *e)
{
	if (buf_putc(&c->out, '\n') < 0)
		return ierr_oom(e);
	c->nfields = 0;
	c->eod += c->row_eod;
	c->row_eod = 0;
	c->row_start = c->out.len;
	if (c->out.len >= FLUSH_AT || c->fd < 0)
		return copyout_flush(c, e);
	return 0;
}

void
copyout_poison(copyout *c)
{
	/* CSV: a quote that never closes ("unterminated CSV quoted field");
	 * text: a row of one column ("missing data for column") */
	static const char msg[] = "instantly-transform failed: the data above is incomplete\n";

	copyout_row_discard(c);
	if ((c->fmt == COPY_CSV && buf_putc(&c->out, '"') < 0) || buf_puts(&c->out, msg) < 0)
		buf_reset(&c->out);
	(void)copyout_flush(c, NULL);
}

void
copyout_row_discard(copyout *c)
{
	c->out.len = c->row_start;
	c->nfields = 0;
	c->row_eod = 0;
}

uint64_t
copyout_eod_values(const copyout *c)
{
	return c->eod;
}
