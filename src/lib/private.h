/* private: files that can hold personal data are private, whatever the umask.
 *
 * Every program of the suite calls private_init() first. It sets the
 * process's umask so that the files and directories it creates (archives,
 * CSVs, rejects, summaries, temporary and spill files, and whatever a crash
 * leaves) have no permission bits for others: by default the caller's umask
 * with 077 added (files 0600, directories 0700).
 *
 * An admin who wants a group to read the outputs (say a reporting account)
 * sets INSTANTLY_ETL_UMASK to an octal umask that keeps the world out, for
 * example 027 (files 0640, directories 0750; give the directory the group and
 * the set-group-ID bit so that new files get the group). A value that would
 * give the world any access (its last digit not 7), or that would keep the
 * owner from reading or writing, is refused: a usage error.
 */
#ifndef IE_PRIVATE_H
#define IE_PRIVATE_H

#include <sys/types.h>

#include "ierr.h"

/* The environment variable of the documented way to open outputs to a group. */
#define PRIVATE_UMASK_ENV "INSTANTLY_ETL_UMASK"

/* Set the umask as above. Returns 0, or -1 (e set) when INSTANTLY_ETL_UMASK
 * is not an octal umask that denies the world every access. */
int private_init(ierr *e);

/* The umask in force since private_init() (the process's umask before it). */
mode_t private_umask(void);

#endif
