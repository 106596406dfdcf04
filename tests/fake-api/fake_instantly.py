#!/usr/bin/python3
"""A loopback fake of the Instantly.ai API v2 read endpoints, for tests.

    fake_instantly.py --data DIR [--port 0] [--api-key KEY] [switches...]

Serves, on 127.0.0.1 over HTTP/1.1 (keep-alive, Content-Length, gzip when
asked), the read path of the API as docs/instantly-api.md describes
it, from a workspace directory written by make_workspace.py:

    DIR/campaigns.json              [campaign, ...]
    DIR/leads/<campaign_id>.json    [lead, ...]
    DIR/daily/<campaign_id>.json    [daily row, ...]   (file order is kept)
    DIR/overview/<campaign_id>.json {overview}

Prints "listening on http://127.0.0.1:PORT" as its first line on stdout.
Behaviour switches are command-line options; every one of them can also be
changed at run time with POST /_control and a JSON body of the same names
(dashes become underscores), and GET /_stats returns the counters and every
request seen (the Authorization value redacted). See README.md beside this
file for each switch and the fact of the API it comes from.

Python 3 standard library only. Deterministic: faults come from counters,
never from random numbers.
"""

import argparse
import bisect
import collections
import datetime
import decimal
import gzip
import http.server
import json
import os
import re
import socket
import sys
import threading
import time
import traceback
import urllib.parse
import uuid

# ---- JSON with numbers kept as their text --------------------------------
#
# The API's numbers must come back exactly as they are in the data files
# (12.50 stays 12.50, not 12.5). Floats (and "-0") are parsed to Raw, which
# the encoder writes back verbatim; other integers round-trip as int.


class Raw:
    """A JSON number kept as its source text."""
    __slots__ = ("text",)

    def __init__(self, text):
        self.text = text

    def value(self):
        return decimal.Decimal(self.text)


def _parse_int(s):
    return Raw(s) if s == "-0" else int(s)


def _no_constant(s):
    raise ValueError("not JSON: " + s)


def loads(text):
    return json.loads(text, parse_float=Raw, parse_int=_parse_int, parse_constant=_no_constant)


_MARK = "\x00raw:"
_MARK_ENCODED = "\\u0000raw:"
_MARK_RE = re.compile(r'"\\u0000raw:([-+0-9.eE]+)"')


def _default(o):
    if isinstance(o, Raw):
        return _MARK + o.text
    if isinstance(o, decimal.Decimal):
        return _MARK + str(o)
    raise TypeError("not JSON serializable: %r" % (o,))


def dumps(obj):
    """Compact UTF-8 JSON text (str), numbers as they came in."""
    s = json.dumps(obj, ensure_ascii=False, separators=(",", ":"), default=_default)
    if _MARK_ENCODED in s:
        s = _MARK_RE.sub(r"\1", s)
    return s


def number(v):
    """A JSON number value (int, Raw, Decimal) as a Decimal, else None."""
    if isinstance(v, bool) or v is None:
        return None
    if isinstance(v, int):
        return decimal.Decimal(v)
    if isinstance(v, Raw):
        return v.value()
    if isinstance(v, decimal.Decimal):
        return v
    return None


def plain(d):
    """A Decimal sum written back as an int when it is whole."""
    if d == d.to_integral_value() and "E" not in str(d) and "." not in str(d):
        return int(d)
    return d


# ---- the workspace -------------------------------------------------------

UUID_RE = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")


class Lead:
    __slots__ = ("id", "raw", "email", "first", "last", "list_id", "campaign")


class Workspace:
    """The data files of DIR, loaded once, items kept as serialized bytes."""

    def __init__(self, d):
        self.dir = d
        if not os.path.isfile(os.path.join(d, "campaigns.json")):
            raise ValueError("%s: not a workspace (no campaigns.json)" % d)
        camps = self._load(os.path.join(d, "campaigns.json"), [])
        if not isinstance(camps, list):
            raise ValueError("campaigns.json: not a JSON array")
        by_id = {}
        for c in camps:
            cid = str(c.get("id", "")).lower()
            if cid and cid not in by_id:
                by_id[cid] = c
        self.campaign_obj = by_id
        self.campaign_raw = {cid: dumps(c).encode() for cid, c in by_id.items()}
        self.campaign_ids_desc = sorted(by_id, reverse=True)	# recorded order: id descending

        self.leads_by_campaign = {}	# cid -> [Lead] ascending id
        all_leads = {}
        for cid, items in self._load_dir(os.path.join(d, "leads")):
            lst = []
            for it in items:
                lid = str(it.get("id", "")).lower()
                if not lid:
                    continue
                lead = all_leads.get(lid)
                if lead is None:
                    lead = Lead()
                    lead.id = lid
                    lead.raw = dumps(it).encode()
                    lead.email = str(it.get("email") or "")
                    lead.first = str(it.get("first_name") or "")
                    lead.last = str(it.get("last_name") or "")
                    lead.list_id = str(it.get("list_id") or "").lower()
                    lead.campaign = cid
                    all_leads[lid] = lead
                lst.append(lead)
            lst.sort(key=lambda x: x.id)
            self.leads_by_campaign[cid] = lst
        self.leads = sorted(all_leads.values(), key=lambda x: x.id)
        self.lead_by_id = all_leads
        self.lead_ids = [x.id for x in self.leads]
        self.lead_ids_by_campaign = {c: [x.id for x in l] for c, l in self.leads_by_campaign.items()}

        self.daily = dict(self._load_dir(os.path.join(d, "daily")))
        self.overview = dict(self._load_dir(os.path.join(d, "overview")))

    @staticmethod
    def _load(path, default):
        if not os.path.exists(path):
            return default
        with open(path, encoding="utf-8") as f:
            try:
                return loads(f.read())
            except ValueError as e:
                raise ValueError("%s: %s" % (path, e))

    def _load_dir(self, d):
        if not os.path.isdir(d):
            return
        for name in sorted(os.listdir(d)):
            if name.endswith(".json"):
                yield name[:-5].lower(), self._load(os.path.join(d, name), None)


# ---- settings ------------------------------------------------------------

# name: (type, default); type "int" means an integer >= 0 or null (off)
SETTINGS = {
    "api_key": ("str", "test-key"),
    "extra_keys": ("keylist", []),
    "require_user_agent": ("bool", True),
    "cloudflare_block": ("bool", False),
    "payment_required": ("bool", False),
    "rate_limit": ("int", None),
    "rate_limit_minute": ("int", None),
    "retry_after": ("int", None),
    "latency_ms": ("int", 0),
    "leads_latency_ms": ("int", 0),
    "fail_every": ("int", None),
    "fail_status": ("int", 500),
    "fail_once_path": ("str", None),
    "fail_after": ("int", None),
    "cut_body_every": ("int", None),
    "slow_body": ("bool", False),
    "slow_body_bytes": ("int", 256),
    "slow_body_pause_ms": ("int", 50),
    "short_pages": ("bool", False),
    "repeat_cursor": ("list", []),
    "strict_content_type": ("bool", True),
    "today": ("date", None),
    "hostile": ("hostile", None),
    "hostile_campaign": ("str", "*"),
}

# A hostile or broken API, on the lead listing of hostile_campaign ("*": every
# one); what the client must survive with bounded memory, disk and time.
HOSTILE = {
    "deep_nesting": "a 200 whose body opens '[' forever after the (empty) items, outside any item",
    "endless_items": "a 200 whose items array never ends (no Content-Length, streamed until the client hangs up)",
    "endless_cursor": "every page: one lead and a fresh cursor (a new UUID), whatever cursor was sent",
    "stall_body": "the full Content-Length declared, half the body sent, then nothing for 300 s",
    "long_body": "the page with a Content-Length 16 bytes shorter than the body sent",
    "items_string": '{"items":"not a list"}',
    "items_object": '{"items":{}}',
    "items_number": '{"items":100}',
    "items_null": '{"items":null}',
}


def check_setting(name, v):
    if name not in SETTINGS:
        raise ValueError("unknown setting %r" % name)
    kind = SETTINGS[name][0]
    if v is None:
        if kind in ("bool",):
            raise ValueError("%s: a boolean is needed" % name)
        return [] if kind == "list" else None
    if kind == "int":
        if isinstance(v, bool) or not isinstance(v, int) or v < 0:
            raise ValueError("%s: an integer >= 0 or null is needed" % name)
        if name == "fail_status" and not 400 <= v <= 599:
            raise ValueError("fail_status: 400..599")
        if name == "slow_body_bytes" and v < 1:
            raise ValueError("slow_body_bytes: at least 1")
        return v
    if kind == "bool":
        if not isinstance(v, bool):
            raise ValueError("%s: a boolean is needed" % name)
        return v
    if kind == "str":
        if not isinstance(v, str):
            raise ValueError("%s: a string is needed" % name)
        return v
    if kind == "keylist":
        if not isinstance(v, list) or not all(isinstance(x, str) and x for x in v):
            raise ValueError("%s: a list of keys is needed" % name)
        return list(v)
    if kind == "list":
        if isinstance(v, str):
            v = [x for x in v.split(",") if x]
        if not isinstance(v, list) or not all(isinstance(x, str) for x in v):
            raise ValueError("%s: a string or a list of strings is needed" % name)
        return [x.lower() for x in v]
    if kind == "hostile":
        if not isinstance(v, str) or v not in HOSTILE:
            raise ValueError("%s: one of %s, or null" % (name, ", ".join(sorted(HOSTILE))))
        return v
    if kind == "date":
        if not isinstance(v, str):
            raise ValueError("%s: YYYY-MM-DD is needed" % name)
        datetime.date.fromisoformat(v)
        return v
    raise AssertionError(kind)


def redact_auth(v):
    if v is None:
        return None
    parts = v.split(None, 1)
    if len(parts) == 2:
        return "%s <len %d>" % (parts[0], len(parts[1].strip()))
    return "<len %d>" % len(v)


# ---- the shared state ----------------------------------------------------

ENDPOINTS = [	# (method, regex, name); the analytics paths before {id}
    ("GET", re.compile(r"^/api/v2/campaigns$"), "GET /api/v2/campaigns"),
    ("GET", re.compile(r"^/api/v2/campaigns/analytics$"), "GET /api/v2/campaigns/analytics"),
    ("GET", re.compile(r"^/api/v2/campaigns/analytics/daily$"), "GET /api/v2/campaigns/analytics/daily"),
    ("GET", re.compile(r"^/api/v2/campaigns/analytics/overview$"), "GET /api/v2/campaigns/analytics/overview"),
    ("GET", re.compile(r"^/api/v2/campaigns/([^/]+)$"), "GET /api/v2/campaigns/{id}"),
    ("POST", re.compile(r"^/api/v2/leads/list$"), "POST /api/v2/leads/list"),
    ("GET", re.compile(r"^/api/v2/leads/([^/]+)$"), "GET /api/v2/leads/{id}"),
]


class State:
    def __init__(self, ws, settings, max_logged):
        self.lock = threading.Lock()
        self.ws = ws
        self.settings = settings
        self.max_logged = max_logged
        self.t0 = time.monotonic()
        self.sec = collections.deque()
        self.minute = collections.deque()
        self.ws_windows = {}	# the extra keys' windows: {index: (sec, minute)}
        self.fail_n = 0	# requests counted by fail_every, since it was set
        self.cut_n = 0	# responses counted by cut_body_every, since it was set
        self.fail_once_done = False
        self.after_n = 0	# requests counted by fail_after, since it was set
        self.in_flight = 0
        self.reset_stats()

    def reset_stats(self):
        self.stats = {
            "requests_total": 0,
            "by_endpoint": {},
            "by_status": {},
            "rate_limited": 0,
            "errors_injected": 0,
            "bodies_cut": 0,
            "bodies_slow": 0,
            "hostile": 0,
            "gzip_responses": 0,
            "max_in_flight": 0,
            "window_fallbacks": [],
            "leads_list": {"by_campaign": {}, "without_campaign": 0,
                           "ignored_keys": {}, "unapplied_filters": {}},
            "requests": [],
            "requests_dropped": 0,
        }

    def public_settings(self):
        s = dict(self.settings)
        s["api_key"] = "<len %d>" % len(s["api_key"] or "")
        s["extra_keys"] = ["<len %d>" % len(k) for k in s["extra_keys"]]
        return s

    def apply(self, changes):
        """Apply a /_control body; raises ValueError on a bad one."""
        if not isinstance(changes, dict):
            raise ValueError("the body must be a JSON object")
        new = {}
        actions = {}
        for k, v in changes.items():
            if k in ("reset_stats", "reload"):
                if not isinstance(v, bool):
                    raise ValueError("%s: a boolean is needed" % k)
                actions[k] = v
                continue
            if isinstance(v, Raw):
                raise ValueError("%s: an integer is needed" % k)
            new[k] = check_setting(k, v)
        ws = Workspace(self.ws.dir) if actions.get("reload") else None
        with self.lock:
            self.settings.update(new)
            if "fail_every" in new:
                self.fail_n = 0
            if "cut_body_every" in new:
                self.cut_n = 0
            if "fail_once_path" in new:
                self.fail_once_done = False
            if "fail_after" in new:
                self.after_n = 0
            if "rate_limit" in new or "rate_limit_minute" in new:
                self.sec.clear()
                self.ws_windows.clear()
                self.minute.clear()
            if actions.get("reset_stats"):
                self.reset_stats()
            if ws is not None:
                self.ws = ws
            return self.public_settings()

    def today(self):
        t = self.settings["today"]
        if t:
            return datetime.date.fromisoformat(t)
        return datetime.datetime.now(datetime.timezone.utc).date()


# ---- errors --------------------------------------------------------------

REASONS = {
    400: "Bad Request", 401: "Unauthorized", 402: "Payment Required", 403: "Forbidden",
    404: "Not Found", 413: "Payload Too Large", 415: "Unsupported Media Type",
    429: "Too Many Requests", 500: "Internal Server Error", 502: "Bad Gateway",
    503: "Service Unavailable", 504: "Gateway Timeout",
}


class ApiError(Exception):
    def __init__(self, status, message, body=None):
        Exception.__init__(self, message)
        self.status = status
        self.body = body if body is not None else {
            "statusCode": status, "error": REASONS.get(status, "Error"), "message": message}


def int_param(v, where, name):
    """A limit as Fastify/ajv coerces it: an integer or an integer string."""
    if isinstance(v, bool):
        raise ApiError(400, "%s/%s must be integer" % (where, name))
    if isinstance(v, int):
        return v
    if isinstance(v, str) and re.fullmatch(r"-?[0-9]+", v.strip()):
        return int(v.strip())
    raise ApiError(400, "%s/%s must be integer" % (where, name))


def parse_limit(v, where):
    """None: the listing is empty (limit above 100, as seen in the field)."""
    if v is None:
        return 10	# undocumented default; the docs' examples and the field say 10
    n = int_param(v, where, "limit")
    if n < 1:
        raise ApiError(400, "%s/limit must be >= 1" % where)
    if n > 100:
        return None
    return n


def bad_cursor():
    # a malformed or unknown cursor answers 500 ([MCP commit f307679], field reports)
    return ApiError(500, "Internal server error")


def parse_when(v, name):
    """start_date/end_date: YYYY-MM-DD (UTC midnight) or a full ISO-8601 time."""
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", v):
            return datetime.date.fromisoformat(v)
        s = v.replace("Z", "+00:00").replace("z", "+00:00")
        t = datetime.datetime.fromisoformat(s)
        if t.tzinfo is not None:
            t = t.astimezone(datetime.timezone.utc)
        return t.date()
    except ValueError:
        raise ApiError(400, "querystring/%s must match format \"date-time\"" % name)


# ---- the HTTP handler ----------------------------------------------------

class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    timeout = 120	# an idle keep-alive connection is closed after this
    disable_nagle_algorithm = True	# headers and body go out as two writes: no 40 ms delayed-ACK stalls
    state = None	# set in main()
    verbose = False

    def version_string(self):
        return "cloudflare"	# [REC] server: cloudflare

    def log_message(self, fmt, *args):
        if self.verbose:
            sys.stderr.write("fake_instantly: %s %s\n" % (self.address_string(), fmt % args))

    def do_GET(self):
        self.dispatch("GET")

    def do_POST(self):
        self.dispatch("POST")

    def do_PUT(self):
        self.dispatch("PUT")

    def do_PATCH(self):
        self.dispatch("PATCH")

    def do_DELETE(self):
        self.dispatch("DELETE")

    # -- request -----------------------------------------------------------

    def read_body(self):
        te = (self.headers.get("Transfer-Encoding") or "").lower()
        if "chunked" in te:
            parts = []
            while True:
                line = self.rfile.readline(65537)
                size = int(line.split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline(65537) not in (b"\r\n", b"\n", b""):
                        pass
                    break
                parts.append(self.rfile.read(size))
                self.rfile.readline(65537)
            return b"".join(parts)
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n > 0 else b""

    def dispatch(self, method):
        st = self.state
        try:
            body = self.read_body()
        except (ValueError, OSError):
            self.close_connection = True
            return
        url = urllib.parse.urlsplit(self.path)
        path = url.path
        query = urllib.parse.parse_qs(url.query, keep_blank_values=True)
        if path == "/_control":
            return self.control(method, body)
        if path == "/_stats":
            return self.send_stats(query)

        with st.lock:
            st.stats["requests_total"] += 1
            n = st.stats["requests_total"]
            st.in_flight += 1
            st.stats["max_in_flight"] = max(st.stats["max_in_flight"], st.in_flight)
            s = dict(st.settings)
        t_start = time.monotonic()
        endpoint, match = "other", None
        for m, rx, name in ENDPOINTS:
            mm = rx.match(path)
            if mm and m == method:
                endpoint, match = name, mm
                break
        rec = {
            "n": n,
            "t": round(t_start - st.t0, 4),
            "method": method,
            "path": path,
            "endpoint": endpoint,
            "query": {k: (v[0] if len(v) == 1 else v) for k, v in query.items()},
            "body": None,
            "authorization": redact_auth(self.headers.get("Authorization")),
            "user_agent": self.headers.get("User-Agent"),
            "accept_encoding": self.headers.get("Accept-Encoding"),
        }
        for k in ("api_key", "apiKey", "key", "token"):	# v1 put the key in the query
            if k in rec["query"]:
                rec["query"][k] = "<redacted>"
        if body:
            try:
                rec["body"] = loads(body.decode("utf-8"))
            except (ValueError, UnicodeDecodeError):
                rec["body"] = body.decode("utf-8", "replace")
        self._rec = rec
        self._t_start = t_start
        self._gzip = accepts_gzip(self.headers.get("Accept-Encoding"))
        try:
            # latency first, in this request's own thread: concurrent requests overlap
            delay = s["latency_ms"] + (s["leads_latency_ms"] if endpoint == "POST /api/v2/leads/list" else 0)
            if delay:
                time.sleep(delay / 1000.0)
            self.answer(method, path, query, body, endpoint, match, s)
        except Exception:
            traceback.print_exc()
            try:
                self.send_json(500, {"statusCode": 500, "error": "Internal Server Error",
                                     "message": "fake_instantly: internal error"})
            except OSError:
                pass
        finally:
            with st.lock:
                st.in_flight -= 1
                rec["ms"] = round((time.monotonic() - t_start) * 1000, 1)
                st.stats["by_endpoint"][endpoint] = st.stats["by_endpoint"].get(endpoint, 0) + 1
                code = str(rec.get("status"))
                st.stats["by_status"][code] = st.stats["by_status"].get(code, 0) + 1
                if len(st.stats["requests"]) < st.max_logged:
                    st.stats["requests"].append(rec)
                else:
                    st.stats["requests_dropped"] += 1

    def answer(self, method, path, query, body, endpoint, match, s):
        st = self.state
        # 1. Cloudflare in front: no User-Agent at all -> 403 "error code: 1010" [KIT-SDK, iexdg]
        if (s["require_user_agent"] and self.headers.get("User-Agent") is None) or s["cloudflare_block"]:
            self._rec["refused"] = "cloudflare 1010"
            return self.send_bytes(403, b"error code: 1010", "text/plain; charset=UTF-8")
        # 2. unknown route: Fastify's 404, before any auth hook
        if match is None:
            return self.send_error_obj(ApiError(404, "Route %s:%s not found" % (method, path)))
        # 3. auth [SPEC, iexdg]
        auth = self.headers.get("Authorization")
        if auth is None:
            return self.send_error_obj(ApiError(401, "Missing Authorization header"))
        parts = auth.split(None, 1)
        keys = [s["api_key"]] + s["extra_keys"]	# the extra keys: other workspaces, same data
        if len(parts) != 2 or parts[0].lower() != "bearer" or parts[1].strip() not in keys:
            return self.send_error_obj(ApiError(401, "Invalid authorization header"))
        self._rec["workspace"] = keys.index(parts[1].strip())
        # 4. no paid plan [SPEC: 402 on 170 of 173 operations]
        if s["payment_required"]:
            return self.send_error_obj(ApiError(402, "Your workspace does not have an active paid plan"))
        # 5. workspace rate limit, sliding windows [RL]
        now = time.monotonic()
        ws = self._rec["workspace"]
        with st.lock:
            # each workspace (key) has its own windows; the first's are st.sec, st.minute
            if ws == 0:
                sec, minute = st.sec, st.minute
            else:
                sec, minute = st.ws_windows.setdefault(ws, (collections.deque(), collections.deque()))
            while sec and sec[0] <= now - 1.0:
                sec.popleft()
            while minute and minute[0] <= now - 60.0:
                minute.popleft()
            limited = ((s["rate_limit"] is not None and len(sec) >= s["rate_limit"]) or
                       (s["rate_limit_minute"] is not None and len(minute) >= s["rate_limit_minute"]))
            if limited:
                st.stats["rate_limited"] += 1
            else:
                sec.append(now)
                minute.append(now)
        if limited:
            hdr = {}
            if s["retry_after"] is not None:
                hdr["Retry-After"] = str(s["retry_after"])
            return self.send_error_obj(ApiError(429, "Rate limit exceeded"), hdr)
        # 6. injected faults, from counters
        inject = None
        with st.lock:
            if s["fail_every"]:
                st.fail_n += 1
                if st.fail_n % s["fail_every"] == 0:
                    inject = s["fail_status"]
            if inject is None and s["fail_after"] is not None:
                st.after_n += 1
                if st.after_n > s["fail_after"]:
                    inject = s["fail_status"]
            if inject is None and s["fail_once_path"] and not st.fail_once_done and s["fail_once_path"] in path:
                st.fail_once_done = True
                inject = 500
            if inject is not None:
                st.stats["errors_injected"] += 1
        if inject is not None:
            self._rec["injected"] = inject
            return self.send_error_obj(ApiError(inject, {
                500: "Internal server error", 502: "Bad gateway",
                503: "Service temporarily unavailable", 504: "Gateway timeout"}.get(inject, "Injected error")),
                endpoint_answer=False)
        # 7. a hostile answer instead of the endpoint's
        if s["hostile"] == "endless_cursor" and endpoint == "GET /api/v2/campaigns" and \
                (s["hostile_campaign"] or "").lower() == "campaigns":
            with st.lock:
                st.stats["hostile"] += 1
            self._rec["hostile"] = s["hostile"]
            first = st.ws.campaign_raw[st.ws.campaign_ids_desc[0]]
            return self.send_json(200, b'{"items":[' + (first if isinstance(first, bytes) else dumps(first).encode()) +
                                  b'],"next_starting_after":"' + str(uuid.uuid4()).encode() + b'"}')
        if s["hostile"] and endpoint == "POST /api/v2/leads/list":
            req = self._rec.get("body")
            cid = req.get("campaign") if isinstance(req, dict) else None
            if isinstance(cid, str) and (s["hostile_campaign"] or "*").lower() in ("*", cid.lower()):
                with st.lock:
                    st.stats["hostile"] += 1
                self._rec["hostile"] = s["hostile"]
                return self.hostile(s["hostile"], cid.lower())
        # 8. the endpoint itself
        try:
            status, payload = self.route(endpoint, match, query, body, s)
        except ApiError as e:
            return self.send_error_obj(e, endpoint_answer=True)
        return self.send_json(status, payload, endpoint_answer=True)

    # -- endpoints ---------------------------------------------------------

    def route(self, endpoint, match, query, body, s):
        ws = self.state.ws
        q1 = {k: v[-1] for k, v in query.items()}
        if endpoint == "GET /api/v2/campaigns":
            return 200, self.list_campaigns(ws, q1, s)
        if endpoint == "GET /api/v2/campaigns/{id}":
            cid = match.group(1)
            if not UUID_RE.match(cid):
                raise ApiError(400, "params/id must match format \"uuid\"")
            raw = ws.campaign_raw.get(cid.lower())
            if raw is None:
                raise ApiError(404, "Resource not found")
            return 200, raw
        if endpoint == "GET /api/v2/leads/{id}":
            lid = match.group(1)
            if not UUID_RE.match(lid):
                raise ApiError(400, "params/id must match format \"uuid\"")
            lead = ws.lead_by_id.get(lid.lower())
            if lead is None:
                raise ApiError(404, "Resource not found")
            return 200, lead.raw
        if endpoint == "POST /api/v2/leads/list":
            return 200, self.list_leads(ws, body, s)
        if endpoint == "GET /api/v2/campaigns/analytics/daily":
            return 200, self.daily(ws, q1, s)
        if endpoint == "GET /api/v2/campaigns/analytics/overview":
            return 200, self.overview(ws, query, q1, s)
        if endpoint == "GET /api/v2/campaigns/analytics":
            return 200, self.analytics(ws, query, q1, s)
        raise ApiError(404, "Resource not found")

    def page(self, raws, next_cursor):
        """The page envelope, built from serialized items."""
        if not raws:
            return b'{"items":[]}'	# exactly this after the last data page [REC]
        out = b'{"items":[' + b",".join(raws) + b"]"
        if next_cursor is not None:
            out += b',"next_starting_after":' + json.dumps(next_cursor).encode()
        return out + b"}"

    def take(self, total, start, limit, s):
        """How many items this page holds: limit, or fewer with --short-pages."""
        n = limit
        if s["short_pages"] and limit >= 2 and (start // limit) % 2 == 0 and start + limit < total:
            n = limit - max(1, limit // 3)	# a short page while more exist [MCP commit 7459bad]
        return n

    def list_campaigns(self, ws, q, s):
        limit = parse_limit(q.get("limit"), "querystring")
        ids = ws.campaign_ids_desc
        search = q.get("search")
        if search:
            ids = [c for c in ids if search.lower() in str(ws.campaign_obj[c].get("name", "")).lower()]
        for key, keep in (("status", True), ("exclude_status", False)):
            if q.get(key) not in (None, ""):
                want = str(q[key])
                ids = [c for c in ids if (str(number(ws.campaign_obj[c].get("status"))) == want) == keep]
        cursor = q.get("starting_after")
        start = 0
        if cursor:
            c = cursor.lower()
            if not UUID_RE.match(c) or c not in ws.campaign_obj:
                raise bad_cursor()
            start = len([x for x in ids if x >= c])	# descending: the ids below the cursor
        if limit is None:
            return self.page([], None)
        n = self.take(len(ids), start, limit, s)
        chunk = ids[start:start + n]
        nxt = chunk[-1] if chunk else None
        if cursor and self.repeats(s, "campaigns"):
            nxt = cursor
            return self.page([ws.campaign_raw[c] for c in chunk], nxt) if chunk else \
                b'{"items":[],"next_starting_after":' + json.dumps(cursor).encode() + b"}"
        return self.page([ws.campaign_raw[c] for c in chunk], nxt)

    def repeats(self, s, key):
        rc = s["repeat_cursor"]
        return key in rc or "*" in rc

    KNOWN_LEAD_KEYS = {"search", "filter", "campaign", "list_id", "in_campaign", "in_list", "ids",
                       "excluded_ids", "contacts", "queries", "limit", "starting_after",
                       "organization_user_ids", "smart_view_id", "is_website_visitor",
                       "distinct_contacts", "enrichment_status", "esg_code"}

    def list_leads(self, ws, body, s):
        st = self.state
        ctype = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        if body and s["strict_content_type"] and ctype != "application/json":
            # Fastify (whose error envelope the API uses) has no parser for other types
            raise ApiError(415, "Unsupported Media Type: %s" % (ctype or "none"))
        if not body:
            if ctype == "application/json" and s["strict_content_type"]:
                raise ApiError(400, "Body cannot be empty when content-type is set to 'application/json'")
            req = {}
        else:
            try:
                req = loads(body.decode("utf-8"))
            except (ValueError, UnicodeDecodeError) as e:
                raise ApiError(400, "Body is not valid JSON: %s" % e)
        if not isinstance(req, dict):
            raise ApiError(400, "body must be object")
        ignored = [k for k in req if k not in self.KNOWN_LEAD_KEYS]
        unapplied = [k for k in req if k in ("filter", "queries", "in_campaign", "in_list",
                                            "organization_user_ids", "smart_view_id",
                                            "is_website_visitor", "distinct_contacts",
                                            "enrichment_status", "esg_code")]
        campaign = req.get("campaign")
        if campaign is not None and (not isinstance(campaign, str) or not UUID_RE.match(campaign)):
            raise ApiError(400, "body/campaign must match format \"uuid\"")
        limit = parse_limit(req.get("limit"), "body")
        cursor = req.get("starting_after")
        if cursor is not None and not isinstance(cursor, str):
            raise ApiError(400, "body/starting_after must be string")
        with st.lock:
            ll = st.stats["leads_list"]
            if campaign:
                ll["by_campaign"][campaign.lower()] = ll["by_campaign"].get(campaign.lower(), 0) + 1
            else:
                ll["without_campaign"] += 1
            for k in ignored:	# silently ignored, as the real API does [§8.2]
                ll["ignored_keys"][k] = ll["ignored_keys"].get(k, 0) + 1
            for k in unapplied:
                ll["unapplied_filters"][k] = ll["unapplied_filters"].get(k, 0) + 1
        if ignored:
            self._rec["ignored_keys"] = ignored

        if campaign:
            leads = ws.leads_by_campaign.get(campaign.lower(), [])
            ids = ws.lead_ids_by_campaign.get(campaign.lower(), [])
        else:
            leads, ids = ws.leads, ws.lead_ids
        flt = self.lead_filter(req)
        if flt is not None:
            leads = [x for x in leads if flt(x)]
            ids = [x.id for x in leads]
        start = 0
        if cursor:
            c = cursor.lower()
            if not UUID_RE.match(c) or c not in ws.lead_by_id:
                raise bad_cursor()
            start = bisect.bisect_right(ids, c)	# ascending id [SPEC]
        if limit is None:
            return self.page([], None)	# limit above 100: an empty list, seen in the field
        n = self.take(len(ids), start, limit, s)
        chunk = leads[start:start + n]
        nxt = chunk[-1].id if chunk else None
        if cursor and self.repeats(s, (campaign or "").lower() or "*"):
            # the same cursor forever: a client must notice and stop
            if not chunk:
                return b'{"items":[],"next_starting_after":' + json.dumps(cursor).encode() + b"}"
            nxt = cursor
        return self.page([x.raw for x in chunk], nxt)

    @staticmethod
    def lead_filter(req):
        tests = []
        search = req.get("search")
        if isinstance(search, str) and search:
            w = search.lower()
            tests.append(lambda x: w in x.email.lower() or w in x.first.lower() or w in x.last.lower())
        for key, keep in (("ids", True), ("excluded_ids", False)):
            v = req.get(key)
            if isinstance(v, list):
                want = {str(i).lower() for i in v}
                tests.append(lambda x, want=want, keep=keep: (x.id in want) == keep)
        v = req.get("contacts")
        if isinstance(v, list):
            emails = {str(e).lower() for e in v}
            tests.append(lambda x: x.email.lower() in emails)
        v = req.get("list_id")
        if isinstance(v, str):
            tests.append(lambda x, v=v.lower(): x.list_id == v)
        if not tests:
            return None
        return lambda x: all(t(x) for t in tests)

    def window(self, q, s):
        """(start, end) dates; a missing one falls back to the last 30 days."""
        today = self.state.today()
        missing = [k for k in ("start_date", "end_date") if not q.get(k)]
        end = parse_when(q["end_date"], "end_date") if q.get("end_date") else today
        start = parse_when(q["start_date"], "start_date") if q.get("start_date") else \
            (end if q.get("end_date") else today) - datetime.timedelta(days=29)
        if start > end:
            # analytics answer 400 with only a message, not the envelope [SPEC, SK]
            raise ApiError(400, "Start Date must be earlier than End Date",
                           {"message": "Start Date must be earlier than End Date"})
        if missing:
            # the field reports a fallback to the last 30 days: recorded for the tests
            fb = {"n": self._rec["n"], "path": self._rec["path"], "missing": missing,
                  "start_date": start.isoformat(), "end_date": end.isoformat()}
            self._rec["window_fallback"] = fb
            with self.state.lock:
                self.state.stats["window_fallbacks"].append(fb)
        return start, end

    @staticmethod
    def in_window(row, start, end):
        d = row.get("date") if isinstance(row, dict) else None
        if not isinstance(d, str):
            return False
        try:
            day = datetime.date.fromisoformat(d[:10])
        except ValueError:
            return False
        return start <= day <= end	# both ends inclusive

    def daily(self, ws, q, s):
        start, end = self.window(q, s)
        cid = q.get("campaign_id")
        if cid:
            if not UUID_RE.match(cid):
                raise ApiError(400, "querystring/campaign_id must match format \"uuid\"")
            rows = [r for r in (ws.daily.get(cid.lower()) or []) if self.in_window(r, start, end)]
            return dumps(rows).encode()	# file order kept: not sorted [KIT-AN]
        # no campaign_id: the workspace aggregate, one row per date [§3]
        agg = collections.OrderedDict()
        for c in sorted(ws.daily):
            for r in ws.daily[c] or []:
                if not self.in_window(r, start, end):
                    continue
                tgt = agg.setdefault(r["date"], {"date": r["date"]})
                for k, v in r.items():
                    if k == "date":
                        continue
                    x = number(v)
                    if x is not None:
                        tgt[k] = tgt.get(k, decimal.Decimal(0)) + x
        rows = []
        for d in sorted(agg):
            rows.append({k: (plain(v) if isinstance(v, decimal.Decimal) else v) for k, v in agg[d].items()})
        return dumps(rows).encode()

    ZERO_KEYS = ["open_count", "open_count_unique", "open_count_unique_by_step", "link_click_count",
                 "link_click_count_unique", "link_click_count_unique_by_step", "reply_count",
                 "reply_count_unique", "reply_count_unique_by_step", "reply_count_automatic",
                 "reply_count_automatic_unique", "reply_count_automatic_unique_by_step", "bounced_count",
                 "unsubscribed_count", "emails_sent_count", "contacted_count", "new_leads_contacted_count",
                 "total_opportunities", "total_opportunity_value", "total_interested", "total_meeting_booked",
                 "total_meeting_completed", "total_closed"]	# a recorded zero overview [REC]: no completed_count

    def overview_of(self, ws, cid, start, end):
        """A campaign's stored overview, or None when it has no data in the window."""
        ov = ws.overview.get(cid)
        if not isinstance(ov, dict):
            return None
        rows = ws.daily.get(cid)
        if rows and not any(self.in_window(r, start, end) for r in rows):
            return None
        return ov

    def target_ids(self, ws, query, q):
        ids = []
        if q.get("id"):
            ids.append(q["id"])
        for v in query.get("ids", []):
            ids.extend(x for x in v.split(",") if x)
        for i in ids:
            if not UUID_RE.match(i):
                raise ApiError(400, "querystring/id must match format \"uuid\"")
        return [i.lower() for i in ids] if ids else None

    def overview(self, ws, query, q, s):
        start, end = self.window(q, s)
        ids = self.target_ids(ws, query, q)
        found = [o for o in (self.overview_of(ws, c, start, end)
                             for c in (ids if ids is not None else sorted(ws.overview))) if o]
        if not found:
            return dumps({k: 0 for k in self.ZERO_KEYS}).encode()	# all zeros, not 404 [REC]
        if len(found) == 1:
            return dumps(found[0]).encode()	# numbers exactly as stored
        out = collections.OrderedDict()
        for o in found:
            for k, v in o.items():
                x = number(v)
                if x is not None:
                    out[k] = out.get(k, decimal.Decimal(0)) + x
        return dumps({k: plain(v) for k, v in out.items()}).encode()

    def analytics(self, ws, query, q, s):
        start, end = self.window(q, s)
        ids = self.target_ids(ws, query, q)
        out = []
        for c in (ids if ids is not None else ws.campaign_ids_desc):
            camp = ws.campaign_obj.get(c)
            ov = self.overview_of(ws, c, start, end)
            if camp is None or ov is None:
                continue	# [] when no data or not sent yet [REC, KIT-AN]
            item = collections.OrderedDict()
            item["campaign_name"] = camp.get("name")
            item["campaign_id"] = camp.get("id")
            item["campaign_status"] = camp.get("status")
            item["campaign_is_evergreen"] = bool(camp.get("is_evergreen") or False)
            if q.get("exclude_total_leads_count") != "true":
                item["leads_count"] = len(ws.leads_by_campaign.get(c, []))
            for k in ("contacted_count", "new_leads_contacted_count", "completed_count", "emails_sent_count",
                      "open_count", "open_count_unique", "reply_count", "reply_count_unique",
                      "link_click_count", "link_click_count_unique", "bounced_count", "unsubscribed_count",
                      "total_opportunities", "total_opportunity_value"):
                item[k] = ov.get(k, 0)
            out.append(item)
        return dumps(out).encode()

    # -- a hostile API -----------------------------------------------------

    def hostile_item(self, cid):
        leads = self.state.ws.leads_by_campaign.get(cid)
        if leads:
            return leads[0].raw if isinstance(leads[0].raw, bytes) else dumps(leads[0].raw).encode()
        return ('{"id":"%s","campaign":"%s","email":"hostile@example.com"}' % (uuid.uuid4(), cid)).encode()

    def stream_forever(self, head, unit):
        """A 200 without Content-Length, closed by the server: head, then unit
        forever (until the client hangs up, or 64 GiB)."""
        self._rec["status"] = 200
        self.send_response(200, REASONS.get(200))
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection = True
        block = unit * max(1, (1 << 16) // len(unit))
        try:
            self.wfile.write(head)
            for _ in range(((64 << 30) // len(block)) + 1):
                self.wfile.write(block)
        except OSError:
            pass	# the client hung up: what it should do

    def hostile(self, mode, cid):
        if mode == "deep_nesting":
            return self.stream_forever(b'{"items":[],"pad":', b"[")
        if mode == "endless_items":
            return self.stream_forever(b'{"items":[', self.hostile_item(cid) + b",")
        if mode == "endless_cursor":
            return self.send_json(200, b'{"items":[' + self.hostile_item(cid) + b'],"next_starting_after":"' +
                                  str(uuid.uuid4()).encode() + b'"}')
        if mode.startswith("items_"):
            return self.send_json(200, HOSTILE[mode].encode())
        data = self.page([x.raw for x in self.state.ws.leads_by_campaign.get(cid, [])[:100]], None)
        self._rec["status"] = 200
        self.send_response(200, REASONS.get(200))
        self.send_header("Content-Type", "application/json; charset=utf-8")
        if mode == "long_body":
            self.send_header("Content-Length", str(max(0, len(data) - 16)))
            self.end_headers()
            self.wfile.write(data)	# 16 bytes more than declared
            self.close_connection = True	# what follows cannot be read as a request's answer
            return
        assert mode == "stall_body", mode
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.close_connection = True
        try:
            self.wfile.write(data[:len(data) // 2])
            self.wfile.flush()
            time.sleep(300)
        except OSError:
            pass

    # -- control and stats -------------------------------------------------

    def control(self, method, body):
        st = self.state
        self._rec = {}
        self._gzip = False
        if method == "GET":
            with st.lock:
                return self.send_json(200, st.public_settings())
        if method != "POST":
            return self.send_json(405, {"error": "use GET or POST"})
        try:
            changes = loads(body.decode("utf-8")) if body else {}
            res = st.apply(changes)
        except (ValueError, UnicodeDecodeError, OSError) as e:
            return self.send_json(400, {"error": str(e)})
        return self.send_json(200, res)

    def send_stats(self, query):
        st = self.state
        self._rec = {}
        self._gzip = False
        with st.lock:
            out = dict(st.stats)
            out["settings"] = st.public_settings()
            if query.get("requests", ["1"])[-1] == "0":
                out["requests"] = len(out["requests"])
            text = dumps(out)
        return self.send_bytes(200, text.encode(), "application/json; charset=utf-8")

    # -- response ----------------------------------------------------------

    def send_error_obj(self, e, headers=None, endpoint_answer=False):
        self._rec["error"] = e.body
        return self.send_json(e.status, e.body, endpoint_answer, headers)

    def send_json(self, status, payload, endpoint_answer=False, headers=None):
        data = payload if isinstance(payload, bytes) else dumps(payload).encode("utf-8")
        return self.send_bytes(status, data, "application/json; charset=utf-8", headers, endpoint_answer)

    def send_bytes(self, status, data, ctype, headers=None, endpoint_answer=False):
        st = self.state
        if self._rec:
            self._rec["status"] = status
        s = st.settings
        cut = False
        if endpoint_answer and s["cut_body_every"]:
            with st.lock:
                st.cut_n += 1
                if st.cut_n % s["cut_body_every"] == 0:
                    cut = True
                    st.stats["bodies_cut"] += 1
        if self._gzip:
            data = gzip.compress(data, compresslevel=6, mtime=0)
            if self._rec:
                with st.lock:
                    st.stats["gzip_responses"] += 1
        self.send_response(status, REASONS.get(status))
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        if self._gzip:
            self.send_header("Content-Encoding", "gzip")
        self.send_header("Vary", "Accept-Encoding")
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        if cut:
            self.send_header("Connection", "close")
        self.end_headers()
        if self.command == "HEAD":
            return
        if cut:
            # the full length declared, half the body sent, then the connection closed
            self._rec["cut"] = True
            self.wfile.write(data[:len(data) // 2])
            self.wfile.flush()
            self.close_connection = True
            try:
                self.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            return
        if endpoint_answer and s["slow_body"]:
            with st.lock:
                st.stats["bodies_slow"] += 1
            step = s["slow_body_bytes"]
            for i in range(0, len(data), step):
                self.wfile.write(data[i:i + step])
                self.wfile.flush()
                if i + step < len(data):
                    time.sleep(s["slow_body_pause_ms"] / 1000.0)
            return
        # when the answer leaves: the client may send its next request as
        # soon as it has it, before this thread records "ms" ("sent_ms" is
        # the end of the request as the client can see it)
        if self._rec and "t" in self._rec:
            self._rec["sent_ms"] = round((time.monotonic() - self._t_start) * 1000, 1)
        self.wfile.write(data)


def accepts_gzip(v):
    for part in (v or "").split(","):
        bits = [b.strip() for b in part.split(";")]
        if bits[0].lower() in ("gzip", "x-gzip", "*"):
            q = 1.0
            for b in bits[1:]:
                if b.lower().startswith("q="):
                    try:
                        q = float(b[2:])
                    except ValueError:
                        q = 0.0
            return q > 0
    return False


# ---- main ----------------------------------------------------------------

class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256
    allow_reuse_address = True


def main(argv=None):
    p = argparse.ArgumentParser(prog="fake_instantly.py",
                                description="A loopback fake of the Instantly.ai API v2 read endpoints.")
    p.add_argument("--data", required=True, metavar="DIR", help="workspace directory (make_workspace.py)")
    p.add_argument("--port", type=int, default=0, help="TCP port on 127.0.0.1; 0 picks a free one")
    p.add_argument("--api-key", default=os.environ.get("FAKE_INSTANTLY_KEY", "test-key"),
                   help="the accepted Bearer key (default: $FAKE_INSTANTLY_KEY, else test-key)")
    p.add_argument("--no-user-agent-check", dest="require_user_agent", action="store_false",
                   help="do not answer 403 'error code: 1010' to requests without User-Agent")
    p.add_argument("--payment-required", action="store_true", help="402 on every API request")
    p.add_argument("--rate-limit", type=int, metavar="R", help="requests per second (sliding 1 s window)")
    p.add_argument("--rate-limit-minute", type=int, metavar="R", help="requests per minute (sliding 60 s)")
    p.add_argument("--retry-after", type=int, metavar="N", help="add Retry-After: N to 429s")
    p.add_argument("--latency-ms", type=int, default=0, metavar="N", help="delay every API request")
    p.add_argument("--leads-latency-ms", type=int, default=0, metavar="N", help="extra delay for /leads/list")
    p.add_argument("--fail-every", type=int, metavar="N", help="every Nth request answers --fail-status")
    p.add_argument("--fail-status", type=int, default=500, metavar="CODE", help="500 (default), 502, 503...")
    p.add_argument("--fail-once-path", metavar="SUBSTRING", help="the first request whose path has it: 500")
    p.add_argument("--fail-after", type=int, metavar="N",
                   help="after N requests, every request answers --fail-status (402: the run is refused mid-way)")
    p.add_argument("--cut-body-every", type=int, metavar="N", help="every Nth answer is cut halfway")
    p.add_argument("--slow-body", action="store_true", help="send bodies in small chunks with pauses")
    p.add_argument("--slow-body-bytes", type=int, default=256, metavar="N", help="chunk size (256)")
    p.add_argument("--slow-body-pause-ms", type=int, default=50, metavar="N", help="pause between chunks (50)")
    p.add_argument("--short-pages", action="store_true", help="some middle pages shorter than limit")
    p.add_argument("--repeat-cursor", action="append", default=[], metavar="CAMPAIGN_ID",
                   help="that campaign's lead listing repeats its cursor forever ('campaigns', '*' too)")
    p.add_argument("--no-strict-content-type", dest="strict_content_type", action="store_false",
                   help="accept a /leads/list body whatever its Content-Type")
    p.add_argument("--today", metavar="YYYY-MM-DD", help="the date the 30-day fallback window ends on")
    p.add_argument("--hostile", choices=sorted(HOSTILE), help="a hostile answer to the lead listing (README)")
    p.add_argument("--hostile-campaign", default="*", metavar="CAMPAIGN_ID",
                   help="whose lead listing gets --hostile ('*': every one, the default)")
    p.add_argument("--max-logged-requests", type=int, default=200000, metavar="N",
                   help="keep at most N requests in /_stats (200000)")
    p.add_argument("-v", "--verbose", action="store_true", help="log every request on stderr")
    a = p.parse_args(argv)

    settings = {k: d for k, (t, d) in SETTINGS.items()}
    try:
        for k in SETTINGS:
            v = getattr(a, k, None)
            if k == "repeat_cursor":
                v = [x for r in v for x in r.split(",") if x]
            if v is not None:
                settings[k] = check_setting(k, v)
        ws = Workspace(a.data)
    except (ValueError, OSError) as e:
        sys.stderr.write("fake_instantly: %s\n" % e)
        return 2
    Handler.state = State(ws, settings, a.max_logged_requests)
    Handler.verbose = a.verbose
    srv = Server(("127.0.0.1", a.port), Handler)
    sys.stdout.write("listening on http://127.0.0.1:%d\n" % srv.server_address[1])
    sys.stdout.write("workspace %s: %d campaigns, %d leads\n" % (a.data, len(ws.campaign_obj), len(ws.leads)))
    sys.stdout.flush()
    try:
        srv.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass
    finally:
        srv.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
