/* fuzz_icp: the ICP synonyms reader (src/lib/icp.c) and the lookup it
 * feeds.
 *
 * Input: a synonyms file (what --icp-synonyms reads), then optionally a NUL
 * byte and a lead's payload as JSON. The file is loaded over the compiled-in
 * defaults; when it is accepted and a payload that jrec accepts follows, the
 * payload is looked up.
 *
 * Properties checked: a refusal has a message starting with the file name; a
 * lookup's value is a non-empty, trimmed part of the value of one of the
 * payload's members, whose key normalises to a non-empty name; the
 * normaliser never writes past its buffer and reports the full length.
 */
#include "config.h"

#include "fuzz.h"
#include "icp.h"
#include "jrec.h"
#include "log.h"
#include "val.h"

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	log_init("fuzz_icp");
	log_set_verbosity(-1);
	return 0;
}

static int
is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data, *nul = memchr(text, '\0', size);
	size_t tlen = nul ? (size_t)(nul - text) : size;
	char norm[8 + 1];
	size_t nl, k;
	icp *t;
	ierr e;
	int f;

	/* the normaliser with a small buffer: it must stop at outmax */
	memset(norm, 'X', sizeof norm);
	nl = icp_normalize(text, tlen, norm, 8);
	FUZZ_CHECK(norm[8] == 'X', "icp_normalize wrote past outmax");
	for (k = 0; k < (nl < 8 ? nl : 8); k++)
		FUZZ_CHECK((norm[k] >= 'a' && norm[k] <= 'z') || (norm[k] >= '0' && norm[k] <= '9'),
			   "normalised byte %d", norm[k]);

	if (!(t = icp_new()))
		FUZZ_DIE("out of memory");
	memset(&e, 0, sizeof e);
	if (icp_load_text(t, text, tlen, "syn.conf", &e) < 0) {
		FUZZ_CHECK(!strncmp(e.msg, "syn.conf:", 9), "refusal without the file name: %s", e.msg);
		icp_free(t);
		return 0;
	}
	if (nul) {
		jrec *j = jrec_new(64);
		const jv *root, *c;
		struct icp_value out[ICP_NFIELDS];

		if (!j)
			FUZZ_DIE("out of memory");
		root = jrec_parse(j, nul + 1, size - tlen - 1, &e);
		icp_lookup(t, root, out);
		for (f = 0; f < ICP_NFIELDS; f++) {
			int inside = 0;
			if (!out[f].s)
				continue;
			FUZZ_CHECK(out[f].n > 0, "%s: an empty value", icp_field_names[f]);
			FUZZ_CHECK(!is_space(out[f].s[0]) && !is_space(out[f].s[out[f].n - 1]), "%s: not trimmed",
				   icp_field_names[f]);
			for (c = root && root->type == JV_OBJECT ? root->child : NULL; c; c = c->next)
				if (c->s && out[f].s >= c->s && out[f].s + out[f].n <= c->s + c->n &&
				    icp_normalize(c->key, c->keylen, norm, 8) > 0)
					inside = 1;
			FUZZ_CHECK(inside, "%s: the value is not a member's", icp_field_names[f]);
		}
		jrec_free(j);
	}
	icp_free(t);
	return 0;
}
