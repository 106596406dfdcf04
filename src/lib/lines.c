#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "lines.h"

struct lines {
	gzin *src;
	const char *blk;	/* current block */
	size_t blen, pos;
	int eof;
	size_t max;		/* raw bytes kept of a line: the limit + a CR */
	size_t limit;		/* the longest line, its CR not counted */
	buf carry;		/* a line that spans blocks */
	uint64_t lineno;
};

lines *
lines_new(gzin *src, size_t max_line)
{
	lines *l = calloc(1, sizeof *l);

	if (!l)
		return NULL;
	l->src = src;
	l->limit = max_line;
	l->max = max_line + 1;
	buf_init(&l->carry, max_line + 2);
	return l;
}

void
lines_free(lines *l)
{
	if (!l)
		return;
	buf_free(&l->carry);
	free(l);
}

uint64_t
lines_lineno(const lines *l)
{
	return l->lineno;
}

/* Append up to the cap; past it, set *too_long and drop the rest.
 * Returns -1 only when memory is exhausted. */
static int
carry(lines *l, const char *s, size_t n, int *too_long)
{
	size_t room = l->max - l->carry.len;

	if (n > room) {
		n = room;
		*too_long = 1;
	}
	return buf_append(&l->carry, s, n);
}

int
lines_next(lines *l, const char **line, size_t *len, int *too_long, ierr *e)
{
	const char *nl;
	size_t n;

	*too_long = 0;
	buf_reset(&l->carry);
	for (;;) {
		if (l->pos == l->blen) {
			long r;
			if (l->eof)
				break;
			r = gzin_read(l->src, &l->blk, e);
			if (r < 0)
				return -1;
			if (r == 0) {
				l->eof = 1;
				break;
			}
			l->blen = (size_t)r;
			l->pos = 0;
		}
		nl = memchr(l->blk + l->pos, '\n', l->blen - l->pos);
		n = (nl ? (size_t)(nl - l->blk) : l->blen) - l->pos;
		if (nl && l->carry.len == 0 && !*too_long && n <= l->max) {
			/* the whole line is inside this block: hand it out in place */
			*line = l->blk + l->pos;
			*len = n;
			l->pos += n + 1;
			goto found;
		}
		if (carry(l, l->blk + l->pos, n, too_long) < 0)
			return ierr_set(e, "out of memory for a line of %zu bytes", l->carry.len + n);
		l->pos += n;
		if (nl) {
			l->pos++;
			*line = l->carry.p;
			*len = l->carry.len;
			goto found;
		}
	}
	/* end of input: a last line without a newline */
	if (l->carry.len == 0 && !*too_long)
		return 0;
	*line = l->carry.p;
	*len = l->carry.len;
found:
	l->lineno++;
	if (*len > 0 && (*line)[*len - 1] == '\r' && !*too_long)
		(*len)--;
	if (*len > l->limit) {
		*len = l->limit;
		*too_long = 1;
	}
	return 1;
}
