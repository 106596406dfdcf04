/* tmpfiles: the one registry of the temporary paths a process must remove
 * when a signal ends it.
 *
 * Every stage registers here what it creates under a temporary name:
 * atomic.c its ".NAME.tmp.PID.XXXXXX" outputs, the loader its
 * instantly-load.XXXXXX directory and the files it may make in it. After
 * tmpfiles_init(), one handler on every signal whose default action ends
 * the process (SIGINT, SIGTERM, SIGHUP, SIGPIPE, SIGQUIT, SIGABRT, SIGALRM,
 * SIGUSR1, SIGUSR2, SIGXCPU, SIGXFSZ, SIGVTALRM, SIGPROF, SIGTRAP, SIGSYS,
 * SIGIO, SIGPWR, SIGSTKFLT, the real-time signals, and the faults SIGSEGV,
 * SIGBUS, SIGFPE, SIGILL outside sanitizer builds, whose own handler must
 * report them) stops the registered child (tmpfiles_child()), unlinks every
 * registered file, then removes every registered directory (files first, so
 * that the directories are empty), and dies of the signal. A signal a
 * program ignores (the loader's SIGPIPE once psql runs) is not caught.
 *
 * The handler only calls kill, unlink, rmdir, signal and raise: the paths
 * live in fixed storage, filled before the path exists or while signals are
 * blocked, so that there is no moment where a path exists that the handler
 * does not know. A forked child that has not exec'd yet removes nothing
 * (the paths are its parent's).
 *
 * Only SIGKILL (or a power cut) leaves paths behind: each owner reaps what
 * killed runs left (atomic.c's sweep, the loader's ld_reap_stale()).
 */
#ifndef IE_TMPFILES_H
#define IE_TMPFILES_H

#include <limits.h>
#include <sys/types.h>

#include "ierr.h"

/* How many paths may be registered at once. */
#define TMPFILES_MAX 64

/* What a slot names: a file (unlinked) or a directory (rmdir'ed, after the
 * files). */
enum { TMPFILES_FILE = 1, TMPFILES_DIR = 2 };

/* Install the handlers (again is harmless). */
void tmpfiles_init(void);

/* Take a free slot, to be filled through tmpfiles_name() and armed with
 * tmpfiles_arm() once the path exists (a mkstemp template can be made in
 * place). The slot number, or -1 with e set when all are taken. */
int tmpfiles_reserve(ierr *e);

/* The slot's path buffer, PATH_MAX bytes, NUL-ended. */
char *tmpfiles_name(int slot);

/* From now on the handler removes the slot's path (kind: TMPFILES_FILE or
 * TMPFILES_DIR). Call it with signals blocked between the path's creation
 * and this call, or before the path exists. */
void tmpfiles_arm(int slot, int kind);

/* tmpfiles_reserve, a copy of path, tmpfiles_arm: the slot, or -1 (e set:
 * no free slot, or path too long). */
int tmpfiles_add(const char *path, int kind, ierr *e);

/* Free the slot (-1: nothing); with remove_it, unlink or rmdir its path
 * first, signals blocked, so that no signal comes between the two. */
void tmpfiles_release(int slot, int remove_it);

/* Is name (a file name without directory) the last component of one of
 * the registered files? */
int tmpfiles_has_base(const char *name);

/* A child working on the registered paths (the loader's psql): sent
 * SIGTERM first by the handler. 0: none. */
void tmpfiles_child(pid_t pid);

#endif
