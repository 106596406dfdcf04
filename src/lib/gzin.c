#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "gzin.h"

#define GZIN_BLOCK	(256u * 1024u)	/* decompressed bytes per block */
#define GZIN_NBLOCKS	4		/* blocks in flight */
#define GZIN_INBUF	(128u * 1024u)	/* compressed read size */

struct gzin {
	int fd;
	int own_fd;

	pthread_t thread;
	int started;
	pthread_mutex_t mu;
	pthread_cond_t cv;

	/* ring of blocks: the reader owns blocks[head] .. head+count-1 */
	char *block[GZIN_NBLOCKS];
	size_t blen[GZIN_NBLOCKS];
	unsigned head, count;
	int holding;		/* the reader has blocks[head] checked out */
	int done;		/* the producer finished (see failed) */
	int failed;
	int stop;		/* the reader asks the producer to stop */
	ierr err;

	int is_gzip;
	uint64_t bytes_in;	/* under mu */

	/* producer-only state */
	size_t block_size;	/* GZIN_BLOCK, smaller in tests */
	size_t in_size;		/* GZIN_INBUF, smaller in tests */
	unsigned char *in;
	size_t in_len, in_pos;
	int in_eof;
	uint64_t in_total;	/* bytes read from fd */
};

/* ---- producer side ---------------------------------------------------- */

/* Wait for a free block; returns its index, or -1 when asked to stop. */
static int
free_block(gzin *g)
{
	int idx;

	pthread_mutex_lock(&g->mu);
	while (g->count == GZIN_NBLOCKS && !g->stop)
		pthread_cond_wait(&g->cv, &g->mu);
	idx = g->stop ? -1 : (int)((g->head + g->count) % GZIN_NBLOCKS);
	pthread_mutex_unlock(&g->mu);
	return idx;
}

static void
publish(gzin *g, int idx, size_t len)
{
	pthread_mutex_lock(&g->mu);
	g->blen[idx] = len;
	g->count++;
	g->bytes_in = g->in_total;
	pthread_cond_broadcast(&g->cv);
	pthread_mutex_unlock(&g->mu);
}

static void
finish(gzin *g, int failed)
{
	pthread_mutex_lock(&g->mu);
	g->done = 1;
	g->failed = failed;
	g->bytes_in = g->in_total;
	pthread_cond_broadcast(&g->cv);
	pthread_mutex_unlock(&g->mu);
}

/* Read into buf up to n bytes, retrying short reads; returns bytes read,
 * less than n only at end of file; -1 on error (g->err set). */
static long
read_full(gzin *g, void *buf, size_t n)
{
	size_t got = 0;

	while (got < n) {
		ssize_t r = read(g->fd, (char *)buf + got, n - got);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return ierr_sys(&g->err, errno, "read error");
		}
		if (r == 0)
			break;
		got += (size_t)r;
		g->in_total += (uint64_t)r;
	}
	return (long)got;
}

/* Move unread input to the front and read more after it. */
static int
refill(gzin *g)
{
	long r;

	if (g->in_pos > 0) {
		memmove(g->in, g->in + g->in_pos, g->in_len - g->in_pos);
		g->in_len -= g->in_pos;
		g->in_pos = 0;
	}
	if (g->in_eof || g->in_len == g->in_size)
		return 0;
	r = read_full(g, g->in + g->in_len, g->in_size - g->in_len);
	if (r < 0)
		return -1;
	if ((size_t)r < g->in_size - g->in_len)
		g->in_eof = 1;
	g->in_len += (size_t)r;
	return 0;
}

static int
produce_plain(gzin *g)
{
	int idx;
	size_t len;

	/* the sniffed bytes go out first */
	for (;;) {
		if ((idx = free_block(g)) < 0)
			return 0;
		len = 0;
		if (g->in_pos < g->in_len) {
			len = g->in_len - g->in_pos;
			if (len > g->block_size)
				len = g->block_size;
			memcpy(g->block[idx], g->in + g->in_pos, len);
			g->in_pos += len;
		}
		if (!g->in_eof && g->in_pos == g->in_len) {
			long r = read_full(g, g->block[idx] + len, g->block_size - len);
			if (r < 0)
				return -1;
			if ((size_t)r < g->block_size - len)
				g->in_eof = 1;
			len += (size_t)r;
		}
		if (len > 0)
			publish(g, idx, len);
		if (g->in_eof && g->in_pos == g->in_len)
			return 0;
	}
}

static int
produce_gzip(gzin *g)
{
	z_stream z;
	int idx, ret, in_member = 0, rc = -1;

	memset(&z, 0, sizeof z);
	if (inflateInit2(&z, 15 + 16) != Z_OK)
		return ierr_set(&g->err, "cannot start inflate: out of memory");

	for (;;) {
		if ((idx = free_block(g)) < 0) {
			rc = 0;
			goto out;
		}
		z.next_out = (unsigned char *)g->block[idx];
		z.avail_out = (uInt)g->block_size;
		while (z.avail_out > 0) {
			if (g->in_pos == g->in_len || (!in_member && g->in_len - g->in_pos < 2)) {
				if (refill(g) < 0)
					goto fail;
			}
			if (!in_member) {
				size_t avail = g->in_len - g->in_pos;
				if (avail == 0 && g->in_eof)
					break;	/* clean end after the last member */
				if (avail < 2 || g->in[g->in_pos] != 0x1f || g->in[g->in_pos + 1] != 0x8b) {
					ierr_set(&g->err, "trailing garbage after gzip data at byte %llu",
						 (unsigned long long)(g->in_total - avail));
					goto fail;
				}
				if (inflateReset(&z) != Z_OK) {
					ierr_set(&g->err, "inflate reset failed");
					goto fail;
				}
				in_member = 1;
			}
			if (g->in_pos == g->in_len) {
				/* in a member and no more input */
				ierr_set(&g->err, "truncated gzip data (unexpected end of file after %llu bytes)",
					 (unsigned long long)g->in_total);
				goto fail;
			}
			z.next_in = g->in + g->in_pos;
			z.avail_in = (uInt)(g->in_len - g->in_pos);
			ret = inflate(&z, Z_NO_FLUSH);
			g->in_pos = g->in_len - z.avail_in;
			if (ret == Z_STREAM_END) {
				in_member = 0;
			} else if (ret == Z_BUF_ERROR) {
				/* needs more input: loop refills, or reports truncation */
				if (g->in_pos == g->in_len && g->in_eof) {
					ierr_set(&g->err, "truncated gzip data (unexpected end of file after %llu bytes)",
						 (unsigned long long)g->in_total);
					goto fail;
				}
			} else if (ret != Z_OK) {
				ierr_set(&g->err, "corrupt gzip data near byte %llu: %s",
					 (unsigned long long)(g->in_total - (g->in_len - g->in_pos)),
					 z.msg ? z.msg : (ret == Z_MEM_ERROR ? "out of memory" : "invalid data"));
				goto fail;
			}
		}
		if (z.avail_out < g->block_size)
			publish(g, idx, g->block_size - z.avail_out);
		if (!in_member && g->in_pos == g->in_len && g->in_eof) {
			rc = 0;
			goto out;
		}
	}
fail:
	/* what was inflated before the error goes out first: the reader gets
	 * every line before it, and says after which line it failed */
	if (z.avail_out < g->block_size)
		publish(g, idx, g->block_size - z.avail_out);
out:
	inflateEnd(&z);
	return rc;
}

static void *
producer(void *arg)
{
	gzin *g = arg;
	int rc;

	rc = g->is_gzip ? produce_gzip(g) : produce_plain(g);
	finish(g, rc < 0);
	return NULL;
}

/* ---- consumer side ---------------------------------------------------- */

gzin *
gzin_open(const char *path, ierr *e)
{
	return gzin_open_sized(path, 0, e);
}

gzin *
gzin_open_sized(const char *path, size_t block, ierr *e)
{
	gzin *g;
	int i;

	g = calloc(1, sizeof *g);
	if (!g) {
		ierr_oom(e);
		return NULL;
	}
	g->fd = -1;
	if (!path || strcmp(path, "-") == 0) {
		g->fd = STDIN_FILENO;
	} else {
		g->fd = open(path, O_RDONLY | O_CLOEXEC);
		if (g->fd < 0) {
			ierr_sys(e, errno, "cannot open");
			free(g);
			return NULL;
		}
		g->own_fd = 1;
	}
	g->block_size = block ? block : GZIN_BLOCK;
	g->in_size = block ? (block < 2 ? 2 : block) : GZIN_INBUF;	/* 2: a gzip magic */
	g->in = malloc(g->in_size);
	for (i = 0; i < GZIN_NBLOCKS; i++)
		g->block[i] = malloc(g->block_size);
	for (i = 0; i < GZIN_NBLOCKS; i++)
		if (!g->block[i])
			g->in = (free(g->in), NULL);
	if (!g->in) {
		ierr_oom(e);
		gzin_close(g);
		return NULL;
	}
	/* sniff: read the first bytes here, so a read error is an open error */
	if (refill(g) < 0) {
		*e = g->err;
		gzin_close(g);
		return NULL;
	}
	g->is_gzip = g->in_len >= 2 && g->in[0] == 0x1f && g->in[1] == 0x8b;
	g->bytes_in = g->in_total;
	pthread_mutex_init(&g->mu, NULL);
	pthread_cond_init(&g->cv, NULL);
	if (pthread_create(&g->thread, NULL, producer, g) != 0) {
		ierr_set(e, "cannot start the reader thread");
		pthread_mutex_destroy(&g->mu);
		pthread_cond_destroy(&g->cv);
		gzin_close(g);
		return NULL;
	}
	g->started = 1;
	return g;
}

long
gzin_read(gzin *g, const char **data, ierr *e)
{
	long n;

	pthread_mutex_lock(&g->mu);
	if (g->holding) {
		g->head = (g->head + 1) % GZIN_NBLOCKS;
		g->count--;
		g->holding = 0;
		pthread_cond_broadcast(&g->cv);
	}
	while (g->count == 0 && !g->done)
		pthread_cond_wait(&g->cv, &g->mu);
	if (g->count > 0) {
		g->holding = 1;
		*data = g->block[g->head];
		n = (long)g->blen[g->head];
	} else if (g->failed) {
		if (e)
			*e = g->err;
		n = -1;
	} else {
		n = 0;
	}
	pthread_mutex_unlock(&g->mu);
	return n;
}

int
gzin_is_gzip(const gzin *g)
{
	return g->is_gzip;
}

uint64_t
gzin_bytes_in(gzin *g)
{
	uint64_t n;

	pthread_mutex_lock(&g->mu);
	n = g->bytes_in;
	pthread_mutex_unlock(&g->mu);
	return n;
}

void
gzin_close(gzin *g)
{
	int i;

	if (!g)
		return;
	if (g->started) {
		pthread_mutex_lock(&g->mu);
		g->stop = 1;
		pthread_cond_broadcast(&g->cv);
		pthread_mutex_unlock(&g->mu);
		pthread_join(g->thread, NULL);
		pthread_mutex_destroy(&g->mu);
		pthread_cond_destroy(&g->cv);
	}
	if (g->own_fd && g->fd >= 0)
		close(g->fd);
	for (i = 0; i < GZIN_NBLOCKS; i++)
		free(g->block[i]);
	free(g->in);
	free(g);
}
