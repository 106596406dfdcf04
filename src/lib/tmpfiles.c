/* tmpfiles: the one registry of temporary paths, and the one set of handlers
 * that remove them on fatal signals (see tmpfiles.h). */
#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "tmpfiles.h"

/* A slot is free (0), reserved (-1: being filled, not removed), or armed
 * (TMPFILES_FILE, TMPFILES_DIR). Fixed storage: the handler allocates
 * nothing. */
static char names[TMPFILES_MAX][PATH_MAX];
static volatile sig_atomic_t state[TMPFILES_MAX];
static volatile pid_t child;
static volatile pid_t owner;	/* the process that registered the paths */

static void
on_signal(int sig)
{
	int i;

	/* a child forked and not yet exec'd has its parent's registry: the
	 * paths are not its to remove */
	if (owner == getpid()) {
		if (child > 0)
			kill(child, SIGTERM);	/* its transaction rolls back */
		for (i = 0; i < TMPFILES_MAX; i++)
			if (state[i] == TMPFILES_FILE)
				unlink(names[i]);
		for (i = 0; i < TMPFILES_MAX; i++)
			if (state[i] == TMPFILES_DIR)
				rmdir(names[i]);
	}
	signal(sig, SIG_DFL);
	raise(sig);
}

/* Every signal whose default action ends the process. The faults too,
 * except in a sanitizer build, whose own handler must report them. */
static const int fatal_sigs[] = {
	SIGINT, SIGTERM, SIGHUP, SIGPIPE, SIGQUIT, SIGABRT, SIGALRM, SIGUSR1, SIGUSR2,
	SIGXCPU, SIGXFSZ, SIGVTALRM, SIGPROF, SIGTRAP, SIGSYS,
#ifdef SIGIO
	SIGIO,
#endif
#ifdef SIGPWR
	SIGPWR,
#endif
#ifdef SIGSTKFLT
	SIGSTKFLT,
#endif
#if !defined(__SANITIZE_ADDRESS__) && !defined(IE_SANITIZERS)
	SIGSEGV, SIGBUS, SIGFPE, SIGILL,
#endif
};

void
tmpfiles_init(void)
{
	struct sigaction sa;
	size_t i;

	owner = getpid();
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < sizeof fatal_sigs / sizeof fatal_sigs[0]; i++)
		sigaddset(&sa.sa_mask, fatal_sigs[i]);
	for (i = 0; i < sizeof fatal_sigs / sizeof fatal_sigs[0]; i++)
		sigaction(fatal_sigs[i], &sa, NULL);
#if defined(SIGRTMIN) && defined(SIGRTMAX)
	/* the real-time signals end a process too */
	{
		int s;
		for (s = SIGRTMIN; s <= SIGRTMAX; s++)
			sigaction(s, &sa, NULL);
	}
#endif
}

int
tmpfiles_reserve(ierr *e)
{
	int slot;

	for (slot = 0; slot < TMPFILES_MAX && state[slot] != 0; slot++)
		;
	if (slot == TMPFILES_MAX)
		return ierr_set(e, "too many temporary files at once (%d)", TMPFILES_MAX);
	names[slot][0] = '\0';
	state[slot] = -1;
	return slot;
}

char *
tmpfiles_name(int slot)
{
	return names[slot];
}

void
tmpfiles_arm(int slot, int kind)
{
	state[slot] = kind;
}

int
tmpfiles_add(const char *path, int kind, ierr *e)
{
	int slot = tmpfiles_reserve(e);

	if (slot < 0)
		return -1;
	if ((size_t)snprintf(names[slot], sizeof names[slot], "%s", path) >= sizeof names[slot]) {
		state[slot] = 0;
		return ierr_set(e, "a temporary file name too long (%zu bytes): %.64s...", strlen(path), path);
	}
	tmpfiles_arm(slot, kind);
	return slot;
}

void
tmpfiles_release(int slot, int remove_it)
{
	sigset_t all, old;

	if (slot < 0 || slot >= TMPFILES_MAX)
		return;
	sigfillset(&all);
	sigprocmask(SIG_BLOCK, &all, &old);
	if (remove_it && state[slot] == TMPFILES_FILE)
		unlink(names[slot]);
	else if (remove_it && state[slot] == TMPFILES_DIR)
		rmdir(names[slot]);
	state[slot] = 0;
	sigprocmask(SIG_SETMASK, &old, NULL);
}

int
tmpfiles_has_base(const char *name)
{
	int i;

	for (i = 0; i < TMPFILES_MAX; i++) {
		const char *b;

		if (state[i] != TMPFILES_FILE)
			continue;
		b = strrchr(names[i], '/');
		if (!strcmp(b ? b + 1 : names[i], name))
			return 1;
	}
	return 0;
}

void
tmpfiles_child(pid_t pid)
{
	child = pid;
}
