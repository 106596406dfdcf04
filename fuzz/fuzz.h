/* fuzz.h: what the libFuzzer targets in fuzz/ share.
 *
 * Every target links the project's own sources (built with clang and
 * -fsanitize=fuzzer,address,undefined by `make fuzz`): nothing here parses
 * anything. Inputs that a stage reads from a file are written to a private
 * temporary directory made once per process and removed at exit.
 */
#ifndef IE_FUZZ_H
#define IE_FUZZ_H

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* A harness failure (not a finding): say so and stop. */
#define FUZZ_DIE(...) do { fprintf(stderr, "fuzz: " __VA_ARGS__); fputc('\n', stderr); abort(); } while (0)
/* A property of the code under test that does not hold: a finding. */
#define FUZZ_CHECK(cond, ...) do { if (!(cond)) { fprintf(stderr, "fuzz: property violated: " __VA_ARGS__); \
	fputc('\n', stderr); abort(); } } while (0)

static char fuzz_dir[4096];

static __attribute__((unused)) void
fuzz_rm_dir(void)
{
	char cmd[4200];

	if (fuzz_dir[0] && snprintf(cmd, sizeof cmd, "rm -rf '%s'", fuzz_dir) < (int)sizeof cmd)
		(void)system(cmd);
}

/* The private temporary directory of this process (made on first use). */
static __attribute__((unused)) const char *
fuzz_tmpdir(void)
{
	const char *t = getenv("TMPDIR");

	if (fuzz_dir[0])
		return fuzz_dir;
	snprintf(fuzz_dir, sizeof fuzz_dir, "%s/ie-fuzz.XXXXXX", t && *t ? t : "/tmp");
	if (!mkdtemp(fuzz_dir))
		FUZZ_DIE("mkdtemp %s: %s", fuzz_dir, strerror(errno));
	atexit(fuzz_rm_dir);
	return fuzz_dir;
}

/* Write data to path (replacing it). */
static __attribute__((unused)) void
fuzz_write(const char *path, const void *data, size_t n)
{
	const char *p = data;
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

	if (fd < 0)
		FUZZ_DIE("%s: %s", path, strerror(errno));
	while (n > 0) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			FUZZ_DIE("%s: write: %s", path, strerror(errno));
		p += w;
		n -= (size_t)w;
	}
	if (close(fd) < 0)
		FUZZ_DIE("%s: close: %s", path, strerror(errno));
}

/* path = the temporary directory / name */
static __attribute__((unused)) void
fuzz_path(char *out, size_t max, const char *name)
{
	if (snprintf(out, max, "%s/%s", fuzz_tmpdir(), name) >= (int)max)
		FUZZ_DIE("path too long");
}

#endif
