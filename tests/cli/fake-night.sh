#!/usr/bin/env bash
# tests/fake-api: make_workspace.py --night-after, the next night of a
# workspace that bench/nightly-scale.sh serves on its second night: exact
# counts of changed, removed and new leads per campaign, unchanged leads
# byte for byte, deterministic, bad fractions refused, and the fake serves it.
. "$(dirname "$0")/../lib.sh"

command -v curl >/dev/null || skip_all "no curl"
MW=$FAKEDIR/make_workspace.py
python3 "$MW" --out "$T/n1" --synthetic --campaigns 3 --leads-per-campaign 200 --seed 4 2>/dev/null

t_night() {
	for d in n2 n2b; do
		python3 "$MW" --out "$T/$d" --night-after "$T/n1" --seed 5 2>"$T/$d.err" || { cat "$T/$d.err"; return 1; }
	done
	contains "$T/n2.err" "40 leads changed, 8 removed, 8 new; 800 leads" &&
	diff -r "$T/n2" "$T/n2b" &&
	for f in campaigns.json clients.csv daily overview; do diff -r "$T/n1/$f" "$T/n2/$f" || return 1; done &&
	python3 - "$T/n1" "$T/n2" <<'PY'
import datetime, json, os, sys
a, b = sys.argv[1:]
ma, mb = (json.load(open(os.path.join(d, "manifest.json"))) for d in (a, b))
assert mb["night"]["changed"] == 40 and mb["night"]["removed"] == 8 and mb["night"]["new"] == 8, mb["night"]
assert mb["leads"] == ma["leads"] and mb["leads_total"] == 800 and mb["leads_mapped"] == 600, mb
def leads(d, name):
    out = {}
    for line in open(os.path.join(d, "leads", name), encoding="utf-8"):
        line = line.rstrip("\n").rstrip(",")
        if line.startswith("{"):
            out[json.loads(line)["id"]] = line
    return out
for name in sorted(os.listdir(os.path.join(a, "leads"))):
    la, lb = leads(a, name), leads(b, name)
    gone, new = set(la) - set(lb), set(lb) - set(la)
    same = [i for i in la if i in lb and la[i] == lb[i]]
    changed = [i for i in la if i in lb and la[i] != lb[i]]
    assert (len(gone), len(new), len(changed), len(same)) == (2, 2, 10, 188), (name, len(gone), len(new), len(changed))
    for i in changed:
        x, y = json.loads(la[i]), json.loads(lb[i])
        assert y["email_open_count"] == x["email_open_count"] + 1, (x, y)
        assert y["timestamp_updated"] > x["timestamp_updated"], (x, y)
    for i in new:
        y = json.loads(lb[i])
        assert y["campaign"] == name[:-5] and y["id"][14] == "7", y
        day = datetime.date.fromisoformat(ma["window"]["end_date"]) + datetime.timedelta(days=1)
        assert y["timestamp_created"][:10] == day.isoformat(), y
        assert 1000 <= len(lb[i].encode()) <= 2048, len(lb[i])
PY
}
ok "--night-after: 5% changed (one more open), 1% removed, 1% new per campaign, the rest byte for byte, deterministic" t_night

t_bad() {
	exit_is 1 python3 "$MW" --out "$T/bad" --night-after "$T/n1" --changed 1.5 2>"$T/bad.err" &&
	contains "$T/bad.err" "--changed 1.5: a fraction from 0 to 1" &&
	exit_is 1 python3 "$MW" --out "$T/n1" --night-after "$T/n1" 2>"$T/bad.err" &&
	contains "$T/bad.err" "--out must not be --night-after" &&
	exit_is 1 python3 "$MW" --out "$T/bad" --night-after "$T/nothing" 2>"$T/bad.err" &&
	contains "$T/bad.err" "manifest.json"
}
ok "--night-after: a fraction out of range, --out = SRC and a missing SRC refused" t_bad

t_serve() {
	fake_start n2 "$T/n2" --today 2026-11-27 &&
	python3 - "$URL" "$T/n2" <<'PY'
import json, os, sys, urllib.request
url, d = sys.argv[1:]
m = json.load(open(os.path.join(d, "manifest.json")))
for cid in m["mapped"]:
    ids, after = [], None
    while True:
        body = {"campaign": cid, "limit": 100}
        if after:
            body["starting_after"] = after
        req = urllib.request.Request(url + "/api/v2/leads/list", data=json.dumps(body).encode(), method="POST",
                                     headers={"Content-Type": "application/json", "User-Agent": "t",
                                              "Authorization": "Bearer test-key"})
        page = json.load(urllib.request.urlopen(req))
        if not page["items"]:
            break
        ids += [x["id"] for x in page["items"]]
        after = page["next_starting_after"]
    assert len(ids) == len(set(ids)) == m["leads"][cid], (cid, len(ids))
PY
}
ok "the fake serves the night-after workspace: every mapped campaign's leads, once" t_serve

done_testing
