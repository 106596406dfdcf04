/* val: read API values as the warehouse's column types.
 *
 * The rules are docs/normalisation.md's "exact readings": what counts as an
 * integer, a timestamp, a date, a UUID, and what "empty" means.
 */
#ifndef IE_VAL_H
#define IE_VAL_H

#include <stddef.h>
#include <stdint.h>

/* Trim ASCII whitespace (space, \t, \n, \r, \v, \f) at both ends. */
void val_trim(const char **s, size_t *n);

/* 1 when s[0..n) is empty after trimming. */
int val_blank(const char *s, size_t n);

/* An integer: a JSON number with an integral value (is_string 0), or a string
 * of an optional '-' and ASCII digits (is_string 1), within int32. Returns 0
 * and *out, or -1 with *why ("not an integer", "out of range for integer"). */
int val_int32(const char *s, size_t n, int is_string, int32_t *out, const char **why);

/* A JSON number's syntax (RFC 8259 §6), e.g. for a numeric string. */
int val_is_json_number(const char *s, size_t n);

/* Can PostgreSQL's numeric (and so jsonb) hold the JSON number s[0..n)?
 * Its limits: 131072 digits before the decimal point, 16383 after, an
 * exponent below 2^30 - 1. "1e131072" and "1.5e-16383" cannot be loaded. */
int val_pg_numeric_ok(const char *s, size_t n);

/* Canonical UUID text: 8-4-4-4-12 hex digits, either case. */
int val_is_uuid(const char *s, size_t n);

/* ISO-8601 calendar date YYYY-MM-DD (a real day, year 0001..9999). */
int val_is_date(const char *s, size_t n);

/* ISO-8601 date-time: a date, 'T', HH:MM[:SS[.fraction]], and an optional
 * zone Z, +HH, +HHMM or +HH:MM (or -). Without a zone the loader reads it
 * as UTC. */
int val_is_timestamp(const char *s, size_t n);

#endif
