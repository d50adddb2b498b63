#!/bin/bash
# test_install.sh -- `cmake --install` into a temporary prefix, then the
# installed programs, man pages and systemd units.
#
# The build directory is $BIN's parent.  Checked: every file lands where
# packagers and the units expect it (P/bin, P/share/man/manN,
# P/lib/systemd/system, the example config) and nothing else goes to bin;
# the units name the install prefix (also with DESTDIR) and pass
# `systemd-analyze verify`; each man page formats without a groff warning
# and names every option and command its program's --help lists;
# `dnsbld --check-config` and `dnsbl-loader check` judge configs without
# making a store; and the installed loader, server, dnsbl-query and
# dnsbl-ctl work together, dnsbld telling a stand-in for systemd READY=1
# once it answers, RELOADING=1/READY=1 around a HUP and STOPPING=1; and
# dnsbld binds a port below 1024 as dnsbld.service runs it (another user,
# only CAP_NET_BIND_SERVICE).
set -u
. "$SRCDIR/tests/integration/server_lib.sh"
srv_workdir install
BUILD=$(cd "$BIN/.." && pwd)
P="$WORK/p"
export LC_ALL=C

# ---- the install -------------------------------------------------------
out=$(cmake --install "$BUILD" --prefix "$P" 2>&1)
check_eq "cmake --install: exit status" "$?" 0
for f in bin/dnsbld bin/dnsbl-loader bin/dnsbl-query bin/dnsbl-ctl bin/dnsbl-web; do
	check_eq "$f is installed and executable" "$([ -x "$P/$f" ] && echo yes)" yes
done
check_eq "bin holds the five programs only" \
	"$(cd "$P/bin" && ls | tr '\n' ' ')" "dnsbl-ctl dnsbl-loader dnsbl-query dnsbl-web dnsbld "
MANS="man1/dnsbl-query.1 man5/dnsbld.yaml.5 man8/dnsbld.8 man8/dnsbl-loader.8 man8/dnsbl-ctl.8
man8/dnsbl-web.8"
for m in $MANS; do
	check_eq "share/man/$m is installed" "$([ -f "$P/share/man/$m" ] && echo yes)" yes
done
UNITS="$P/lib/systemd/system"
for f in lib/systemd/system/dnsbld.service lib/systemd/system/dnsbl-loader.service \
	lib/systemd/system/dnsbl-web.service share/doc/dnsbld/examples/dnsbld.yaml lib/sysusers.d/dnsbld.conf; do
	check_eq "$f is installed" "$([ -f "$P/$f" ] && echo yes)" yes
done

# ---- the units -----------------------------------------------------------
srv=$(cat "$UNITS/dnsbld.service" 2>&1)
ldr=$(cat "$UNITS/dnsbl-loader.service" 2>&1)
web=$(cat "$UNITS/dnsbl-web.service" 2>&1)
check "dnsbld.service: runs the installed dnsbld in the foreground" "$srv" \
	"^ExecStart=$P/bin/dnsbld -c /etc/dnsbld/dnsbld.yaml -n\$"
check "dnsbld.service: Type=notify" "$srv" '^Type=notify$'
check "dnsbld.service: ExecReload sends HUP" "$srv" '^ExecReload=/bin/kill -HUP \$MAINPID$'
check "dnsbld.service: port 53 without root" "$srv" '^AmbientCapabilities=CAP_NET_BIND_SERVICE$'
check "dnsbld.service: nothing but that capability" "$srv" '^CapabilityBoundingSet=CAP_NET_BIND_SERVICE$'
check "dnsbl-loader.service: runs the installed loader's watch" "$ldr" \
	"^ExecStart=$P/bin/dnsbl-loader -c /etc/dnsbld/dnsbld.yaml watch\$"
check "dnsbl-web.service: runs the installed dnsbl-web" "$web" \
	"^ExecStart=$P/bin/dnsbl-web -c /etc/dnsbld/dnsbld.yaml\$"
for unit in srv ldr web; do
	text=${!unit}
	for line in '^User=dnsbl$' '^Group=dnsbl$' '^StateDirectory=dnsbl$' \
		'^ProtectSystem=strict$' '^NoNewPrivileges=yes$' '^WantedBy=multi-user.target$'; do
		check "$unit unit: $line" "$text" "$line"
	done
done
check "the sysusers.d file makes the units' user" "$(cat "$P/lib/sysusers.d/dnsbld.conf")" '^u dnsbl '
if command -v systemd-analyze >/dev/null; then
	# MANPATH: verify also looks up the units' Documentation= pages.
	out=$(MANPATH="$P/share/man" systemd-analyze verify "$UNITS/dnsbld.service" \
		"$UNITS/dnsbl-loader.service" "$UNITS/dnsbl-web.service" 2>&1)
	check_eq "systemd-analyze verify: exit status" "$?" 0
	check_eq "systemd-analyze verify: says nothing" "$out" ""
else
	echo "SKIP: systemd-analyze not installed (scripts/deps.sh test); units not verified"
fi

# A packager's install: DESTDIR stages, the units name the real prefix.
out=$(DESTDIR="$WORK/stage" cmake --install "$BUILD" --prefix /usr 2>&1)
check_eq "DESTDIR install: exit status" "$?" 0
check "DESTDIR install: the unit names /usr/bin" \
	"$(cat "$WORK/stage/usr/lib/systemd/system/dnsbld.service" 2>&1)" \
	'^ExecStart=/usr/bin/dnsbld -c /etc/dnsbld/dnsbld.yaml -n$'
check_eq "DESTDIR install: the programs are staged" \
	"$([ -x "$WORK/stage/usr/bin/dnsbld" ] && echo yes)" yes

# ---- the man pages ---------------------------------------------------------
if command -v man >/dev/null; then
	for m in $MANS; do
		out=$(man --warnings -l "$P/share/man/$m" 2>&1 >/dev/null)
		check_eq "man --warnings $m: exit status" "$?" 0
		check_eq "man --warnings $m: no warnings" "$out" ""
	done
	# Every option and command of a program's --help is in its page.
	for pair in dnsbld:man8/dnsbld.8 dnsbl-loader:man8/dnsbl-loader.8 \
		dnsbl-ctl:man8/dnsbl-ctl.8 dnsbl-query:man1/dnsbl-query.1 \
		dnsbl-web:man8/dnsbl-web.8; do
		prog=${pair%%:*}
		page=$(MANWIDTH=250 man -l "$P/share/man/${pair#*:}" 2>/dev/null | col -b)
		words=$("$P/bin/$prog" --help | awk '
			# options: "  -c FILE", "  -z, --zone ZONE", " -a, -A - ..."
			/^ +-/ {
				s = $0
				while (match(s, /^[ ,]+-(-[a-z][a-z-]*|[A-Za-z0-9])/)) {
					w = substr(s, RSTART, RLENGTH); gsub(/[ ,]/, "", w)
					print w; s = substr(s, RSTART + RLENGTH)
				}
			}
			# commands: the lines of a "commands:" or "verbs:" block
			/^(commands|verbs):$/ { cmds = 1; next }
			/^$/ { cmds = 0 }
			cmds && /^  [a-z]/ {
				s = $0; sub(/^  /, "", s); sub(/(  |:).*/, "", s)
				n = split(s, a, /, /); for (i = 1; i <= n; i++) print a[i]
			}' | sort -u)
		check "$prog --help lists options" "$words" '^-'
		for w in $words; do
			check "${pair#*:} names $prog's $w" "$page" "(^|[^A-Za-z0-9-])$w([^A-Za-z0-9-]|\$)"
		done
	done
else
	echo "SKIP: man not installed (scripts/deps.sh test); man pages not checked"
fi

# ---- configs: checked without a store ---------------------------------------
for prog in dnsbld dnsbl-loader dnsbl-query dnsbl-ctl dnsbl-web; do
	"$P/bin/$prog" --help >/dev/null 2>&1
	check_eq "installed $prog --help: exit status" "$?" 0
done
ex="$P/share/doc/dnsbld/examples/dnsbld.yaml"
out=$("$P/bin/dnsbld" --check-config "$ex" 2>&1)
check_eq "--check-config on the example config: exit status" "$?" 0
check_eq "--check-config on the example config: one line" "$out" \
	"$ex: ok (4 datasets, 3 zones)"

srv_pick_port 5370 5399
mkdir -p "$WORK/feeds"
printf '$SOA 3600 ns.bl.test hostmaster.bl.test 1 3600 900 604800 300\n$NS 3600 ns.bl.test\n:127.0.0.2:Listed: $\n127.0.0.2\n192.0.2.0/24\n' \
	>"$WORK/feeds/spam.ip4set"
cat >"$WORK/c.yaml" <<EOF
store: $WORK/store
listen: ["127.0.0.1:$PORT"]
datasets:
  spam: {type: ip4set, files: feeds/spam.ip4set}
  local: {type: ip4set, manual: true}
zones:
  bl.test: {datasets: [spam, local]}
server: {workers: 1}
EOF
out=$("$P/bin/dnsbld" --check-config "$WORK/c.yaml" 2>&1)
check_eq "--check-config: exit status" "$?" 0
check_eq "--check-config: the counts" "$out" "$WORK/c.yaml: ok (2 datasets, 1 zones)"
out=$("$P/bin/dnsbl-loader" -c "$WORK/c.yaml" check 2>&1)
check_eq "dnsbl-loader check: exit status" "$?" 0
check_eq "dnsbl-loader check: the counts" "$out" "$WORK/c.yaml: ok (2 datasets, 1 zones)"
check_eq "neither check made the store" "$([ -e "$WORK/store" ] && echo made)" ""

sed 's#feeds/spam.ip4set#feeds/gone.ip4set#' "$WORK/c.yaml" >"$WORK/gone.yaml"
out=$("$P/bin/dnsbld" --check-config "$WORK/gone.yaml" 2>&1)
check_eq "--check-config: a missing feed file is the loader's business" "$?" 0
out=$("$P/bin/dnsbl-loader" -c "$WORK/gone.yaml" check 2>&1)
check_eq "dnsbl-loader check: a missing feed file: exit status" "$?" 2
check "dnsbl-loader check: names the missing file" "$out" 'gone\.ip4set: No such file'
sed 's#type: ip4set, files#type: ip5set, files#' "$WORK/c.yaml" >"$WORK/bad.yaml"
out=$("$P/bin/dnsbld" --check-config "$WORK/bad.yaml" 2>&1)
check_eq "--check-config: a bad config: exit status" "$?" 2
check "--check-config: file:line: key: reason" "$out" \
	"^dnsbld: $WORK/bad.yaml:4: datasets\.spam\.type: unknown dataset type \"ip5set\""
out=$("$P/bin/dnsbld" --check-config 2>&1)
check_eq "--check-config without a file: exit status" "$?" 2
check_eq "no check made a store" "$([ -e "$WORK/store" ] && echo made)" ""

# ---- the installed programs together, dnsbld under a stand-in systemd ------
out=$("$P/bin/dnsbl-loader" -q -c "$WORK/c.yaml" load 2>&1)
check_eq "installed dnsbl-loader load: exit status" "$?" 0
python3 - "$WORK/notify" "$WORK/notify.log" <<'PY' &
# systemd's side of the notify socket: each datagram as one line.
import os, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
with open(sys.argv[2], "a", buffering=1) as log:
    log.write("listening\n")
    while True:
        log.write(s.recv(4096).decode().replace("\n", "|") + "\n")
PY
SRV_PIDS+=("$!")
# wait_notify REGEX: until a line of the notify log matches (10 s at most)
wait_notify() {
	for _ in $(seq 100); do
		grep -qE -- "$1" "$WORK/notify.log" 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}
wait_notify '^listening$' || echo "the notify listener did not start"
NOTIFY_SOCKET="$WORK/notify" "$P/bin/dnsbld" -c "$WORK/c.yaml" -n >"$WORK/dnsbld.log" 2>&1 &
SRV_PID=$!
SRV_PIDS+=("$SRV_PID")
wait_notify '^READY=1'
ready=$?
check_eq "dnsbld: READY=1 arrives" "$ready" 0
[ "$ready" = 0 ] || { echo "dnsbld.log:"; cat "$WORK/dnsbld.log"; }
check "dnsbld: READY=1 with a status" "$(cat "$WORK/notify.log")" '^READY=1\|STATUS=serving 1 zone\(s\)$'
check "dnsbld: answers once ready" "$($DNSQ "$PORT" 2.0.0.127.bl.test A --timeout 2)" '127\.0\.0\.2'
out=$("$P/bin/dnsbl-query" -c "$WORK/c.yaml" "@127.0.0.1:$PORT" 192.0.2.7 198.51.100.1 2>&1)
check_eq "installed dnsbl-query: exit status 1 (listed)" "$?" 1
check "installed dnsbl-query: listed" "$out" '^192\.0\.2\.7 bl\.test: listed 127\.0\.0\.2'
check "installed dnsbl-query: not listed" "$out" '^198\.51\.100\.1 bl\.test: not listed$'
out=$("$P/bin/dnsbl-ctl" -c "$WORK/c.yaml" stats 2>&1)
check_eq "installed dnsbl-ctl stats: exit status" "$?" 0
check "installed dnsbl-ctl stats: names the dataset" "$out" 'spam'
kill -HUP "$SRV_PID"
wait_notify '^READY=1$'
check "dnsbld HUP: RELOADING=1 with MONOTONIC_USEC, then READY=1" \
	"$(tail -n 2 "$WORK/notify.log" | tr '\n' ' ')" \
	'^RELOADING=1\|MONOTONIC_USEC=[0-9]+ READY=1 $'
kill -TERM "$SRV_PID"
wait "$SRV_PID"
check_eq "dnsbld TERM: exit status" "$?" 0
wait_notify '^STOPPING=1$'
check_eq "dnsbld TERM: STOPPING=1" "$?" 0
check_eq "dnsbld: four messages in all" "$(grep -vc '^listening$' "$WORK/notify.log")" 4
check_not "dnsbld: no warning about the notify socket" "$(cat "$WORK/dnsbld.log")" 'NOTIFY_SOCKET|systemd'

# ---- as dnsbld.service runs it: no root, only CAP_NET_BIND_SERVICE -------
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null; then
	srv_pick_port 900 1000    # below 1024: binding needs the capability
	sed "s/127.0.0.1:[0-9]*/127.0.0.1:$PORT/" "$WORK/c.yaml" >"$WORK/low.yaml"
	chown -R 65534:65534 "$WORK/store"    # the service's user owns the store
	setpriv --reuid=65534 --regid=65534 --clear-groups --no-new-privs \
		--inh-caps=+net_bind_service --ambient-caps=+net_bind_service \
		--bounding-set=-all,+net_bind_service \
		"$P/bin/dnsbld" -c "$WORK/low.yaml" -n >"$WORK/low.log" 2>&1 &
	SRV_PIDS+=("$!")
	for _ in $(seq 100); do
		grep -q 'serving 1 zone' "$WORK/low.log" && break
		kill -0 "$!" 2>/dev/null || break
		sleep 0.1
	done
	check "unprivileged dnsbld with CAP_NET_BIND_SERVICE: binds port $PORT" \
		"$(cat "$WORK/low.log")" "listening on 127\.0\.0\.1 port $PORT"
	check "unprivileged dnsbld: answers" \
		"$($DNSQ "$PORT" 2.0.0.127.bl.test A --timeout 2)" '127\.0\.0\.2'
	check_not "unprivileged dnsbld: no root warning" "$(cat "$WORK/low.log")" 'running as root'
else
	echo "SKIP: not root or no setpriv; the unit's privileges not tried"
fi

srv_report
