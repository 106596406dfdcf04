/* jsonout: write JSON text into a buf (rejects, summaries, logs, archives).
 *
 * Strings are escaped per RFC 8259; bytes that are not valid UTF-8 are
 * written as U+FFFD, so the output is always valid JSON and valid UTF-8.
 */
#ifndef IE_JSONOUT_H
#define IE_JSONOUT_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"

/* Append s[0..n) as a quoted JSON string. Returns 0, or -1 when b is full. */
int jsonout_string(buf *b, const char *s, size_t n);
int jsonout_cstr(buf *b, const char *s);	/* NULL writes null */

/* Append `"key":` (with a leading comma unless *first, which it clears). */
int jsonout_key(buf *b, int *first, const char *key);

/* Append an unsigned number. */
int jsonout_u64(buf *b, uint64_t v);

/* Length of the longest prefix of s[0..n) that is valid UTF-8, stopping at
 * the first invalid sequence (utf8_valid_prefix(s, n) == n: all valid). */
size_t utf8_valid_prefix(const char *s, size_t n);

#endif
