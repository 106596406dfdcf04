#!/usr/bin/python3
"""Check instantly-etl archives (format v1) against schemas/archive-v1.

Used by tests/cli/archive-schemas.sh; needs the jsonschema module (Debian:
python3-jsonschema, 4.10 or later).

    validate_archive.py SCHEMADIR meta
        every *.schema.json is a valid draft 2020-12 schema with $id, title
        and description, and every $ref in it resolves
    validate_archive.py SCHEMADIR lines FILE [TYPE...]
        every line of FILE (of the TYPEs given, else all) is valid against
        the schema of its type; a failure names FILE:LINE
    validate_archive.py SCHEMADIR items DIR TYPE
        every DIR/TYPE__*.json (one API item per file) is valid as the
        `data` of a TYPE record
    validate_archive.py SCHEMADIR accept TYPE JSON
    validate_archive.py SCHEMADIR reject TYPE JSON [TEXT]
        the record JSON is valid / invalid against TYPE's schema; with TEXT,
        an error must be about it (TEXT is a key on the path to the
        offending value, or the missing required key), so that the record
        is rejected for the right reason
    validate_archive.py SCHEMADIR invariants ARCHIVE CLIENTS_CSV
        the archive's own consistency (leads_complete counts, run_summary
        last, the client-campaign pairs equal CLIENTS_CSV, ...)
    validate_archive.py SCHEMADIR coverage ARCHIVE
        the hand-made sample still holds the edge cases it exists for

Exit status 0 when the check holds, 1 when it does not (with the reasons on
stdout), 2 on a usage error.
"""

import csv
import glob
import json
import os
import sys

import re

import jsonschema
from jsonschema import Draft202012Validator, RefResolver
from jsonschema.exceptions import ValidationError, best_match

try:        # jsonschema 4.18 and later resolve $ref with `referencing`
    from referencing import Registry
    from referencing.jsonschema import DRAFT202012
except ImportError:     # Debian's 4.10: RefResolver
    Registry = None


def _ecma_pattern(validator, pattern, instance, schema):
    """`pattern` with ECMA-262's `$`: the end of the string. Python's `$` also
    matches before a final newline, so jsonschema would take "2026-...Z\n"
    for a timestamp; here a pattern's final `$` becomes `\Z`."""
    if not validator.is_type(instance, "string"):
        return
    py = pattern
    if py.endswith("$") and not py.endswith("\\$"):
        py = py[:-1] + "\\Z"
    if not re.search(py, instance):
        yield ValidationError("%r does not match %r" % (instance, pattern))


Validator = jsonschema.validators.extend(Draft202012Validator, {"pattern": _ecma_pattern})

TYPES = ("campaign", "lead", "analytics_daily", "analytics_overview",
         "leads_complete", "run_summary")


# ---------------------------------------------------------------- schemas

class Schemas:
    """The *.schema.json files. by_file holds them as written (for `meta`);
    the validation store holds copies without `$schema`, because jsonschema
    picks the validator class of a $ref'd schema from its `$schema` and
    would leave our Validator (ECMA `$`) for the stock draft 2020-12 one."""

    def __init__(self, schemadir):
        self.dir = schemadir
        self.by_file = {}
        self.store = {}
        self.plain = {}
        for path in sorted(glob.glob(os.path.join(schemadir, "*.schema.json"))):
            with open(path, encoding="utf-8") as f:
                s = json.load(f)
            name = os.path.basename(path)
            self.by_file[name] = s
            p = {k: v for k, v in s.items() if k != "$schema"}
            self.plain[name] = p
            if "$id" in s:
                self.store[s["$id"]] = p

    def schema(self, typ):
        return self.plain.get(typ + ".schema.json")

    def validator(self, schema, base):
        """A Validator for schema, whose $refs resolve against base's $id
        (schema is base itself, or {"$ref": absolute URI})."""
        if Registry is not None:    # jsonschema 4.18 and later
            registry = Registry().with_resources(
                (i, DRAFT202012.create_resource(s)) for i, s in self.store.items())
            return Validator(schema, registry=registry)
        resolver = RefResolver(base_uri=base["$id"], referrer=base, store=self.store)
        return Validator(schema, resolver=resolver)

    def record_validator(self, typ):
        s = self.schema(typ)
        return None if s is None else self.validator(s, s)

    def data_validator(self, typ):
        s = self.schema(typ)
        if s is None or "data" not in s.get("$defs", {}):
            return None
        return self.validator({"$ref": s["$id"] + "#/$defs/data"}, s)


def fmt_path(err):
    p = "".join("[%d]" % x if isinstance(x, int) else "." + str(x) for x in err.absolute_path)
    return p.lstrip(".") or "(record)"


def short(msg, limit=240):
    return msg if len(msg) <= limit else msg[:limit] + "..."


def describe(errors):
    """One line per error (repeats dropped, long instances cut); for
    anyOf/oneOf failures, the closest sub-error."""
    out = []
    for e in sorted(errors, key=lambda e: [str(x) for x in e.absolute_path]):
        msg = short(e.message)
        if e.context:
            sub = best_match(e.context)
            msg += " (closest: %s: %s)" % (fmt_path(sub), short(sub.message))
        line = "%s: %s" % (fmt_path(e), msg)
        if line not in out:
            out.append(line)
    return out


def strict_loads(text):
    """json.loads that refuses NaN/Infinity and duplicate keys, as a strict
    RFC 8259 reader would."""
    def no_const(name):
        raise ValueError("not JSON: %s" % name)

    def pairs(kv):
        d = {}
        for k, v in kv:
            if k in d:
                raise ValueError("duplicate key %r" % k)
            d[k] = v
        return d
    return json.loads(text, parse_constant=no_const, object_pairs_hook=pairs)


def read_lines(path):
    """[(lineno, text, error)] of an NDJSON file, split on LF only (a CR
    before it dropped), blank lines kept as ''; a line that is not UTF-8 has
    text None and the decoding error."""
    with open(path, "rb") as f:
        raw = f.read()
    parts = raw.split(b"\n")
    if parts and parts[-1] == b"":
        parts.pop()
    out = []
    for i, p in enumerate(parts):
        if p.endswith(b"\r"):
            p = p[:-1]
        try:
            out.append((i + 1, p.decode("utf-8"), None))
        except UnicodeDecodeError as e:
            out.append((i + 1, None, "invalid UTF-8 at byte %d" % e.start))
    return out


def parse_archive(path):
    """[(lineno, record)], or raise ValueError naming the line."""
    recs = []
    for n, line, err in read_lines(path):
        if err:
            raise ValueError("%s:%d: %s" % (path, n, err))
        if line.strip() == "":
            raise ValueError("%s:%d: blank line" % (path, n))
        try:
            r = strict_loads(line)
        except ValueError as e:
            raise ValueError("%s:%d: %s" % (path, n, e))
        if not isinstance(r, dict):
            raise ValueError("%s:%d: not a JSON object" % (path, n))
        recs.append((n, r))
    return recs


# ---------------------------------------------------------------- commands

def cmd_meta(S, args):
    bad = []
    names = sorted(S.by_file)
    want = ["envelope.schema.json"] + [t + ".schema.json" for t in TYPES]
    for w in want:
        if w not in S.by_file:
            bad.append("missing %s" % w)
    for name in names:
        s = S.by_file[name]
        try:
            Draft202012Validator.check_schema(s)
        except jsonschema.exceptions.SchemaError as e:
            bad.append("%s: not a valid schema: %s" % (name, e.message))
            continue
        for k in ("$schema", "$id", "title", "description"):
            if not s.get(k):
                bad.append("%s: no %s" % (name, k))
        if s.get("$id", "").rsplit("/", 1)[-1] != name:
            bad.append("%s: $id %r does not end in the file name" % (name, s.get("$id")))
        # every $ref resolves (no nested $id: the base is the file's)
        if Registry is not None:
            registry = Registry().with_resources(
                (i, DRAFT202012.create_resource(x)) for i, x in S.store.items())
            resolve = registry.resolver(base_uri=s.get("$id", "")).lookup
        else:
            resolve = RefResolver(base_uri=s.get("$id", ""), referrer=s, store=S.store).resolve

        def walk(node):
            if isinstance(node, dict):
                ref = node.get("$ref")
                if isinstance(ref, str):
                    try:
                        resolve(ref)
                    except Exception as e:  # RefResolutionError, Unresolvable
                        bad.append("%s: $ref %r does not resolve: %s" % (name, ref, short(str(e), 120)))
                for v in node.values():
                    walk(v)
            elif isinstance(node, list):
                for v in node:
                    walk(v)
        walk(s)
    for name in names:
        print("checked %s" % name)
    return bad


def cmd_lines(S, args):
    if len(args) < 1:
        raise SystemExit(2)
    path, only = args[0], set(args[1:])
    for t in only:
        if S.schema(t) is None:
            return ["no schema for type %r" % t]
    validators = {}
    bad = []
    seen = 0
    for n, line, err in read_lines(path):
        where = "%s:%d" % (path, n)
        if err:
            bad.append("%s: %s" % (where, err))
            continue
        if line.strip() == "":
            if not only:
                bad.append("%s: blank line" % where)
            continue
        try:
            rec = strict_loads(line)
        except ValueError as e:
            bad.append("%s: not JSON: %s" % (where, e))
            continue
        typ = rec.get("type") if isinstance(rec, dict) else None
        if only and typ not in only:
            continue
        seen += 1
        if typ not in validators:
            validators[typ] = S.record_validator(typ) if isinstance(typ, str) else None
        v = validators[typ]
        if v is None:
            bad.append("%s: no schema for type %r" % (where, typ))
            continue
        errs = list(v.iter_errors(rec))
        for msg in describe(errs):
            bad.append("%s: %s: %s" % (where, typ, msg))
    if seen == 0:
        bad.append("%s: no lines%s" % (path, " of type " + ", ".join(sorted(only)) if only else ""))
    print("%d lines checked" % seen)
    return bad


def cmd_items(S, args):
    if len(args) != 2:
        raise SystemExit(2)
    d, typ = args
    v = S.data_validator(typ)
    if v is None:
        return ["no data schema for type %r" % typ]
    files = sorted(glob.glob(os.path.join(d, typ + "__*.json")))
    if not files:
        return ["no %s__*.json in %s" % (typ, d)]
    bad = []
    for path in files:
        try:
            with open(path, encoding="utf-8") as f:
                item = strict_loads(f.read())
        except ValueError as e:
            bad.append("%s: not JSON: %s" % (path, e))
            continue
        for msg in describe(list(v.iter_errors(item))):
            bad.append("%s: data.%s" % (os.path.basename(path), msg))
    print("%d %s items checked" % (len(files), typ))
    return bad


def cmd_accept_reject(S, args, want_valid):
    if len(args) not in (2, 3) or (want_valid and len(args) != 2):
        raise SystemExit(2)
    typ, text = args[0], args[1]
    v = S.record_validator(typ)
    if v is None:
        return ["no schema for type %r" % typ]
    rec = strict_loads(text)
    errs = list(v.iter_errors(rec))
    msgs = describe(errs)
    for m in msgs:
        print("error: " + m)
    if want_valid:
        return ["record rejected: " + m for m in msgs]
    if not errs:
        return ["record accepted, expected a reject: " + text[:300]]
    if len(args) == 3:
        needle = args[2]

        def mentions(e):
            # the offending value's key, or a missing required key
            if needle in [str(x) for x in e.absolute_path]:
                return True
            if e.validator == "required" and "'%s'" % needle in e.message:
                return True
            return any(mentions(c) for c in e.context)
        if not any(mentions(e) for e in errs):
            return ["rejected, but no error mentions %r" % needle]
    return []


def pair(rec):
    return (rec.get("client_id"), rec.get("campaign_id"))


def dat(rec):
    """A record's data, {} when it is missing or not an object (the schema
    checks report that; these checks just carry on)."""
    d = rec.get("data")
    return d if isinstance(d, dict) else {}


def cmd_invariants(S, args):
    if len(args) != 2:
        raise SystemExit(2)
    path, csvpath = args
    try:
        recs = parse_archive(path)
    except ValueError as e:
        return [str(e)]
    bad = []
    with open(path, "rb") as f:
        raw = f.read()
    if not raw.endswith(b"\n"):
        bad.append("%s: last line has no newline" % path)
    if b"\r" in raw:
        bad.append("%s: CR in the file (the extract writes LF)" % path)

    # run_summary: exactly one, the last line
    rs = [(n, r) for n, r in recs if r.get("type") == "run_summary"]
    if not recs or recs[-1][1].get("type") != "run_summary":
        bad.append("%s: the last line is not a run_summary" % path)
    if len(rs) != 1:
        bad.append("%s: %d run_summary lines, want 1 (lines %s)" % (path, len(rs), [n for n, _ in rs]))

    by = {}     # pair -> type -> [(n, rec)]
    for n, r in recs:
        if r.get("type") == "run_summary":
            continue
        by.setdefault(pair(r), {}).setdefault(r.get("type"), []).append((n, r))

    for p, types in sorted(by.items()):
        tag = "client %s campaign %s" % p
        camps = types.get("campaign", [])
        if len(camps) != 1:
            bad.append("%s: %d campaign records, want 1" % (tag, len(camps)))
        for n, r in camps:
            if dat(r).get("id") != p[1]:
                bad.append("line %d: campaign data.id %r is not the envelope's campaign_id" % (n, dat(r).get("id")))
        ovs = types.get("analytics_overview", [])
        if len(ovs) != 1:
            bad.append("%s: %d analytics_overview records, want 1" % (tag, len(ovs)))
        for n, r in ovs + types.get("analytics_daily", []):
            sd, ed = r.get("start_date"), r.get("end_date")
            if sd is not None and ed is not None and sd > ed:
                bad.append("line %d: start_date %s after end_date %s" % (n, sd, ed))
        days = {}
        for n, r in types.get("analytics_daily", []):
            d = dat(r).get("date")
            if d in days:
                bad.append("line %d: %s: daily date %s repeats line %d" % (n, tag, d, days[d]))
            days[d] = n
            sd, ed = r.get("start_date"), r.get("end_date")
            if sd and ed and d and not (sd <= d <= ed):
                bad.append("line %d: daily date %s outside the window %s..%s" % (n, d, sd, ed))
        leads = types.get("lead", [])
        ids = {}
        for n, r in leads:
            i = dat(r).get("id")
            if i in ids:
                bad.append("line %d: %s: lead id %s repeats line %d" % (n, tag, i, ids[i]))
            ids[i] = n
            c = dat(r).get("campaign")
            if c is not None and c != p[1]:
                bad.append("line %d: lead data.campaign %s is not the envelope's campaign_id" % (n, c))
        lcs = types.get("leads_complete", [])
        if len(lcs) > 1:
            bad.append("%s: %d leads_complete records, want at most 1" % (tag, len(lcs)))
        for n, r in lcs:
            got = dat(r).get("leads")
            if got != len(leads):
                bad.append("line %d: %s: leads_complete says %r leads, the archive has %d lead records"
                           % (n, tag, got, len(leads)))
            later = [ln for ln, _ in leads if ln > n]
            if later:
                bad.append("line %d: %s: leads_complete before lead lines %s" % (n, tag, later))

    # clients.csv: the portal's client<->campaign junction, as psql \copy writes it
    with open(csvpath, encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    if not rows or rows[0] != ["client_id", "campaign_id"]:
        bad.append("%s: header is %r, want client_id,campaign_id" % (csvpath, rows[0] if rows else None))
    mapped = [tuple(r) for r in rows[1:]]
    if len(set(mapped)) != len(mapped):
        bad.append("%s: repeated rows" % csvpath)
    for r in mapped:
        if len(r) != 2:
            bad.append("%s: row %r has %d fields" % (csvpath, r, len(r)))
    in_sample = set(by)
    for p in sorted(set(mapped) - in_sample):
        bad.append("%s maps client %s to campaign %s; the archive has no record of it" % (csvpath, p[0], p[1]))
    for p in sorted(in_sample - set(mapped)):
        bad.append("the archive has records of client %s campaign %s; %s does not map them" % (p[0], p[1], csvpath))

    # run_summary's counts agree with the archive
    if len(rs) == 1:
        data = dat(rs[0][1])
        items = data.get("items")
        if isinstance(items, dict):
            actual = {}
            for n, r in recs:
                if r.get("type") != "run_summary":
                    actual[r.get("type")] = actual.get(r.get("type"), 0) + 1
            if items != actual:
                bad.append("run_summary items %s, the archive has %s" % (items, actual))
        camps = data.get("campaigns")
        if isinstance(camps, list):
            listed = set((c.get("client_id"), c.get("campaign_id")) for c in camps)
            if listed != set(mapped):
                bad.append("run_summary campaigns %s differ from %s" % (sorted(listed), csvpath))
            for c in camps:
                p = (c.get("client_id"), c.get("campaign_id"))
                if "leads" in c and c["leads"] != len(by.get(p, {}).get("lead", [])):
                    bad.append("run_summary says %r leads for %s, the archive has %d"
                               % (c["leads"], p, len(by.get(p, {}).get("lead", []))))
                if "leads_complete" in c and c["leads_complete"] != bool(by.get(p, {}).get("leads_complete")):
                    bad.append("run_summary leads_complete=%r for %s disagrees with the archive" % (c["leads_complete"], p))
    print("%d records, %d client/campaign pairs" % (len(recs), len(by)))
    return bad


def cmd_coverage(S, args):
    """The edge cases the hand-made sample exists to carry."""
    if len(args) != 1:
        raise SystemExit(2)
    try:
        recs = [r for _, r in parse_archive(args[0])]
    except ValueError as e:
        return [str(e)]
    leads = [r for r in recs if r.get("type") == "lead"]
    data = [dat(r) for r in leads]
    payload_keys = set()
    payload_vals = []
    for d in data:
        for k, v in (d.get("payload") or {}).items():
            payload_keys.add(k)
            payload_vals.append((k, v))

    def blank(s):
        return isinstance(s, str) and s.strip(" \t\n\r\v\f") == ""

    pairs_with = {}
    for r in recs:
        if r.get("type") not in ("run_summary",):
            pairs_with.setdefault(pair(r), set()).add(r.get("type"))
    clients_of = {}
    for c, k in pairs_with:
        clients_of.setdefault(k, set()).add(c)
    emails = {}
    for r in leads:
        emails.setdefault(dat(r).get("email"), set()).add((r.get("campaign_id"), dat(r).get("id")))
    lt = set(d.get("lt_interest_status") for d in data if "lt_interest_status" in d)
    checks = [
        ("a lead without lt_interest_status, verification_status and list_id",
         any(not ({"lt_interest_status", "verification_status", "list_id"} & set(d)) for d in data)),
        ('a lead with "status_summary": {}', any(d.get("status_summary") == {} for d in data)),
        ("a lead with status_summary.lastStep {from, stepID, timestamp_executed}",
         any(isinstance(d.get("status_summary"), dict) and isinstance(d["status_summary"].get("lastStep"), dict)
             and {"from", "stepID", "timestamp_executed"} <= set(d["status_summary"]["lastStep"]) for d in data)),
        ("a lead with last_contacted_from", any(d.get("last_contacted_from") for d in data)),
        ("camelCase payload keys", {"jobTitle", "companyName", "companyHeadCount", "linkedIn", "companyWebsite"} <= payload_keys),
        ("Dutch payload keys", {"Functie", "Branche", "Bedrijfsgrootte", "Aantal medewerkers", "Vacature URL", "LinkedIn profiel"} <= payload_keys),
        ("payload keys with spaces and hyphens", {"Job Title", "JOB-TITLE"} <= payload_keys),
        ("payload keys that merely contain a synonym", {"jobTitleOld", "industry_code"} <= payload_keys),
        ("a long multi-line payload text with non-ASCII and an emoji",
         any(isinstance(v, str) and v.count("\n\n") >= 3 and any(ord(ch) > 0xFFFF for ch in v)
             and any(0x80 <= ord(ch) <= 0x24F for ch in v) for _, v in payload_vals)),
        ("numeric-string payload values",
         {("connectionCount", "5716"), ("companyHeadCount", "51-200"), ("employees", "120")}
         <= set((k, v) for k, v in payload_vals if isinstance(v, str))),
        ("a payload number", any(isinstance(v, (int, float)) and not isinstance(v, bool) for _, v in payload_vals)),
        ("a payload boolean", any(isinstance(v, bool) for _, v in payload_vals)),
        ("one e-mail as different leads in several campaigns",
         any(len(s) >= 2 and len(set(c for c, _ in s)) >= 2 and len(set(i for _, i in s)) >= 2 for s in emails.values())),
        ('a name that is ""', any(d.get("first_name") == "" or d.get("last_name") == "" for d in data)),
        ("lt_interest_status 1, 0, -1, -3 and a custom label code",
         {1, 0, -1, -3} <= lt and any(isinstance(x, int) and not -4 <= x <= 4 for x in lt)),
        ("status -1, 3 and 1", {-1, 3, 1} <= set(d.get("status") for d in data)),
        ("email_reply_count > 0", any(str(d.get("email_reply_count", 0)).isdigit() and int(d["email_reply_count"]) > 0 for d in data)),
        ("email_open_count as a numeric string", any(isinstance(d.get("email_open_count"), str) for d in data)),
        ("top-level job_title and website", any(not blank(d.get("job_title", "")) and not blank(d.get("website", "")) for d in data)),
        ("a blank (whitespace) top-level job_title",
         any(isinstance(d.get("job_title"), str) and d["job_title"] != "" and blank(d["job_title"]) for d in data)),
        ("exactly one client/campaign without leads_complete",
         sum(1 for t in pairs_with.values() if "lead" in t and "leads_complete" not in t) == 1),
        ("a campaign mapped to two clients", any(len(c) >= 2 for c in clients_of.values())),
        ("analytics_daily records carry start_date and end_date",
         all("start_date" in r and "end_date" in r for r in recs if r.get("type") == "analytics_daily")),
    ]
    bad = []
    for desc, held in checks:
        print("%s %s" % ("ok  " if held else "MISS", desc))
        if not held:
            bad.append("the sample lacks: " + desc)
    return bad


def main(argv):
    if len(argv) < 3:
        sys.stderr.write(__doc__)
        return 2
    S = Schemas(argv[1])
    cmd, args = argv[2], argv[3:]
    table = {
        "meta": cmd_meta,
        "lines": cmd_lines,
        "items": cmd_items,
        "accept": lambda S, a: cmd_accept_reject(S, a, True),
        "reject": lambda S, a: cmd_accept_reject(S, a, False),
        "invariants": cmd_invariants,
        "coverage": cmd_coverage,
    }
    if cmd not in table:
        sys.stderr.write("validate_archive.py: unknown command %r\n" % cmd)
        return 2
    if not S.by_file:
        print("no *.schema.json in %s" % argv[1])
        return 1
    bad = table[cmd](S, args)
    for b in bad:
        print("FAIL " + b)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
