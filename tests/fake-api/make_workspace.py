#!/usr/bin/python3
"""Write a workspace data directory for fake_instantly.py.

    make_workspace.py --out DIR --from-sample samples/sample.ndjson [--clients CSV]
    make_workspace.py --out DIR --synthetic --campaigns N --leads-per-campaign M --seed S
    make_workspace.py --out DIR --night-after SRC [--changed F] [--removed F] [--new F] [--seed S]

DIR gets:

    campaigns.json               [campaign, ...]      API items, verbatim
    leads/<campaign_id>.json     [lead, ...]          one item per line
    daily/<campaign_id>.json     [daily row, ...]     rows carry no campaign id
    overview/<campaign_id>.json  {overview}
    clients.csv                  client_id,campaign_id: the client map of the
                                 mapped campaigns (the sample's own, or made up)
    manifest.json                which campaigns are mapped and which are not,
                                 lead counts, the analytics window

--from-sample reads an instantly-etl archive (v1 NDJSON, plain or gzip):
each record's `data` is the API item as the API sent it, and the envelope's
campaign_id says which campaign a lead, daily row or overview belongs to.
A campaign that two clients share appears once. --synthetic makes items
shaped like the sample's (1-2 KB leads, v7-like lead ids, v4 campaign ids,
omitted optional fields, numeric strings in payloads), for benchmarks.

Both add --unmapped N campaigns (default 1) that are in no client map, with
leads whose ids interleave with the others', so that a test can check that
an extract never asks for their leads. Deterministic for a given --seed.

--night-after SRC writes the next night of workspace SRC (for bench/
nightly-scale.sh): the same campaigns, analytics and client map, and in
each campaign's leads a fraction F of them changed (--changed, 0.05: one
more open, a newer timestamp_updated, sometimes one more reply or another
status), removed (--removed, 0.01: gone from the listing) and new
(--new, 0.01: generated leads created on the day after SRC's window), each
rounded per campaign. Unchanged leads keep their bytes. manifest.json says
how many of each (night).
"""

import argparse
import csv
import datetime
import gzip
import json
import os
import random
import re
import shutil
import sys

sys.dont_write_bytecode = True	# no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fake_instantly import Raw, dumps, loads  # noqa: E402

ORG = "c6ea1bfd-6fac-4e41-925c-4628477e2954"
OWNER = "4da98da8-2c37-4bf7-84da-1b76914b6dcb"


# ---- ids and times -------------------------------------------------------

def uuid4(rng):
    b = bytearray(rng.getrandbits(8) for _ in range(16))
    b[6] = (b[6] & 0x0F) | 0x40
    b[8] = (b[8] & 0x3F) | 0x80
    return fmt_uuid(bytes(b))


def uuid7(rng, ms):
    """A v7-like UUID: 48 bits of Unix milliseconds, then random bits."""
    b = bytearray(ms.to_bytes(6, "big") + bytes(rng.getrandbits(8) for _ in range(10)))
    b[6] = (b[6] & 0x0F) | 0x70
    b[8] = (b[8] & 0x3F) | 0x80
    return fmt_uuid(bytes(b))


def fmt_uuid(b):
    h = b.hex()
    return "%s-%s-%s-%s-%s" % (h[:8], h[8:12], h[12:16], h[16:20], h[20:])


def iso_ms(ms):
    t = datetime.datetime.fromtimestamp(ms / 1000.0, datetime.timezone.utc)
    return t.strftime("%Y-%m-%dT%H:%M:%S.") + "%03dZ" % (ms % 1000)


def ms_of(day, rng=None):
    t = datetime.datetime.combine(day, datetime.time(0), datetime.timezone.utc)
    ms = int(t.timestamp() * 1000)
    if rng:
        ms += rng.randrange(7 * 3600 * 1000, 19 * 3600 * 1000)
    return ms


# ---- synthetic items -----------------------------------------------------

FIRST = ["Anna", "Bram", "Chantal", "Daan", "Eva", "Femke", "Gijs", "Hanneke", "Isa", "Jeroen", "Kim",
         "Lotte", "Maarten", "Noor", "Oscar", "Pieter", "Quinten", "Roos", "Sanne", "Thijs", "Ümit",
         "Vera", "Willem", "Yara", "Zoë", "Sébastien", "Łukasz", "Mehmet", "Priya", "Fatima"]
LAST = ["de Vries", "Jansen", "van den Berg", "Bakker", "Visser", "Smit", "Meijer", "de Boer", "Mulder",
        "de Groot", "Bos", "Vos", "Peters", "Hendriks", "van Leeuwen", "Dekker", "Brouwer", "de Wit",
        "Dijkstra", "Smits", "van Dijk", "Çelik", "O'Neill", "Nguyễn"]
COMPANY_A = ["Noord", "Delta", "Polder", "Gracht", "Zuid", "Kust", "Vecht", "Duin", "Maas", "IJssel"]
COMPANY_B = ["Uitzend", "Zorg", "Bouw", "Logistiek", "Techniek", "Installatie", "Retail", "Horeca", "ICT"]
COMPANY_C = ["Groep B.V.", "Partners", "& Co", "Holding", "Services B.V.", "Personeel", "Solutions"]
TITLES = ["HR Manager", "Recruiter", "Talent Acquisition Lead", "CTO", "Operations Manager",
          "Directeur", "Office Manager", "HR Business Partner", "Head of People", "Owner"]
INDUSTRY = ["Staffing & Recruiting", "Hospital & Health Care", "Construction", "Logistics & Supply Chain",
            "Information Technology and Services", "Retail", "Hospitality"]
CITIES = ["Utrecht", "Amsterdam", "Rotterdam", "Den Haag", "Eindhoven", "Groningen", "Zwolle", "Breda"]
HEAD = ["1-10", "11-50", "51-200", "201-500", "100 - 250"]
SENTENCES = [
    "Ik zag dat jullie op dit moment meerdere vacatures open hebben staan.",
    "Veel bedrijven in jullie regio lopen tegen dezelfde krapte aan.",
    "Wij helpen teams om sneller de juiste kandidaten te vinden, zonder extra werk voor HR.",
    "Zou een kort gesprek van 15 minuten volgende week passen?",
    "Als dit nu geen prioriteit is, laat het me gerust weten.",
    "We zagen bij vergelijkbare organisaties een doorlooptijd die 40% korter werd.",
    "Groeten,\n{{sendingAccountFirstName}}\n\n{{accountSignature}}",
    "P.S. \u2013 ook voor tijdelijke krachten kunnen we snel schakelen.",
]
TIMEZONES = ["Europe/Amsterdam", "Etc/GMT+12", "Europe/Brussels"]


def company(rng):
    return "%s %s %s" % (rng.choice(COMPANY_A), rng.choice(COMPANY_B), rng.choice(COMPANY_C))


def domain_of(name):
    d = "".join(ch for ch in name.lower() if ch.isalnum())[:24]
    return "fake-%s.example.nl" % d


def gen_campaign(rng, cid, idx, created_ms, updated_ms):
    name_seg = rng.choice(["HR-managers MKB", "Zorg \u2013 teamleiders", "Bouw & installatie",
                           "Logistiek NL/BE", "SaaS product teams UK/NL", "Retail regio Randstad"])
    steps = []
    for s in range(rng.randint(1, 3)):
        variants = [{"subject": "{{%s_subject_%d}}" % (cid, s + 1) if s == 0 else "",
                     "body": "{{%s_email_%d}}" % (cid, s + 1)}]
        if rng.random() < 0.4:
            variants.append({"subject": "Vacature {{Functie}} nog open?",
                             "body": "<div>Hoi {{firstName}},</div><div>" + rng.choice(SENTENCES) + "</div>",
                             "v_disabled": rng.random() < 0.5})
        steps.append({"type": "email", "delay": rng.randint(1, 4), "variants": variants,
                      "delay_unit": "days", "pre_delay_unit": "days"})
    c = {
        "id": cid,
        "name": "NL %s Q%d 2026 #%d" % (name_seg, rng.randint(1, 4), idx + 1),
        "status": rng.choice([1, 1, 1, 1, 2, 3, 0, -1]),
        "campaign_schedule": {"schedules": [{
            "name": "Kantooruren", "timing": {"from": "08:00", "to": rng.choice(["17:00", "17:30", "18:00"])},
            "days": {str(d): True for d in range(1, 6)}, "timezone": rng.choice(TIMEZONES)}]},
        "timestamp_created": iso_ms(created_ms),
        "timestamp_updated": iso_ms(updated_ms),
        "sequences": [{"steps": steps}],
        "email_list": ["sender%02d@example.nl" % rng.randint(1, 20) for _ in range(rng.randint(1, 3))],
        "daily_limit": rng.choice([10, 50, 120, 200]),
        "stop_on_reply": True,
        "email_tag_list": [],
        "open_tracking": rng.random() < 0.5,
        "prioritize_new_leads": rng.random() < 0.3,
        "organization": ORG,
    }
    if rng.random() < 0.6:
        c["pl_value"] = rng.choice([250, 500, 1000, Raw("12.5")])
    if rng.random() < 0.5:
        c["text_only"] = False
        c["first_email_text_only"] = True
        c["link_tracking"] = False
        c["stop_on_auto_reply"] = False
        c["match_lead_esp"] = rng.random() < 0.5
        c["owned_by"] = OWNER
        c["provider_routing_rules"] = []
    return c


def gen_lead(rng, lid, cid, created_ms, now_ms, email=None, size=None):
    fn, ln = rng.choice(FIRST), rng.choice(LAST)
    comp = company(rng)
    dom = domain_of(comp)
    if email is None:
        email = "%s.%s%d@%s" % (fn.lower().encode("ascii", "ignore").decode() or "x",
                                ln.lower().replace(" ", "").replace("'", "").encode("ascii", "ignore").decode() or "y",
                                rng.randint(1, 999), dom)
    updated = min(now_ms - rng.randrange(1, 86400 * 1000), created_ms + rng.randrange(0, 60 * 86400 * 1000))
    updated = max(updated, created_ms)
    lead = {
        "id": lid,
        "timestamp_created": iso_ms(created_ms),
        "timestamp_updated": iso_ms(updated),
        "organization": ORG,
        "status": rng.choice([1, 1, 1, 1, 2, 3, 3, -1, -2, -3]),
        "email_open_count": rng.choice([0, 0, 0, 1, 2, 3, 7]),
        "email_reply_count": rng.choice([0, 0, 0, 0, 1, 2]),
        "email_click_count": rng.choice([0, 0, 0, 0, 0, 1]),
        "company_domain": dom,
        "status_summary": {},
        "campaign": cid,
        "email": email,
    }
    if rng.random() < 0.5:
        lead["status_summary"] = {"lastStep": {"from": "sender%02d@example.nl" % rng.randint(1, 20),
                                               "stepID": "0_%d_0" % rng.randint(0, 2),
                                               "timestamp_executed": iso_ms(updated)}}
    pers = "Hoi %s, leuk om te zien dat jullie team in %s blijft groeien." % (fn, rng.choice(CITIES))
    if rng.random() < 0.7:
        lead["personalization"] = pers
    lead["last_name"] = "" if rng.random() < 0.05 else ln
    lead["first_name"] = "" if rng.random() < 0.05 else fn
    lead["company_name"] = comp
    if rng.random() < 0.6:
        lead["job_title"] = rng.choice(TITLES)
    payload = {
        "firstName": fn, "lastName": ln, "companyName": comp, "personalization": pers, "email": email,
        "jobTitle": rng.choice(TITLES), "industry": rng.choice(INDUSTRY),
        "companyHeadCount": rng.choice(HEAD), "linkedIn": "linkedin.com/in/fake-prospect-%d" % rng.randint(1, 99999),
        "companyWebsite": "https://www." + dom, "connectionCount": str(rng.randint(0, 9999)),
    }
    if rng.random() < 0.3:
        payload["score"] = Raw("0.%02d" % rng.randint(1, 99))
    if rng.random() < 0.2:
        payload["Functie"] = rng.choice(TITLES)
    if rng.random() < 0.1:
        payload["is_customer"] = rng.random() < 0.5
    lead["payload"] = payload
    for k, p, vals in (("verification_status", 0.7, [1, 1, 1, -1, -2, -3, 11]),
                       ("lt_interest_status", 0.2, [0, 1, 2, 3, 4, -1, -2, -3, -4, 5]),
                       ("esp_code", 0.9, [1, 2, 2, 999, 1000])):
        if rng.random() < p:
            lead[k] = rng.choice(vals)
    if lead["email_open_count"] or lead["status"] in (3, -1):
        lead["timestamp_last_contact"] = iso_ms(updated)
        lead["timestamp_last_touch"] = iso_ms(updated)
    if lead["email_open_count"]:
        lead["timestamp_last_open"] = iso_ms(updated)
    if lead["email_reply_count"]:
        lead["timestamp_last_reply"] = iso_ms(updated)
    if "lt_interest_status" in lead:
        lead["timestamp_last_interest_change"] = iso_ms(updated)
    if rng.random() < 0.1:
        lead["pl_value_lead"] = str(rng.choice([250, 500, 1000]))
    lead["upload_method"] = rng.choice(["manual", "api", "api"])
    if rng.random() < 0.8:
        lead["assigned_to"] = OWNER
    # pad the campaign's AI-written first mail to the wanted size (1-2 KB)
    want = size or rng.randint(1024, 2048)
    key = "%s_email_1" % cid
    payload[key] = ""
    room = want - len(dumps(lead).encode())	# bytes the text may take, encoded

    def enc(t):
        return len(json.dumps(t, ensure_ascii=False).encode()) - 2
    parts, used = [], 0
    while used < room:
        sent = rng.choice(SENTENCES)
        parts.append(sent)
        used += enc(sent) + 1
    text = " ".join(parts)
    while enc(text) > room and text:
        text = text[:-max(1, (enc(text) - room) // 2)]
    payload[key] = text
    return lead


DAILY_KEYS = ["sent", "contacted", "new_leads_contacted", "opened", "unique_opened", "replies",
              "unique_replies", "replies_automatic", "unique_replies_automatic", "clicks", "unique_clicks",
              "opportunities", "unique_opportunities"]


def gen_daily(rng, end, days):
    rows = []
    for i in range(days - 1, -1, -1):
        day = end - datetime.timedelta(days=i)
        if day.weekday() >= 5 and rng.random() < 0.8:
            continue	# zero-activity days have no row
        sent = rng.randint(5, 140)
        contacted = rng.randint(sent // 2, sent)
        opened = rng.randint(0, contacted // 2)
        uo = rng.randint(0, opened)
        rep = rng.randint(0, max(0, uo // 4))
        ra = rng.randint(0, rep)
        cl = rng.randint(0, 2)
        opp = rng.randint(0, rep)
        rows.append({"date": day.isoformat(), "sent": sent, "contacted": contacted,
                     "new_leads_contacted": rng.randint(0, contacted), "opened": opened, "unique_opened": uo,
                     "replies": rep, "unique_replies": rep, "replies_automatic": ra,
                     "unique_replies_automatic": ra, "clicks": cl, "unique_clicks": cl,
                     "opportunities": opp, "unique_opportunities": opp})
    # the API does not promise sorted rows [KIT-AN]: swap a few neighbours
    for i in range(len(rows) - 1):
        if rng.random() < 0.2:
            rows[i], rows[i + 1] = rows[i + 1], rows[i]
    return rows


def overview_of(rng, rows, pl_value):
    s = {k: sum(r.get(k, 0) for r in rows) for k in DAILY_KEYS}
    opp = s["opportunities"]
    if isinstance(pl_value, Raw):
        value = Raw(repr(float(pl_value.text) * opp)) if opp else 0
    else:
        value = (pl_value or 0) * opp
    return {
        "open_count": s["opened"], "open_count_unique": s["unique_opened"],
        "open_count_unique_by_step": s["unique_opened"],
        "link_click_count": s["clicks"], "link_click_count_unique": s["unique_clicks"],
        "link_click_count_unique_by_step": s["unique_clicks"],
        "reply_count": s["replies"], "reply_count_unique": s["unique_replies"],
        "reply_count_unique_by_step": s["unique_replies"],
        "reply_count_automatic": s["replies_automatic"],
        "reply_count_automatic_unique": s["unique_replies_automatic"],
        "reply_count_automatic_unique_by_step": s["unique_replies_automatic"],
        "bounced_count": s["sent"] // 100, "unsubscribed_count": rng.randint(0, 2),
        "completed_count": s["contacted"] // 3, "emails_sent_count": s["sent"],
        "contacted_count": s["contacted"], "new_leads_contacted_count": s["new_leads_contacted"],
        "total_opportunities": opp, "total_opportunity_value": value,
        "total_interested": opp + rng.randint(0, 2), "total_meeting_booked": rng.randint(0, opp),
        "total_meeting_completed": 0, "total_closed": 0,
    }


class Builder:
    def __init__(self, rng, end, days):
        self.rng = rng
        self.end = end
        self.days = days
        self.campaigns = {}	# id -> item (insertion order)
        self.leads = {}	# cid -> {lead id: item}
        self.daily = {}
        self.overview = {}
        self.emails = []

    def synthetic_campaign(self, idx, n_leads, cid=None):
        rng = self.rng
        cid = cid or uuid4(rng)
        start = self.end - datetime.timedelta(days=rng.randint(40, 120))
        c = gen_campaign(rng, cid, idx, ms_of(start, rng), ms_of(self.end, rng))
        self.campaigns[cid] = c
        now = ms_of(self.end + datetime.timedelta(days=1))
        leads = {}
        for _ in range(n_leads):
            if rng.random() < 0.1:	# older leads have v4 ids: not chronological [SPEC]
                created = ms_of(datetime.date(2025, rng.randint(1, 9), rng.randint(1, 28)), rng)
                lid = uuid4(rng)
            else:
                created = ms_of(start + datetime.timedelta(days=rng.randint(0, 30)), rng)
                lid = uuid7(rng, created)
            email = None
            if self.emails and rng.random() < 0.03:	# the same person in another campaign
                email = rng.choice(self.emails)
            lead = gen_lead(rng, lid, cid, created, now, email)
            self.emails.append(lead["email"])
            leads[lid] = lead
        self.leads[cid] = leads
        if c["status"] != 0:	# a draft has not sent: no analytics
            rows = gen_daily(rng, self.end, self.days)
            self.daily[cid] = rows
            self.overview[cid] = overview_of(rng, rows, c.get("pl_value"))
        return cid

    def write(self, out, clients, mapped, unmapped, source, seed):
        clean_out(out)
        write_text(os.path.join(out, "campaigns.json"), lines(self.campaigns.values()))
        for cid, leads in self.leads.items():
            write_text(os.path.join(out, "leads", cid + ".json"), lines(leads.values()))
        for cid, rows in self.daily.items():
            write_text(os.path.join(out, "daily", cid + ".json"), lines(rows))
        for cid, ov in self.overview.items():
            write_text(os.path.join(out, "overview", cid + ".json"), dumps(ov) + "\n")
        with open(os.path.join(out, "clients.csv"), "w", newline="") as f:
            w = csv.writer(f, lineterminator="\n")
            w.writerow(["client_id", "campaign_id"])
            for row in clients:
                w.writerow(row)
        all_ids = {lid for leads in self.leads.values() for lid in leads}
        manifest = {
            "source": source, "seed": seed,
            "window": {"start_date": (self.end - datetime.timedelta(days=self.days - 1)).isoformat(),
                       "end_date": self.end.isoformat()},
            "campaigns": sorted(self.campaigns, reverse=True),
            "mapped": sorted(mapped), "unmapped": sorted(unmapped),
            "leads": {cid: len(v) for cid, v in sorted(self.leads.items())},
            "leads_total": len(all_ids),
            "leads_mapped": len({lid for c in mapped for lid in self.leads.get(c, {})}),
        }
        write_text(os.path.join(out, "manifest.json"), json.dumps(manifest, indent=1) + "\n")
        return manifest


def lines(items):
    return "[\n" + ",\n".join(dumps(x) for x in items) + "\n]\n"


def clean_out(out):
    """OUT and its folders leads/, daily/, overview/, without the .json files of an earlier workspace (a rewrite starts clean)."""
    os.makedirs(out, exist_ok=True)
    for sub in ("leads", "daily", "overview"):
        os.makedirs(os.path.join(out, sub), exist_ok=True)
        for name in os.listdir(os.path.join(out, sub)):
            if name.endswith(".json"):
                os.unlink(os.path.join(out, sub, name))


def write_text(path, text):
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(text)
    os.replace(tmp, path)


# ---- from the sample archive ---------------------------------------------

def from_sample(b, path):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8") as f:
        for lineno, line in enumerate(f, 1):
            line = line.strip()
            if not line:
                continue
            r = loads(line)
            t, cid, data = r.get("type"), r.get("campaign_id"), r.get("data")
            if t not in ("campaign", "lead", "analytics_daily", "analytics_overview"):
                continue
            if not cid or not isinstance(data, dict):
                raise ValueError("%s:%d: a %s record without campaign_id or data" % (path, lineno, t))
            cid = cid.lower()
            if t == "campaign":
                b.campaigns.setdefault(cid, data)
            elif t == "lead":
                b.leads.setdefault(cid, {}).setdefault(str(data.get("id")).lower(), data)
            elif t == "analytics_daily":
                rows = b.daily.setdefault(cid, [])
                if all(x.get("date") != data.get("date") for x in rows):	# two clients, one campaign
                    rows.append(data)
            else:
                b.overview.setdefault(cid, data)
    for leads in b.leads.values():
        b.emails.extend(x.get("email") for x in leads.values() if x.get("email"))


def read_clients(path):
    with open(path, newline="") as f:
        rows = list(csv.reader(f))
    if rows and rows[0][:2] == ["client_id", "campaign_id"]:
        rows = rows[1:]
    return [(r[0].lower(), r[1].lower()) for r in rows if len(r) >= 2]


# ---- the next night of a workspace ---------------------------------------

LEAD_ID_RE = re.compile(r'^\{"id":"([^"\\]*)"')


def lead_lines(path):
    """The item texts of a leads file (one per line, as lines() writes them)."""
    with open(path, encoding="utf-8") as f:
        text = f.read()
    body = text.strip()
    if not (body.startswith("[") and body.endswith("]")):
        raise ValueError("%s: not a JSON array" % path)
    out = []
    for n, line in enumerate(body[1:-1].split("\n"), 2):
        line = line.strip()
        if line.endswith(","):
            line = line[:-1]
        if not line:
            continue
        if not (line.startswith("{") and line.endswith("}")):
            raise ValueError("%s:%d: not one item per line" % (path, n))
        out.append(line)
    return out


def lead_id(text):
    m = LEAD_ID_RE.match(text)
    return m.group(1).lower() if m else str(loads(text).get("id", "")).lower()


def change_lead(rng, lead, now_ms):
    """One more open (always a change), sometimes a reply and a new status."""
    t = iso_ms(now_ms - rng.randrange(1, 12 * 3600 * 1000))
    lead["email_open_count"] = (lead.get("email_open_count") or 0) + 1
    lead["timestamp_last_open"] = t
    lead["timestamp_last_contact"] = lead["timestamp_last_touch"] = t
    if rng.random() < 0.3:
        lead["email_reply_count"] = (lead.get("email_reply_count") or 0) + 1
        lead["timestamp_last_reply"] = t
    if rng.random() < 0.3:
        lead["status"] = rng.choice([s for s in (1, 2, 3, -1, -2, -3) if s != lead.get("status")])
    lead["timestamp_updated"] = t


def night_after(a):
    src, out = a.night_after, a.out
    for name, v in (("--changed", a.changed), ("--removed", a.removed), ("--new", a.new)):
        if not 0 <= v <= 1:
            raise ValueError("%s %s: a fraction from 0 to 1 is needed" % (name, v))
    if a.changed + a.removed > 1:
        raise ValueError("--changed + --removed: more than every lead")
    if os.path.abspath(src) == os.path.abspath(out):
        raise ValueError("--out must not be --night-after")
    with open(os.path.join(src, "manifest.json"), encoding="utf-8") as f:
        m = json.load(f)
    rng = random.Random(a.seed)
    end = datetime.date.fromisoformat(m["window"]["end_date"]) + datetime.timedelta(days=1)
    now = ms_of(end + datetime.timedelta(days=1))
    clean_out(out)
    for name in ["campaigns.json", "clients.csv"] + [os.path.join(d, x) for d in ("daily", "overview")
                                                     for x in sorted(os.listdir(os.path.join(src, d)))
                                                     if x.endswith(".json")]:
        shutil.copyfile(os.path.join(src, name), os.path.join(out, name + ".tmp"))
        os.replace(os.path.join(out, name + ".tmp"), os.path.join(out, name))
    night = {"from": os.path.abspath(src), "seed": a.seed, "changed": 0, "removed": 0, "new": 0}
    counts, ids = {}, {}
    for name in sorted(os.listdir(os.path.join(src, "leads"))):
        if not name.endswith(".json"):
            continue
        cid = name[:-5].lower()
        items = lead_lines(os.path.join(src, "leads", name))
        n = len(items)
        k_rm, k_ch, k_new = round(n * a.removed), round(n * a.changed), round(n * a.new)
        picked = rng.sample(range(n), k_rm + k_ch)
        gone, changed = set(picked[:k_rm]), set(picked[k_rm:])
        keep = []
        for i, text in enumerate(items):
            if i in gone:
                continue
            if i in changed:
                lead = loads(text)
                change_lead(rng, lead, now)
                text = dumps(lead)
            keep.append(text)
        for _ in range(k_new):
            created = ms_of(end, rng)
            keep.append(dumps(gen_lead(rng, uuid7(rng, created), cid, created, now)))
        write_text(os.path.join(out, "leads", name), "[\n" + ",\n".join(keep) + "\n]\n")
        night["changed"] += k_ch
        night["removed"] += k_rm
        night["new"] += k_new
        counts[cid] = len(keep)
        ids[cid] = {lead_id(t) for t in keep}
    m["leads"] = dict(sorted(counts.items()))
    m["leads_total"] = len(set().union(*ids.values())) if ids else 0
    m["leads_mapped"] = len({lid for c in m["mapped"] for lid in ids.get(c, ())})
    m["night"] = night
    write_text(os.path.join(out, "manifest.json"), json.dumps(m, indent=1) + "\n")
    sys.stderr.write("make_workspace: %s: the night after %s: %d leads changed, %d removed, %d new; %d leads\n"
                     % (out, src, night["changed"], night["removed"], night["new"], m["leads_total"]))
    return 0


def main(argv=None):
    p = argparse.ArgumentParser(prog="make_workspace.py", description=__doc__.split("\n\n")[0])
    p.add_argument("--out", required=True, metavar="DIR")
    g = p.add_mutually_exclusive_group(required=True)
    g.add_argument("--from-sample", metavar="FILE", help="an archive (NDJSON, .gz too)")
    g.add_argument("--synthetic", action="store_true", help="generated items")
    g.add_argument("--night-after", metavar="SRC", help="the next night of workspace SRC")
    p.add_argument("--changed", type=float, default=0.05, metavar="F",
                   help="--night-after: fraction of each campaign's leads changed (0.05)")
    p.add_argument("--removed", type=float, default=0.01, metavar="F", help="... removed (0.01)")
    p.add_argument("--new", type=float, default=0.01, metavar="F", help="... new (0.01)")
    p.add_argument("--clients", metavar="CSV",
                   help="the client map (--from-sample: default clients.csv beside FILE)")
    p.add_argument("--campaigns", type=int, default=5, metavar="N", help="mapped campaigns (--synthetic)")
    p.add_argument("--leads-per-campaign", type=int, default=100, metavar="M")
    p.add_argument("--client-count", type=int, metavar="K", help="clients (--synthetic; default N/2)")
    p.add_argument("--unmapped", type=int, default=1, metavar="N", help="campaigns in no client map (1)")
    p.add_argument("--unmapped-leads", type=int, metavar="M",
                   help="leads per unmapped campaign (default 5 with --from-sample, else M)")
    p.add_argument("--seed", type=int, default=1, metavar="S")
    p.add_argument("--end-date", default="2026-11-26", metavar="YYYY-MM-DD",
                   help="last day of the daily rows (--synthetic and unmapped campaigns)")
    p.add_argument("--days", type=int, default=30, metavar="N", help="days of daily rows (30)")
    a = p.parse_args(argv)
    if a.night_after:
        try:
            return night_after(a)
        except (OSError, ValueError, KeyError) as e:
            sys.stderr.write("make_workspace: %s\n" % e)
            return 1

    rng = random.Random(a.seed)
    b = Builder(rng, datetime.date.fromisoformat(a.end_date), a.days)
    if a.from_sample:
        source = "sample"
        from_sample(b, a.from_sample)
        cpath = a.clients or os.path.join(os.path.dirname(os.path.abspath(a.from_sample)), "clients.csv")
        clients = read_clients(cpath) if os.path.exists(cpath) else \
            [("11111111-1111-4111-8111-111111111111", c) for c in b.campaigns]
        n_unmapped_leads = 5 if a.unmapped_leads is None else a.unmapped_leads
    else:
        source = "synthetic"
        ids = [b.synthetic_campaign(i, a.leads_per_campaign) for i in range(a.campaigns)]
        k = a.client_count or max(1, (a.campaigns + 1) // 2)
        cl = [uuid4(rng) for _ in range(k)]
        clients = [(cl[i % k], c) for i, c in enumerate(ids)]
        if k > 1 and ids:	# one campaign shared by two clients, as in the sample
            clients.append((cl[1], ids[0]))
        if a.clients:
            clients = read_clients(a.clients)
        n_unmapped_leads = a.leads_per_campaign if a.unmapped_leads is None else a.unmapped_leads
    mapped = {c for _, c in clients}
    unmapped = []
    for i in range(a.unmapped):
        # in the middle of the listing (campaigns come in descending id order)
        lo, hi = (min(b.campaigns), max(b.campaigns)) if len(b.campaigns) >= 2 else ("", "g")
        cid = uuid4(rng)
        for _ in range(1000):
            if cid not in mapped and cid not in b.campaigns and lo < cid < hi:
                break
            cid = uuid4(rng)
        b.synthetic_campaign(len(b.campaigns), n_unmapped_leads, cid)
        b.campaigns[cid]["name"] = "Niet gekoppeld \u2013 interne test %d" % (i + 1)
        b.campaigns[cid]["status"] = 1
        if cid not in b.daily:
            b.daily[cid] = gen_daily(rng, b.end, b.days)
            b.overview[cid] = overview_of(rng, b.daily[cid], b.campaigns[cid].get("pl_value"))
        unmapped.append(cid)
    m = b.write(a.out, clients, mapped & set(b.campaigns), unmapped, source, a.seed)
    sys.stderr.write("make_workspace: %s: %d campaigns (%d unmapped), %d leads\n"
                     % (a.out, len(m["campaigns"]), len(unmapped), m["leads_total"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
