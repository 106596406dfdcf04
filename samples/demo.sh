#!/usr/bin/env bash
# samples/demo.sh: the main job on the bundled default, no API key needed.
#
# Installs the missing Debian packages (as root), builds instantly-etl in
# build/demo, gzips the bundled sample archive (samples/sample.ndjson, shaped
# like real Instantly API v2 data) as the extract would write it, runs
#
#     instantly-transform -o build/demo/out sample.ndjson.gz
#
# and prints what it made: rows per table, rejects, and the first rows of
# each table. Exit status: that of instantly-transform (0: all lines made
# rows), or 1 when the build fails.
set -u
cd "$(dirname "$0")/.."
top=$(pwd)
. tests/deps.sh
ie_install_deps || exit 1

dir=$top/build/demo	# the build and the demo's files
bdir=$dir
# a tree configured in place cannot also build out of tree: use it as it is
[ -f "$top/config.status" ] && bdir=$top
mkdir -p "$dir"
echo "== building instantly-etl in $bdir" >&2
if [ ! -x configure ] || [ configure.ac -nt configure ]; then
	autoreconf -fi >/dev/null 2>&1 || { autoreconf -fi; exit 1; }
fi
( cd "$bdir" && { [ -f Makefile ] || "$top/configure" -q; } && make -s -j"$(nproc 2>/dev/null || echo 2)" instantly-transform ) >&2 ||
	{ echo "demo: the build failed" >&2; exit 1; }

archive=$dir/sample.ndjson.gz
gzip -c samples/sample.ndjson > "$archive"
rm -rf "$dir/out"
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
echo "Load a table with: psql -c \"\\copy synced_leads from '$dir/out/synced_leads.csv' with (format csv, header)\""
exit "$rc"
