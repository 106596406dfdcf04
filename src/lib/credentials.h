/* credentials: secrets handed over by systemd's LoadCredential=.
 *
 * A service started with LoadCredential=NAME:PATH finds the contents of PATH
 * in the file $CREDENTIALS_DIRECTORY/NAME (a read-only, non-swappable copy
 * only its own user can read): the secret never goes through the
 * environment, where /proc/PID/environ and every child would see it. The
 * programs look there first when $CREDENTIALS_DIRECTORY is set:
 * instantly-extract for CRED_API_KEY (the default key) and for a
 * workspace's key under the name the client map's api_key_env gives;
 * instantly-load for CRED_PG_PASSWORD, which it hands to psql alone, as
 * PGPASSWORD in psql's environment. A credential that is missing or empty
 * counts as none (the unit's SetCredential=NAME: default), and the usual
 * sources (the environment, --api-key-file) are read instead.
 */
#ifndef IE_CREDENTIALS_H
#define IE_CREDENTIALS_H

#include <stddef.h>

#include "ierr.h"

#define CRED_DIR_ENV "CREDENTIALS_DIRECTORY"
#define CRED_API_KEY "instantly-api-key"
#define CRED_PG_PASSWORD "pg-password"

/* The first line of the credential NAME into buf (size bytes with the NUL),
 * trailing white space and a CR removed. Returns 1 when read, 0 when there
 * is none ($CREDENTIALS_DIRECTORY unset or empty, no such file, or the file
 * holds nothing but white space: buf is then ""), -1 (e set, naming the
 * file) when NAME is not a plain file name, the file cannot be read, is not
 * a regular file, or its first line does not fit. A credential other users
 * can read is used, with a warning. Nothing of it is left in our buffers
 * but buf. */
int cred_read(const char *name, char *buf, size_t size, ierr *e);

/* "VAR=value" of the credential NAME, for a child's environment: *out is
 * malloc()ed (free it with cred_free()), or NULL when there is none.
 * Returns 1, 0 or -1 as cred_read(). */
int cred_env(const char *name, const char *var, char **out, ierr *e);

/* Overwrite s (a cred_env() string) and free it; NULL is nothing. */
void cred_free(char *s);

#endif
