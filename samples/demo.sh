#!/usr/bin/env bash
# samples/demo.sh: the main job on the bundled default, no API key needed.
#
# Installs the missing Debian packages (as root), builds instantly-etl in
# build/demo, starts the bundled fake Instantly API (tests/fake-api) on
# loopback, serving the sample workspace (samples/sample.ndjson: data shaped
# like real Instantly API v2 items, and one campaign no client maps), and runs
#
#     instantly-extract --clients samples/clients.csv -o build/demo/archive.ndjson.gz &&
#     instantly-transform -o build/demo/out build/demo/archive.ndjson.gz &&
#     instantly-load build/demo/out
#
# into a throwaway PostgreSQL server started in a temporary directory (the
# warehouse schema, and the clients of samples/clients.csv), then prints
# what it made: rows per table, the loader's report, and what one client
# sees through row-level security. The server and its files are removed at
# the end. Exit status: 0, or that of the step that failed.
set -u
cd "$(dirname "$0")/.."
top=$(pwd)
. tests/deps.sh
ie_install_deps "" || exit 1	# "": not the test suite's own packages

dir=$top/build/demo	# the build and the demo's files
bdir=$dir
# a tree configured in place cannot also build out of tree: use it as it is
[ -f "$top/config.status" ] && bdir=$top
mkdir -p "$dir"
echo "== building instantly-etl in $bdir" >&2
if [ ! -x configure ] || [ configure.ac -nt configure ]; then
	autoreconf -fi >/dev/null 2>&1 || { autoreconf -fi; exit 1; }
fi
( cd "$bdir" && { [ -f Makefile ] || "$top/configure" -q; } && make -s -j"$(nproc 2>/dev/null || echo 2)" ) >&2 ||
	{ echo "demo: the build failed" >&2; exit 1; }

SRCDIR=$top BUILDDIR=$bdir
. tests/lib.sh	# fake_start, pg_start: servers in a temporary directory, stopped and removed at exit
set +e
archive=$dir/archive.ndjson.gz
rm -rf "$dir/out" "$archive"
python3 tests/fake-api/make_workspace.py --out "$T/workspace" --from-sample samples/sample.ndjson >&2 || exit 1
fake_start fake "$T/workspace" --api-key demo-key --today 2026-11-27 || exit 1
echo "== the fake Instantly API listens on $URL" >&2
echo "== $bdir/instantly-extract --clients samples/clients.csv --base-url $URL -o $archive" >&2
# the window the sample was recorded with
INSTANTLY_API_KEY=demo-key "$bdir/instantly-extract" --clients samples/clients.csv --base-url "$URL" \
	--since 2026-10-28 --until 2026-11-26 -o "$archive"
rc=$?
[ "$rc" -le 1 ] || { echo "demo: instantly-extract failed (exit $rc)" >&2; exit "$rc"; }
echo "== $bdir/instantly-transform -o $dir/out $archive" >&2
"$bdir/instantly-transform" -o "$dir/out" "$archive"
rc=$?
[ -f "$dir/out/summary.json" ] || { echo "demo: instantly-transform failed (exit $rc)" >&2; exit "$rc"; }

echo
echo "== what it made, in $dir/out"
for f in synced_leads campaigns campaign_analytics campaign_analytics_overview leads_complete; do
	rows=$(($(wc -l < "$dir/out/$f.csv") - 1))
	printf '%-34s %6s rows   %s\n' "$f.csv" "$rows" "$(wc -c < "$dir/out/$f.csv") bytes"
done
printf '%-34s %6s lines\n' rejects.ndjson "$(wc -l < "$dir/out/rejects.ndjson")"
echo
echo "== the first rows of synced_leads (first columns)"
head -n 4 "$dir/out/synced_leads.csv" | cut -c1-160
echo
echo "== campaign_analytics_overview"
head -n 3 "$dir/out/campaign_analytics_overview.csv" | cut -c1-160
echo
[ "$rc" -le 1 ] || exit "$rc"

echo
echo "== instantly-load $dir/out, into a throwaway PostgreSQL server"
pg_start >&2 || exit 1
psql_q -c "create database demo" || exit 1
export PGDATABASE=demo
# the warehouse schema, then the portal's part: its clients and their campaigns
psql_q -q -f schemas/sql/01-auth.sql -f schemas/sql/02-tables.sql -f schemas/sql/03-rls.sql 2>/dev/null &&
psql_q -c "create temp table map (client_id uuid, campaign_id uuid)" \
	-c "\\copy map from 'samples/clients.csv' with (format csv, header)" \
	-c "insert into clients (id, name) select distinct client_id, 'Sample client ' || left(client_id::text, 4) from map" \
	-c "insert into client_campaigns select distinct client_id, campaign_id from map" || exit 1
"$bdir/instantly-load" "$dir/out" || exit $?
echo
echo "== the warehouse now holds"
psql_q -c "select 'campaigns' as table_name, count(*) as rows from campaigns
	union all select 'synced_leads', count(*) from synced_leads
	union all select 'campaign_analytics', count(*) from campaign_analytics
	union all select 'campaign_analytics_overview', count(*) from campaign_analytics_overview
	union all select 'lead_listings', count(*) from lead_listings"
echo
# per client, through row-level security: what the portal shows; and the chart
bash samples/report.sh "$dir/emails-per-day.svg" || exit $?
exit "$rc"
