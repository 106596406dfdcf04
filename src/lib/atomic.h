/* atomic: output files that appear whole or not at all.
 *
 * Data is written to a temporary name in the target's directory
 * (".NAME.tmp.PID.XXXXXX": O_EXCL, random, private: see private.h), then
 * fsync'ed and renamed over the target on commit. On abort, and on every
 * signal that ends the process (after atomic_init: SIGINT, SIGTERM, SIGHUP,
 * SIGPIPE, SIGQUIT, SIGABRT, ..., SIGIO, SIGPWR, the real-time signals, and
 * the faults outside sanitizer builds),
 * the temporary files are unlinked (they are registered in tmpfiles.h, whose
 * handlers remove every temporary path of the process), so a failed run
 * leaves no half files.
 * Only SIGKILL (or a power cut) leaves one: the next atomic_open() of the
 * same target removes those whose PID no longer runs, with a warning.
 * A path that exists and is not a regular file (a FIFO, a terminal,
 * /dev/stdout, /dev/null) is written in place instead.
 *
 * Nothing is written through a name another user controls: a symbolic link,
 * or a FIFO or device, owned by a user who is neither us nor root (planted in
 * /tmp, say) is refused. A link of ours to a regular file is followed: the
 * file is replaced and the link kept.
 */
#ifndef IE_ATOMIC_H
#define IE_ATOMIC_H

#include "ierr.h"

typedef struct atomic_file atomic_file;

/* Install the signal handlers that unlink pending temporary files:
 * tmpfiles_init(). */
void atomic_init(void);

/* Create the temporary file for path. NULL on failure (e set). */
atomic_file *atomic_open(const char *path, ierr *e);

/* Its file descriptor, for writing. */
int atomic_fd(const atomic_file *f);

/* The final path. */
const char *atomic_path(const atomic_file *f);

/* fsync and close, so that a later atomic_commit() only renames. Returns 0
 * or -1 (e set); either way f stays for atomic_commit() or atomic_abort(). */
int atomic_sync(atomic_file *f, ierr *e);

/* fsync, close (unless atomic_sync() did) and rename into place; frees f. Returns 0 or -1 (e set; the
 * temporary file is then removed). */
int atomic_commit(atomic_file *f, ierr *e);

/* Close and unlink the temporary file; frees f. NULL is ok. */
void atomic_abort(atomic_file *f);

/* Create directory dir and its missing parents, like mkdir -p. Returns 0 or
 * -1 (e set, naming the directory that could not be made). */
int atomic_mkdirs(const char *dir, ierr *e);

/* Refuse path (-1, e set) when a symbolic link on the way to it (a
 * directory component, the last one, or further down a chain) is owned by
 * another user, as atomic_open() does; for files written in place by their
 * own rules (instantly-extract --resume's ".NAME.partial" and
 * ".NAME.resume", which are not temporary files: sweep() leaves them). */
int atomic_check_links(const char *path, ierr *e);

/* fsync a directory, so that the renames into it are durable. */
int atomic_sync_dir(const char *dir, ierr *e);

#endif
