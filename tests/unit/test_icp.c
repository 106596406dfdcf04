/* icp: key normalisation, synonym priority, payload order, value types,
 * the synonyms file. */
#include "config.h"

#include <string.h>

#include "icp.h"
#include "jrec.h"
#include "tap.h"

static struct icp_value res[ICP_NFIELDS];

static void
lookup(icp *t, jrec *j, const char *payload)
{
	ierr e;
	const jv *p = jrec_parse(j, payload, strlen(payload), &e);

	if (!p)
		printf("# bad test JSON %s: %s\n", payload, e.msg);
	icp_lookup(t, p, res);
}

static const char *
got(enum icp_field f)
{
	static char s[256];

	if (!res[f].s)
		return "(null)";
	snprintf(s, sizeof s, "%.*s", (int)res[f].n, res[f].s);
	return s;
}

int
main(void)
{
	icp *t = icp_new();
	jrec *j = jrec_new(16);
	char norm[64];
	size_t n;
	ierr e;

	ok(t != NULL, "the built-in synonyms load");
	n = icp_normalize("Job Title", 9, norm, sizeof norm);
	is_mem(norm, n, "jobtitle", "Job Title -> jobtitle");
	n = icp_normalize("JOB-TITLE", 9, norm, sizeof norm);
	is_mem(norm, n, "jobtitle", "JOB-TITLE -> jobtitle");
	n = icp_normalize("job_title", 9, norm, sizeof norm);
	is_mem(norm, n, "jobtitle", "job_title -> jobtitle");
	n = icp_normalize("B\xc3\xa9" "drijfsgrootte", 16, norm, sizeof norm);
	is_mem(norm, n, "bdrijfsgrootte", "non-ASCII letters dropped");

	lookup(t, j, "{\"jobTitle\":\"CTO\",\"Branche\":\"Bouw\",\"Aantal medewerkers\":\"51-200\",\"LinkedIn\":\"li\","
		     "\"Vacature URL\":\"v\",\"Company Website\":\"w\"}");
	is_str(got(ICP_JOB_TITLE), "CTO", "job_title from jobTitle");
	is_str(got(ICP_INDUSTRY), "Bouw", "industry from Dutch Branche");
	is_str(got(ICP_COMPANY_SIZE), "51-200", "company_size from Aantal medewerkers");
	is_str(got(ICP_LINKEDIN_URL), "li", "linkedin_url from LinkedIn");
	is_str(got(ICP_VACANCY_URL), "v", "vacancy_url from Vacature URL");
	is_str(got(ICP_WEBSITE), "w", "website from Company Website");

	/* priority: synonym order beats payload order */
	lookup(t, j, "{\"functie\":\"nl\",\"title\":\"en-2\",\"Job Title\":\"en-1\"}");
	is_str(got(ICP_JOB_TITLE), "en-1", "the first synonym wins whatever the payload order");
	/* several keys to one synonym: first in payload order with a value */
	lookup(t, j, "{\"job_title\":\"  \",\"JobTitle\":\"second\",\"JOB TITLE\":\"third\"}");
	is_str(got(ICP_JOB_TITLE), "second", "blank passed over, then first in payload order");
	/* containing a synonym is not matching */
	lookup(t, j, "{\"jobTitleOld\":\"x\",\"industry_code\":\"y\"}");
	is_str(got(ICP_JOB_TITLE), "(null)", "jobTitleOld does not match");
	is_str(got(ICP_INDUSTRY), "(null)", "industry_code does not match");
	/* value types */
	lookup(t, j, "{\"employees\":1e3,\"industry\":{\"a\":1},\"sector\":true,\"title\":null,\"position\":\" \\t dev \\n\"}");
	is_str(got(ICP_COMPANY_SIZE), "1e3", "a number as its exact text");
	is_str(got(ICP_INDUSTRY), "true", "object passed over, then a boolean");
	is_str(got(ICP_JOB_TITLE), "dev", "null passed over; string trimmed");
	lookup(t, j, "{\"industry\":[\"x\"]}");
	is_str(got(ICP_INDUSTRY), "(null)", "an array is no value");

	/* a user's file replaces the lists it names */
	{
		static const char conf[] = "# mine\njob_title: Rol, Job Title  # comment\n   Functie\nindustry:\n";
		ok(icp_load_text(t, conf, strlen(conf), "mine.conf", &e) == 0, "user file loads");
		lookup(t, j, "{\"title\":\"a\",\"functie\":\"b\",\"rol\":\"c\",\"industry\":\"d\",\"employees\":\"5\"}");
		is_str(got(ICP_JOB_TITLE), "c", "user list: rol first");
		is_str(got(ICP_INDUSTRY), "(null)", "an empty list turns a field off");
		is_str(got(ICP_COMPANY_SIZE), "5", "fields not named keep the defaults");
		lookup(t, j, "{\"title\":\"a\",\"functie\":\"b\"}");
		is_str(got(ICP_JOB_TITLE), "b", "continuation line adds to the list");
	}
	ok(icp_load_text(t, "jobtitle: x\n", 12, "f.conf", &e) < 0 && strstr(e.msg, "f.conf:1: unknown field"),
	   "unknown field: %s", e.msg);
	ok(icp_load_text(t, "\n\nindustry x\n", 12, "f.conf", &e) < 0 && strstr(e.msg, "f.conf:3:"),
	   "missing colon, with the line: %s", e.msg);
	ok(icp_load_text(t, "industry: a\nindustry: b\n", 24, "f.conf", &e) < 0 && strstr(e.msg, "twice"),
	   "field twice: %s", e.msg);
	ok(icp_load_text(t, "industry: a, ---\n", 17, "f.conf", &e) < 0 && strstr(e.msg, "no letter"),
	   "synonym without letters: %s", e.msg);
	ok(icp_load_file(t, "/nonexistent/icp.conf", &e) < 0 && strstr(e.msg, "cannot open"), "missing file: %s", e.msg);

	icp_free(t);
	jrec_free(j);
	return tap_done();
}
