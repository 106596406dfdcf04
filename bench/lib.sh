# shellcheck shell=bash
# bench/lib.sh: sourced by every benchmark (extract.sh, transform.sh,
# load.sh, nightly-scale.sh, portal.sh), after it sets here (bench/) and
# root (the top of the repository).
#
# Gives:
#   bench_workdir NAME    work: a new directory instantly-bench-NAME.XXXXXX in
#                         $BENCH_TMP (default ${TMPDIR:-/tmp}), removed on any
#                         exit, after the script's own bench_at_exit (if it
#                         defines one) and pg_stop; HUP, INT and TERM end the
#                         script (exit 129, 130, 143)
#   cached_archive N      bench/gen_archive.py's archive of N leads (seed
#                         $SEED) in $CACHE, made once per N, seed and version
#                         of the generator (older versions' removed); prints
#                         its path less .ndjson.gz (its .meta.json beside it);
#                         uses $PYTHON
#   default_prog NAME     ./NAME at the repository root, else the newest
#                         build/*/NAME (printed; a program to run)
#   pg_find               PGBIN: $PG_BINDIR, else the newest
#                         /usr/lib/postgresql/*/bin, with initdb, postgres and
#                         psql (none: exit 2); its psql first in PATH
#   psql_q ARGS...        psql without ~/.psqlrc, quiet, stopping at an error
#   pg_start              initdb + postgres on a Unix socket in $work/pg (the
#                         script's temporary directory) with PostgreSQL's
#                         default, durable settings (fsync, synchronous_commit
#                         and autovacuum on) and the server options of the
#                         array pg_options (-c NAME=VALUE..., default none);
#                         as root the server runs as user postgres (runuser),
#                         like tests/lib.sh's pg_start; sets pg_pid, PGHOST,
#                         PGPORT, PGUSER, PGDATABASE=postgres, and unsets the
#                         variables that would send psql elsewhere (PGHOSTADDR,
#                         PGSERVICE, PGOPTIONS, PGPASSWORD, LOAD_DSN); returns
#                         1, the server's log on stderr, if it does not start
#   pg_stop               fast shutdown of the postmaster (the script's EXIT
#                         trap calls it; nothing if none runs)
# Messages start with the script's name.

bench_name=$(basename "$0")

bench_workdir() {
	work=$(mktemp -d "${BENCH_TMP:-${TMPDIR:-/tmp}}/instantly-bench-$1.XXXXXX")
	trap bench_cleanup EXIT
	trap 'exit 129' HUP
	trap 'exit 130' INT
	trap 'exit 143' TERM
}
bench_cleanup() {
	if declare -F bench_at_exit >/dev/null; then bench_at_exit; fi
	pg_stop
	rm -rf "$work"
}

cached_archive() {	# cached_archive N -> base path
	local n=$1 base genhash
	genhash=$(sha1sum "${here:?}/gen_archive.py" | cut -c1-8)
	base="${CACHE:?}/archive-n$n-s${SEED:?}-$genhash"
	if [ ! -s "$base.ndjson.gz" ] || [ ! -s "$base.meta.json" ]; then
		# drop archives of older generator versions for this N and seed
		rm -f "$CACHE/archive-n$n-s$SEED-"*.ndjson.gz "$CACHE/archive-n$n-s$SEED-"*.meta.json
		echo "generating $n leads -> $base.ndjson.gz" >&2
		"${PYTHON:?}" "$here/gen_archive.py" "$n" "$base.ndjson.gz" --seed "$SEED" \
			--meta "$base.meta.json.tmp"
		mv "$base.meta.json.tmp" "$base.meta.json"
	else
		echo "reusing $base.ndjson.gz" >&2
	fi
	printf '%s\n' "$base"
}

default_prog() {	# default_prog NAME: ./NAME at the repository root, else the newest build/*/NAME
	local p=${root:?}/$1 c
	if [ ! -x "$p" ]; then
		# shellcheck disable=SC2012  # build directory names have no spaces
		c=$(ls -t "$root"/build/*/"$1" 2>/dev/null | head -n 1)
		[ -z "$c" ] || p=$c
	fi
	printf '%s\n' "$p"
}

pg_find() {
	local d
	PGBIN=
	# shellcheck disable=SC2012  # version directories: 13, 15...
	for d in ${PG_BINDIR:-} $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
		[ -x "$d/initdb" ] && [ -x "$d/postgres" ] && [ -x "$d/psql" ] && { PGBIN=$d; break; }
	done
	[ -n "$PGBIN" ] || { echo "$bench_name: no PostgreSQL server binaries (install postgresql or set PG_BINDIR)" >&2; exit 2; }
	export PATH="$PGBIN:$PATH"
}
psql_q() { psql -X -q -v ON_ERROR_STOP=1 "$@"; }

pg_pid=
pg_options=()
pg_start() {
	local as=() _
	mkdir "${work:?}/pg"
	if [ "$(id -u)" = 0 ]; then
		chown postgres "$work/pg"
		chmod 755 "$work"
		as=(runuser -u postgres --)
	fi
	"${as[@]}" "$PGBIN/initdb" -D "$work/pg/data" -A trust -U postgres -E UTF8 --locale=C \
		>"$work/pg/initdb.log" 2>&1 || { cat "$work/pg/initdb.log" >&2; return 1; }
	"${as[@]}" "$PGBIN/postgres" -D "$work/pg/data" -k "$work/pg" -c listen_addresses= -c port=5432 "${pg_options[@]}" \
		>"$work/pg/server.log" 2>&1 &
	pg_pid=$!
	unset PGHOSTADDR PGSERVICE PGOPTIONS PGPASSWORD LOAD_DSN
	export PGHOST="$work/pg" PGPORT=5432 PGUSER=postgres PGDATABASE=postgres
	for _ in $(seq 1 100); do
		pg_isready -q -h "$PGHOST" -p "$PGPORT" -d postgres && return 0
		kill -0 "$pg_pid" 2>/dev/null || break
		sleep 0.1
	done
	echo "$bench_name: PostgreSQL did not start" >&2
	cat "$work/pg/server.log" >&2
	return 1
}
pg_stop() {	# fast shutdown of the postmaster itself (runuser does not pass signals on)
	[ -n "$pg_pid" ] || return 0
	local pm
	pm=$(head -n 1 "$work/pg/data/postmaster.pid" 2>/dev/null || true)
	kill -INT "${pm:-$pg_pid}" 2>/dev/null || true
	wait "$pg_pid" 2>/dev/null || true
	pg_pid=
}
