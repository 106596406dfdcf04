/* credentials: secrets from $CREDENTIALS_DIRECTORY (systemd's
 * LoadCredential=); see credentials.h. */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "credentials.h"
#include "log.h"

/* memset that the compiler may not drop as a dead store */
static void
wipe(void *p, size_t n)
{
	volatile unsigned char *v = p;

	while (n--)
		*v++ = 0;
}

int
cred_read(const char *name, char *buf, size_t size, ierr *e)
{
	const char *dir = getenv(CRED_DIR_ENV);
	char path[4096], chunk[512];
	struct stat st;
	size_t len = 0, i;
	ssize_t n;
	int fd, eol = 0;

	if (size)
		buf[0] = '\0';
	if (!dir || !*dir)
		return 0;
	if (!*name || strchr(name, '/') || !strcmp(name, ".") || !strcmp(name, ".."))
		return ierr_set(e, "'%s' cannot be the name of a credential", name);
	if ((size_t)snprintf(path, sizeof path, "%s/%s", dir, name) >= sizeof path)
		return ierr_set(e, "$%s is too long", CRED_DIR_ENV);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK)) < 0) {
		if (errno == ENOENT)
			return 0;
		return ierr_sys(e, errno, "credential %s: %s", name, path);
	}
	if (fstat(fd, &st) < 0) {
		int err = errno;

		close(fd);
		return ierr_sys(e, err, "credential %s: %s", name, path);
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		return ierr_set(e, "credential %s: %s is not a regular file", name, path);
	}
	if (st.st_mode & 077)
		log_warn("credential %s: %s can be read by other users; chmod 600 it", name, path);
	/* the first line, read in chunks: nothing after it is kept */
	while (!eol && (n = read(fd, chunk, sizeof chunk)) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			wipe(chunk, sizeof chunk);
			wipe(buf, size);
			close(fd);
			return ierr_sys(e, errno, "credential %s: %s", name, path);
		}
		for (i = 0; i < (size_t)n; i++) {
			if (chunk[i] == '\n') {
				eol = 1;
				break;
			}
			if (len + 1 >= size) {
				wipe(chunk, sizeof chunk);
				wipe(buf, size);
				close(fd);
				return ierr_set(e, "credential %s: %s: the first line is longer than %zu bytes", name, path,
						size ? size - 1 : 0);
			}
			buf[len++] = chunk[i];
		}
	}
	wipe(chunk, sizeof chunk);
	close(fd);
	while (len > 0 && isspace((unsigned char)buf[len - 1]))
		len--;
	buf[len] = '\0';
	return len > 0;
}

int
cred_env(const char *name, const char *var, char **out, ierr *e)
{
	size_t vlen = strlen(var), size = vlen + 1 + 1024;
	char *s;
	int rc;

	*out = NULL;
	if (!(s = malloc(size)))
		return ierr_oom(e);
	memcpy(s, var, vlen);
	s[vlen] = '=';
	if ((rc = cred_read(name, s + vlen + 1, size - vlen - 1, e)) <= 0) {
		cred_free(s);
		return rc;
	}
	*out = s;
	return 1;
}

void
cred_free(char *s)
{
	if (s) {
		wipe(s, strlen(s));
		free(s);
	}
}
