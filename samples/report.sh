#!/usr/bin/env bash
# samples/report.sh: what the warehouse holds, per client, as the portal shows
# it: leads by status and interest, the top ICP values (industry, job title,
# company size), and emails sent per day, as text and as an SVG chart.
#
#     report.sh [SVG_FILE]
#
# Connects with psql's PG* variables (or REPORT_DSN). Each client's part is
# read through row-level security, as that client (role authenticated, the
# client_id claim set), so it shows exactly what the portal would show it.
# Only client ids (UUIDs, checked) go into SQL; names are only printed.
# SVG_FILE (default emails-per-day.svg) gets one line per client over the
# days of campaign_analytics. Exit status: 0, or psql's.
set -u -o pipefail
umask 077	# the chart and its data hold the clients' figures
# a password in REPORT_DSN would be on psql's command line (ps): refused
if [[ ${REPORT_DSN:-} =~ (^|[[:space:]?\&])password[[:space:]]*= || ${REPORT_DSN:-} == *://*:*@* ]]; then
	echo "report: REPORT_DSN must not hold a password (psql's command line is visible to every user): use PGPASSWORD or ~/.pgpass" >&2
	exit 2
fi
svg=${1:-emails-per-day.svg}
# the data and the new chart under random names beside the chart (never a
# fixed name another user could plant a link at), renamed over it at the end
svgdir=$(dirname -- "$svg")
data=$(mktemp "$svgdir/.report-data.XXXXXX") || exit 1
new=$(mktemp "$svgdir/.report-svg.XXXXXX") || { rm -f "$data"; exit 1; }
trap 'rm -f "$data" "$new"' EXIT
# values from the data (ICP fields come from leads) are shown with control
# and bidirectional characters replaced, so that none reaches the terminal
# (the \x and \u escapes are for PostgreSQL's regexp, printed as they are)
clean() { printf '%s\n' "regexp_replace($1, '[\x01-\x1f\x7f-\x9f\u200e\u200f\u2028-\u202e\u2066-\u2069]', '?', 'g')"; }
q() { psql -X -q -A -t -v ON_ERROR_STOP=1 ${REPORT_DSN:+"$REPORT_DSN"} "$@"; }
uuid_re='^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'
# run SQL as client $1 (a UUID, checked) through RLS; a table on stdout
as_client() {
	[[ $1 =~ $uuid_re ]] || { echo "report: '$1' is not a client id" >&2; return 2; }
	psql -X -q -v ON_ERROR_STOP=1 ${REPORT_DSN:+"$REPORT_DSN"} -P footer=off \
		-c "begin" -c "set local role authenticated" \
		-c "set local request.jwt.claims to '{\"client_id\":\"$1\"}'" \
		-c "$2" -c "commit"
}
# a client's name, printable on one line (names are the portal's, not ours)
name_of() { q -c "select $(clean "coalesce(name, '')") from clients where id = '$1'"; }

ids=$(q -c "select id from clients order by name, id") || exit $?
[ -n "$ids" ] || { echo "report: the warehouse has no clients" >&2; exit 0; }
for id in $ids; do
	[[ $id =~ $uuid_re ]] || { echo "report: unexpected client id '$id'" >&2; exit 2; }
	echo "== client $(name_of "$id") ($id)"
	as_client "$id" "select lead_status as status, coalesce(interest_status, '-') as interest, count(*) as leads
		from synced_leads group by 1, 2 order by 1, 2" || exit $?
	for f in industry job_title company_size; do
		# the three most frequent values, and how many leads have none
		as_client "$id" "(select $(clean "$f") as $f, count(*) as leads from synced_leads where $f is not null
			group by 1 order by 2 desc, 1 limit 3)
			union all (select '(none)', count(*) from synced_leads where $f is null having count(*) > 0)" || exit $?
	done
	as_client "$id" "select sum(emails_sent) as emails_sent, min(date) as first_day, max(date) as last_day,
		count(distinct campaign_id) as campaigns from campaign_analytics" || exit $?
done

# the chart: emails sent per day and client, every day of the range (0 when
# a client has no row that day)
# (fields: client id | label | day | emails; the label without '|' or
# control characters, so that a name can neither split a line nor the SVG)
q -F '|' -c "with days as (select generate_series(min(date), max(date), interval '1 day')::date as d
		from campaign_analytics),
	sent as (select client_id, date, sum(emails_sent) as n from campaign_analytics group by 1, 2)
	select c.id, left(regexp_replace(coalesce(nullif(c.name, ''), c.id::text), '[[:cntrl:]|]', ' ', 'g'), 24),
		to_char(days.d, 'YYYY-MM-DD'), coalesce(sent.n, 0)
	from clients c cross join days left join sent on sent.client_id = c.id and sent.date = days.d
	where exists (select 1 from campaign_analytics a where a.client_id = c.id)
	order by c.name, c.id, 3" > "$data" || exit $?
awk -F'|' -v title="Emails sent per day" '
BEGIN { nc = 0; nd = 0; max = 0 }
function esc(s) { gsub(/&/, "\\&amp;", s); gsub(/</, "\\&lt;", s); gsub(/>/, "\\&gt;", s); gsub(/"/, "\\&quot;", s); return s }
NF == 4 {
	if (!($1 in ci)) { ci[$1] = nc; names[nc++] = $2 }
	if (!($3 in di)) { di[$3] = nd; days[nd++] = $3 }
	v[ci[$1], di[$3]] = $4 + 0
	if ($4 + 0 > max) max = $4 + 0
}
END {
	W = 760; H = 360; L = 60; R = 180; T = 40; B = 50
	pw = W - L - R; ph = H - T - B
	if (max <= 0) max = 1
	# a round top for the y axis
	step = 1; while (step * 10 < max) step *= 10
	if (step * 5 < max) step *= 5; else if (step * 2 < max) step *= 2
	top = step * int((max + step - 1) / step); if (top < max) top += step
	split("#1f77b4 #d62728 #2ca02c #ff7f0e #9467bd #8c564b #e377c2 #7f7f7f", col, " ")
	printf "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" font-family=\"sans-serif\" font-size=\"12\">\n", W, H, W, H
	printf "<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n"
	printf "<text x=\"%d\" y=\"24\" font-size=\"16\" font-weight=\"bold\">%s</text>\n", L, esc(title)
	for (y = 0; y <= top; y += step) {
		py = T + ph - ph * y / top
		printf "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#ddd\"/>\n", L, py, L + pw, py
		printf "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%d</text>\n", L - 6, py + 4, y
	}
	printf "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"black\"/>\n", L, T + ph, L + pw, T + ph
	printf "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"black\"/>\n", L, T, L, T + ph
	every = int((nd + 5) / 6); if (every < 1) every = 1
	for (d = 0; d < nd; d++) {
		px = L + (nd > 1 ? pw * d / (nd - 1) : pw / 2)
		if (d % every == 0 || d == nd - 1)
			printf "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>\n", px, T + ph + 18, substr(days[d], 6)
	}
	for (c = 0; c < nc; c++) {
		pts = ""
		for (d = 0; d < nd; d++) {
			px = L + (nd > 1 ? pw * d / (nd - 1) : pw / 2)
			py = T + ph - ph * v[c, d] / top
			pts = pts sprintf("%.1f,%.1f ", px, py)
			printf "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"2.5\" fill=\"%s\"><title>%s %s: %d</title></circle>\n", px, py, col[c % 8 + 1], esc(names[c]), days[d], v[c, d]
		}
		printf "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"2\" points=\"%s\"/>\n", col[c % 8 + 1], pts
		printf "<rect x=\"%d\" y=\"%d\" width=\"12\" height=\"12\" fill=\"%s\"/>\n", L + pw + 16, T + 20 * c, col[c % 8 + 1]
		printf "<text x=\"%d\" y=\"%d\">%s</text>\n", L + pw + 34, T + 20 * c + 11, esc(names[c])
	}
	printf "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\" fill=\"#555\">%s to %s (UTC days)</text>\n", L + pw / 2, H - 8, days[0], days[nd - 1]
	printf "</svg>\n"
}' "$data" > "$new" && mv -f -- "$new" "$svg" || exit 1
echo "== emails sent per day, per client: $svg"
