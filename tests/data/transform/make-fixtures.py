#!/usr/bin/env python3
# Writes the golden fixtures of tests/cli/transform-golden.sh, one directory
# per case: input.ndjson, expected/<table>.csv (only for the tables that get
# rows), expected/rejected-lines,
# README, optional args.
#
# Every expected value below is written out by hand from
# docs/normalisation.md and schemas/TABLES.md (plus the lead's
# exact readings); nothing here computes a normalisation rule.  The script
# only does the CSV quoting (quote text, double ") and writes the bytes, so
# that raw bytes (invalid UTF-8, CRLF, a 100 KB value) are reproducible.
#
# Usage: python3 make-fixtures.py   (rewrites the case directories beside it)
import os, shutil, sys

HERE = os.path.dirname(os.path.abspath(__file__))

CA = "3f6c2a1e-8b4d-4c7a-9e2f-1a2b3c4d5e6f"   # client A
CB = "7d0e9c8b-2a1f-4e3d-8c5b-6a7f8e9d0c1b"   # client B
K1 = "8ad64aaf-8294-4538-8400-4a99dcf016e8"   # campaigns
K2 = "23189011-78cc-49db-8e32-da035d1b1135"
K3 = "864e8605-a24e-4881-9e96-8544b912d7e7"
K4 = "bfa00ac1-2fe7-4da7-936f-0b93afeedc80"
ORG = "c6ea1bfd-6fac-4e41-925c-4628477e2954"
EXT = "2026-11-28T03:00:12.345Z"
EXT2 = "2026-11-28T03:04:55.018Z"
WIN = ',"start_date":"2026-11-01","end_date":"2026-11-27"'


def U(n):
    """A v7-looking lead id."""
    return "0199b5e2-4f3a-7c1d-9e8f-%012d" % n


# ---- input lines ---------------------------------------------------------
def jq(s):
    return "null" if s is None else '"%s"' % s


def E(typ, data, client=CA, camp=K1, ext=EXT, extra=""):
    return ('{"v":1,"type":"%s","client_id":%s,"campaign_id":%s,'
            '"extracted_at":"%s"%s,"data":%s}'
            % (typ, jq(client), jq(camp), ext, extra, data))


def lead(n_or_id, *parts):
    """Lead data object: id first, then the JSON fragments given."""
    lid = U(n_or_id) if isinstance(n_or_id, int) else n_or_id
    return "{" + ",".join(['"id":"%s"' % lid] + list(parts)) + "}"


def LE(n, *parts, **kw):
    return E("lead", lead(n, *parts), **kw)


# ---- expected rows ---------------------------------------------------------
T, I, N = "text", "int", "numeric"

SL_COLS = [
    ("client_id", T), ("campaign_id", T), ("instantly_lead_id", T),
    ("email", T), ("first_name", T), ("last_name", T), ("company_name", T),
    ("phone", T), ("company_domain", T), ("personalization", T),
    ("website", T), ("job_title", T), ("industry", T), ("company_size", T),
    ("linkedin_url", T), ("vacancy_url", T), ("verification_status", I),
    ("lead_status", T), ("interest_status", T), ("lt_interest_status", I),
    ("instantly_status", I), ("sender_account", T),
    ("email_open_count", I), ("email_reply_count", I),
    ("email_click_count", I), ("timestamp_created", T),
    ("timestamp_updated", T), ("timestamp_last_contact", T),
    ("timestamp_last_open", T), ("timestamp_last_reply", T),
    ("timestamp_last_click", T), ("timestamp_last_touch", T),
    ("timestamp_last_interest_change", T), ("payload", T),
    ("extracted_at", T),
]
CAMP_COLS = [("client_id", T), ("campaign_id", T), ("name", T),
             ("status", I), ("timestamp_created", T),
             ("timestamp_updated", T), ("item", T), ("extracted_at", T)]
DAILY_COUNTERS = ["emails_sent", "leads_contacted", "new_leads_contacted",
                  "opened", "unique_opened", "replies", "unique_replies",
                  "replies_automatic", "unique_replies_automatic", "clicked",
                  "unique_clicks", "opportunities", "unique_opportunities",
                  "bounced"]
DAILY_COLS = ([("client_id", T), ("campaign_id", T), ("date", T)]
              + [(c, I) for c in DAILY_COUNTERS] + [("extracted_at", T)])
OV_COUNTERS = ["open_count", "open_count_unique", "open_count_unique_by_step",
               "link_click_count", "link_click_count_unique",
               "link_click_count_unique_by_step", "reply_count",
               "reply_count_unique", "reply_count_unique_by_step",
               "reply_count_automatic", "reply_count_automatic_unique",
               "reply_count_automatic_unique_by_step", "bounced_count",
               "unsubscribed_count", "completed_count", "emails_sent_count",
               "contacted_count", "new_leads_contacted_count",
               "total_opportunities", "total_opportunity_value",
               "total_interested", "total_meeting_booked",
               "total_meeting_completed", "total_closed"]
OV_COLS = ([("client_id", T), ("campaign_id", T), ("start_date", T),
            ("end_date", T)]
           + [(c, N if c == "total_opportunity_value" else I)
              for c in OV_COUNTERS]
           + [("extracted_at", T)])
LC_COLS = [("client_id", T), ("campaign_id", T), ("leads", I), ("pages", I),
           ("extracted_at", T)]

TABLES = [("synced_leads", SL_COLS), ("campaigns", CAMP_COLS),
          ("campaign_analytics", DAILY_COLS),
          ("campaign_analytics_overview", OV_COLS),
          ("leads_complete", LC_COLS)]


def field(typ, v, name):
    if v is None:
        return ""
    if typ == T:
        assert isinstance(v, str), (name, v)
        return '"' + v.replace('"', '""') + '"'
    if typ == I:
        assert isinstance(v, int) and not isinstance(v, bool), (name, v)
        assert -2147483648 <= v <= 2147483647, (name, v)
        return str(v)
    assert isinstance(v, str), (name, v)      # numeric: its text, unquoted
    return v


def row(cols, vals):
    names = [c for c, _ in cols]
    for k in vals:
        assert k in names, k
    return ",".join(field(t, vals.get(c), c) for c, t in cols)


def SL(n, lead_status, client=CA, camp=K1, ext=EXT, **kw):
    lid = U(n) if isinstance(n, int) else n
    assert "lead_status" not in kw
    kw.update(client_id=client, campaign_id=camp, instantly_lead_id=lid,
              lead_status=lead_status, extracted_at=ext)
    return ("synced_leads", row(SL_COLS, kw))


def CR(name, status, tc, tu, item, client=CA, camp=K1, ext=EXT):
    return ("campaigns", row(CAMP_COLS, dict(
        client_id=client, campaign_id=camp, name=name, status=status,
        timestamp_created=tc, timestamp_updated=tu, item=item,
        extracted_at=ext)))


def DR(date, client=CA, camp=K1, ext=EXT, **kw):
    assert "bounced" not in kw          # always NULL
    kw.update(client_id=client, campaign_id=camp, date=date, extracted_at=ext)
    return ("campaign_analytics", row(DAILY_COLS, kw))


def OR(start, end, client=CA, camp=K1, ext=EXT, **kw):
    kw.update(client_id=client, campaign_id=camp, start_date=start,
              end_date=end, extracted_at=ext)
    return ("campaign_analytics_overview", row(OV_COLS, kw))


def LC(leads, pages, client=CA, camp=K1, ext=EXT):
    return ("leads_complete", row(LC_COLS, dict(
        client_id=client, campaign_id=camp, leads=leads, pages=pages,
        extracted_at=ext)))


# ---- case writer -----------------------------------------------------------
CASES = []


def case(name, readme, lines, rows, rejected=(), args=None, files=None,
         raw=None):
    CASES.append((name, readme, lines, rows, list(rejected), args,
                  files or {}, raw))


def write_case(name, readme, lines, rows, rejected, args, files, raw):
    d = os.path.join(HERE, name)
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(os.path.join(d, "expected"))
    if raw is not None:
        data = raw
    else:
        data = b"".join((l if isinstance(l, bytes) else l.encode()) + b"\n"
                        for l in lines)
    nlines = data.count(b"\n") + (0 if data.endswith(b"\n") or not data
                                  else 1)
    for r in rejected:
        assert 1 <= r <= nlines, (name, r)
    with open(os.path.join(d, "input.ndjson"), "wb") as f:
        f.write(data)
    # a table without rows has no expected file: the test checks that
    # its output is the header alone
    for t, cols in TABLES:
        mine = [r for tt, r in rows if tt == t]
        if not mine:
            continue
        with open(os.path.join(d, "expected", t + ".csv"), "wb") as f:
            f.write((",".join(c for c, _ in cols) + "\n").encode())
            for r in mine:
                f.write((r + "\n").encode())
    with open(os.path.join(d, "expected", "rejected-lines"), "w") as f:
        f.write("".join("%d\n" % r for r in rejected))
    with open(os.path.join(d, "README"), "w") as f:
        f.write(readme.strip() + "\n")
    if args:
        with open(os.path.join(d, "args"), "w") as f:
            f.write("".join(a + "\n" for a in args))
    for fn, content in files.items():
        with open(os.path.join(d, fn), "w") as f:
            f.write(content)


# =============================================================================
# The cases
# =============================================================================

# ---- lead-basic --------------------------------------------------------------
P101 = ('{"jobTitle":"Head of Growth","Industry":"Logistics",'
        '"Company Size":"51-200",'
        '"LinkedIn":"https://www.linkedin.com/in/janneke-de-vries",'
        '"vacancy_url":"https://werkenbij.vriesbouw.nl/vacatures/123",'
        '"website":"https://payload.vriesbouw.nl"}')
D101 = lead(101,
    '"timestamp_created":"2025-09-12T10:09:54.426Z"',
    '"timestamp_updated":"2025-09-15T11:04:21.001Z"',
    '"organization":"%s"' % ORG, '"campaign":"%s"' % K2, '"status":1',
    '"email_open_count":3', '"email_reply_count":0', '"email_click_count":1',
    '"company_domain":"vriesbouw.nl"',
    '"status_summary":{"lastStep":{"from":"jan@outreach-mail.nl",'
    '"stepID":"0_0_0","timestamp_executed":"2025-09-15T11:04:20.549Z"},'
    '"domain_complete":true}',
    '"email":"janneke@vriesbouw.nl"', '"first_name":"Janneke"',
    '"last_name":"de Vries"', '"company_name":"Vries Bouw B.V."',
    '"job_title":"Marketing Director"', '"phone":"+31 20 123 4567"',
    '"website":"https://vriesbouw.nl"',
    '"personalization":"Hoi Janneke, mooi om te zien dat Vries Bouw groeit."',
    '"verification_status":1', '"lt_interest_status":1',
    '"payload":' + P101,
    '"timestamp_last_contact":"2025-09-15T11:04:20.549Z"',
    '"timestamp_last_open":"2025-09-16T08:12:03.120Z"',
    '"timestamp_last_reply":"2025-09-17T09:00:00.000Z"',
    '"timestamp_last_click":"2025-09-16T08:13:44.800Z"',
    '"timestamp_last_touch":"2025-09-17T09:00:00.000Z"',
    '"timestamp_last_interest_change":"2025-09-17T09:05:10.250Z"',
    '"last_contacted_from":"piet@outreach-mail.nl"',
    '"upload_method":"api"', '"esp_code":2')
R101 = dict(
    email="janneke@vriesbouw.nl", first_name="Janneke", last_name="de Vries",
    company_name="Vries Bouw B.V.", phone="+31 20 123 4567",
    company_domain="vriesbouw.nl",
    personalization="Hoi Janneke, mooi om te zien dat Vries Bouw groeit.",
    website="https://vriesbouw.nl", job_title="Marketing Director",
    industry="Logistics", company_size="51-200",
    linkedin_url="https://www.linkedin.com/in/janneke-de-vries",
    vacancy_url="https://werkenbij.vriesbouw.nl/vacatures/123",
    verification_status=1, interest_status="positive", lt_interest_status=1,
    instantly_status=1, sender_account="jan@outreach-mail.nl",
    email_open_count=3, email_reply_count=0, email_click_count=1,
    timestamp_created="2025-09-12T10:09:54.426Z",
    timestamp_updated="2025-09-15T11:04:21.001Z",
    timestamp_last_contact="2025-09-15T11:04:20.549Z",
    timestamp_last_open="2025-09-16T08:12:03.120Z",
    timestamp_last_reply="2025-09-17T09:00:00.000Z",
    timestamp_last_click="2025-09-16T08:13:44.800Z",
    timestamp_last_touch="2025-09-17T09:00:00.000Z",
    timestamp_last_interest_change="2025-09-17T09:05:10.250Z",
    payload=P101)
P102 = ('{"firstName":"FakeFirst11","lastName":"FakeLast11",'
        '"companyName":"Emerge2","email":"prospect11.fake@example.com",'
        '"jobTitle":"CEO"}')
PERS102 = ("Hey FakeFirst11, awesome to see you lead marketing at Emerge2 "
           "\u2013 I\u2019m active in Waterloo too.")
D102 = lead(102,
    '"timestamp_created":"2025-09-12T10:09:54.426Z"',
    '"timestamp_updated":"2025-09-12T10:09:54.426Z"',
    '"organization":"%s"' % ORG, '"status":3', '"email_open_count":0',
    '"email_reply_count":0', '"email_click_count":0',
    '"company_domain":"emerge2.com"', '"status_summary":{}',
    '"campaign":"%s"' % K1, '"email":"prospect11.fake@example.com"',
    '"personalization":"%s"' % PERS102, '"last_name":"FakeLast11"',
    '"first_name":"FakeFirst11"', '"company_name":"Emerge2"',
    '"payload":' + P102,
    '"timestamp_last_contact":"2025-09-15T11:04:20.549Z"',
    '"upload_method":"manual"',
    '"assigned_to":"4da98da8-2c37-4bf7-84da-1b76914b6dcb"',
    '"timestamp_last_touch":"2025-09-15T11:04:20.549Z"', '"esp_code":1')
case("lead-basic",
     "synced_leads column mapping: every column of a full lead; campaign_id and"
     " client_id from the envelope (not the lead's own \"campaign\"), one lead"
     " under two clients = two rows, top-level website/job_title beat the ICP"
     " payload, sender from status_summary.lastStep.from before"
     " last_contacted_from, lt_interest_status 1 = positive",
     [E("lead", D101), E("lead", D101, client=CB, ext=EXT2), E("lead", D102)],
     [SL(101, "emailed", **R101),
      SL(101, "emailed", client=CB, ext=EXT2, **R101),
      SL(102, "emailed", email="prospect11.fake@example.com",
         first_name="FakeFirst11", last_name="FakeLast11",
         company_name="Emerge2", company_domain="emerge2.com",
         personalization=PERS102, job_title="CEO", instantly_status=3,
         email_open_count=0, email_reply_count=0, email_click_count=0,
         timestamp_created="2025-09-12T10:09:54.426Z",
         timestamp_updated="2025-09-12T10:09:54.426Z",
         timestamp_last_contact="2025-09-15T11:04:20.549Z",
         timestamp_last_touch="2025-09-15T11:04:20.549Z", payload=P102)])

# ---- lead-envelope-keys ----------------------------------------------------
D111 = lead(111, '"campaign":"%s"' % K1, '"email":"sam@hollandtrading.nl"',
            '"status":1')
case("lead-envelope-keys",
     "key (client_id, campaign_id, instantly_lead_id): the same lead listed"
     " under two campaigns and two clients gives one row per envelope;"
     " campaign_id and client_id come from the envelope, never from the"
     " lead's \"campaign\" field",
     [E("lead", D111), E("lead", D111, camp=K2), E("lead", D111, client=CB),
      E("lead", D111, client=CB, camp=K3, ext=EXT2)],
     [SL(111, "not_yet_emailed", email="sam@hollandtrading.nl",
         instantly_status=1),
      SL(111, "not_yet_emailed", camp=K2, email="sam@hollandtrading.nl",
         instantly_status=1),
      SL(111, "not_yet_emailed", client=CB, email="sam@hollandtrading.nl",
         instantly_status=1),
      SL(111, "not_yet_emailed", client=CB, camp=K3, ext=EXT2,
         email="sam@hollandtrading.nl", instantly_status=1)])

# ---- lead-nulls-empty --------------------------------------------------------
NULLS = ",".join('"%s":null' % k for k in [
    "email", "first_name", "last_name", "company_name", "phone",
    "company_domain", "personalization", "website", "job_title",
    "verification_status", "status", "lt_interest_status",
    "email_open_count", "email_reply_count", "email_click_count",
    "timestamp_created", "timestamp_updated", "timestamp_last_contact",
    "timestamp_last_open", "timestamp_last_reply", "timestamp_last_click",
    "timestamp_last_touch", "timestamp_last_interest_change",
    "last_step_from", "last_contacted_from", "status_summary", "payload"])
EMPTIES = ",".join('"%s":""' % k for k in [
    "email", "first_name", "last_name", "company_name", "phone",
    "company_domain", "personalization", "website", "job_title",
    "timestamp_created", "timestamp_updated", "timestamp_last_contact",
    "timestamp_last_open", "timestamp_last_reply", "timestamp_last_click",
    "timestamp_last_touch", "timestamp_last_interest_change",
    "last_step_from", "last_contacted_from"])
case("lead-nulls-empty",
     "absent key or JSON null -> NULL (empty unquoted field); \"\" in a text"
     " column -> quoted empty string; \"\" in website/job_title -> ICP lookup"
     " (NULL here); \"\" in a timestamp -> NULL; payload absent/null -> NULL,"
     " payload {} -> \"{}\"; a lead with no evidence -> not_yet_emailed",
     [LE(121), LE(122, NULLS), LE(123, EMPTIES, '"status_summary":{}',
                                   '"payload":{}')],
     [SL(121, "not_yet_emailed"),
      SL(122, "not_yet_emailed"),
      SL(123, "not_yet_emailed", email="", first_name="", last_name="",
         company_name="", phone="", company_domain="", personalization="",
         payload="{}")])

# ---- text-values -------------------------------------------------------------
case("text-values",
     "text columns: JSON escapes decoded (\\n \\r \\t \\\" \\\\ \\/ \\b \\u00e9,"
     " surrogate pair), kept as given (not trimmed), \" doubled and CR/LF kept"
     " inside the quotes, a JSON number -> its exact input text, true/false ->"
     " the words, a value that is exactly \\.",
     [LE(131, r'"email":"smile\ud83d\ude00@example.com"',
         r'"first_name":"  Anna\t"', r'"last_name":"O\"Brien"',
         '"company_name":"Smith, Jones & Co"', '"phone":31612345678',
         r'"company_domain":"d\u00e9j\u00e0-vu.fr"',
         r'"personalization":"Line one\nLine two\r\nLine three"'),
      LE(132, r'"email":"a\/b@example.com"', '"first_name":true',
         '"last_name":false', '"phone":1e3', '"company_name":-0.50',
         r'"company_domain":"back\\slash\b.nl"',
         r'"personalization":"\\."'),
      LE(133, '"first_name":"Zoë"', '"last_name":"Ångström-Ñúñez"',
         '"company_name":"株式会社テスト"', '"phone":"+31 (0)6-1234 5678"',
         '"personalization":"\U0001F680 Launch, \\"now\\""')],
     [SL(131, "not_yet_emailed", email="smile\U0001F600@example.com",
         first_name="  Anna\t", last_name='O"Brien',
         company_name="Smith, Jones & Co", phone="31612345678",
         company_domain="d\u00e9j\u00e0-vu.fr",
         personalization="Line one\nLine two\r\nLine three"),
      SL(132, "not_yet_emailed", email="a/b@example.com", first_name="true",
         last_name="false", phone="1e3", company_name="-0.50",
         company_domain="back\\slash\b.nl", personalization="\\."),
      SL(133, "not_yet_emailed", first_name="Zoë",
         last_name="Ångström-Ñúñez", company_name="株式会社テスト",
         phone="+31 (0)6-1234 5678",
         personalization='\U0001F680 Launch, "now"')])

# ---- text-object-reject -----------------------------------------------------
case("text-object-reject",
     "an object or array in a text column (email, first_name, personalization,"
     " company_name) rejects the whole line; the lines around it are kept",
     [LE(141, '"email":"kim@example.com"'),
      LE(142, '"email":{"address":"kim@example.com"}'),
      LE(143, '"first_name":["Kim"]'),
      LE(144, '"personalization":{}'),
      LE(145, '"company_name":[]'),
      LE(146, '"email":"lee@example.com"')],
     [SL(141, "not_yet_emailed", email="kim@example.com"),
      SL(146, "not_yet_emailed", email="lee@example.com")],
     rejected=[2, 3, 4, 5])

# ---- unicode-nul -------------------------------------------------------------
P151 = (r'{"Job\u0000Title":"Chief\u0000Officer","note":"C:\\u0000dir",'
        r'"x\u0000":"\u0000"}')
P151_OUT = (r'{"Job\ufffdTitle":"Chief\ufffdOfficer","note":"C:\\u0000dir",'
            r'"x\ufffd":"\ufffd"}')
C152 = (r'{"id":"%s","name":"Q4\u0000Outreach","status":1,'
        r'"timestamp_created":"2025-08-01T09:00:00.000Z",'
        r'"timestamp_updated":"2025-08-02T09:00:00.000Z"}' % K1)
C152_OUT = (r'{"id":"%s","name":"Q4\ufffdOutreach","status":1,'
            r'"timestamp_created":"2025-08-01T09:00:00.000Z",'
            r'"timestamp_updated":"2025-08-02T09:00:00.000Z"}' % K1)
case("unicode-nul",
     "U+0000 -> U+FFFD: in decoded text values (first_name, personalization,"
     " sender_account, ICP value, campaign name) and in payload/item jsonb,"
     " where the escape \\u0000 (also in keys) is written \\ufffd while an"
     " escaped backslash followed by u0000 (\\\\u0000) is left alone; the key"
     " Job<NUL>Title still normalises to jobtitle",
     [LE(151, r'"first_name":"Ann\u0000a"', r'"personalization":"\u0000"',
         r'"last_step_from":"box\u0000@mail.example"', '"payload":' + P151),
      E("campaign", C152),
      LE(153, r'"payload":{"\u0000":"x"}')],
     [SL(151, "emailed", first_name="Ann\ufffda", personalization="\ufffd",
         sender_account="box\ufffd@mail.example",
         job_title="Chief\ufffdOfficer", payload=P151_OUT),
      CR("Q4\ufffdOutreach", 1, "2025-08-01T09:00:00.000Z",
         "2025-08-02T09:00:00.000Z", C152_OUT),
      SL(153, "not_yet_emailed", payload=r'{"\ufffd":"x"}')])


# ---- ICP helpers ---------------------------------------------------------------
def PL(n, payload, *parts, **kw):
    return LE(n, *(list(parts) + ['"payload":' + payload]), **kw)


# ---- icp-job-title -------------------------------------------------------------
JT = [
    '{"Functietitel":"Projectleider","Functie":"Adviseur",'
    '"Position":"Consultant","Title":"Senior Consultant",'
    '"Job Title":"Principal Consultant"}',
    '{"Functietitel":"Projectleider","Functie":"Adviseur",'
    '"Position":"Consultant","Title":"Senior Consultant"}',
    '{"Functietitel":"Projectleider","Functie":"Adviseur",'
    '"position":"Consultant"}',
    '{"functietitel":"Projectleider","FUNCTIE":"Adviseur"}',
    '{"Functie titel":"Projectleider"}',
    '{"jobTitle":"CEO"}',
    '{"title":"Founder"}',
    '{"jobTitle":"","title":"   ","position":"Buyer"}',
]
case("icp-job-title",
     "job_title synonyms in priority order jobtitle > title > position >"
     " functie > functietitel (EN then NL), regardless of payload order; the"
     " top-level job_title wins when non-empty after trimming (written"
     " trimmed), blank top-level falls back to ICP; empty ICP values pass to"
     " the next synonym",
     [PL(161, JT[0]), PL(162, JT[1]), PL(163, JT[2]), PL(164, JT[3]),
      PL(165, JT[4]), PL(166, JT[5], '"job_title":" CTO "'),
      PL(167, JT[6], '"job_title":"  \\t "'),
      PL(168, JT[7], '"job_title":null')],
     [SL(161, "not_yet_emailed", job_title="Principal Consultant",
         payload=JT[0]),
      SL(162, "not_yet_emailed", job_title="Senior Consultant", payload=JT[1]),
      SL(163, "not_yet_emailed", job_title="Consultant", payload=JT[2]),
      SL(164, "not_yet_emailed", job_title="Adviseur", payload=JT[3]),
      SL(165, "not_yet_emailed", job_title="Projectleider", payload=JT[4]),
      SL(166, "not_yet_emailed", job_title="CTO", payload=JT[5]),
      SL(167, "not_yet_emailed", job_title="Founder", payload=JT[6]),
      SL(168, "not_yet_emailed", job_title="Buyer", payload=JT[7])])

# ---- icp-industry -----------------------------------------------------------
IN = [
    '{"Industrie":"Bouw","Sector":"Construction","Branche":"Bouwnijverheid",'
    '"Industry":"Construction & Engineering"}',
    '{"Industrie":"Bouw","Sector":"Construction","Branche":"Bouwnijverheid"}',
    '{"Industrie":"Bouw","sector":"Construction"}',
    '{"industrie":"Bouw"}',
    '{"industry":"","Branche":"Zorg"}',
]
case("icp-industry",
     "industry synonyms in priority order industry > branche > sector >"
     " industrie, regardless of payload order; an empty higher synonym passes"
     " to the next",
     [PL(171 + i, p) for i, p in enumerate(IN)],
     [SL(171, "not_yet_emailed", industry="Construction & Engineering",
         payload=IN[0]),
      SL(172, "not_yet_emailed", industry="Bouwnijverheid", payload=IN[1]),
      SL(173, "not_yet_emailed", industry="Construction", payload=IN[2]),
      SL(174, "not_yet_emailed", industry="Bouw", payload=IN[3]),
      SL(175, "not_yet_emailed", industry="Zorg", payload=IN[4])])

# ---- icp-company-size -------------------------------------------------------
# (key as written, value); list order = synonym priority
CS = [("company_size", "51-200"), ("Bedrijfsgrootte", "50-199"),
      ("companyHeadcount", "180"), ("Headcount", "175"),
      ("Employees", "160"), ("employee_count", "150"),
      ("Number of Employees", "140"), ("Aantal medewerkers", "130"),
      ("Medewerkers", "120"), ("aantal_werknemers", "110")]
CSP = []
for k in range(10):       # lead k: synonyms k..9, written lowest priority first
    CSP.append("{" + ",".join('"%s":"%s"' % kv for kv in reversed(CS[k:]))
               + "}")
case("icp-company-size",
     "company_size synonyms in priority order companysize > bedrijfsgrootte >"
     " companyheadcount > headcount > employees > employeecount >"
     " numberofemployees > aantalmedewerkers > medewerkers > aantalwerknemers:"
     " lead k holds synonyms k..10 (lowest priority first in payload order),"
     " synonym k wins",
     [PL(181 + i, p) for i, p in enumerate(CSP)],
     [SL(181, "not_yet_emailed", company_size="51-200", payload=CSP[0]),
      SL(182, "not_yet_emailed", company_size="50-199", payload=CSP[1]),
      SL(183, "not_yet_emailed", company_size="180", payload=CSP[2]),
      SL(184, "not_yet_emailed", company_size="175", payload=CSP[3]),
      SL(185, "not_yet_emailed", company_size="160", payload=CSP[4]),
      SL(186, "not_yet_emailed", company_size="150", payload=CSP[5]),
      SL(187, "not_yet_emailed", company_size="140", payload=CSP[6]),
      SL(188, "not_yet_emailed", company_size="130", payload=CSP[7]),
      SL(189, "not_yet_emailed", company_size="120", payload=CSP[8]),
      SL(190, "not_yet_emailed", company_size="110", payload=CSP[9])])

# ---- icp-linkedin-vacancy ----------------------------------------------------
LV = [
    '{"LinkedIn Profile":"https://linkedin.com/in/p","linkedin":'
    '"https://linkedin.com/in/l","LinkedIn URL":"https://linkedin.com/in/u",'
    '"Vacature":"https://jobs.example.nl/v4","Vacancy":'
    '"https://jobs.example.nl/v3","Vacature URL":"https://jobs.example.nl/v2",'
    '"vacancyUrl":"https://jobs.example.nl/v1"}',
    '{"LinkedIn Profile":"https://linkedin.com/in/p","linkedin":'
    '"https://linkedin.com/in/l","Vacature":"https://jobs.example.nl/v4",'
    '"Vacancy":"https://jobs.example.nl/v3","Vacature URL":'
    '"https://jobs.example.nl/v2"}',
    '{"linkedin_profile":"https://linkedin.com/in/p","vacature":'
    '"https://jobs.example.nl/v4","vacancy":"https://jobs.example.nl/v3"}',
    '{"Vacature":"https://jobs.example.nl/v4"}',
]
case("icp-linkedin-vacancy",
     "linkedin_url synonyms linkedinurl > linkedin > linkedinprofile and"
     " vacancy_url synonyms vacancyurl > vacatureurl > vacancy > vacature;"
     " \"LinkedIn URL\" (linkedinurl) is not the website synonym url",
     [PL(201 + i, p) for i, p in enumerate(LV)],
     [SL(201, "not_yet_emailed", linkedin_url="https://linkedin.com/in/u",
         vacancy_url="https://jobs.example.nl/v1", payload=LV[0]),
      SL(202, "not_yet_emailed", linkedin_url="https://linkedin.com/in/l",
         vacancy_url="https://jobs.example.nl/v2", payload=LV[1]),
      SL(203, "not_yet_emailed", linkedin_url="https://linkedin.com/in/p",
         vacancy_url="https://jobs.example.nl/v3", payload=LV[2]),
      SL(204, "not_yet_emailed", vacancy_url="https://jobs.example.nl/v4",
         payload=LV[3])])

# ---- icp-website ---------------------------------------------------------------
WS = [
    '{"URL":"https://u.example","Company URL":"https://cu.example",'
    '"Website URL":"https://wu.example","Company Website":"https://cw.example",'
    '"Website":"https://w.example"}',
    '{"URL":"https://u.example","Company URL":"https://cu.example",'
    '"Website URL":"https://wu.example","Company Website":"https://cw.example"}',
    '{"URL":"https://u.example","Company URL":"https://cu.example",'
    '"Website URL":"https://wu.example"}',
    '{"URL":"https://u.example","companyUrl":"https://cu.example"}',
    '{"url":"https://u.example"}',
    '{"website":"https://p.example"}',
    '{"website":"https://p.example"}',
]
case("icp-website",
     "website synonyms website > companywebsite > websiteurl > companyurl >"
     " url; the top-level website wins when non-empty after trimming and is"
     " written trimmed; a whitespace-only top-level website falls back to ICP",
     [PL(211, WS[0]), PL(212, WS[1]), PL(213, WS[2]), PL(214, WS[3]),
      PL(215, WS[4]), PL(216, WS[5], r'"website":" https://top.example/ \n"'),
      PL(217, WS[6], r'"website":"\t\r\n"')],
     [SL(211, "not_yet_emailed", website="https://w.example", payload=WS[0]),
      SL(212, "not_yet_emailed", website="https://cw.example", payload=WS[1]),
      SL(213, "not_yet_emailed", website="https://wu.example", payload=WS[2]),
      SL(214, "not_yet_emailed", website="https://cu.example", payload=WS[3]),
      SL(215, "not_yet_emailed", website="https://u.example", payload=WS[4]),
      SL(216, "not_yet_emailed", website="https://top.example/",
         payload=WS[5]),
      SL(217, "not_yet_emailed", website="https://p.example", payload=WS[6])])

# ---- icp-key-normalisation ----------------------------------------------------
KN = [
    '{"JOB-TITLE":"Analyst"}',
    '{"job_title":"Architect"}',
    '{"jobTitle":"Auditor"}',
    '{"Job Title":"Accountant"}',
    '{"  job.title!! ":"Agent"}',
    '{"Ti\u00adtle":"Advocaat"}',                 # raw UTF-8 soft hyphen
    r'{"Functie\u00e9":"Apotheker"}',             # escaped e-acute
    '{"Bédrijfsgrootte":"10-50","Sëctor":"Retail","Ｔitle":"Baas",'
    '"Title2":"Bode","2title":"Bakker"}',
    '{"Aantal Medewerkers":"12","linkedin-url":"https://linkedin.com/in/x",'
    '"VACATURE_URL":"https://jobs.example.nl/vac",'
    '"Company_Website":"https://cw.example"}',
]
case("icp-key-normalisation",
     "payload key normalisation: ASCII letters lowered, digits kept, every"
     " other byte dropped (hyphen, underscore, space, punctuation, camelCase,"
     " non-ASCII letters and the soft hyphen); Bédrijfsgrootte ->"
     " bdrijfsgrootte, Sëctor -> sctor and fullwidth Ｔitle -> itle do not"
     " match, Title2/2title keep their digit and do not match",
     [PL(221 + i, p) for i, p in enumerate(KN)],
     [SL(221, "not_yet_emailed", job_title="Analyst", payload=KN[0]),
      SL(222, "not_yet_emailed", job_title="Architect", payload=KN[1]),
      SL(223, "not_yet_emailed", job_title="Auditor", payload=KN[2]),
      SL(224, "not_yet_emailed", job_title="Accountant", payload=KN[3]),
      SL(225, "not_yet_emailed", job_title="Agent", payload=KN[4]),
      SL(226, "not_yet_emailed", job_title="Advocaat", payload=KN[5]),
      SL(227, "not_yet_emailed", job_title="Apotheker", payload=KN[6]),
      SL(228, "not_yet_emailed", payload=KN[7]),
      SL(229, "not_yet_emailed", company_size="12",
         linkedin_url="https://linkedin.com/in/x",
         vacancy_url="https://jobs.example.nl/vac",
         website="https://cw.example", payload=KN[8])])

# ---- icp-containing-keys ------------------------------------------------------
CK = [
    '{"jobTitleOld":"A","industry_code":"B","my_website":"C",'
    '"linkedin_url_2":"D","xtitle":"E","titles":"F","vacancy_urls":"G",'
    '"company_size_range":"H"}',
    '{"Job Title (old)":"Manager","title":"Director"}',
]
case("icp-containing-keys",
     "a key that only contains a synonym (jobTitleOld, industry_code,"
     " my_website, linkedin_url_2, xtitle, titles, vacancy_urls,"
     " company_size_range) does not match; the next synonym still can",
     [PL(231, CK[0]), PL(232, CK[1])],
     [SL(231, "not_yet_emailed", payload=CK[0]),
      SL(232, "not_yet_emailed", job_title="Director", payload=CK[1])])

# ---- icp-several-keys ---------------------------------------------------------
SK = [
    '{"Job Title":"  ","job_title":"","jobTitle":"CMO","JOB-TITLE":"CFO"}',
    '{"industry":"Retail","Industry":"Logistics"}',
    '{"jobTitle":null,"job_title":"COO"}',
    '{"jobTitle":{"en":"Owner"},"job_title":["Owner"],"Job Title":"Eigenaar"}',
    '{"JobTitle":"","title":"","Title":"Founder"}',
    '{"employees":"  ","Employees":"\\t","headcount":null,"Headcount":"40"}',
]
case("icp-several-keys",
     "several payload keys normalising to one synonym: the first in payload"
     " order with a non-empty value wins; empty, whitespace-only, null,"
     " object and array values are passed over, not a stop; synonym priority"
     " still beats payload order",
     [PL(241 + i, p) for i, p in enumerate(SK)],
     [SL(241, "not_yet_emailed", job_title="CMO", payload=SK[0]),
      SL(242, "not_yet_emailed", industry="Retail", payload=SK[1]),
      SL(243, "not_yet_emailed", job_title="COO", payload=SK[2]),
      SL(244, "not_yet_emailed", job_title="Eigenaar", payload=SK[3]),
      SL(245, "not_yet_emailed", job_title="Founder", payload=SK[4]),
      SL(246, "not_yet_emailed", company_size="40", payload=SK[5])])

# ---- icp-value-types ----------------------------------------------------------
VT = [
    '{"employees":250}',
    '{"companySize":1e3}',
    '{"headcount":-0.50,"industry":true}',
    '{"sector":false}',
    '{"jobTitle":{"a":1},"title":[1,2],"position":"Manager"}',
    '{"jobTitle":null,"title":12.50E+1}',
    '{"website":{"url":"https://x.example"},"url":"https://ok.example"}',
    '{"linkedin":[],"linkedinProfile":"https://linkedin.com/in/z"}',
]
case("icp-value-types",
     "ICP value types: a JSON number is written as its exact input text (250,"
     " 1e3, -0.50, 12.50E+1), true/false as the words, object/array/null are"
     " absent so the next key or synonym is tried",
     [PL(251 + i, p) for i, p in enumerate(VT)],
     [SL(251, "not_yet_emailed", company_size="250", payload=VT[0]),
      SL(252, "not_yet_emailed", company_size="1e3", payload=VT[1]),
      SL(253, "not_yet_emailed", company_size="-0.50", industry="true",
         payload=VT[2]),
      SL(254, "not_yet_emailed", industry="false", payload=VT[3]),
      SL(255, "not_yet_emailed", job_title="Manager", payload=VT[4]),
      SL(256, "not_yet_emailed", job_title="12.50E+1", payload=VT[5]),
      SL(257, "not_yet_emailed", website="https://ok.example", payload=VT[6]),
      SL(258, "not_yet_emailed", linkedin_url="https://linkedin.com/in/z",
         payload=VT[7])])

# ---- icp-trim-whitespace ------------------------------------------------------
TW = [
    r'{"jobTitle":"\t\n\u000b\f\r Manager \r\f\u000b\n\t"}',
    r'{"jobTitle":" \t\n\u000b\f\r","title":"Planner"}',
    r'{"jobTitle":"\u00a0Sales\u00a0"}',
    r'{"jobTitle":"CEO"}',
    r'{}',
    r'{"url":" https://x.example "}',
    r'{"industry":"  Real  Estate\t"}',
    r'{"industry":"\u2003Tech"}',
]
case("icp-trim-whitespace",
     "trimming removes exactly the six ASCII whitespace characters (space,"
     " \\t, \\n, \\r, \\v, \\f) at both ends of ICP values, top-level"
     " job_title and website; inner whitespace and non-ASCII spaces (NBSP,"
     " EM SPACE) are kept; ordinary text columns (first_name) are not trimmed",
     [PL(261, TW[0]), PL(262, TW[1]), PL(263, TW[2]),
      PL(264, TW[3], r'"job_title":"\u000b CTO\f"'),
      PL(265, TW[4], r'"website":"\u00a0"', r'"first_name":" Anna\t"'),
      PL(266, TW[5], r'"website":"\f\u000b\r\n\t "'),
      PL(267, TW[6]), PL(268, TW[7])],
     [SL(261, "not_yet_emailed", job_title="Manager", payload=TW[0]),
      SL(262, "not_yet_emailed", job_title="Planner", payload=TW[1]),
      SL(263, "not_yet_emailed", job_title="\u00a0Sales\u00a0",
         payload=TW[2]),
      SL(264, "not_yet_emailed", job_title="CTO", payload=TW[3]),
      SL(265, "not_yet_emailed", website="\u00a0", first_name=" Anna\t",
         payload=TW[4]),
      SL(266, "not_yet_emailed", website="https://x.example", payload=TW[5]),
      SL(267, "not_yet_emailed", industry="Real  Estate", payload=TW[6]),
      SL(268, "not_yet_emailed", industry="\u2003Tech", payload=TW[7])])

# ---- lead-status-priority -----------------------------------------------------
TLC = '"timestamp_last_contact":"2025-09-15T11:04:20.549Z"'
case("lead-status-priority",
     "lead_status priority replied > bounced > emailed > not_yet_emailed:"
     " reply count > 0 beats status -1; status -1 beats contact evidence;"
     " numeric strings count; status 3 alone is emailed; status 1/2 without"
     " evidence is not_yet_emailed; status -2 with an open is emailed",
     [LE(271, '"email_reply_count":2', '"status":-1', TLC),
      LE(272, '"email_reply_count":0', '"status":-1', TLC,
         '"email_open_count":3'),
      LE(273, '"email_reply_count":"1"', '"status":3'),
      LE(274, '"status":"-1"'),
      LE(275, '"status":3'),
      LE(276, '"status":1', '"email_open_count":0', '"email_reply_count":0',
         '"email_click_count":0', '"status_summary":{}'),
      LE(277, '"status":2'),
      LE(278, '"email_reply_count":0', '"status":-2', '"email_open_count":1')],
     [SL(271, "replied", email_reply_count=2, instantly_status=-1,
         timestamp_last_contact="2025-09-15T11:04:20.549Z"),
      SL(272, "bounced", email_reply_count=0, instantly_status=-1,
         timestamp_last_contact="2025-09-15T11:04:20.549Z",
         email_open_count=3),
      SL(273, "replied", email_reply_count=1, instantly_status=3),
      SL(274, "bounced", instantly_status=-1),
      SL(275, "emailed", instantly_status=3),
      SL(276, "not_yet_emailed", instantly_status=1, email_open_count=0,
         email_reply_count=0, email_click_count=0),
      SL(277, "not_yet_emailed", instantly_status=2),
      SL(278, "emailed", email_reply_count=0, instantly_status=-2,
         email_open_count=1)])

# ---- lead-status-evidence -----------------------------------------------------
case("lead-status-evidence",
     "each contact evidence alone gives emailed: non-empty"
     " timestamp_last_contact, a status_summary.lastStep object with a key,"
     " non-empty last_step_from, open count > 0, click count > 0; no evidence:"
     " whitespace-only timestamp (NULL), lastStep {} / null / a string, a"
     " whitespace-only last_step_from, status_summary without lastStep, and"
     " last_contacted_from (a sender source, not evidence)",
     [LE(281, TLC, '"status":1'),
      LE(282, r'"timestamp_last_contact":" \t"', '"status":1'),
      LE(283, '"status_summary":{"lastStep":{"stepID":"0_0_0"}}'),
      LE(284, '"status_summary":{"lastStep":{}}'),
      LE(285, '"status_summary":{"lastStep":null}'),
      LE(286, '"last_step_from":"box@mail.example"'),
      LE(287, r'"last_step_from":" \t "'),
      LE(288, '"email_open_count":1'),
      LE(289, '"email_click_count":"2"'),
      LE(290, '"last_contacted_from":"box2@mail.example"', '"status":1'),
      LE(291, '"status_summary":{"domain_complete":true}'),
      LE(292, '"status_summary":{"lastStep":"0_0_0"}')],
     [SL(281, "emailed", instantly_status=1,
         timestamp_last_contact="2025-09-15T11:04:20.549Z"),
      SL(282, "not_yet_emailed", instantly_status=1),
      SL(283, "emailed"),
      SL(284, "not_yet_emailed"),
      SL(285, "not_yet_emailed"),
      SL(286, "emailed", sender_account="box@mail.example"),
      SL(287, "not_yet_emailed"),
      SL(288, "emailed", email_open_count=1),
      SL(289, "emailed", email_click_count=2),
      SL(290, "not_yet_emailed", sender_account="box2@mail.example",
         instantly_status=1),
      SL(291, "not_yet_emailed"),
      SL(292, "not_yet_emailed")])

# ---- interest-known -----------------------------------------------------------
IK = [(1, "positive"), (2, "positive"), (3, "positive"), (4, "positive"),
      (0, "neutral"), (-1, "negative"), (-2, "negative"), (-3, "negative"),
      (-4, "negative")]
case("interest-known",
     "interest_status from lt_interest_status: 1, 2, 3, 4 -> positive;"
     " 0 -> neutral; -1, -2, -3, -4 -> negative; the raw code is kept in"
     " lt_interest_status",
     [LE(301, '"lt_interest_status":1'), LE(302, '"lt_interest_status":2'),
      LE(303, '"lt_interest_status":3'), LE(304, '"lt_interest_status":4'),
      LE(305, '"lt_interest_status":0'), LE(306, '"lt_interest_status":-1'),
      LE(307, '"lt_interest_status":-2'), LE(308, '"lt_interest_status":-3'),
      LE(309, '"lt_interest_status":-4')],
     [SL(301, "not_yet_emailed", interest_status="positive",
         lt_interest_status=1),
      SL(302, "not_yet_emailed", interest_status="positive",
         lt_interest_status=2),
      SL(303, "not_yet_emailed", interest_status="positive",
         lt_interest_status=3),
      SL(304, "not_yet_emailed", interest_status="positive",
         lt_interest_status=4),
      SL(305, "not_yet_emailed", interest_status="neutral",
         lt_interest_status=0),
      SL(306, "not_yet_emailed", interest_status="negative",
         lt_interest_status=-1),
      SL(307, "not_yet_emailed", interest_status="negative",
         lt_interest_status=-2),
      SL(308, "not_yet_emailed", interest_status="negative",
         lt_interest_status=-3),
      SL(309, "not_yet_emailed", interest_status="negative",
         lt_interest_status=-4)])

# ---- interest-other -----------------------------------------------------------
case("interest-other",
     "interest_status: custom label codes (12345, 5, -5) -> NULL with the raw"
     " code kept in lt_interest_status; absent or null -> both NULL; numeric"
     " strings (\"2\", \"-4\", \"0\") and integral numbers (1.0e0) are read as"
     " integers and mapped",
     [LE(311, '"lt_interest_status":12345'),
      LE(312, '"email":"no.label@example.com"'),
      LE(313, '"lt_interest_status":null'),
      LE(314, '"lt_interest_status":"2"'),
      LE(315, '"lt_interest_status":"-4"'),
      LE(316, '"lt_interest_status":5'),
      LE(317, '"lt_interest_status":-5'),
      LE(318, '"lt_interest_status":"0"'),
      LE(319, '"lt_interest_status":1.0e0')],
     [SL(311, "not_yet_emailed", lt_interest_status=12345),
      SL(312, "not_yet_emailed", email="no.label@example.com"),
      SL(313, "not_yet_emailed"),
      SL(314, "not_yet_emailed", interest_status="positive",
         lt_interest_status=2),
      SL(315, "not_yet_emailed", interest_status="negative",
         lt_interest_status=-4),
      SL(316, "not_yet_emailed", lt_interest_status=5),
      SL(317, "not_yet_emailed", lt_interest_status=-5),
      SL(318, "not_yet_emailed", interest_status="neutral",
         lt_interest_status=0),
      SL(319, "not_yet_emailed", interest_status="positive",
         lt_interest_status=1)])

# ---- sender-account -----------------------------------------------------------
case("sender-account",
     "sender_account = first non-empty (after trimming) string of"
     " last_step_from, status_summary.lastStep.from, last_contacted_from,"
     " written trimmed; empty/whitespace strings are passed over, non-string"
     " values (number, object, true) count as absent; none -> NULL",
     [LE(321, '"last_step_from":"a@mail.example"',
         '"status_summary":{"lastStep":{"from":"b@mail.example"}}',
         '"last_contacted_from":"c@mail.example"'),
      LE(322, '"last_step_from":""',
         '"status_summary":{"lastStep":{"from":"b@mail.example"}}',
         '"last_contacted_from":"c@mail.example"'),
      LE(323, r'"last_step_from":" \t"',
         r'"status_summary":{"lastStep":{"from":"\n","stepID":"0_0_0"}}',
         '"last_contacted_from":"c@mail.example"'),
      LE(324, r'"last_contacted_from":" c@mail.example\t"'),
      LE(325, '"last_step_from":5',
         '"status_summary":{"lastStep":{"from":{"email":"b@mail.example"}}}',
         '"last_contacted_from":"c@mail.example"'),
      LE(326, '"last_step_from":null',
         '"status_summary":{"lastStep":{"from":" b@mail.example "}}'),
      LE(327, '"status_summary":{}'),
      LE(328, '"last_step_from":"  a@mail.example  "',
         '"last_contacted_from":true')],
     [SL(321, "emailed", sender_account="a@mail.example"),
      SL(322, "emailed", sender_account="b@mail.example"),
      SL(323, "emailed", sender_account="c@mail.example"),
      SL(324, "not_yet_emailed", sender_account="c@mail.example"),
      SL(325, "emailed", sender_account="c@mail.example"),
      SL(326, "emailed", sender_account="b@mail.example"),
      SL(327, "not_yet_emailed"),
      SL(328, "emailed", sender_account="a@mail.example")])

# ---- int-accepted -------------------------------------------------------------
case("int-accepted",
     "integer columns accept a JSON number with an integral value or a string"
     " of an optional - and ASCII digits, written canonical: \"007\" -> 7,"
     " 1.0 -> 1, 1e2/1E2 -> 100, -0/\"-0\"/-0.0 -> 0, 1.5e1 -> 15,"
     " 2.147483647e9 and the int32 limits, \"-007\" -> -7, 100e-2 -> 1",
     [LE(331, '"verification_status":"007"', '"status":1.0',
         '"email_open_count":1e2', '"email_reply_count":-0',
         '"email_click_count":"12"', '"lt_interest_status":"-3"'),
      LE(332, '"verification_status":2147483647', '"status":-2147483648',
         '"email_open_count":1E2', '"email_reply_count":"-0"',
         '"email_click_count":0.0', '"lt_interest_status":"0"'),
      LE(333, '"verification_status":-1', '"status":"3"',
         '"email_open_count":"000"', '"email_reply_count":1.5e1',
         '"email_click_count":2.147483647e9', '"lt_interest_status":4.0'),
      LE(334, '"verification_status":"-2147483648"', '"status":100e-2',
         '"email_open_count":0', '"email_reply_count":"0"',
         '"email_click_count":"-007"'),
      LE(335, '"verification_status":11', '"status":2',
         '"email_open_count":-0.0', '"lt_interest_status":"12345"')],
     [SL(331, "emailed", verification_status=7, instantly_status=1,
         email_open_count=100, email_reply_count=0, email_click_count=12,
         lt_interest_status=-3, interest_status="negative"),
      SL(332, "emailed", verification_status=2147483647,
         instantly_status=-2147483648, email_open_count=100,
         email_reply_count=0, email_click_count=0, lt_interest_status=0,
         interest_status="neutral"),
      SL(333, "replied", verification_status=-1, instantly_status=3,
         email_open_count=0, email_reply_count=15,
         email_click_count=2147483647, lt_interest_status=4,
         interest_status="positive"),
      SL(334, "not_yet_emailed", verification_status=-2147483648,
         instantly_status=1, email_open_count=0, email_reply_count=0,
         email_click_count=-7),
      SL(335, "not_yet_emailed", verification_status=11, instantly_status=2,
         email_open_count=0, lt_interest_status=12345)])

# ---- int-reject-strings -------------------------------------------------------
case("int-reject-strings",
     "an integer column holding a string that is not an optional - followed"
     " by ASCII digits rejects the whole line: \" 12\", \"+12\", \"1.5\","
     " \"n/a\", \"\", \"-\", \"1e2\", \"12 \", \"0x1F\", and \"2147483648\""
     " (out of int32)",
     [LE(341, '"email_open_count":"12"'),
      LE(342, '"email_open_count":" 12"'),
      LE(343, '"email_open_count":"+12"'),
      LE(344, '"email_reply_count":"1.5"'),
      LE(345, '"verification_status":"n/a"'),
      LE(346, '"verification_status":""'),
      LE(347, '"status":"-"'),
      LE(348, '"email_open_count":"1e2"'),
      LE(349, '"email_click_count":"12 "'),
      LE(350, '"lt_interest_status":"0x1F"'),
      LE(351, '"email_open_count":"2147483648"'),
      LE(352, '"email_click_count":"-12"')],
     [SL(341, "emailed", email_open_count=12),
      SL(352, "not_yet_emailed", email_click_count=-12)],
     rejected=list(range(2, 12)))

# ---- int-reject-values --------------------------------------------------------
case("int-reject-values",
     "an integer column holding a non-integral number (1.5, 1e-1), a number"
     " outside int32 (2147483648, -2147483649, 99999999999999999999),"
     " true/false, an array or an object rejects the whole line",
     [LE(361, '"status":1'),
      LE(362, '"status":true'),
      LE(363, '"email_click_count":1.5'),
      LE(364, '"email_open_count":2147483648'),
      LE(365, '"lt_interest_status":-2147483649'),
      LE(366, '"email_open_count":99999999999999999999'),
      LE(367, '"email_reply_count":[1]'),
      LE(368, '"status":{"code":1}'),
      LE(369, '"email_open_count":false'),
      LE(370, '"lt_interest_status":1e-1'),
      LE(371, '"status":2')],
     [SL(361, "not_yet_emailed", instantly_status=1),
      SL(371, "not_yet_emailed", instantly_status=2)],
     rejected=list(range(2, 11)))

# ---- int-other-tables ---------------------------------------------------------
C381 = ('{"id":"%s","name":"NL Retail","status":"2",'
        '"timestamp_created":"2025-08-01T09:00:00.000Z",'
        '"timestamp_updated":"2025-08-01T09:00:00.000Z"}' % K1)
case("int-other-tables",
     "the integer rules hold in every table: campaigns.status,"
     " campaign_analytics counters, overview counters and leads_complete"
     " leads/pages accept numeric strings and integral numbers (\"2\", 40.0,"
     " 4e1, 1e2, 2.0) and reject 1.5 or \"n/a\"/\"x\"",
     [E("campaign", C381),
      E("campaign", '{"id":"%s","name":"NL Retail","status":1.5}' % K2,
        camp=K2),
      E("analytics_daily", '{"date":"2026-11-20","sent":"40","contacted":40.0,'
        '"opened":"n/a"}', extra=WIN),
      E("analytics_daily", '{"date":"2026-11-21","sent":"40","contacted":4e1}',
        extra=WIN),
      E("analytics_overview", '{"open_count":"12","reply_count":1.5}',
        extra=WIN),
      E("analytics_overview", '{"open_count":"12","emails_sent_count":1e2}',
        extra=WIN),
      E("leads_complete", '{"leads":"120","pages":2.0}'),
      E("leads_complete", '{"leads":"x","pages":1}', camp=K2)],
     [CR("NL Retail", 2, "2025-08-01T09:00:00.000Z",
         "2025-08-01T09:00:00.000Z", C381),
      DR("2026-11-21", emails_sent=40, leads_contacted=40),
      OR("2026-11-01", "2026-11-27", open_count=12, emails_sent_count=100),
      LC(120, 2)],
     rejected=[2, 3, 5, 8])

# ---- timestamps-valid ---------------------------------------------------------
C393 = ('{"id":"%s","name":"Zones","status":0,'
        '"timestamp_created":"2025-08-01T09:00:00+02:00",'
        '"timestamp_updated":"  "}' % K1)
case("timestamps-valid",
     "timestamps written as given when ISO-8601 date-time"
     " (YYYY-MM-DDTHH:MM[:SS[.frac]][Z|+-HH[:MM]|+-HHMM]), leap day, 9-digit"
     " fraction, no zone; \"\", whitespace-only and null -> NULL (lead and"
     " campaign)",
     [LE(391, '"timestamp_created":"2025-09-12T10:09:54.426Z"',
         '"timestamp_updated":"2025-09-12T10:09:54Z"',
         '"timestamp_last_contact":"2025-09-15T11:04Z"',
         '"timestamp_last_open":"2025-09-16T08:12:03.123456789+02:00"',
         '"timestamp_last_reply":"2025-09-16T08:12:03-0530"',
         '"timestamp_last_click":"2025-09-16T08:12:03+02"',
         '"timestamp_last_touch":"2025-09-16T08:12:03"',
         '"timestamp_last_interest_change":"2028-02-29T23:59:59.999Z"'),
      LE(392, '"timestamp_created":""', '"timestamp_updated":"   "',
         r'"timestamp_last_contact":"\t\r\n"', '"timestamp_last_open":null',
         r'"timestamp_last_reply":"\u000b\f"'),
      E("campaign", C393)],
     [SL(391, "emailed", timestamp_created="2025-09-12T10:09:54.426Z",
         timestamp_updated="2025-09-12T10:09:54Z",
         timestamp_last_contact="2025-09-15T11:04Z",
         timestamp_last_open="2025-09-16T08:12:03.123456789+02:00",
         timestamp_last_reply="2025-09-16T08:12:03-0530",
         timestamp_last_click="2025-09-16T08:12:03+02",
         timestamp_last_touch="2025-09-16T08:12:03",
         timestamp_last_interest_change="2028-02-29T23:59:59.999Z"),
      SL(392, "not_yet_emailed"),
      CR("Zones", 0, "2025-08-01T09:00:00+02:00", None, C393)])

# ---- timestamps-reject --------------------------------------------------------
case("timestamps-reject",
     "a timestamp that is not an ISO-8601 date-time rejects the line: date"
     " only, surrounding spaces on a valid value, free text, a number, an"
     " impossible date (2026-02-30, 2027-02-29), hour 25, a space instead of"
     " T, a fraction without digits, an unpadded month, true, an object; in"
     " lead and campaign columns",
     [LE(401, '"timestamp_created":"2025-09-12T10:09:54.426Z"'),
      LE(402, '"timestamp_created":"2025-09-12"'),
      LE(403, '"timestamp_updated":" 2025-09-12T10:09:54.426Z"'),
      LE(404, '"timestamp_last_open":"2025-09-12T10:09:54.426Z "'),
      LE(405, '"timestamp_last_reply":"yesterday"'),
      LE(406, '"timestamp_last_click":1757671794'),
      LE(407, '"timestamp_last_touch":"2026-02-30T10:00:00Z"'),
      LE(408, '"timestamp_last_interest_change":"2025-09-12T25:00:00Z"'),
      LE(409, '"timestamp_last_contact":"2025-09-12 10:09:54Z"'),
      LE(410, '"timestamp_created":"2025-09-12T10:09:54.Z"'),
      LE(411, '"timestamp_updated":"2025-9-12T10:09:54Z"'),
      LE(412, '"timestamp_last_contact":true'),
      LE(413, '"timestamp_created":{"t":"2025-09-12T10:09:54Z"}'),
      LE(414, '"timestamp_last_open":"2027-02-29T00:00:00Z"'),
      E("campaign", '{"id":"%s","name":"Bad date","status":1,'
        '"timestamp_created":"01-08-2025"}' % K1),
      LE(416, '"timestamp_updated":"2025-09-12T10:09:54.426Z"')],
     [SL(401, "not_yet_emailed", timestamp_created="2025-09-12T10:09:54.426Z"),
      SL(416, "not_yet_emailed", timestamp_updated="2025-09-12T10:09:54.426Z")],
     rejected=list(range(2, 16)))

# ---- envelope-keys -------------------------------------------------------------
D421 = lead(421, '"email":"order@example.com"')
ENVD = '"data":' + lead(422)
case("envelope-keys",
     "envelope: keys in any order and unknown envelope keys are accepted;"
     " v != 1 or missing, a missing/null client_id or campaign_id, a missing"
     " or invalid extracted_at (date only, surrounding space), a lead without"
     " data (no id), and a line that is JSON but not an object are rejects",
     ['{"data":%s,"extracted_at":"%s","campaign_id":"%s","client_id":"%s",'
      '"type":"lead","x_note":{"a":[1]},"v":1}' % (D421, EXT, K1, CA),
      '{"v":2,"type":"lead","client_id":"%s","campaign_id":"%s",'
      '"extracted_at":"%s",%s}' % (CA, K1, EXT, ENVD),
      '{"type":"lead","client_id":"%s","campaign_id":"%s",'
      '"extracted_at":"%s",%s}' % (CA, K1, EXT, ENVD),
      '{"v":1,"type":"lead","campaign_id":"%s","extracted_at":"%s",%s}'
      % (K1, EXT, ENVD),
      '{"v":1,"type":"lead","client_id":"%s","campaign_id":null,'
      '"extracted_at":"%s",%s}' % (CA, EXT, ENVD),
      '{"v":1,"type":"lead","client_id":"%s","campaign_id":"%s",%s}'
      % (CA, K1, ENVD),
      E("lead", lead(422), ext="2026-11-28"),
      E("lead", lead(422), ext=" 2026-11-28T03:00:12.345Z"),
      '{"v":1,"type":"lead","client_id":"%s","campaign_id":"%s",'
      '"extracted_at":"%s"}' % (CA, K1, EXT),
      '[{"v":1,"type":"lead"}]',
      E("analytics_daily", '{"date":"2026-11-20","sent":1}', client=None,
        extra=WIN),
      '{"v":1,"type":"campaign","client_id":"%s","campaign_id":"%s",'
      '"data":{"id":"%s","name":"x","status":1}}' % (CA, K1, K1),
      E("lead", lead(423, '"email":"last@example.com"'))],
     [SL(421, "not_yet_emailed", email="order@example.com"),
      SL(423, "not_yet_emailed", email="last@example.com")],
     rejected=list(range(2, 13)))

# ---- envelope-uuids -------------------------------------------------------------
UP = "0199B5E2-4F3A-7C1D-9E8F-00000000043A"
case("envelope-uuids",
     "client_id, campaign_id and the lead id must be canonical 8-4-4-4-12 hex"
     " UUIDs, either case (upper case written as given); a non-UUID, braces,"
     " no hyphens, too short or a non-hex digit rejects the line",
     [E("lead", lead(UP, '"email":"upper@example.com"'),
        client=CA.upper(), camp=K1.upper()),
      E("lead", lead(431), client="client-42"),
      E("lead", lead(432), camp="{%s}" % K1),
      E("lead", lead("0199b5e24f3a7c1d9e8f000000000433")),
      E("lead", lead(434), camp=K1[:-1]),
      E("lead", lead("0199b5e2-4f3a-7c1d-9e8f-00000000043g")),
      E("lead", lead(436, '"id2":1').replace('"id":"%s"' % U(436), '"id":436')),
      E("lead", lead(437, '"email":"lower@example.com"'))],
     [SL(UP, "not_yet_emailed", client=CA.upper(), camp=K1.upper(),
         email="upper@example.com"),
      SL(437, "not_yet_emailed", email="lower@example.com")],
     rejected=[2, 3, 4, 5, 6, 7])

# ---- skipped-types -------------------------------------------------------------
case("skipped-types",
     "run_summary and unknown record types (email, lead_label) are skipped,"
     " not rejected; blank lines are skipped; exit 0",
     [LE(441, '"email":"kept@example.com"'),
      "",
      E("email", '{"id":"0199b5e3-0000-7000-8000-000000000001",'
        '"subject":"Re: offerte"}'),
      E("lead_label", '{"id":"%s","label":"Follow up","interest_status":7}'
        % "0199b5e3-0000-7000-8000-000000000002"),
      "",
      E("run_summary", '{"requests":12,"retries":0,"http_429":0,'
        '"items":{"lead":1}}', client=None, camp=None),
      ""],
     [SL(441, "not_yet_emailed", email="kept@example.com")])

# ---- crlf ------------------------------------------------------------------------
P451 = '{"jobTitle":"Inkoper"}'
C452 = ('{"id":"%s","name":"CRLF campagne","status":1,'
        '"timestamp_created":"2025-08-01T09:00:00.000Z",'
        '"timestamp_updated":"2025-08-01T09:00:00.000Z"}' % K1)
crlf_lines = [PL(451, P451, '"email":"crlf@example.com"'), E("campaign", C452),
              "", E("analytics_daily", '{"date":"2026-11-20","sent":3}',
                    extra=WIN),
              E("leads_complete", '{"leads":1,"pages":1}')]
case("crlf",
     "CRLF line endings are accepted (the CR is not part of any value or"
     " payload), a CRLF-only line is blank, and the last line may lack a"
     " newline",
     None,
     [SL(451, "not_yet_emailed", email="crlf@example.com", job_title="Inkoper",
         payload=P451),
      CR("CRLF campagne", 1, "2025-08-01T09:00:00.000Z",
         "2025-08-01T09:00:00.000Z", C452),
      DR("2026-11-20", emails_sent=3),
      LC(1, 1)],
     raw="\r\n".join(crlf_lines).encode())

# ---- malformed-json --------------------------------------------------------------
GOOD461 = LE(461, '"email":"first@example.com"')
case("malformed-json",
     "malformed JSON lines are rejects and the next line is read as usual:"
     " truncated object, trailing garbage, NaN, raw control character in a"
     " string, single quotes, trailing comma, two objects on a line, a"
     " leading-zero number, a lone }, an invalid escape; a good line with"
     " surrounding JSON whitespace is accepted",
     [GOOD461,
      '{"v":1,"type":"lead","client_id":"%s",' % CA,
      E("campaign", '{"id":"%s","name":"Tussen","status":1}' % K1),
      LE(462) + " garbage",
      LE(463, '"email_open_count":NaN'),
      LE(464, '"first_name":"Tab\there"'),
      "{'v':1,'type':'lead'}",
      LE(465) [:-2] + ',}}',
      LE(466) + LE(467),
      LE(468, '"email_open_count":007'),
      "}",
      LE(469, r'"first_name":"\x41"'),
      E("analytics_daily", '{"date":"2026-11-20","sent":7}', extra=WIN),
      " " + LE(470, '"email":"spaced@example.com"') + "\t"],
     [SL(461, "not_yet_emailed", email="first@example.com"),
      CR("Tussen", 1, None, None,
         '{"id":"%s","name":"Tussen","status":1}' % K1),
      DR("2026-11-20", emails_sent=7),
      SL(470, "not_yet_emailed", email="spaced@example.com")],
     rejected=list(range(2, 3)) + list(range(4, 13)))

# ---- invalid-utf8 ----------------------------------------------------------------
P471 = '{"jobTitle":"Directeur Één"}'


def B(s, bad=None):
    """Line s as UTF-8 with the placeholder @@ replaced by raw bytes."""
    b = s.encode()
    if bad is not None:
        assert b.count(b"@@") == 1
        b = b.replace(b"@@", bad)
    return b


case("invalid-utf8",
     "a line with invalid UTF-8 (0xFF, overlong C0 AF, truncated sequence,"
     " UTF-8-encoded surrogate ED A0 80, code point above U+10FFFF, Latin-1"
     " byte in a key, lone continuation byte in the envelope) is a reject;"
     " valid multibyte text (2-, 3- and 4-byte) passes through unchanged",
     [B(PL(471, P471, '"first_name":"Zoë"', '"last_name":"🙂 Öztürk"')),
      B(LE(472, '"first_name":"A@@"'), b"\xff"),
      B(LE(473, '"company_name":"@@"'), b"\xc0\xaf"),
      B(LE(474, '"personalization":"caf@@"'), b"\xc3"),
      B(PL(475, '{"note":"x@@"}'), b"\xed\xa0\x80"),
      B(LE(476, '"last_name":"@@"'), b"\xf4\x90\x80\x80"),
      B(LE(477, '"na@@me":1'), b"\xe9"),
      B(E("lead@@", lead(478)), b"\x80"),
      B(E("campaign", '{"id":"%s","name":"Geldig ✓","status":1}' % K1))],
     [SL(471, "not_yet_emailed", first_name="Zoë", last_name="🙂 Öztürk",
         job_title="Directeur Één", payload=P471),
      CR("Geldig ✓", 1, None, None,
         '{"id":"%s","name":"Geldig ✓","status":1}' % K1)],
     rejected=[2, 3, 4, 5, 6, 7, 8])

# ---- campaigns -------------------------------------------------------------------
C481 = ('{"id":"%s","name":"NL Bouw Q4","status":1,"campaign_schedule":'
        '{"schedules":[{"name":"Werkdagen","timing":{"from":"09:00","to":'
        '"17:00"},"days":{"1":true,"2":true},"timezone":"Europe/Amsterdam"}]},'
        '"timestamp_created":"2025-08-01T09:00:00.000Z",'
        '"timestamp_updated":"2025-10-02T14:30:11.512Z","pl_value":1500.50,'
        '"sequences":[{"steps":[{"type":"email","delay":2,"variants":'
        r'[{"subject":"Hoi {{firstName}}","body":"Beste \"team\",\nGroet"}]}]}]}'
        % K1)
C483 = ('{ "id" : "%s", "name" : "Caf\\u00e9 \\/ Bakkerij",  "status" : "2" ,'
        ' "timestamp_created" : "2025-08-21T07:15:00.000Z" }' % K2)
C484 = ('{"id":"%s","name":"","status":-99,"timestamp_created":null,'
        '"timestamp_updated":null}' % K3)
C485 = '{"id":"%s","email_list":["a@mail.example"]}' % K4
case("campaigns",
     "campaigns: one row per (client, campaign), a campaign mapped to two"
     " clients is two rows; name decoded, status raw code (\"2\" -> 2, -99),"
     " timestamps as given or NULL; item = the exact JSON text of the data"
     " object (whitespace, escapes and key order kept, \" doubled in CSV);"
     " name \"\" vs absent; a name object, a non-integer status or a bad"
     " timestamp rejects",
     [E("campaign", C481), E("campaign", C481, client=CB, ext=EXT2),
      E("campaign", C483, camp=K2), E("campaign", C484, camp=K3),
      E("campaign", C485, camp=K4),
      E("campaign", '{"id":"%s","name":{"nl":"x"},"status":1}' % K2, camp=K2),
      E("campaign", '{"id":"%s","name":"x","status":"active"}' % K2, camp=K2),
      E("campaign", '{"id":"%s","name":"x","status":1,'
        '"timestamp_updated":"2025-13-01T00:00:00Z"}' % K2, camp=K2)],
     [CR("NL Bouw Q4", 1, "2025-08-01T09:00:00.000Z",
         "2025-10-02T14:30:11.512Z", C481),
      CR("NL Bouw Q4", 1, "2025-08-01T09:00:00.000Z",
         "2025-10-02T14:30:11.512Z", C481, client=CB, ext=EXT2),
      CR("Café / Bakkerij", 2, "2025-08-21T07:15:00.000Z", None, C483,
         camp=K2),
      CR("", -99, None, None, C484, camp=K3),
      CR(None, None, None, None, C485, camp=K4)],
     rejected=[6, 7, 8])

# ---- analytics-daily -------------------------------------------------------------
case("analytics-daily",
     "campaign_analytics: sent -> emails_sent, contacted -> leads_contacted,"
     " clicks -> clicked, the other counters under their API names; a counter"
     " not sent (or null) is NULL, not 0; a date with no counters is a row of"
     " NULL counters; bounced is always NULL even when the item has one; one"
     " row per client x campaign x date",
     [E("analytics_daily", '{"date":"2026-11-20","sent":120,"contacted":118,'
        '"new_leads_contacted":30,"opened":64,"unique_opened":51,"replies":9,'
        '"unique_replies":8,"replies_automatic":2,'
        '"unique_replies_automatic":1,"clicks":14,"unique_clicks":11,'
        '"opportunities":3,"unique_opportunities":2}', extra=WIN),
      E("analytics_daily", '{"date":"2026-11-21"}', extra=WIN),
      E("analytics_daily", '{"date":"2026-11-22","sent":40,"opened":"12",'
        '"bounced":5,"clicks":null,"campaign_name":"ignored"}', extra=WIN),
      E("analytics_daily", '{"date":"2026-11-20","sent":0}', client=CB,
        ext=EXT2, extra=WIN),
      E("analytics_daily", '{"date":"2028-02-29","replies":1}', camp=K2)],
     [DR("2026-11-20", emails_sent=120, leads_contacted=118,
         new_leads_contacted=30, opened=64, unique_opened=51, replies=9,
         unique_replies=8, replies_automatic=2, unique_replies_automatic=1,
         clicked=14, unique_clicks=11, opportunities=3,
         unique_opportunities=2),
      DR("2026-11-21"),
      DR("2026-11-22", emails_sent=40, opened=12),
      DR("2026-11-20", client=CB, ext=EXT2, emails_sent=0),
      DR("2028-02-29", camp=K2, replies=1)])

# ---- analytics-daily-reject --------------------------------------------------------
case("analytics-daily-reject",
     "a daily item without a date, with a null date, an impossible date"
     " (2026-02-29, 2026-13-01), a date-time instead of a date, or a date"
     " with a leading space is a reject",
     [E("analytics_daily", '{"date":"2026-11-23","sent":5}', extra=WIN),
      E("analytics_daily", '{"sent":10,"opened":3}', extra=WIN),
      E("analytics_daily", '{"date":null,"sent":1}', extra=WIN),
      E("analytics_daily", '{"date":"2026-02-29","sent":1}', extra=WIN),
      E("analytics_daily", '{"date":"2026-13-01","sent":1}', extra=WIN),
      E("analytics_daily", '{"date":"2026-11-23T00:00:00.000Z","sent":1}',
        extra=WIN),
      E("analytics_daily", '{"date":" 2026-11-24","sent":1}', extra=WIN),
      E("analytics_daily", '{"date":"2026-11-24","sent":6}', extra=WIN)],
     [DR("2026-11-23", emails_sent=5), DR("2026-11-24", emails_sent=6)],
     rejected=[2, 3, 4, 5, 6, 7])

# ---- analytics-overview ----------------------------------------------------------
OV1 = ('{"open_count":1200,"open_count_unique":640,'
       '"open_count_unique_by_step":700,"link_click_count":88,'
       '"link_click_count_unique":61,"link_click_count_unique_by_step":65,'
       '"reply_count":97,"reply_count_unique":90,'
       '"reply_count_unique_by_step":92,"reply_count_automatic":12,'
       '"reply_count_automatic_unique":11,'
       '"reply_count_automatic_unique_by_step":10,"bounced_count":23,'
       '"unsubscribed_count":7,"completed_count":410,'
       '"emails_sent_count":2950,"contacted_count":980,'
       '"new_leads_contacted_count":120,"total_opportunities":14,'
       '"total_opportunity_value":12500.50,"total_interested":20,'
       '"total_meeting_booked":9,"total_meeting_completed":6,'
       '"total_closed":2}')
OV2 = ('{"open_count":0,"open_count_unique":0,"link_click_count":0,'
       '"reply_count":0,"bounced_count":0,"unsubscribed_count":0,'
       '"emails_sent_count":0,"contacted_count":0,'
       '"new_leads_contacted_count":0,"total_opportunities":0,'
       '"total_opportunity_value":0}')
W10 = ',"start_date":"2026-10-01","end_date":"2026-10-31"'
case("analytics-overview",
     "campaign_analytics_overview: every counter under its API name, NULL when"
     " absent ({} = all NULL); start_date/end_date from the envelope, one row"
     " per client x campaign x window; total_opportunity_value numeric as"
     " given (12500.50, 0, \"99.90\", 1e3, -0.25, 30 digits) unquoted",
     [E("analytics_overview", OV1, extra=WIN),
      E("analytics_overview", OV2, extra=W10),
      E("analytics_overview", '{"total_opportunity_value":"99.90",'
        '"open_count":"5"}', client=CB, ext=EXT2, extra=WIN),
      E("analytics_overview", '{"total_opportunity_value":1e3}', camp=K2,
        extra=WIN),
      E("analytics_overview", '{}', camp=K3, extra=WIN),
      E("analytics_overview", '{"total_opportunity_value":-0.25}', camp=K4,
        extra=WIN),
      E("analytics_overview",
        '{"total_opportunity_value":123456789012345678901234567890.12}',
        camp=K4, extra=W10)],
     [OR("2026-11-01", "2026-11-27", open_count=1200, open_count_unique=640,
         open_count_unique_by_step=700, link_click_count=88,
         link_click_count_unique=61, link_click_count_unique_by_step=65,
         reply_count=97, reply_count_unique=90,
         reply_count_unique_by_step=92, reply_count_automatic=12,
         reply_count_automatic_unique=11,
         reply_count_automatic_unique_by_step=10, bounced_count=23,
         unsubscribed_count=7, completed_count=410, emails_sent_count=2950,
         contacted_count=980, new_leads_contacted_count=120,
         total_opportunities=14, total_opportunity_value="12500.50",
         total_interested=20, total_meeting_booked=9,
         total_meeting_completed=6, total_closed=2),
      OR("2026-10-01", "2026-10-31", open_count=0, open_count_unique=0,
         link_click_count=0, reply_count=0, bounced_count=0,
         unsubscribed_count=0, emails_sent_count=0, contacted_count=0,
         new_leads_contacted_count=0, total_opportunities=0,
         total_opportunity_value="0"),
      OR("2026-11-01", "2026-11-27", client=CB, ext=EXT2,
         total_opportunity_value="99.90", open_count=5),
      OR("2026-11-01", "2026-11-27", camp=K2, total_opportunity_value="1e3"),
      OR("2026-11-01", "2026-11-27", camp=K3),
      OR("2026-11-01", "2026-11-27", camp=K4, total_opportunity_value="-0.25"),
      OR("2026-10-01", "2026-10-31", camp=K4,
         total_opportunity_value="123456789012345678901234567890.12")])

# ---- analytics-overview-reject -----------------------------------------------------
case("analytics-overview-reject",
     "an overview record without start_date or end_date, with an impossible"
     " start_date (2026-02-30) or a date-time end_date, or with a"
     " total_opportunity_value that is not numeric (\"abc\", true) is a reject",
     [E("analytics_overview", '{"open_count":1}', extra=WIN),
      E("analytics_overview", '{"open_count":2}',
        extra=',"end_date":"2026-11-27"'),
      E("analytics_overview", '{"open_count":3}',
        extra=',"start_date":"2026-11-01"'),
      E("analytics_overview", '{"open_count":4}',
        extra=',"start_date":"2026-02-30","end_date":"2026-03-05"'),
      E("analytics_overview", '{"open_count":5}',
        extra=',"start_date":"2026-11-01","end_date":"2026-11-27T23:59:59Z"'),
      E("analytics_overview", '{"total_opportunity_value":"abc"}', extra=WIN),
      E("analytics_overview", '{"total_opportunity_value":true}', extra=WIN),
      E("analytics_overview", '{"open_count":8}', camp=K2, extra=WIN)],
     [OR("2026-11-01", "2026-11-27", open_count=1),
      OR("2026-11-01", "2026-11-27", camp=K2, open_count=8)],
     rejected=[2, 3, 4, 5, 6, 7])

# ---- leads-complete --------------------------------------------------------------
case("leads-complete",
     "leads_complete: one row per control record (client, campaign, leads,"
     " pages, extracted_at); numeric strings accepted; an absent count is"
     " NULL; a non-integer count or a missing campaign_id rejects",
     [E("leads_complete", '{"leads":120,"pages":2}'),
      E("leads_complete", '{"leads":0,"pages":1}', client=CB, ext=EXT2),
      E("leads_complete", '{"leads":"7","pages":"1"}', camp=K2),
      E("leads_complete", '{"leads":"x","pages":1}', camp=K3),
      E("leads_complete", '{"pages":1}', camp=K4),
      '{"v":1,"type":"leads_complete","client_id":"%s","extracted_at":"%s",'
      '"data":{"leads":1,"pages":1}}' % (CA, EXT),
      E("leads_complete", '{"leads":1.5,"pages":1}', camp=K3)],
     [LC(120, 2), LC(0, 1, client=CB, ext=EXT2), LC(7, 1, camp=K2),
      LC(None, 1, camp=K4)],
     rejected=[4, 6, 7])

# ---- payload-exact ---------------------------------------------------------------
P491 = ('{ "Job Title" : "Engineer" ,"nested":{"a":[1, 2.50, -3e+2],'
        '"b":null}, "esc":"caf\\u00e9 \\/ \\"quoted\\"\\n" }')
P497 = '{"notitie":"Ünïcödé ✓ — “quotes”","n":1.50e+2}'
case("payload-exact",
     "payload jsonb = the exact JSON text of the input object, byte for byte"
     " (inner whitespace, escapes \\u00e9 \\/ \\\" \\n, number spelling, raw"
     " UTF-8 kept; \" doubled in CSV); {} -> \"{}\"; a payload that is a"
     " string, array, number or boolean rejects the line",
     [PL(491, P491), PL(492, "{}"), PL(493, '"{\\"a\\":1}"'),
      PL(494, "[1,2]"), PL(495, "5"), PL(496, "true"), PL(497, P497)],
     [SL(491, "not_yet_emailed", job_title="Engineer", payload=P491),
      SL(492, "not_yet_emailed", payload="{}"),
      SL(497, "not_yet_emailed", payload=P497)],
     rejected=[3, 4, 5, 6])

# ---- custom-synonyms -------------------------------------------------------------
SYN = """# test synonyms: job_title and industry replaced, the others default

job_title: rol, Job-Title
industry:  Vertical Market
"""
CSY = [
    '{"Rol":"Engineer","jobTitle":"Architect"}',
    '{"title":"Owner","position":"Boss"}',
    '{"JOB TITLE":"Architect"}',
    '{"industry":"Retail","sector":"Trade"}',
    '{"vertical_market":"SaaS","employees":"50","linkedin":'
    '"https://linkedin.com/in/q","vacature":"https://jobs.example.nl/w",'
    '"url":"https://q.example"}',
]
case("custom-synonyms",
     "--icp-synonyms FILE: a field listed in the file replaces its default"
     " list (job_title: rol, jobtitle; industry: verticalmarket), synonyms"
     " are normalised like keys (Job-Title, Vertical Market), comments and"
     " blank lines are ignored, unlisted fields keep the defaults",
     [PL(501 + i, p) for i, p in enumerate(CSY)],
     [SL(501, "not_yet_emailed", job_title="Engineer", payload=CSY[0]),
      SL(502, "not_yet_emailed", payload=CSY[1]),
      SL(503, "not_yet_emailed", job_title="Architect", payload=CSY[2]),
      SL(504, "not_yet_emailed", payload=CSY[3]),
      SL(505, "not_yet_emailed", industry="SaaS", company_size="50",
         linkedin_url="https://linkedin.com/in/q",
         vacancy_url="https://jobs.example.nl/w", website="https://q.example",
         payload=CSY[4])],
     args=["--icp-synonyms", "synonyms.conf"], files={"synonyms.conf": SYN})

# ---- large-value -----------------------------------------------------------------
BIG = ('Beste "klant", ' * 7000)[:102400]          # 100 KiB, with quotes
BIG_JSON = BIG.replace('"', '\\"')
PBIG = '{"personalization":"%s","jobTitle":"Inkoper"}' % BIG_JSON
case("large-value",
     "a 100 KiB text value (with quotes to double) in personalization and in"
     " the payload is written whole; a rejected line longer than 64 KiB is"
     " still a reject with its line number",
     [PL(511, PBIG, '"personalization":"%s"' % BIG_JSON),
      PL(512, PBIG, '"personalization":"%s"' % BIG_JSON,
         '"email_open_count":"n/a"')],
     [SL(511, "not_yet_emailed", personalization=BIG, job_title="Inkoper",
         payload=PBIG)],
     rejected=[2])

# ---- empty-input -----------------------------------------------------------------
case("empty-input",
     "an empty archive gives every table as a header-only file and exit 0",
     None, [], raw=b"")


if __name__ == "__main__":
    names = set()
    for c in CASES:
        assert c[0] not in names, c[0]
        names.add(c[0])
        write_case(*c)
    # remove directories of cases that no longer exist
    for d in sorted(os.listdir(HERE)):
        p = os.path.join(HERE, d)
        if os.path.isdir(p) and d not in names and \
                os.path.exists(os.path.join(p, "input.ndjson")):
            shutil.rmtree(p)
    print("%d cases" % len(CASES), file=sys.stderr)
