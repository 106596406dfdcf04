#!/usr/bin/env python3
"""The "portal's old way": the instantly-transform contract in plain Python.

usage: transform_baseline.py -o DIR [--icp-synonyms FILE] FILE...

A straightforward standard-library implementation (gzip + json + csv) of the
transform in docs/normalisation.md and schemas/TABLES.md, used by
bench/transform.sh as the baseline that instantly-transform is compared
with. It reads each archive (gzip or plain NDJSON) line by line, parses the
line with json.loads, normalises the record and writes the five tables as
PostgreSQL CSV (DIR/synced_leads.csv, campaigns.csv, campaign_analytics.csv,
campaign_analytics_overview.csv, leads_complete.csv) with csv.writer, plus
DIR/rejects.ndjson and DIR/summary.json.

It is meant to be a fair, reasonably written implementation, not a
reference: it need not match the C program byte for byte. Known
simplifications: jsonb columns (payload, item) are re-serialised with
json.dumps instead of copied byte for byte, and a JSON number used as an ICP
value or in a text column is written as Python prints it (1e3 -> 1000.0).
"""

import argparse
import csv
import decimal
import gzip
import json
import os
import re
import sys

# ---------------------------------------------------------------------------
# Tables (schemas/TABLES.md)

TABLES = {
    "synced_leads": [
        "client_id", "campaign_id", "instantly_lead_id", "email", "first_name", "last_name",
        "company_name", "phone", "company_domain", "personalization", "website", "job_title",
        "industry", "company_size", "linkedin_url", "vacancy_url", "verification_status",
        "lead_status", "interest_status", "lt_interest_status", "instantly_status",
        "sender_account", "email_open_count", "email_reply_count", "email_click_count",
        "timestamp_created", "timestamp_updated", "timestamp_last_contact",
        "timestamp_last_open", "timestamp_last_reply", "timestamp_last_click",
        "timestamp_last_touch", "timestamp_last_interest_change", "payload", "extracted_at"],
    "campaigns": [
        "client_id", "campaign_id", "name", "status", "timestamp_created", "timestamp_updated",
        "item", "extracted_at"],
    "campaign_analytics": [
        "client_id", "campaign_id", "date", "emails_sent", "leads_contacted",
        "new_leads_contacted", "opened", "unique_opened", "replies", "unique_replies",
        "replies_automatic", "unique_replies_automatic", "clicked", "unique_clicks",
        "opportunities", "unique_opportunities", "bounced", "extracted_at"],
    "campaign_analytics_overview": [
        "client_id", "campaign_id", "start_date", "end_date", "open_count",
        "open_count_unique", "open_count_unique_by_step", "link_click_count",
        "link_click_count_unique", "link_click_count_unique_by_step", "reply_count",
        "reply_count_unique", "reply_count_unique_by_step", "reply_count_automatic",
        "reply_count_automatic_unique", "reply_count_automatic_unique_by_step",
        "bounced_count", "unsubscribed_count", "completed_count", "emails_sent_count",
        "contacted_count", "new_leads_contacted_count", "total_opportunities",
        "total_opportunity_value", "total_interested", "total_meeting_booked",
        "total_meeting_completed", "total_closed", "extracted_at"],
    "leads_complete": ["client_id", "campaign_id", "leads", "pages", "extracted_at"],
}
TYPE_TABLE = {"lead": "synced_leads", "campaign": "campaigns",
              "analytics_daily": "campaign_analytics",
              "analytics_overview": "campaign_analytics_overview",
              "leads_complete": "leads_complete"}

DAILY_MAP = [("emails_sent", "sent"), ("leads_contacted", "contacted"),
             ("new_leads_contacted", "new_leads_contacted"), ("opened", "opened"),
             ("unique_opened", "unique_opened"), ("replies", "replies"),
             ("unique_replies", "unique_replies"), ("replies_automatic", "replies_automatic"),
             ("unique_replies_automatic", "unique_replies_automatic"), ("clicked", "clicks"),
             ("unique_clicks", "unique_clicks"), ("opportunities", "opportunities"),
             ("unique_opportunities", "unique_opportunities")]
OVERVIEW_INTS = TABLES["campaign_analytics_overview"][4:-1]

DEFAULT_SYNONYMS = {
    "job_title": ["jobtitle", "title", "position", "functie", "functietitel"],
    "industry": ["industry", "branche", "sector", "industrie"],
    "company_size": ["companysize", "bedrijfsgrootte", "companyheadcount", "headcount",
                     "employees", "employeecount", "numberofemployees", "aantalmedewerkers",
                     "medewerkers", "aantalwerknemers"],
    "linkedin_url": ["linkedinurl", "linkedin", "linkedinprofile"],
    "vacancy_url": ["vacancyurl", "vacatureurl", "vacancy", "vacature"],
    "website": ["website", "companywebsite", "websiteurl", "companyurl", "url"],
}
ICP_FIELDS = ["website", "job_title", "industry", "company_size", "linkedin_url", "vacancy_url"]

# ---------------------------------------------------------------------------
# Values


class Reject(Exception):
    def __init__(self, field, reason):
        Exception.__init__(self, reason)
        self.field = field
        self.reason = reason


class _Null:
    """SQL NULL for csv.writer in QUOTE_NONNUMERIC mode: 'numeric' (so left
    unquoted) and empty. None itself would be written as "" (empty string)."""
    __slots__ = ()

    def __float__(self):
        return 0.0

    def __str__(self):
        return ""


NULL = _Null()
WS = " \t\n\r\v\f"
INT_RE = re.compile(r"-?[0-9]+\Z")
TS_RE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}"
                   r"(?:[T ][0-9]{2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]+)?)?"
                   r"(?:Z|z|[+-][0-9]{2}(?::?[0-9]{2})?)?)?\Z")
DATE_RE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}\Z")
NUMERIC_RE = re.compile(r"-?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?\Z")
NONALNUM_RE = re.compile(r"[^A-Za-z0-9]+")
I32_MIN, I32_MAX = -2147483648, 2147483647


def to_int(v, field):
    """Integer column: JSON integer, integral number, or numeric string."""
    if v is None:
        return NULL
    t = type(v)
    if t is int:
        n = v
    elif t is str:
        if not INT_RE.match(v):
            raise Reject(field, "not an integer")
        n = int(v)
    elif t is float:
        if not v.is_integer():
            raise Reject(field, "not an integer")
        n = int(v)
    else:                                   # bool, object, array
        raise Reject(field, "not an integer")
    if n < I32_MIN or n > I32_MAX:
        raise Reject(field, "integer out of range")
    return n


def get_int(v, field):
    """Integer value for a rule, or None when absent."""
    n = to_int(v, field)
    return None if n is NULL else n


def to_text(v, field):
    if v is None:
        return NULL
    t = type(v)
    if t is str:
        return v
    if t is bool:
        return "true" if v else "false"
    if t is int or t is float:
        return json.dumps(v)
    raise Reject(field, "object or array in a text column")


def to_ts(v, field, date_only=False):
    if v is None:
        return NULL
    if type(v) is not str:
        raise Reject(field, "not a timestamp")
    if not v.strip(WS):
        return NULL
    if not (DATE_RE if date_only else TS_RE).match(v):
        raise Reject(field, "not an ISO-8601 date" if date_only else "not an ISO-8601 timestamp")
    return v


def to_numeric(v, field):
    if v is None:
        return NULL
    t = type(v)
    if t is bool or t not in (int, float, str):
        raise Reject(field, "not a number")
    if t is str:
        if not NUMERIC_RE.match(v):
            raise Reject(field, "not a number")
        return decimal.Decimal(v)
    return decimal.Decimal(repr(v))


def to_json(v):
    if v is None:
        return NULL
    return json.dumps(v, ensure_ascii=False, separators=(",", ":"))


def nonempty(v):
    """The trimmed text of a string, or None when absent/blank/not a string."""
    if type(v) is str:
        s = v.strip(WS)
        if s:
            return s
    return None


def fix_nul(o, counter):
    """Replace U+0000 by U+FFFD in every string and key, counting them."""
    if type(o) is str:
        n = o.count("\x00")
        if n:
            counter[0] += n
            return o.replace("\x00", "\ufffd")
        return o
    if type(o) is dict:
        return {fix_nul(k, counter): fix_nul(v, counter) for k, v in o.items()}
    if type(o) is list:
        return [fix_nul(v, counter) for v in o]
    return o


# ---------------------------------------------------------------------------
# ICP lookup


class Icp:
    def __init__(self, synonyms):
        self.synonyms = synonyms
        self.wanted = {s for syns in synonyms.values() for s in syns}
        self.norm_cache = {}

    def norm(self, key):
        n = self.norm_cache.get(key)
        if n is None:
            n = NONALNUM_RE.sub("", key).lower()
            if len(self.norm_cache) < 100000:
                self.norm_cache[key] = n
        return n

    def index(self, payload):
        """normalised synonym -> values in payload order."""
        idx = {}
        if type(payload) is not dict:
            return idx
        wanted = self.wanted
        for k, v in payload.items():
            n = self.norm(k)
            if n in wanted:
                lst = idx.get(n)
                if lst is None:
                    idx[n] = [v]
                else:
                    lst.append(v)
        return idx

    def lookup(self, idx, field):
        for syn in self.synonyms[field]:
            for v in idx.get(syn, ()):
                t = type(v)
                if t is str:
                    s = v.strip(WS)
                    if s:
                        return s
                elif t is bool:
                    return "true" if v else "false"
                elif t is int or t is float:
                    return json.dumps(v)
                # null, object, array: absent, try the next one
        return NULL


def read_synonyms(path):
    syn = {k: list(v) for k, v in DEFAULT_SYNONYMS.items()}
    field = None
    with open(path, encoding="utf-8") as f:
        for raw in f:
            line = raw.split("#", 1)[0].rstrip()
            if not line.strip():
                continue
            if not line[0].isspace() and ":" in line:
                field, rest = line.split(":", 1)
                field = field.strip()
                if field not in syn:
                    raise SystemExit("%s: unknown field %r" % (path, field))
                syn[field] = []
            elif field is None:
                raise SystemExit("%s: continuation line before any field" % path)
            else:
                rest = line
            for s in rest.split(","):
                s = NONALNUM_RE.sub("", s).lower()
                if s:
                    syn[field].append(s)
    return syn


# ---------------------------------------------------------------------------
# Row builders


INTEREST = {1: "positive", 2: "positive", 3: "positive", 4: "positive", 0: "neutral",
            -1: "negative", -2: "negative", -3: "negative", -4: "negative"}


def lead_row(env, d, icp):
    g = d.get
    idx = icp.index(g("payload"))
    icpv = icp.lookup

    website = nonempty(g("website"))
    website = website if website is not None else icpv(idx, "website")
    job_title = nonempty(g("job_title"))
    job_title = job_title if job_title is not None else icpv(idx, "job_title")

    status = get_int(g("status"), "status")
    opens = get_int(g("email_open_count"), "email_open_count")
    replies = get_int(g("email_reply_count"), "email_reply_count")
    clicks = get_int(g("email_click_count"), "email_click_count")
    lt = get_int(g("lt_interest_status"), "lt_interest_status")

    ss = g("status_summary")
    last_step = ss.get("lastStep") if type(ss) is dict else None
    if type(last_step) is not dict or not last_step:
        last_step = None
    ts_contact = to_ts(g("timestamp_last_contact"), "timestamp_last_contact")
    step_from = nonempty(g("last_step_from"))

    if replies is not None and replies > 0:
        lead_status = "replied"
    elif status == -1:
        lead_status = "bounced"
    elif (ts_contact is not NULL or last_step is not None or step_from is not None
          or (opens or 0) > 0 or (clicks or 0) > 0 or status == 3):
        lead_status = "emailed"
    else:
        lead_status = "not_yet_emailed"

    sender = step_from
    if sender is None and last_step is not None:
        sender = nonempty(last_step.get("from"))
    if sender is None:
        sender = nonempty(g("last_contacted_from"))

    return [
        env["client_id"], env["campaign_id"], to_text(g("id"), "id"),
        to_text(g("email"), "email"), to_text(g("first_name"), "first_name"),
        to_text(g("last_name"), "last_name"), to_text(g("company_name"), "company_name"),
        to_text(g("phone"), "phone"), to_text(g("company_domain"), "company_domain"),
        to_text(g("personalization"), "personalization"),
        website, job_title,
        icpv(idx, "industry"), icpv(idx, "company_size"),
        icpv(idx, "linkedin_url"), icpv(idx, "vacancy_url"),
        to_int(g("verification_status"), "verification_status"),
        lead_status,
        NULL if lt is None else INTEREST.get(lt, NULL),
        NULL if lt is None else lt,
        NULL if status is None else status,
        NULL if sender is None else sender,
        NULL if opens is None else opens,
        NULL if replies is None else replies,
        NULL if clicks is None else clicks,
        to_ts(g("timestamp_created"), "timestamp_created"),
        to_ts(g("timestamp_updated"), "timestamp_updated"),
        ts_contact,
        to_ts(g("timestamp_last_open"), "timestamp_last_open"),
        to_ts(g("timestamp_last_reply"), "timestamp_last_reply"),
        to_ts(g("timestamp_last_click"), "timestamp_last_click"),
        to_ts(g("timestamp_last_touch"), "timestamp_last_touch"),
        to_ts(g("timestamp_last_interest_change"), "timestamp_last_interest_change"),
        payload_json(g("payload")),
        env["extracted_at"],
    ]


def payload_json(p):
    if p is None:
        return NULL
    if type(p) is not dict:
        raise Reject("payload", "payload is not an object")
    return json.dumps(p, ensure_ascii=False, separators=(",", ":"))


def campaign_row(env, d, icp):
    return [env["client_id"], env["campaign_id"], to_text(d.get("name"), "name"),
            to_int(d.get("status"), "status"),
            to_ts(d.get("timestamp_created"), "timestamp_created"),
            to_ts(d.get("timestamp_updated"), "timestamp_updated"),
            to_json(d), env["extracted_at"]]


def daily_row(env, d, icp):
    date = to_ts(d.get("date"), "date", date_only=True)
    if date is NULL:
        raise Reject("date", "daily row without a date")
    row = [env["client_id"], env["campaign_id"], date]
    for col, key in DAILY_MAP:
        row.append(to_int(d.get(key), key))
    row.append(NULL)                          # bounced: not in the daily endpoint
    row.append(env["extracted_at"])
    return row


def overview_row(env, d, icp):
    sd = to_ts(env.get("start_date"), "start_date", date_only=True)
    ed = to_ts(env.get("end_date"), "end_date", date_only=True)
    if sd is NULL or ed is NULL:
        raise Reject("start_date", "overview without its window")
    row = [env["client_id"], env["campaign_id"], sd, ed]
    for col in OVERVIEW_INTS:
        if col == "total_opportunity_value":
            row.append(to_numeric(d.get(col), col))
        else:
            row.append(to_int(d.get(col), col))
    row.append(env["extracted_at"])
    return row


def leads_complete_row(env, d, icp):
    return [env["client_id"], env["campaign_id"], to_int(d.get("leads"), "leads"),
            to_int(d.get("pages"), "pages"), env["extracted_at"]]


BUILDERS = {"synced_leads": lead_row, "campaigns": campaign_row,
            "campaign_analytics": daily_row, "campaign_analytics_overview": overview_row,
            "leads_complete": leads_complete_row}

# ---------------------------------------------------------------------------
# The run


def open_input(path):
    f = sys.stdin.buffer if path == "-" else open(path, "rb")
    head = f.peek(2)[:2] if hasattr(f, "peek") else b""
    if head == b"\x1f\x8b":
        return gzip.GzipFile(fileobj=f, mode="rb")
    return f


def check_envelope(o):
    if type(o) is not dict:
        raise Reject(None, "line is not a JSON object")
    v = o.get("v")
    if type(v) is not int or v != 1:
        raise Reject("v", "unknown format version")
    t = o.get("type")
    if type(t) is not str:
        raise Reject("type", "missing record type")
    return t


def main():
    ap = argparse.ArgumentParser(description="Python baseline of instantly-transform (benchmark).")
    ap.add_argument("-o", dest="outdir", required=True, help="output directory")
    ap.add_argument("--icp-synonyms", help="synonyms file (schemas/icp-synonyms.conf format)")
    ap.add_argument("inputs", nargs="*", default=["-"])
    a = ap.parse_args()

    icp = Icp(read_synonyms(a.icp_synonyms) if a.icp_synonyms else DEFAULT_SYNONYMS)
    os.makedirs(a.outdir, exist_ok=True)

    files, writers = {}, {}
    for t, cols in TABLES.items():
        f = open(os.path.join(a.outdir, t + ".csv"), "w", encoding="utf-8",
                 newline="", buffering=1 << 20)
        f.write(",".join(cols) + "\n")
        files[t] = f
        writers[t] = csv.writer(f, quoting=csv.QUOTE_NONNUMERIC, lineterminator="\n",
                                doublequote=True)
    rejf = open(os.path.join(a.outdir, "rejects.ndjson"), "w", encoding="utf-8")

    counts = {t: {"lines": 0, "rows": 0, "rejects": 0, "skipped": 0, "nul_replaced": 0}
              for t in TABLES}
    other = {"lines": 0, "rejects": 0, "skipped": 0, "reasons": {}}
    inputs = []
    total = 0
    nul = [0]

    def reject(name, lineno, table, field, reason, raw):
        text = raw[:65536]
        rejf.write(json.dumps({"input": name, "line": lineno, "table": table, "field": field,
                               "reason": reason,
                               "text": text.decode("utf-8", "replace").rstrip("\r\n"),
                               "truncated": len(raw) > 65536}, ensure_ascii=False) + "\n")

    def other_reason(kind, reason):
        other[kind] += 1
        other["reasons"][reason] = other["reasons"].get(reason, 0) + 1

    loads = json.loads
    for name in a.inputs:
        lines = 0
        with open_input(name) as f:
            for raw in f:
                lines += 1
                if not raw.strip():
                    other["lines"] += 1
                    other_reason("skipped", "blank line")
                    continue
                table = None
                try:
                    try:
                        o = loads(raw)
                    except (ValueError, RecursionError):
                        raise Reject(None, "malformed JSON or invalid UTF-8")
                    typ = check_envelope(o)
                    table = TYPE_TABLE.get(typ)
                    if table is None:
                        other["lines"] += 1
                        other_reason("skipped", "control record: run_summary"
                                     if typ == "run_summary" else "unknown record type")
                        continue
                    c = counts[table]
                    c["lines"] += 1
                    for k in ("client_id", "campaign_id", "extracted_at"):
                        if type(o.get(k)) is not str:
                            raise Reject(k, "envelope without " + k)
                    to_ts(o["extracted_at"], "extracted_at")
                    d = o.get("data")
                    if type(d) is not dict:
                        raise Reject("data", "envelope without a data object")
                    nuls = 0
                    if b"\\u0000" in raw:
                        before = nul[0]
                        o = fix_nul(o, nul)
                        d = o["data"]
                        nuls = nul[0] - before
                    row = BUILDERS[table](o, d, icp)
                    writers[table].writerow(row)
                    c["rows"] += 1
                    c["nul_replaced"] += nuls
                except Reject as e:
                    if table is None:
                        other["lines"] += 1
                        other_reason("rejects", e.reason)
                    else:
                        counts[table]["rejects"] += 1
                    reject(name, lines, table, e.field, e.reason, raw)
        inputs.append({"input": name, "lines": lines})
        total += lines

    for f in files.values():
        f.close()
    rejf.close()
    summary = {"lines_read": total, "inputs": inputs, "tables": counts, "other": other}
    with open(os.path.join(a.outdir, "summary.json"), "w") as f:
        json.dump(summary, f, indent=1)
        f.write("\n")
    for t, c in counts.items():
        print("%s: %d lines, %d rows, %d rejects" % (t, c["lines"], c["rows"], c["rejects"]),
              file=sys.stderr)


if __name__ == "__main__":
    main()
