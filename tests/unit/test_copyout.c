/* copyout: COPY csv and text encodings, row discard, the "\." count. */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "copyout.h"
#include "tap.h"

/* Write one row through a pipe and read back what came out. */
static char *
render(enum copy_format fmt, int header, void (*fill)(copyout *), uint64_t *eod)
{
	static char out[1 << 16];
	static const char *const cols[] = { "a", "b" };
	int fds[2];
	copyout *c;
	ierr e;
	ssize_t n;

	if (pipe(fds) < 0)
		exit(99);
	c = copyout_new(fds[1], fmt);
	if (header)
		copyout_header(c, cols, 2, &e);
	fill(c);
	copyout_flush(c, &e);
	if (eod)
		*eod = copyout_eod_values(c);
	copyout_free(c);
	close(fds[1]);
	n = read(fds[0], out, sizeof out - 1);
	close(fds[0]);
	out[n < 0 ? 0 : n] = '\0';
	return out;
}

static void
fill_mixed(copyout *c)
{
	ierr e;

	copyout_null(c);
	copyout_text(c, "", 0);
	copyout_text(c, "say \"hi\", ok", 12);
	copyout_num(c, "1e3", 3);
	copyout_int(c, -42);
	copyout_text(c, "back\\slash\ttab\r\nnew", 19);
	copyout_text(c, "\\.", 2);
	copyout_row_end(c, &e);
}

static void
fill_discard(copyout *c)
{
	ierr e;

	copyout_text(c, "kept", 4);
	copyout_row_end(c, &e);
	copyout_text(c, "dropped", 7);
	copyout_text(c, "x\n\\.\ny", 6);
	copyout_row_discard(c);
	copyout_text(c, "again", 5);
	copyout_row_end(c, &e);
}

static void
fill_eod(copyout *c)
{
	ierr e;

	copyout_text(c, "a\n\\.\nb", 6);	/* counts */
	copyout_text(c, "a\r\n\\.\r\nb", 8);	/* counts */
	copyout_text(c, "\\.", 2);		/* a whole value: no line of its own */
	copyout_text(c, "a\n\\.", 4);		/* last line: the quote follows */
	copyout_text(c, "a\n\\.x\n", 6);	/* not exactly */
	copyout_row_end(c, &e);
}

int
main(void)
{
	uint64_t eod;

	is_str(render(COPY_CSV, 1, fill_mixed, NULL),
	       "a,b\n,\"\",\"say \"\"hi\"\", ok\",1e3,-42,\"back\\slash\ttab\r\nnew\",\"\\.\"\n",
	       "csv: NULL bare, empty quoted, quotes doubled, numbers bare, CR LF kept in quotes");
	is_str(render(COPY_TEXT, 1, fill_mixed, NULL),
	       "a\tb\n\\N\t\tsay \"hi\", ok\t1e3\t-42\tback\\\\slash\\ttab\\r\\nnew\t\\\\.\n",
	       "text: \\N, escapes for backslash, tab, CR, LF");
	is_str(render(COPY_CSV, 0, fill_discard, &eod), "\"kept\"\n\"again\"\n", "a discarded row leaves nothing");
	ok(eod == 0, "a discarded row's \\. line is not counted");
	render(COPY_CSV, 0, fill_eod, &eod);
	ok(eod == 2, "values holding a line that is exactly \\. : 2 (got %llu)", (unsigned long long)eod);
	ok(copyout_has_eod_line("x\n\\.\n", 5) && !copyout_has_eod_line("\\.\n", 3) &&
	   !copyout_has_eod_line("x\n\\.", 4) && copyout_has_eod_line("x\n\\.\r\n", 6),
	   "has_eod_line");
	return tap_done();
}
