/* gzin + lines: the streaming reader, fed in every block size from 1 to 31
 * bytes, plain and gzip (one member and several), and its errors. */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "gzin.h"
#include "lines.h"
#include "tap.h"

static char tmpdir[] = "/tmp/test_lines.XXXXXX";

static void
write_file(const char *path, const void *data, size_t len)
{
	FILE *f = fopen(path, "wb");

	if (!f || fwrite(data, 1, len, f) != len || fclose(f) != 0) {
		perror(path);
		exit(99);
	}
}

/* gzip data into path, as members gzip members of equal share */
static void
write_gz(const char *path, const char *data, size_t len, int members)
{
	FILE *f = fopen(path, "wb");
	size_t per = (len + (size_t)members - 1) / (size_t)members, off = 0;
	int m;

	for (m = 0; m < members; m++) {
		size_t n = off + per > len ? len - off : per;
		z_stream z;
		unsigned char out[1 << 16];
		memset(&z, 0, sizeof z);
		deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
		z.next_in = (unsigned char *)(data + off);
		z.avail_in = (uInt)n;
		do {
			z.next_out = out;
			z.avail_out = sizeof out;
			deflate(&z, Z_FINISH);
			fwrite(out, 1, sizeof out - z.avail_out, f);
		} while (z.avail_out == 0);
		deflateEnd(&z);
		off += n;
	}
	fclose(f);
}

/* Read path with blocks of size block; the lines joined with '|' (and '!'
 * before a cut line) go to out. Returns the read status (0 or -1). */
static int
read_all(const char *path, size_t block, size_t max_line, char *out, size_t outlen, ierr *e)
{
	gzin *g = gzin_open_sized(path, block, e);
	lines *l;
	const char *line;
	size_t len, o = 0;
	int too_long, r;

	if (!g)
		return -1;
	l = lines_new(g, max_line);
	out[0] = '\0';
	while ((r = lines_next(l, &line, &len, &too_long, e)) > 0) {
		if (o + len + 3 >= outlen)
			break;
		if (too_long)
			out[o++] = '!';
		memcpy(out + o, line, len);
		o += len;
		out[o++] = '|';
		out[o] = '\0';
	}
	lines_free(l);
	gzin_close(g);
	return r < 0 ? -1 : 0;
}

int
main(void)
{
	static const char input[] =
		"{\"a\":1}\n"
		"\n"
		"line three\r\n"
		"{\"text\":\"d\\u00e9j\\u00e0 \xc3\xa9 \xf0\x9f\x98\x80\"}\n"
		"a rather longer line that crosses many small blocks, 0123456789 0123456789\n"
		"last line, no newline";
	static const char want[] =
		"{\"a\":1}||line three|{\"text\":\"d\\u00e9j\\u00e0 \xc3\xa9 \xf0\x9f\x98\x80\"}|"
		"a rather longer line that crosses many small blocks, 0123456789 0123456789|"
		"last line, no newline|";
	char plain[256], gz[256], gz3[256], out[4096], path[300];
	size_t block;
	int bad_plain = 0, bad_gz = 0, bad_gz3 = 0;
	ierr e;

	if (!mkdtemp(tmpdir))
		return 99;
	snprintf(plain, sizeof plain, "%s/in.ndjson", tmpdir);
	snprintf(gz, sizeof gz, "%s/in.ndjson.gz", tmpdir);
	snprintf(gz3, sizeof gz3, "%s/in3.ndjson.gz", tmpdir);
	write_file(plain, input, sizeof input - 1);
	write_gz(gz, input, sizeof input - 1, 1);
	write_gz(gz3, input, sizeof input - 1, 3);

	for (block = 1; block <= 31; block++) {
		if (read_all(plain, block, 1 << 20, out, sizeof out, &e) < 0 || strcmp(out, want) != 0)
			bad_plain++, printf("# plain, block %zu: %s\n", block, out);
		if (read_all(gz, block, 1 << 20, out, sizeof out, &e) < 0 || strcmp(out, want) != 0)
			bad_gz++, printf("# gzip, block %zu: %s\n", block, out);
		if (read_all(gz3, block, 1 << 20, out, sizeof out, &e) < 0 || strcmp(out, want) != 0)
			bad_gz3++, printf("# 3 gzip members, block %zu: %s\n", block, out);
	}
	ok(!bad_plain, "plain: same lines in every block size 1..31");
	ok(!bad_gz, "gzip: same lines in every block size 1..31");
	ok(!bad_gz3, "concatenated gzip members: same lines in every block size 1..31");
	ok(read_all(gz, 0, 1 << 20, out, sizeof out, &e) == 0 && strcmp(out, want) == 0, "default block size");

	/* long lines are cut and flagged, numbering goes on */
	for (block = 1; block <= 31; block += 5) {
		ok(read_all(plain, block, 12, out, sizeof out, &e) == 0 &&
		   strstr(out, "||line three|!{\"text\":\"d\\u|!a rather lon|!last line, n|"),
		   "lines over 12 bytes cut, block %zu: %s", block, out);
	}

	/* empty input: no lines */
	snprintf(path, sizeof path, "%s/empty", tmpdir);
	write_file(path, "", 0);
	ok(read_all(path, 0, 1 << 20, out, sizeof out, &e) == 0 && out[0] == '\0', "empty file: no lines");
	snprintf(path, sizeof path, "%s/empty.gz", tmpdir);
	write_gz(path, "", 0, 1);
	ok(read_all(path, 0, 1 << 20, out, sizeof out, &e) == 0 && out[0] == '\0', "empty gzip: no lines");
	snprintf(path, sizeof path, "%s/nl", tmpdir);
	write_file(path, "\n", 1);
	ok(read_all(path, 0, 1 << 20, out, sizeof out, &e) == 0 && strcmp(out, "|") == 0, "one newline: one empty line");
	snprintf(path, sizeof path, "%s/one", tmpdir);
	write_file(path, "x", 1);
	ok(read_all(path, 0, 1 << 20, out, sizeof out, &e) == 0 && strcmp(out, "x|") == 0, "one byte: one line");

	/* truncated gzip: every line before the cut, then an error */
	{
		FILE *f = fopen(gz, "rb");
		char data[4096];
		size_t n = fread(data, 1, sizeof data, f), cut;
		int all = 1;
		fclose(f);
		snprintf(path, sizeof path, "%s/trunc.gz", tmpdir);
		for (cut = 2; cut < n; cut++) {	/* 1 byte is no gzip magic */
			write_file(path, data, cut);
			for (block = 0; block <= 7; block += 7) {
				if (read_all(path, block, 1 << 20, out, sizeof out, &e) != -1) {
					printf("# cut at %zu of %zu, block %zu: no error\n", cut, n, block);
					all = 0;
				}
			}
		}
		ok(all, "gzip cut at every byte: an error every time");
		write_file(path, data, n - 4);
		ok(read_all(path, 0, 1 << 20, out, sizeof out, &e) == -1 && strstr(e.msg, "truncated"),
		   "truncated gzip says so: %s", e.msg);

		/* trailing garbage after a member */
		snprintf(path, sizeof path, "%s/garbage.gz", tmpdir);
		memcpy(data + n, "junk", 4);
		write_file(path, data, n + 4);
		ok(read_all(path, 0, 1 << 20, out, sizeof out, &e) == -1 && strstr(e.msg, "trailing garbage"),
		   "trailing garbage is an error: %s", e.msg);

		/* a corrupt byte in the middle */
		snprintf(path, sizeof path, "%s/corrupt.gz", tmpdir);
		data[n / 2] ^= 0x55;
		write_file(path, data, n);
		ok(read_all(path, 0, 1 << 20, out, sizeof out, &e) == -1, "corrupt gzip is an error: %s", e.msg);
	}

	/* a missing file */
	snprintf(path, sizeof path, "%s/missing", tmpdir);
	ok(!gzin_open(path, &e) && strstr(e.msg, "cannot open"), "missing file: %s", e.msg);

	{
		char cmd[400];
		snprintf(cmd, sizeof cmd, "rm -rf %s", tmpdir);
		if (system(cmd) != 0)
			return 99;
	}
	return tap_done();
}
