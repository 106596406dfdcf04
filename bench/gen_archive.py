#!/usr/bin/env python3
"""Generate a realistic instantly-etl archive (format v1) for benchmarks.

usage: gen_archive.py N OUT.ndjson.gz [--seed S] [--campaigns C] [--meta FILE]

Writes N lead records spread over C campaigns (default 20) owned by 3
clients (one campaign is mapped to two clients, so it appears twice). For
every (client, campaign) pair the archive holds, in the order the extract
writes them: the campaign record, 7 analytics_daily rows, one
analytics_overview, the leads (one extracted_at per page of 100) and a
leads_complete marker; the last line is a run_summary.

Leads look like the recorded API items (schemas/archive-v1/FORMAT.md,
docs/instantly-api.md section 4): UUIDs (v4 and v7), ISO timestamps with
milliseconds, a mixture of statuses, interest codes (including custom
labels), status_summary {} or with lastStep, some integers sent as numeric
strings, and a payload object of 1-2 KB with camelCase, spaced and Dutch
keys (jobTitle, Functie, companyHeadCount, Branche, linkedIn, "Vacature
URL"...) and multi-line unicode email texts. Every line is valid: a correct
transform writes one synced_leads row per lead and rejects nothing.

The output is deterministic for (N, C, seed): gzip level 6, mtime 0, no
file name in the header. Lines are streamed (memory stays flat in N); the
payloads come from a pool of pre-rendered variants per campaign in which
names, e-mail addresses and LinkedIn slugs are substituted per lead.
Compression runs in a second thread (zlib releases the GIL), so about
1,000,000 leads take on the order of a minute or two on 2 cores.

--meta FILE writes a JSON summary (leads, lines, bytes before and after
compression) that bench/transform.sh reads.

--next-night FROM.ndjson.gz (N is then ignored) writes the next night's
archive of the same campaigns instead (bench/load.sh's night 2): every
extracted_at one day later; of the leads of FROM, --removed (default 1%)
are left out and --changed (default 5%) changed (one more open: the
email_open_count, timestamp_last_open and timestamp_updated); --new
(default 1%) new leads (a copy of a lead of the campaign with a new id and
e-mail address) come at the end of each campaign's listing, whose
leads_complete marker counts them. Deterministic for (FROM, seed).
"""

import argparse
import gzip
import json
import os
import queue
import random
import re
import sys
import threading
import time

# ---------------------------------------------------------------------------
# Vocabulary

FIRST_EN = ["James", "Olivia", "Liam", "Emma", "Noah", "Amelia", "Oliver",
            "Sophia", "Ethan", "Isabella", "Lucas", "Mia", "Mason", "Harper",
            "Logan", "Evelyn", "Jack", "Abigail", "Henry", "Emily", "Zoë",
            "Chloé", "José", "Renée", "Siobhán", "Björn", "Łukasz", "Søren",
            "Chiara", "Mateo", "Priya", "Arjun", "Wei", "Yuki", "Fatima",
            "Omar", "Nadia", "Kwame", "Aoife", "Grace"]
LAST_EN = ["Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia",
           "Miller", "Davis", "Rodriguez", "Martinez", "Wilson", "Anderson",
           "Taylor", "Thomas", "Moore", "Jackson", "O'Brien", "Müller",
           "Nuñez", "Sørensen", "Kowalski", "Nakamura", "Chen", "Patel",
           "Okafor", "Dubois", "Rossi", "Schröder", "Fitzgerald", "Ahmed"]
FIRST_NL = ["Jan", "Pieter", "Sanne", "Lotte", "Daan", "Femke", "Bram",
            "Eva", "Sem", "Anouk", "Thijs", "Iris", "Ruben", "Noor", "Jesse",
            "Fleur", "Lars", "Maud", "Joris", "Floor", "Geert", "Marieke",
            "Hanneke", "Wouter", "Ingrid", "Kees", "Annemiek", "Joëlle",
            "Chloë", "Noël", "René", "Ayşe", "Mehmet", "Youssef", "Sjoerd",
            "Willemijn", "Friso", "Ilse", "Maarten", "Els"]
LAST_NL = ["de Jong", "Jansen", "de Vries", "van den Berg", "van Dijk",
           "Bakker", "Janssen", "Visser", "Smit", "Meijer", "de Boer",
           "Mulder", "de Groot", "Bos", "Vos", "Peters", "Hendriks",
           "van Leeuwen", "Dekker", "Brouwer", "de Wit", "Dijkstra",
           "Smits", "de Graaf", "van der Meer", "van der Linden", "Kok",
           "Jacobs", "de Haan", "Vermeulen", "van 't Hof", "Yılmaz",
           "El Amrani", "Hoekstra", "Sneijder"]

COMPANIES_EN = [
    ("Studio Graphene", "studiographene.com"), ("Leadventure®", "leadventure.com"),
    ("Emerge2", "emerge2.com"), ("Northwind Analytics", "northwind-analytics.io"),
    ("Brightline Robotics", "brightline.ai"), ("Quantiq Labs", "quantiq.dev"),
    ("Harbor & Finch", "harborfinch.co.uk"), ("Kestrel Payments", "kestrelpay.com"),
    ("Lumen Health", "lumenhealth.co"), ("Tidewater Logistics", "tidewater-log.com"),
    ("Arcadia Cloud", "arcadiacloud.io"), ("Bluebird CRM", "bluebirdcrm.com"),
    ("Copperleaf Software", "copperleaf.software"), ("Déjà Vu Media", "dejavu-media.fr"),
    ("Fjordline Data", "fjordline.no"), ("Greenfield Energy", "greenfield-energy.com"),
    ("Helix BioSystems", "helixbio.com"), ("Ironclad Security", "ironclad-sec.com"),
    ("Juniper Commerce", "junipercommerce.com"), ("Koala Learning", "koalalearning.com.au"),
]
COMPANIES_NL = [
    ("Bouwbedrijf Van der Meer B.V.", "vandermeerbouw.nl"), ("Installatietechniek Noord", "itnoord.nl"),
    ("Zorggroep De Linde", "zorggroepdelinde.nl"), ("Logistiek Centrum Venlo", "lcvenlo.nl"),
    ("Technisch Bureau Smit & Zn.", "tbsmit.nl"), ("Gemeentelijke Schoonmaak Groep", "gsg-schoon.nl"),
    ("Kinderopvang 't Kwetternest", "kwetternest.nl"), ("Accountantskantoor Bakker", "bakker-accountants.nl"),
    ("Vloerenhuis Brabant", "vloerenhuisbrabant.nl"), ("Elektro Dijkstra", "elektrodijkstra.nl"),
    ("Hoveniersbedrijf Groen&Co", "groenenco.nl"), ("Transport Mulder B.V.", "mulder-transport.nl"),
    ("Café-Restaurant De Gouden Leeuw", "goudenleeuw.nl"), ("Metaalbewerking Twente", "mbtwente.nl"),
    ("Uitzendbureau Flexwerk", "flexwerk.nl"), ("Software Huis Utrecht", "shu.nl"),
    ("Schilderwerken Jansen", "schilderjansen.nl"), ("Koeltechniek Zeeland", "koelzeeland.nl"),
    ("Dierenkliniek Amstelveen", "dierenkliniek-amstelveen.nl"), ("Drukkerij Hoekstra", "drukkerijhoekstra.nl"),
]

TITLES_EN = ["CEO", "CTO", "Head of Engineering", "VP Engineering", "Digital Product Manager",
             "Senior Software Engineer", "Head of Growth", "Marketing Director",
             "Chief Revenue Officer", "Founder & CEO", "Co-founder", "Director of Operations",
             "Head of Data", "Engineering Manager", "Product Owner", "Lead Developer"]
TITLES_NL = ["Directeur", "Algemeen directeur", "Eigenaar", "HR-manager", "Office manager",
             "Bedrijfsleider", "Hoofd Operations", "Manager Bedrijfsvoering", "Werkvoorbereider",
             "Projectleider", "Teamleider Planning", "Recruiter", "Financieel manager",
             "Directeur-eigenaar", "Vestigingsmanager", "Inkoper"]
INDUSTRIES_EN = ["Software & Internet", "Information Technology and Services", "Financial Services",
                 "Hospital & Health Care", "Logistics and Supply Chain", "Marketing and Advertising",
                 "Renewables & Environment", "E-Learning", "Computer & Network Security"]
INDUSTRIES_NL = ["Bouw", "Installatietechniek", "Zorg en welzijn", "Transport en logistiek",
                 "Zakelijke dienstverlening", "Horeca", "Metaal en techniek", "Kinderopvang",
                 "Detailhandel", "Groothandel", "ICT"]
SIZES = ["1 - 10", "11 - 50", "51 - 100", "100 - 250", "250 - 1K", "1K - 5K", "5K - 10K"]
SIZES_NL = ["1-9 medewerkers", "10-49 medewerkers", "50-99 medewerkers", "100-249 medewerkers",
            "250+ medewerkers"]
LOCATIONS_EN = ["Holloway, England, United Kingdom", "Overland Park, Kansas, United States",
                "Waterloo, Ontario, Canada", "Austin, Texas, United States",
                "Dublin, County Dublin, Ireland", "Berlin, Germany", "Zürich, Switzerland",
                "Toronto, Ontario, Canada", "Manchester, England, United Kingdom"]
PLACES_NL = [("Amsterdam", "Noord-Holland"), ("Rotterdam", "Zuid-Holland"), ("Utrecht", "Utrecht"),
             ("Eindhoven", "Noord-Brabant"), ("Groningen", "Groningen"), ("Zwolle", "Overijssel"),
             ("Venlo", "Limburg"), ("Leeuwarden", "Friesland"), ("Middelburg", "Zeeland"),
             ("'s-Hertogenbosch", "Noord-Brabant"), ("Enschede", "Overijssel")]
TIMEZONES = ["Europe/London", "America/Chicago", "America/Toronto", "Europe/Amsterdam",
             "Europe/Berlin", "America/New_York", "Europe/Dublin"]
MAILBOXES = ["jan@outreach-mail.nl", "sanne@outreach-mail.nl", "tom@growth-hq.io",
             "emma@growth-hq.io", "sales@nango-mail.dev", "hello@nango-mail.dev",
             "pieter.devries@werving-plus.nl", "noor@werving-plus.nl"]
VACANCY_TITLES = ["Monteur elektrotechniek", "Allround timmerman", "Verpleegkundige niveau 4",
                  "Chauffeur CE", "Pedagogisch medewerker", "Servicemonteur koeltechniek",
                  "Financieel administratief medewerker", "Kok", "CNC-draaier", "Junior developer"]

SENTENCES_EN = [
    "We help product teams ship scalable API integrations faster by handling auth, sync, and maintenance without draining engineering bandwidth.",
    "Teams like yours cut integration time by 70% using our platform’s 800+ API templates and automated auth.",
    "I noticed {co}’s AI-native approach likely demands seamless, secure API integrations across diverse clients.",
    "That keeps engineers on product work instead of chasing webhook retries at 2 a.m.",
    "Does speeding integration delivery without adding overhead sound relevant?",
    "If not, just say the word and I’ll step back.",
    "No rush – should I share the short breakdown?",
    "This is my last note; if rapid, low-overhead integrations become a priority, I’m happy to reconnect anytime.",
    "Your note about “Chat Agents for Thought, Coding Agents for Execution” stood out.",
    "It suggests you care about execution — not just slideware.",
    "We’ve seen teams cut integration setup time significantly with prebuilt templates.",
    "Quick question: who owns the integrations roadmap at {co}?",
    "Worth a 15-minute call next week? Tuesday or Thursday both work on my side 🙂",
]
SENTENCES_NL = [
    "Ik zag dat {co} op dit moment meerdere vacatures heeft openstaan, onder andere voor een {vac}.",
    "Wij helpen bedrijven in de {ind} om binnen 3 weken gekwalificeerde kandidaten te vinden – zonder bureaukosten vooraf.",
    "Zou het zinvol zijn om hier volgende week 10 minuutjes over te bellen?",
    "Geen interesse? Laat het me gerust weten, dan stoor ik je niet meer.",
    "Vorige maand hebben we voor een vergelijkbaar bedrijf in {plaats} 4 monteurs geplaatst.",
    "Onze aanpak: gerichte campagnes op social media, een eigen kandidatenpool van 12.000+ vakmensen én persoonlijke screening.",
    "Ik begrijp dat het druk is, dus ik houd het kort.",
    "Mag ik je een overzicht sturen van wat we voor collega’s in de regio hebben gedaan?",
    "Kosten: een vast bedrag per plaatsing (€ 2.950,- excl. btw), pas na de eerste werkdag.",
    "Dit is mijn laatste bericht hierover – als het later wél speelt, weet je me te vinden.",
    "Werving blijft lastig in de huidige arbeidsmarkt; 68% van de werkgevers heeft moeite met invullen.",
    "Groet uit {plaats} en alvast een fijne week! 👋",
]
DESCR_EN = [
    "{co} designs and builds digital products leveraging AI and emerging technologies to bring new ideas to life.",
    "We’re a 130+ person strong team of strategists, designers, engineers and product managers.",
    "Partnering with clients of all sizes from startups to global brands, we take a human-centred approach to our work.",
    "We’re ISO 9001 and ISO 27001 certified, and proud to be a B Corp certified company.",
    "Our platforms power over 40,000 dealers and 200 OEMs across North America and Europe.",
    "Founded in 2014, {co} is headquartered in London with studios in Delhi, Lisbon and Geneva.",
    "Our culture is supportive, open and collaborative: a Great Place to Work® across all our studios.",
]
DESCR_NL = [
    "{co} is een familiebedrijf met ruim 40 jaar ervaring in de regio {prov}.",
    "Wij zijn gespecialiseerd in nieuwbouw, renovatie en onderhoud voor zowel particulieren als bedrijven.",
    "Met een team van gedreven vakmensen leveren wij kwaliteit, op tijd en binnen budget.",
    "Duurzaamheid staat bij ons centraal: wij werken met gecertificeerde materialen en elektrische bedrijfswagens.",
    "Ons motto: ‘Afspraak is afspraak.’ Dat merk je aan alles wat we doen.",
    "Sinds 2019 zijn wij erkend leerbedrijf (SBB) en bieden wij jaarlijks stageplekken aan mbo-studenten.",
    "Wij zijn VCA**-gecertificeerd en aangesloten bij Techniek Nederland.",
]
SUBJECTS_EN = ["{co_l} integration speed?", "quick question, {fn}", "thought webhook upkeep?",
               "{co_l} + 800 APIs", "re: integrations roadmap"]
SUBJECTS_NL = ["vacature {vac}", "{fn}, even een vraag", "kandidaten voor {co}", "werving in {plaats}",
               "re: openstaande vacatures"]

CAMPAIGN_NAMES = [
    "Q3 Outreach – SaaS CTOs UK", "Nango AI Sales Agent – Fully Personalized", "Werving Bouw Noord-NL",
    "Installateurs Brabant – vacatures", "Zorg & Welzijn – HR managers", "Logistiek Venlo e.o.",
    "Product Managers Canada", "Fintech Founders EU", "Horeca Randstad – personeel",
    "Security leads US (Series A–C)", "Metaal Twente – CNC", "Kinderopvang – pedagogisch medewerkers",
    "E-learning VP Eng", "Re-engagement Q4 (oude leads)", "Techniek NL – monteurs",
    "Growth leaders DACH", "ICT MKB Utrecht", "Renewables outreach 🌱", "Data leaders UK&I",
    "Detailhandel – filiaalmanagers",
]

# ---------------------------------------------------------------------------
# Helpers


def js(s):
    """JSON string literal (raw UTF-8, as the API sends it)."""
    return json.dumps(s, ensure_ascii=False)


def jsc(s):
    """JSON string content without the quotes."""
    return json.dumps(s, ensure_ascii=False)[1:-1]


def iso(ms):
    s, m = divmod(ms, 1000)
    t = time.gmtime(s)
    return "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ" % (t[0], t[1], t[2], t[3], t[4], t[5], m)


def ymd(ms):
    t = time.gmtime(ms // 1000)
    return "%04d-%02d-%02d" % (t[0], t[1], t[2])


def ms_of(y, mo, d, h=0, mi=0, s=0):
    return int(time.mktime((y, mo, d, h, mi, s, 0, 0, 0)) - time.timezone) * 1000


def uuid4(rng):
    h = "%032x" % rng.getrandbits(128)
    h = h[:12] + "4" + h[13:16] + "89ab"[int(h[16], 16) & 3] + h[17:]
    return "%s-%s-%s-%s-%s" % (h[:8], h[8:12], h[12:16], h[16:20], h[20:])


def uuid7(rng, ms):
    h = "%012x" % ms + "7" + "%019x" % rng.getrandbits(76)
    h = h[:16] + "89ab"[int(h[16], 16) & 3] + h[17:]
    return "%s-%s-%s-%s-%s" % (h[:8], h[8:12], h[12:16], h[16:20], h[20:])


def ascii_slug(s):
    tr = str.maketrans({"ë": "e", "é": "e", "è": "e", "ï": "i", "ö": "o", "ø": "o", "ü": "u",
                        "ñ": "n", "ç": "c", "ğ": "g", "ş": "s", "ı": "i", "ł": "l", "á": "a",
                        "à": "a", "å": "a", "ä": "a", "ß": "ss", "'": "", "’": ""})
    s = s.lower().translate(tr)
    return "".join(ch if ch.isalnum() and ch.isascii() else "-" for ch in s).strip("-").replace("--", "-")


EXTRA_EN = """pipeline revenue quarter onboarding customers platform analytics dashboard
roadmap hiring budget forecast churn retention expansion partners enterprise
mid-market startup scale-up migration legacy warehouse reporting compliance
security audit latency throughput reliability uptime incident vendor contract
renewal procurement stakeholder champion workflow automation spreadsheet manual
handoff visibility attribution funnel conversion demo trial pilot rollout
quickly honestly recently currently typically usually probably clearly really
helped reduced improved doubled launched shipped built replaced consolidated
across between during without within around before after because although
team leaders engineers founders operators analysts managers developers""".split()
EXTRA_NL = """klanten medewerkers vakmensen planning werkvoorbereiding onderhoud projecten
offerte begroting kwartaal omzet groei personeel werving selectie sollicitanten
vacatures arbeidsmarkt opleiding certificering veiligheid kwaliteit levering
regio vestiging magazijn bedrijfswagens installatie renovatie nieuwbouw
duurzaam betrouwbaar snel flexibel eenvoudig persoonlijk direct vandaag morgen
binnenkort afgelopen jaar maand week graag zeker natuurlijk eigenlijk gewoon
hebben helpen zoeken vinden plaatsen bellen mailen sturen bespreken leveren
zonder tijdens tussen omdat hoewel nadat zodat voor met door naar bij van
team directie afdeling collega's monteurs chauffeurs verpleegkundigen""".split()


def _vocab(texts, extra):
    words = set(extra)
    for t in texts:
        for w in t.replace("{", " ").replace("}", " ").split():
            w = w.strip(".,;:!?–—()“”‘’'\"")
            if w.isalpha() and 1 < len(w) < 16:
                words.add(w.lower())
    return sorted(words)


def babble(rng, vocab, nwords):
    """A pseudo-sentence: gibberish with the letter and word statistics (and
    the poor compressibility) of free text written per lead."""
    w = [rng.choice(vocab) for _ in range(nwords)]
    w[0] = w[0].capitalize()
    if nwords > 8 and rng.random() < 0.5:
        w[nwords // 2] += ","
    return " ".join(w) + rng.choice((".", ".", ".", "?", "!"))


def pick_text(rng, sentences, n, subst, sep, vocab=None):
    """n sentences: distinct template sentences mixed with free text."""
    out = [s.format(**subst) for s in rng.sample(sentences, min(n, len(sentences)))]
    if vocab:
        for _ in range(rng.randint(2, 4)):
            out.insert(rng.randint(0, len(out)), babble(rng, vocab, rng.randint(6, 18)))
    return sep.join(out)


# ---------------------------------------------------------------------------
# Payload templates (per campaign). Placeholders are %(fn)s, %(ln)s,
# %(em)s, %(li)s (JSON-escaped per lead); literal % is doubled.

P_FN, P_LN, P_EM, P_LI = "@@FN@@", "@@LN@@", "@@EM@@", "@@LI@@"


def to_template(obj):
    """Serialise obj (compact JSON, raw UTF-8) into a %-format template."""
    s = json.dumps(obj, ensure_ascii=False, separators=(",", ":"))
    s = s.replace("%", "%%")
    return (s.replace(P_FN, "%(fn)s").replace(P_LN, "%(ln)s")
             .replace(P_EM, "%(em)s").replace(P_LI, "%(li)s"))


def email_body(rng, sentences, subst, greeting, closing, vocab):
    body = pick_text(rng, sentences, rng.randint(2, 4), subst, "\n\n", vocab)
    return "%s %s,\n\n%s\n\n%s,\n{{sendingAccountFirstName}}\n\n{{accountSignature}}" % (
        greeting, P_FN, body, closing)


def payload_en(rng, cid, target):
    co, dom = rng.choice(COMPANIES_EN)
    title = rng.choice(TITLES_EN)
    subst = {"co": co, "co_l": co.lower()}
    p = {}
    p["firstName"] = P_FN
    p["lastName"] = P_LN
    p["companyName"] = co
    # Some lists put the title under another spelling, sometimes an empty
    # one first (the ICP lookup passes over it).
    r = rng.random()
    if r < 0.15:
        p["Job Title"] = ""
        p["jobTitle"] = title
    elif r < 0.25:
        p["job_title"] = "  " + title + " "
    else:
        p["jobTitle"] = title
    p["email"] = P_EM
    p["headline"] = "%s at %s" % (title, co)
    p["industry"] = rng.choice(INDUSTRIES_EN)
    p["jobLevel"] = rng.choice(["Entry level", "Senior", "Director", "VP", "C-Level", "Owner"])
    p["linkedIn"] = "linkedin.com/in/" + P_LI
    p["location"] = rng.choice(LOCATIONS_EN)
    p["department"] = rng.choice(["Engineering", "IT & IS", "Sales", "Marketing", "C-Suite", "Operations"])
    p["companyDomain"] = dom
    p["companyWebsite"] = "http://www." + dom
    p["connectionCount"] = str(rng.randint(40, 15000))           # numeric string
    if rng.random() < 0.3:
        p["employees"] = rng.randint(5, 5000)                    # a JSON number
    else:
        p["companyHeadCount"] = rng.choice(SIZES)
    p["timezone_calculated"] = rng.choice(TIMEZONES)
    p["fundingType"] = rng.choice(["No data found", "Series A", "Seed", "Series B", "Private Equity"])
    p["jobTitleOld"] = rng.choice(TITLES_EN)                     # must not match jobtitle
    opt = [
        ("summary", lambda: pick_text(rng, DESCR_EN, rng.randint(2, 4), subst, " ", V_EN)),
        ("companyDescription", lambda: pick_text(rng, DESCR_EN, rng.randint(2, 5), subst, "\n\n", V_EN)),
        (cid + "_email_1", lambda: email_body(rng, SENTENCES_EN, subst, "Hey", "Talk soon", V_EN)),
        (cid + "_subject_1", lambda: rng.choice(SUBJECTS_EN).format(co_l=co.lower(), fn=P_FN)),
        (cid + "_email_followup_1", lambda: email_body(rng, SENTENCES_EN, subst, "Hi", "Cheers", V_EN)),
        ("icp_source", lambda: "Product Managers and Technical Product Owners at SaaS companies with 25-250 employees in Canada and United Kingdom"),
        (cid + "_email_followup_2", lambda: email_body(rng, SENTENCES_EN, subst, "Hello", "Best", V_EN)),
    ]
    return fill(rng, p, opt, target), co, dom


def payload_nl(rng, cid, target):
    co, dom = rng.choice(COMPANIES_NL)
    title = rng.choice(TITLES_NL)
    plaats, prov = rng.choice(PLACES_NL)
    vac = rng.choice(VACANCY_TITLES)
    ind = rng.choice(INDUSTRIES_NL)
    subst = {"co": co, "co_l": co.lower(), "plaats": plaats, "prov": prov, "vac": vac, "ind": ind.lower(), "fn": P_FN}
    p = {}
    p["Voornaam"] = P_FN
    p["Achternaam"] = P_LN
    p["Bedrijfsnaam"] = co
    r = rng.random()
    if r < 0.2:
        p["Functie"] = ""
        p["Functietitel"] = title
    else:
        p["Functie"] = title
    p["E-mailadres"] = P_EM
    p["Branche"] = ind
    r = rng.random()
    if r < 0.4:
        p["Aantal medewerkers"] = str(rng.randint(3, 900))        # numeric string
    elif r < 0.7:
        p["Bedrijfsgrootte"] = rng.choice(SIZES_NL)
    else:
        p["medewerkers"] = rng.randint(3, 900)                    # a JSON number
    p["LinkedIn URL"] = "https://www.linkedin.com/in/" + P_LI
    p["Website"] = "https://www." + dom if rng.random() < 0.8 else "   "
    p["Vacature URL"] = "https://www.%s/vacatures/%s" % (dom, ascii_slug(vac))
    p["Vacaturetitel"] = vac
    p["Plaats"] = plaats
    p["Provincie"] = prov
    p["KvK-nummer"] = "%08d" % rng.randint(1000000, 99999999)   # numeric string, leading 0
    p["Telefoon"] = "+31 %d %08d" % (rng.choice([10, 20, 30, 40, 6]), rng.randint(0, 99999999))
    p["vacature_datum"] = "%04d-%02d-%02d" % (2026, rng.randint(1, 11), rng.randint(1, 28))
    opt = [
        ("Omschrijving", lambda: pick_text(rng, DESCR_NL, rng.randint(2, 5), subst, "\n", V_NL)),
        (cid + "_email_1", lambda: email_body(rng, SENTENCES_NL, subst, "Beste", "Met vriendelijke groet", V_NL)),
        (cid + "_subject_1", lambda: rng.choice(SUBJECTS_NL).format(**subst)),
        ("Vacaturetekst", lambda: pick_text(rng, SENTENCES_NL, rng.randint(2, 4), subst, "\n\n", V_NL)),
        (cid + "_email_followup_1", lambda: email_body(rng, SENTENCES_NL, subst, "Hoi", "Groet", V_NL)),
        (cid + "_email_followup_2", lambda: email_body(rng, SENTENCES_NL, subst, "Hallo", "Hartelijke groet", V_NL)),
    ]
    return fill(rng, p, opt, target), co, dom


def fill(rng, p, opt, target):
    """Add optional long fields until the payload reaches about target bytes."""
    def size():
        return len(json.dumps(p, ensure_ascii=False, separators=(",", ":")).encode("utf-8"))
    for key, make in opt:
        cur = size()
        if cur >= target:
            break
        val = make()
        room = target - cur - len(key.encode()) - 6
        if len(val.encode("utf-8")) > room:
            val = val[:max(room, 20)]
            val = val[:val.rfind(" ")].rstrip(" ,") if " " in val else val
        p[key] = val
    return to_template(p)


V_EN = _vocab(SENTENCES_EN + DESCR_EN + TITLES_EN + INDUSTRIES_EN, EXTRA_EN)
V_NL = _vocab(SENTENCES_NL + DESCR_NL + TITLES_NL + INDUSTRIES_NL + VACANCY_TITLES, EXTRA_NL)
POOL = 160   # pre-rendered payload variants per campaign

# ---------------------------------------------------------------------------
# Records


class Gen:
    def __init__(self, n, seed, ncampaigns):
        self.n = n
        self.rng = random.Random(seed)
        rng = self.rng
        self.org = uuid4(rng)
        self.clients = [uuid4(rng) for _ in range(3)]
        self.campaigns = []
        base = ms_of(2025, 8, 1)
        for i in range(ncampaigns):
            created = base + rng.randint(0, 300) * 86400000 + rng.randint(0, 86399999)
            c = {
                "id": uuid4(rng),
                "name": CAMPAIGN_NAMES[i % len(CAMPAIGN_NAMES)] + ("" if i < len(CAMPAIGN_NAMES) else " #%d" % i),
                "nl": rng.random() < 0.5,
                "created": created,
                "status": rng.choice([1, 1, 1, 2, 3, 0, -1]),
            }
            self.campaigns.append(c)
        # client <-> campaign map: 40% / 35% / 25%; the last campaign of the
        # second client is also mapped to the third (it appears twice).
        a = max(1, round(ncampaigns * 0.40))
        b = max(a + 1, round(ncampaigns * 0.75))
        self.pairs = []
        for i, c in enumerate(self.campaigns):
            cl = 0 if i < a else (1 if i < b else 2)
            self.pairs.append((self.clients[cl], c))
        if ncampaigns >= 3:
            self.pairs.append((self.clients[2], self.campaigns[b - 1]))
        # leads per pair: uneven weights, exact total n
        w = [rng.uniform(0.3, 2.0) for _ in self.pairs]
        tot = sum(w)
        q = [n * x / tot for x in w]
        cnt = [int(x) for x in q]
        rest = n - sum(cnt)
        for i in sorted(range(len(q)), key=lambda i: q[i] - cnt[i], reverse=True)[:rest]:
            cnt[i] += 1
        self.counts = cnt
        # payload pools
        self.pools = {}
        for c in self.campaigns:
            pool = []
            for _ in range(POOL):
                target = rng.randint(1000, 2000)
                if c["nl"]:
                    pool.append(payload_nl(rng, c["id"], target))
                else:
                    pool.append(payload_en(rng, c["id"], target))
            self.pools[c["id"]] = pool
        # a pool of personalisation lines (multi-line, unicode)
        self.perso_en = [
            "Hey %(fn)s, awesome to see you lead %(what)s at %(co)s – I’m active in %(where)s too. Figured I’d reach out quickly.",
            "Hi %(fn)s,\nsaw %(co)s is hiring again — congrats on the growth!\nQuick idea below.",
            "%(fn)s – loved your post on “shipping fast without breaking things”.\n\nOne thought for %(co)s:",
        ]
        self.perso_nl = [
            "Hoi %(fn)s, ik zag dat %(co)s groeit in %(where)s – mooi om te zien!",
            "Beste %(fn)s,\n\nJullie vacature voor %(what)s staat al een tijdje open.\nMisschien kunnen wij helpen?",
            "%(fn)s, goed bezig bij %(co)s! Eén vraag over jullie werving 👇",
        ]
        self.clock = ms_of(2026, 11, 28, 3, 0, 12) + rng.randint(0, 999)
        self.lines = 0
        self.raw_bytes = 0

    def tick(self, ms):
        self.clock += ms
        return iso(self.clock)

    def env(self, typ, client, cid, ext, data, extra=""):
        return '{"v":1,"type":"%s","client_id":"%s","campaign_id":"%s","extracted_at":"%s"%s,"data":%s}\n' % (
            typ, client, cid, ext, extra, data)

    def campaign_item(self, c):
        rng = self.rng
        steps = []
        sents = SENTENCES_NL if c["nl"] else SENTENCES_EN
        subj = SUBJECTS_NL if c["nl"] else SUBJECTS_EN
        subst = {"co": "{{companyName}}", "co_l": "{{companyName}}", "plaats": "{{Plaats}}", "prov": "",
                 "vac": "{{Vacaturetitel}}", "ind": "{{Branche}}", "fn": "{{firstName}}"}
        for s in range(rng.randint(2, 4)):
            variants = []
            for v in range(rng.randint(1, 2)):
                body = "<div>" + pick_text(rng, sents, rng.randint(2, 4), subst, "</div><div><br /></div><div>") + "</div>"
                variants.append({"subject": rng.choice(subj).format(**subst) if s == 0 else "", "body": body})
            steps.append({"type": "email", "delay": rng.choice([2, 3, 4]), "delay_unit": "days", "variants": variants})
        item = {
            "id": c["id"], "name": c["name"], "status": c["status"],
            "campaign_schedule": {"schedules": [{"name": "Werkdagen" if c["nl"] else "Weekdays",
                                                 "timing": {"from": "08:00", "to": "17:00"},
                                                 "days": {"0": False, "1": True, "2": True, "3": True, "4": True, "5": True, "6": False},
                                                 "timezone": "Europe/Amsterdam" if c["nl"] else "Etc/GMT+12"}]},
            "timestamp_created": iso(c["created"]),
            "timestamp_updated": iso(c["created"] + rng.randint(0, 40) * 86400000),
            "sequences": [{"steps": steps}],
            "email_list": rng.sample(MAILBOXES, 3),
            "daily_limit": rng.choice([50, 100, 250]),
            "stop_on_reply": True, "link_tracking": False, "open_tracking": rng.random() < 0.5,
            "pl_value": rng.choice([100, 250, 1000]),
            "organization": self.org,
        }
        return json.dumps(item, ensure_ascii=False, separators=(",", ":"))

    def analytics(self, client, c):
        rng = self.rng
        out = []
        end = self.clock - 86400000
        start = end - 6 * 86400000
        sd, ed = ymd(start), ymd(end)
        extra = ',"start_date":"%s","end_date":"%s"' % (sd, ed)
        ext = self.tick(rng.randint(200, 900))
        tot = {}
        for d in range(7):
            sent = rng.randint(0, 400)
            row = {"date": ymd(start + d * 86400000), "sent": sent}
            if rng.random() < 0.7:   # newer shape; the older one lacks these
                row["contacted"] = rng.randint(0, sent)
                row["new_leads_contacted"] = rng.randint(0, row["contacted"])
            row["opened"] = rng.randint(0, sent)
            row["unique_opened"] = rng.randint(0, row["opened"])
            row["replies"] = rng.randint(0, sent // 20 + 1)
            row["unique_replies"] = row["replies"]
            if rng.random() < 0.7:
                row["replies_automatic"] = rng.randint(0, 3)
                row["unique_replies_automatic"] = row["replies_automatic"]
            row["clicks"] = rng.randint(0, 5)
            row["unique_clicks"] = row["clicks"]
            row["opportunities"] = rng.randint(0, 2)
            row["unique_opportunities"] = row["opportunities"]
            for k, v in row.items():
                if k != "date":
                    tot[k] = tot.get(k, 0) + v
            out.append(self.env("analytics_daily", client, c["id"], ext,
                                json.dumps(row, separators=(",", ":")), extra))
        ov = {
            "open_count": tot["opened"], "open_count_unique": tot["unique_opened"],
            "open_count_unique_by_step": tot["unique_opened"],
            "link_click_count": tot["clicks"], "link_click_count_unique": tot["unique_clicks"],
            "link_click_count_unique_by_step": tot["unique_clicks"],
            "reply_count": tot["replies"], "reply_count_unique": tot["unique_replies"],
            "reply_count_unique_by_step": tot["unique_replies"],
            "reply_count_automatic": tot.get("replies_automatic", 0),
            "reply_count_automatic_unique": tot.get("unique_replies_automatic", 0),
            "reply_count_automatic_unique_by_step": tot.get("unique_replies_automatic", 0),
            "bounced_count": rng.randint(0, 30), "unsubscribed_count": rng.randint(0, 10),
            "emails_sent_count": tot["sent"], "contacted_count": tot.get("contacted", 0),
            "new_leads_contacted_count": tot.get("new_leads_contacted", 0),
            "total_opportunities": tot["opportunities"],
            "total_opportunity_value": rng.choice([0, 1500, 2750.5, 12000]),
            "total_interested": rng.randint(0, 9), "total_meeting_booked": rng.randint(0, 4),
            "total_meeting_completed": rng.randint(0, 3), "total_closed": rng.randint(0, 2),
        }
        if rng.random() < 0.5:
            ov["completed_count"] = rng.randint(0, 500)
        out.append(self.env("analytics_overview", client, c["id"], self.tick(rng.randint(200, 900)),
                            json.dumps(ov, separators=(",", ":")), extra))
        return out

    def leads(self, client, c, count):
        """Yield lead lines for one (client, campaign) pair."""
        rng = self.rng
        rnd = rng.random
        rint = rng.randint
        choice = rng.choice
        cid = c["id"]
        pool = self.pools[cid]
        nl = c["nl"]
        firsts = FIRST_NL if nl else FIRST_EN
        lasts = LAST_NL if nl else LAST_EN
        firsts_j = [(f, jsc(f), ascii_slug(f)) for f in firsts]
        lasts_j = [(jsc(l), ascii_slug(l)) for l in lasts]
        perso = self.perso_nl if nl else self.perso_en
        titles = TITLES_NL if nl else TITLES_EN
        places = [p for p, _ in PLACES_NL] if nl else LOCATIONS_EN
        head = '{"v":1,"type":"lead","client_id":"%s","campaign_id":"%s","extracted_at":"' % (client, cid)
        created0 = c["created"]
        v7 = created0 >= ms_of(2025, 10, 15)
        ext = ""
        for i in range(count):
            if i % 100 == 0:
                ext = self.tick(rint(250, 1400))
            fraw, fn, fslug = choice(firsts_j)
            ln, lslug = choice(lasts_j)
            created = created0 + rint(0, 20 * 86400000)
            lid = uuid7(rng, created) if v7 else uuid4(rng)
            num = rint(1, 99999)
            tmpl, co, dom = choice(pool)
            em = "%s.%s%d@%s" % (fslug, lslug, num, dom)
            li = "%s-%s-%x" % (fslug, lslug, num)
            payload = tmpl % {"fn": fn, "ln": ln, "em": em, "li": li}

            # lifecycle
            r = rnd()
            opens = clicks = replies = 0
            contacted = False
            status = 1
            if r < 0.30:
                pass                                  # not yet emailed
            elif r < 0.80:
                contacted = True
                status = choice((1, 1, 1, 3, 3, 2))
                if rnd() < 0.35:
                    opens = rint(1, 6)
                if rnd() < 0.04:
                    clicks = rint(1, 2)
            elif r < 0.87:
                contacted = True
                replies = rint(1, 2)
                opens = rint(0, 4)
                status = choice((1, 3, 2))
            elif r < 0.94:
                contacted = True
                status = -1
            elif r < 0.97:
                contacted = True
                status = -2
                opens = rint(0, 2)
            else:
                status = -3
            t_upd = created + rint(0, 30 * 86400000)
            parts = [head, ext, '","data":{"id":"', lid, '","timestamp_created":"', iso(created),
                     '","timestamp_updated":"', iso(t_upd), '","organization":"', self.org,
                     '","status":', str(status)]
            if rnd() < 0.02:       # counters as numeric strings
                parts.append(',"email_open_count":"%d","email_reply_count":"%d","email_click_count":"%d"' % (opens, replies, clicks))
            else:
                parts.append(',"email_open_count":%d,"email_reply_count":%d,"email_click_count":%d' % (opens, replies, clicks))
            parts.append(',"company_domain":"%s"' % dom)
            mbox = choice(MAILBOXES)
            t_contact = t_upd - rint(0, 86400000)
            if contacted and rnd() < 0.7:
                parts.append(',"status_summary":{"lastStep":{"from":"%s","stepID":"0_%d_%d","timestamp_executed":"%s"},"domain_complete":%s}'
                             % (mbox, rint(0, 3), rint(0, 1), iso(t_contact), "true" if rnd() < 0.3 else "false"))
            else:
                parts.append(',"status_summary":{}')
            parts.append(',"campaign":"%s","email":"%s"' % (cid, em))
            if rnd() < 0.7:
                parts.append(',"personalization":' + js(choice(perso) % {
                    "fn": fraw, "co": co, "what": choice(titles).lower(), "where": choice(places)}))
            parts.append(',"last_name":"%s","first_name":"%s","company_name":%s' % (ln, fn, js(co)))
            r = rnd()
            if r < 0.45:
                parts.append(',"job_title":' + js(choice(titles)))
            elif r < 0.55:
                parts.append(',"job_title":""')        # falls back to the payload
            elif r < 0.58:
                parts.append(',"job_title":null')
            if rnd() < 0.3:
                parts.append(',"website":"https://%s"' % dom)
            if rnd() < 0.35:
                parts.append(',"phone":"+31 6 %08d"' % rint(0, 99999999))
            if rnd() < 0.005:
                parts.append(',"payload":null')
            else:
                parts.append(',"payload":' + payload)
            if rnd() < 0.7:
                parts.append(',"verification_status":%d' % choice((1, 1, 1, 1, -1, -2, -3, 11)))
            lt = None
            if replies:
                lt = choice((1, 1, 2, 3, 4, 0, 0, -1, -1, -2, -3, -4, 12345, -54321))
            elif rnd() < 0.03:
                lt = choice((0, 1, -1, 98765))
            if lt is not None:
                parts.append(',"lt_interest_status":%d,"timestamp_last_interest_change":"%s"' % (lt, iso(t_upd)))
            if contacted:
                parts.append(',"timestamp_last_contact":"%s"' % iso(t_contact))
                if opens:
                    parts.append(',"timestamp_last_open":"%s"' % iso(t_contact + rint(60000, 86400000)))
                if clicks:
                    parts.append(',"timestamp_last_click":"%s"' % iso(t_contact + rint(60000, 86400000)))
                if replies:
                    parts.append(',"timestamp_last_reply":"%s"' % iso(t_contact + rint(600000, 172800000)))
                if rnd() < 0.3:
                    parts.append(',"last_contacted_from":"%s"' % mbox)
                parts.append(',"timestamp_last_touch":"%s"' % iso(t_contact))
            if rnd() < 0.1:
                parts.append(',"pl_value_lead":"%d"' % choice((500, 1500, 2500)))
            parts.append(',"upload_method":"%s","esp_code":%d}}\n' % (
                choice(("manual", "manual", "api", "website-visitor")), choice((1, 1, 2, 2, 999, 0))))
            yield "".join(parts)

    def records(self):
        rng = self.rng
        per_type = {"campaign": 0, "analytics_daily": 0, "analytics_overview": 0, "lead": 0, "leads_complete": 0}
        camp_status = {}
        for (client, c), count in zip(self.pairs, self.counts):
            yield self.env("campaign", client, c["id"], self.tick(rng.randint(300, 1200)), self.campaign_item(c))
            per_type["campaign"] += 1
            for line in self.analytics(client, c):
                yield line
            per_type["analytics_daily"] += 7
            per_type["analytics_overview"] += 1
            yield from self.leads(client, c, count)
            per_type["lead"] += count
            pages = count // 100 + 1
            yield self.env("leads_complete", client, c["id"], self.tick(rng.randint(250, 900)),
                           '{"leads":%d,"pages":%d}' % (count, pages))
            per_type["leads_complete"] += 1
            camp_status[client + "/" + c["id"]] = "ok"
        summary = {"requests": sum(cn // 100 + 1 for cn in self.counts) + 4 * len(self.pairs),
                   "retries": rng.randint(0, 20), "http_429": rng.randint(0, 8),
                   "items": per_type, "campaigns": camp_status,
                   "started_at": iso(ms_of(2026, 11, 28, 3, 0, 0)), "finished_at": iso(self.clock)}
        yield '{"v":1,"type":"run_summary","client_id":null,"campaign_id":null,"extracted_at":"%s","data":%s}\n' % (
            iso(self.clock), json.dumps(summary, separators=(",", ":")))


# ---------------------------------------------------------------------------


class GzWriter:
    """gzip (level 6, mtime 0, no name) compressed in a second thread."""

    def __init__(self, path):
        self.raw = open(path, "wb")
        self.gz = gzip.GzipFile(filename="", mode="wb", compresslevel=6, fileobj=self.raw, mtime=0)
        self.q = queue.Queue(maxsize=8)
        self.err = None
        self.t = threading.Thread(target=self._run, daemon=True)
        self.t.start()

    def _run(self):
        try:
            while True:
                b = self.q.get()
                if b is None:
                    break
                self.gz.write(b)
        except BaseException as e:  # reported by close()
            self.err = e
            while self.q.get() is not None:
                pass

    def write(self, b):
        self.q.put(b)

    def close(self):
        self.q.put(None)
        self.t.join()
        if self.err:
            raise self.err
        self.gz.close()
        self.raw.close()


LEAD_ID = re.compile(r'"data":\{"id":"([0-9a-f-]{36})"')
EXTRACTED = re.compile(r'"extracted_at":"([0-9T:.Z-]+)"')
OPENS = re.compile(r'"email_open_count":("?)(\d+)("?)')
UPDATED = re.compile(r'"timestamp_updated":"([0-9T:.Z-]+)"')
LAST_OPEN = re.compile(r',"timestamp_last_open":"[0-9T:.Z-]+"')
EMAIL = re.compile(r'"email":"([^"@]*)@')
COMPLETE = re.compile(r'"data":\{"leads":(\d+),')


def next_night(src, seed, removed, changed, new):
    """Yield the lines of the night after archive src, and count leads."""
    rng = random.Random(seed * 7919 + 11)
    day = 86400000

    def later(m):
        t = m.group(1)
        y, mo, d = int(t[0:4]), int(t[5:7]), int(t[8:10])
        h, mi, sec = int(t[11:13]), int(t[14:16]), float(t[17:-1])
        ms = ms_of(y, mo, d, h, mi, 0) + round(sec * 1000) + day
        return m.group(0).replace(t, iso(ms))

    stats = {"leads": 0, "removed": 0, "changed": 0, "new": 0}
    pair = None
    kept = []     # lead lines of the current pair (for the copies)
    count = 0
    with gzip.open(src, "rt", encoding="utf-8") as f:
        for line in f:
            line = EXTRACTED.sub(later, line, count=1)
            if '"type":"lead"' in line[:20]:
                r = rng.random()
                if r < removed:
                    stats["removed"] += 1
                    continue
                if r < removed + changed:
                    stamp = iso(ms_of(2026, 11, 29, 2, 0, 0) + rng.randint(0, day - 1))
                    line = OPENS.sub(lambda m: '"email_open_count":%s%d%s' % (m.group(1), int(m.group(2)) + 1,
                                                                               m.group(3)), line, count=1)
                    line = UPDATED.sub('"timestamp_updated":"%s"' % stamp, line, count=1)
                    line = LAST_OPEN.sub("", line, count=1)
                    line = line[:-3] + ',"timestamp_last_open":"%s"}}\n' % stamp if line.endswith("}}\n") else line
                    stats["changed"] += 1
                kept.append(line)
                count += 1
                stats["leads"] += 1
                yield line
                continue
            if '"type":"leads_complete"' in line[:40]:
                k = int(round(len(kept) * new / (1 - removed))) if kept else 0
                for _ in range(k):
                    base = rng.choice(kept)
                    lid = uuid4(rng)
                    base = LEAD_ID.sub('"data":{"id":"%s"' % lid, base, count=1)
                    base = EMAIL.sub(lambda m: '"email":"%s.n%d@' % (m.group(1), rng.randint(0, 10**9)), base, count=1)
                    stats["new"] += 1
                    stats["leads"] += 1
                    count += 1
                    yield base
                line = COMPLETE.sub('"data":{"leads":%d,' % count, line, count=1)
                kept, count = [], 0
            yield line
    next_night.stats = stats


def main():
    ap = argparse.ArgumentParser(description="Generate a realistic instantly-etl archive v1 for benchmarks.")
    ap.add_argument("n", type=int, help="number of lead records")
    ap.add_argument("out", help="output file (.ndjson.gz: gzip level 6; '-' or another name: plain)")
    ap.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    ap.add_argument("--campaigns", type=int, default=20, help="number of campaigns (default 20)")
    ap.add_argument("--meta", help="write a JSON summary of the archive to this file")
    ap.add_argument("--next-night", metavar="FROM", help="write the night after archive FROM (N is ignored)")
    ap.add_argument("--removed", type=float, default=0.01, help="--next-night: share of leads removed (0.01)")
    ap.add_argument("--changed", type=float, default=0.05, help="--next-night: share of leads changed (0.05)")
    ap.add_argument("--new", type=float, default=0.01, help="--next-night: share of new leads (0.01)")
    a = ap.parse_args()
    if a.next_night:
        t0 = time.time()
        w = GzWriter(a.out + ".tmp") if a.out.endswith(".gz") else open(a.out + ".tmp", "wb")
        lines = raw = 0
        buf, size = [], 0
        for line in next_night(a.next_night, a.seed, a.removed, a.changed, a.new):
            buf.append(line)
            size += len(line)
            if size >= 1 << 20:
                b = "".join(buf).encode("utf-8")
                raw += len(b)
                lines += len(buf)
                w.write(b)
                buf, size = [], 0
        b = "".join(buf).encode("utf-8")
        raw += len(b)
        lines += len(buf)
        w.write(b)
        w.close()
        os.replace(a.out + ".tmp", a.out)
        st = next_night.stats
        if a.meta:
            with open(a.meta) as f:
                meta = json.load(f)
            meta.update({"night": 2, "leads": st["leads"], "lines": lines, "uncompressed_bytes": raw,
                         "file_bytes": os.path.getsize(a.out), "removed": st["removed"], "changed": st["changed"],
                         "new": st["new"], "seconds": round(time.time() - t0, 2)})
            meta["expected_rows"]["synced_leads"] = st["leads"]
            with open(a.meta + ".tmp", "w") as f:
                json.dump(meta, f)
                f.write("\n")
            os.replace(a.meta + ".tmp", a.meta)
        print("gen_archive: next night of %s: %d leads (%d removed, %d changed, %d new) in %.1f s" % (
            a.next_night, st["leads"], st["removed"], st["changed"], st["new"], time.time() - t0), file=sys.stderr)
        return
    if a.n < 0 or a.campaigns < 1:
        ap.error("N must be >= 0 and --campaigns >= 1")

    t0 = time.time()
    g = Gen(a.n, a.seed, a.campaigns)
    if a.out == "-":
        w = sys.stdout.buffer
        close = lambda: w.flush()
    elif a.out.endswith(".gz"):
        w = GzWriter(a.out + ".tmp")
        close = w.close
    else:
        w = open(a.out + ".tmp", "wb")
        close = w.close
    lines = raw = 0
    buf = []
    size = 0
    for line in g.records():
        buf.append(line)
        size += len(line)
        if size >= 1 << 20:
            b = "".join(buf).encode("utf-8")
            raw += len(b)
            lines += len(buf)
            w.write(b)
            buf = []
            size = 0
    if buf:
        b = "".join(buf).encode("utf-8")
        raw += len(b)
        lines += len(buf)
        w.write(b)
    close()
    comp = None
    if a.out != "-":
        os.replace(a.out + ".tmp", a.out)
        comp = os.path.getsize(a.out)
    meta = {"leads": a.n, "lines": lines, "uncompressed_bytes": raw, "file_bytes": comp,
            "campaigns": a.campaigns, "pairs": len(g.pairs), "clients": 3, "seed": a.seed,
            "expected_rows": {"synced_leads": a.n, "campaigns": len(g.pairs),
                              "campaign_analytics": 7 * len(g.pairs),
                              "campaign_analytics_overview": len(g.pairs),
                              "leads_complete": len(g.pairs)},
            "seconds": round(time.time() - t0, 2)}
    if a.meta:
        with open(a.meta, "w") as f:
            json.dump(meta, f)
            f.write("\n")
    print("gen_archive: %d leads, %d lines, %.1f MB uncompressed, %s in %.1f s" % (
        a.n, lines, raw / 1e6, "%.1f MB gzip" % (comp / 1e6) if comp else "stdout",
        time.time() - t0), file=sys.stderr)


if __name__ == "__main__":
    main()
