#!/usr/bin/env bash
# tests/extract-secrets: where the extract's API key can go (issue 10,
# defects 2 and 7). No proxy variable of the environment sends the key in
# clear (a recording listener plays the proxy); SSLKEYLOGFILE writes no TLS
# secrets; -v shows neither the key nor proxy credentials; another process
# of the same unprivileged user can neither read the key from /proc nor
# trace the extract, and a crash dumps no core.
. "$(dirname "$0")/../lib.sh"

KEY=ietest-proxy-secret-4711
PY=$(python3 -c 'import sys; print(sys.executable)')	# the interpreter, not pyenv's shim: its PID is the server's
fake_sample "$KEY"

# a recording listener (tests/cli/record_listener.py): every byte it is sent
# goes to $T/NAME.log; sets PORT
LISTENERS=""
listen() {
	_l=$1; shift
	"$PY" "$SRCDIR/tests/cli/record_listener.py" "$T/$_l.log" "$@" >"$T/$_l.out" 2>"$T/$_l.stderr" &
	LISTENERS="$LISTENERS $!"
	for _i in $(seq 1 200); do
		PORT=$(sed -n 's/^listening on //p' "$T/$_l.out" 2>/dev/null || true)	# (not opened yet: no exit under set -e)
		[ -n "$PORT" ] && return 0
		sleep 0.05
	done
	echo "the listener did not start"; cat "$T/$_l.stderr"; return 1
}
listeners_stop() { for _p in $LISTENERS; do stop_child "$_p"; done; }
at_exit listeners_stop
listen proxy
PROXY=127.0.0.1:$PORT
PROXY_VARS="http_proxy HTTP_PROXY https_proxy HTTPS_PROXY all_proxy ALL_PROXY"

# run NAME BASE-URL VAR=VALUE...: the extract with only these proxy
# settings in its environment; stderr in $T/NAME.err, exit status returned
run() {
	_n=$1 _b=$2; shift 2
	set +e
	env -u http_proxy -u HTTP_PROXY -u https_proxy -u HTTPS_PROXY -u all_proxy -u ALL_PROXY -u no_proxy \
		-u NO_PROXY -u SSLKEYLOGFILE INSTANTLY_API_KEY="$KEY" "$@" "$EXTRACT" --clients "$T/ws/clients.csv" \
		--base-url "$_b" --no-progress --until 2026-11-26 --rate 100 --retries 1 --retry-wait 0.05 --timeout 20 -v \
		-o "$T/$_n.gz" 2>"$T/$_n.err"
	_rc=$?
	set -e
	return $_rc
}
heard_nothing() { [ ! -s "$T/proxy.log" ] || { echo "the proxy was sent:"; head -c 600 "$T/proxy.log"; return 1; }; }
no_key_in() {	# no_key_in FILE...: neither the key nor an Authorization header
	for _f in "$@"; do
		[ -e "$_f" ] || continue
		{ ! grep -aqF -e "$KEY" "$_f" && ! grep -aqi '^authorization:' "$_f"; } ||
			{ echo "$_f holds the key (shown as <KEY>) or an Authorization header:"
			  head -c 600 "$_f" | sed "s/$KEY/<KEY>/g"; return 1; }
	done
}

# ---- plain http (loopback only): never through a proxy ---------------------
http_direct() {	# http_direct VAR=VALUE...: the proxy hears nothing, the run works
	: > "$T/proxy.log"
	run direct "$URL" "$@" || { echo "exit $?"; tail -5 "$T/direct.err"; return 1; }
	sleep 0.2	# a connection the listener is still reading would be logged by now
	heard_nothing && no_key_in "$T/direct.err"
}
for v in $PROXY_VARS; do
	ok "http base URL, $v=http://PROXY: not used, the run completes, the proxy hears nothing" \
		http_direct "$v=http://$PROXY"
done
ok "http base URL, all_proxy=socks5h://PROXY: not used either" http_direct "all_proxy=socks5h://$PROXY"
ok "http base URL, every proxy variable with credentials, no_proxy/NO_PROXY naming other hosts: not used" \
	http_direct http_proxy="http://u:ProxyPw0rd@$PROXY" HTTP_PROXY="http://$PROXY" https_proxy="http://$PROXY" \
	HTTPS_PROXY="http://$PROXY" all_proxy="http://$PROXY" ALL_PROXY="http://$PROXY" \
	no_proxy=example.invalid NO_PROXY=example.invalid
said_ignored() {
	for v in $PROXY_VARS; do contains "$T/direct.err" "$v is set: ignored" || return 1; done
	! grep -qF ProxyPw0rd "$T/direct.err" || { echo "the proxy password was logged"; return 1; }
}
ok "-v names each proxy variable as ignored, never its value (the password)" said_ignored

# ---- https: a proxy only as a CONNECT tunnel (it sees ciphertext only) ---------
HTTPS_BASE=https://api.instantly.invalid	# a name that never resolves: no test reaches a real server
https_tunnel() {	# https_tunnel VAR: the proxy sees a CONNECT and nothing else; the run fails cleanly
	: > "$T/proxy.log"
	set +e; run tun "$HTTPS_BASE" "$1=http://puser:ProxyPw0rd@$PROXY"; _rc=$?; set -e
	[ "$_rc" -ne 0 ] || { echo "the run succeeded through a refusing proxy?"; return 1; }
	sleep 0.2
	contains "$T/proxy.log" "CONNECT api.instantly.invalid:443 HTTP/1.1" &&
		! grep -aE '^(GET|POST) ' "$T/proxy.log" && no_key_in "$T/proxy.log" "$T/tun.err" "$T/tun.gz" &&
		! grep -qF ProxyPw0rd "$T/tun.err" && contains "$T/tun.err" "campaign listing failed" &&
		contains "$T/tun.err" "$1 is set: a proxy is used only as a CONNECT tunnel"
}
for v in https_proxy HTTPS_PROXY all_proxy ALL_PROXY; do
	ok "https base URL, $v: a CONNECT tunnel only, no key, no request line; fails cleanly; -v shows no proxy password" \
		https_tunnel "$v"
done
https_other() {	# https_other VAR=VALUE: never the key, whatever the proxy hears
	: > "$T/proxy.log"
	set +e; run oth "$HTTPS_BASE" "$@"; _rc=$?; set -e
	[ "$_rc" -ne 0 ] && sleep 0.2 && no_key_in "$T/proxy.log" "$T/oth.err" "$T/oth.gz" &&
		! grep -aE '^(GET|POST) ' "$T/proxy.log"
}
ok "https base URL, http_proxy / HTTP_PROXY (for http only): the key goes to no proxy" \
	https_other http_proxy="http://$PROXY" HTTP_PROXY="http://$PROXY"
ok "https base URL, all_proxy=socks5h://PROXY: TLS through SOCKS, the key never in clear" \
	https_other all_proxy="socks5h://$PROXY"
ok "https base URL, https_proxy=https://PROXY (TLS to the proxy): the key never in clear" \
	https_other https_proxy="https://$PROXY"

# ---- SSLKEYLOGFILE: TLS secrets never written ----------------------------------
if command -v openssl >/dev/null 2>&1 &&
	openssl req -x509 -newkey rsa:2048 -nodes -keyout "$T/tls.key" -out "$T/tls.crt" -days 2 \
		-subj /CN=127.0.0.1 >/dev/null 2>&1; then
	listen tls "$T/tls.crt" "$T/tls.key"
	keylog() {
		set +e; run kl "https://127.0.0.1:$PORT" SSLKEYLOGFILE="$T/keylog.txt"; _rc=$?; set -e
		[ "$_rc" -ne 0 ] || { echo "an unverifiable server was accepted"; return 1; }
		no_file() { [ ! -e "$1" ] || { echo "$1 was written:"; head -3 "$1"; return 1; }; }
		no_file "$T/keylog.txt" && contains "$T/kl.err" "SSLKEYLOGFILE is ignored"
	}
	ok "SSLKEYLOGFILE is ignored (with a warning): no TLS secrets written" keylog
else
	skip "no openssl to make a test certificate"
fi

# ---- the key in the process: not in its environment, not for others ------------
ctl '{"latency_ms":5000}'	# the extract waits on its first request, the key read
env_wiped() {
	env INSTANTLY_API_KEY="$KEY" IETEST_MARK=visible "$EXTRACT" --clients "$T/ws/clients.csv" --base-url "$URL" \
		--no-progress --until 2026-11-26 -o "$T/slow.gz" 2>"$T/slow.err" &
	_pid=$!
	sleep 1
	tr '\0' '\n' < "/proc/$_pid/environ" > "$T/environ" || true
	kill "$_pid"; wait "$_pid" 2>/dev/null || true
	contains "$T/environ" "IETEST_MARK=visible" && no_key_in "$T/environ"
}
# under make check-valgrind the process is valgrind's: its /proc, limits and
# dumpable flag are not the extract's own
UNDER_VALGRIND=${IE_VALGRIND_LOGS:+1}
if [ -n "$UNDER_VALGRIND" ]; then
	skip "under valgrind (make check-valgrind): /proc/PID of valgrind, not of the extract"
elif [ "$(id -u)" = 0 ]; then
	ok "the key is wiped from the extract's environment once read (/proc/PID/environ, even for root)" env_wiped
else
	skip "not root: /proc/PID/environ of the (undumpable) extract cannot be read to check the wipe"
fi

# as an unprivileged user, the extract and an attacker of the same user
# (tests/cli/attack_extract.py, its parent: even Yama's ptrace_scope=1 would
# let it attach)
ATTACK_PY=""
if [ "$(id -u)" = 0 ] && command -v runuser >/dev/null 2>&1; then
	chmod 755 "$T"
	mkdir -p "$T/nobody"
	chown nobody "$T/nobody"
	for p in "$PY" /usr/bin/python3 /usr/local/bin/python3; do
		if runuser -u nobody -- "$p" -c 'import ctypes' 2>/dev/null &&
			runuser -u nobody -- test -x "$EXTRACT" -a -r "$T/ws/clients.csv" \
				-a -r "$SRCDIR/tests/cli/attack_extract.py"; then
			ATTACK_PY=$p
			break
		fi
	done
fi
attack() {	# attack SIGNAL: the findings in $T/attack-SIGNAL.txt
	rm -f "$T/nobody"/core*
	runuser -u nobody -- env ATTACK_SECRET="$KEY" INSTANTLY_API_KEY="$KEY" "$ATTACK_PY" \
		"$SRCDIR/tests/cli/attack_extract.py" "$1" "$T/nobody" "$T/nobody/extract.err" -- \
		"$EXTRACT" --clients "$T/ws/clients.csv" --base-url "$URL" --no-progress --until 2026-11-26 \
		-o "$T/nobody/out.gz" > "$T/attack-$1.txt" 2>&1
}
finding() { contains "$T/attack-$1.txt" "$2"; }
if [ -n "$UNDER_VALGRIND" ]; then
	skip "under valgrind (make check-valgrind): the process attacked would be valgrind's"
elif [ -n "$ATTACK_PY" ]; then
	ok "as nobody: the extract runs to its first request and is attacked (SIGABRT at the end)" attack ABRT
	ok "same user: /proc/PID/environ cannot be read" finding ABRT "environ: refused"
	ok "same user: /proc/PID/mem cannot be read" finding ABRT "mem: refused"
	ok "same user: ptrace(PTRACE_ATTACH) is refused (no gdb -p, no strace -p)" finding ABRT "ptrace: refused"
	ok "its core file size limit is 0" finding ABRT "core limit: 0 0"
	ok "SIGABRT with core dumps allowed: no core dumped" finding ABRT "core dumped: no"
	ok "SIGABRT: no core file left in its directory" finding ABRT "core files: none"
	ok "as nobody again, SIGSEGV at the end" attack SEGV
	ok "SIGSEGV with core dumps allowed: no core dumped" finding SEGV "core dumped: no"
	ok "SIGSEGV: no core file left in its directory" finding SEGV "core files: none"
	three_refused() { grep -c "refused" "$1" | grep -qx 3; }
	ok "SIGSEGV run: environ, mem and ptrace refused too" three_refused "$T/attack-SEGV.txt"
	ok "no key in what the attacked runs printed" no_key_in "$T/nobody/extract.err" "$T/attack-ABRT.txt" "$T/attack-SEGV.txt"
else
	skip "not root, no runuser, or user nobody cannot run $EXTRACT / a python: the same-user attacks are not tried"
fi
ctl '{"latency_ms":0}'

done_testing
