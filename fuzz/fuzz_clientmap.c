/* fuzz_clientmap: the extract's client map reader (src/extract/clientmap.c)
 * on any bytes: the input is the CSV file as it is.
 *
 * Properties checked when the map is accepted: the campaigns are sorted,
 * unique, lower-case UUIDs, each found by ex_map_find() in either case; each
 * has at least one client, all distinct lower-case UUIDs; the pairs add up;
 * every campaign's workspace is one of the map's, named by a variable name
 * (or "" for the default key), and no two workspaces share a name.
 */
#include "config.h"

#include <ctype.h>

#include "extract.h"
#include "fuzz.h"
#include "log.h"
#include "val.h"

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	log_init("fuzz_clientmap");
	log_set_verbosity(-1);
	return 0;
}

static int
lower_uuid(const char *s)
{
	size_t i;

	if (strlen(s) != UUID_LEN || !val_is_uuid(s, UUID_LEN))
		return 0;
	for (i = 0; i < UUID_LEN; i++)
		if (isupper((unsigned char)s[i]))
			return 0;
	return 1;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char path[4200], up[UUID_LEN];
	struct ex_map m;
	size_t i, j, k, pairs = 0;
	ierr e;

	fuzz_path(path, sizeof path, "clients.csv");
	fuzz_write(path, data, size);
	memset(&e, 0, sizeof e);
	if (ex_map_read(&m, path, &e) < 0) {
		FUZZ_CHECK(e.msg[0], "refused without a message");
		FUZZ_CHECK(m.ncamps == 0 && !m.camps && !m.ws, "a refused map is not empty");
		return 0;
	}
	FUZZ_CHECK(m.nws <= m.ncamps, "%zu workspaces for %zu campaigns", m.nws, m.ncamps);
	for (i = 0; i < m.ncamps; i++) {
		const struct ex_campaign *c = &m.camps[i];
		FUZZ_CHECK(lower_uuid(c->id), "campaign %zu: not a lower-case UUID", i);
		FUZZ_CHECK(i == 0 || strcmp(m.camps[i - 1].id, c->id) < 0, "campaigns not sorted or repeated");
		FUZZ_CHECK(ex_map_find(&m, c->id, UUID_LEN) == c, "campaign %s not found", c->id);
		for (k = 0; k < UUID_LEN; k++)
			up[k] = (char)toupper((unsigned char)c->id[k]);
		FUZZ_CHECK(ex_map_find(&m, up, UUID_LEN) == c, "campaign %s not found in upper case", c->id);
		FUZZ_CHECK(c->nclients > 0, "campaign %s without clients", c->id);
		for (j = 0; j < c->nclients; j++) {
			FUZZ_CHECK(lower_uuid(c->clients[j]), "campaign %s: client %zu not a lower-case UUID", c->id, j);
			for (k = 0; k < j; k++)
				FUZZ_CHECK(strcmp(c->clients[k], c->clients[j]) != 0, "campaign %s: client %s twice",
					   c->id, c->clients[j]);
		}
		pairs += c->nclients;
		FUZZ_CHECK(c->ws >= m.ws && c->ws < m.ws + m.nws, "campaign %s: workspace outside the map", c->id);
	}
	FUZZ_CHECK(pairs == m.npairs, "%zu pairs counted, %zu said", pairs, m.npairs);
	for (i = 0; i < m.nws; i++) {
		const char *v = m.ws[i].key_env;
		FUZZ_CHECK(strlen(v) < sizeof m.ws[i].key_env, "key_env not terminated");
		for (k = 0; v[k]; k++)
			FUZZ_CHECK(v[k] == '_' || isalpha((unsigned char)v[k]) || (k > 0 && isdigit((unsigned char)v[k])),
				   "workspace %zu: '%s' is not a variable name", i, v);
		for (j = 0; j < i; j++)
			FUZZ_CHECK(strcmp(m.ws[j].key_env, v) != 0, "workspace '%s' twice", v);
	}
	/* a lookup of anything else finds nothing or a real campaign */
	{
		const struct ex_campaign *c = ex_map_find(&m, (const char *)data, size < 64 ? size : 64);
		FUZZ_CHECK(!c || (c >= m.camps && c < m.camps + m.ncamps), "ex_map_find outside the map");
	}
	ex_map_free(&m);
	return 0;
}
