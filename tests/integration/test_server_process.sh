#!/bin/bash
# test_server_process.sh -- dnsbld -c FILE as a daemon: the process keys.
#
# The YAML config's user, chroot, pidfile, daemon, query_log and
# stats_file do what rbldnsd's -u -r -p (no -n) -l -s do: the parent
# returns once the child serves, the pid file names the child, the child
# runs as the user inside the chroot, logs queries, writes stats lines
# every stats_interval and on USR1/USR2, reopens the query log on HUP, and
# TERM stops it.  A start that fails in the background (port in use, store
# missing) makes the command exit non-zero with the reason on stderr, in
# both modes.  Privilege drop and chroot need root: skipped (77) without.
set -u
. "$SRCDIR/tests/integration/server_lib.sh"
if [ "$(id -u)" != 0 ]; then
	echo "not root: the user and chroot keys cannot be tried: skipped"
	exit 77
fi
srv_workdir process
srv_pick_port 5860 5869
PORT_A=$PORT
srv_pick_port 5870 5879
PORT_B=$PORT
# Everything the server (as nobody) touches after the drop lives here.
JAIL=$(mktemp -d /tmp/dnsbld-jail.XXXXXX)
chmod 755 "$JAIL"
trap 'srv_cleanup; rm -rf "$JAIL"' EXIT
cd "$WORK" || exit 1
mkdir data "$JAIL/logs"
chown nobody "$JAIL/logs"
printf '192.0.2.1 :2:listed here\n' >data/spam.ip4set

cat >jailed.yaml <<EOC
store: $JAIL/store
listen: ["127.0.0.1:$PORT_A"]
user: nobody
chroot: $JAIL
pidfile: $WORK/dnsbld.pid
daemon: true
server:
  query_log: "$JAIL/logs/query.log"
  query_log_unbuffered: true
  stats_file: $JAIL/logs/stats.log
  stats_interval: 1
  workers: 1
datasets:
  spam: {type: ip4set, files: data/spam.ip4set}
zones:
  bl.test: {datasets: [spam]}
EOC
"$BIN/dnsbl-loader" -c jailed.yaml load >load.log 2>&1 || { cat load.log; exit 1; }
# The server's user reads the store and takes its reader slots.
chown -R nobody "$JAIL/store"

"$BIN/dnsbld" -c jailed.yaml >start.log 2>&1
check_eq "daemon: the command returns 0 once the child serves" "$?" 0
check_not "daemon: no complaint on the terminal" "$(cat start.log)" 'unable|cannot|FAILED|warning|error|root' 
PID=$(cat dnsbld.pid 2>/dev/null)
SRV_PIDS+=("$PID")
check "pidfile: names the server" "$PID" '^[0-9]+$'
check_eq "pidfile: the process runs" "$(kill -0 "$PID" 2>/dev/null && echo yes)" yes
check "user: it runs as nobody" "$(grep '^Uid:' /proc/"$PID"/status)" \
	"^Uid:[[:space:]]+$(id -u nobody)[[:space:]]+$(id -u nobody)[[:space:]]+$(id -u nobody)"
check_eq "chroot: its root is the chroot directory" \
	"$(readlink /proc/"$PID"/root)" "$(readlink -f "$JAIL")"
check_eq "daemon: it left the terminal's session" \
	"$(ps -o sid= -p "$PID" | tr -d ' ')" "$PID"
check "answers: listed" "$($DNSQ $PORT_A 1.2.0.192.bl.test TXT)" '^an: .* TXT "listed here"$'
check "query_log: the query is logged" "$(cat "$JAIL/logs/query.log" 2>/dev/null)" \
	'^[0-9]{10} 127\.0\.0\.1 1\.2\.0\.192\.bl\.test TXT IN: NOERROR/1/[0-9]+$'
sleep 2.2
check "stats_file: a line every stats_interval" "$(cat "$JAIL/logs/stats.log" 2>/dev/null)" \
	'^[0-9]{10} bl\.test:[0-9]+:[0-9]+:0:[0-9]+:[0-9]+ \*:[0-9]+:'
lines=$(wc -l <"$JAIL/logs/stats.log")
check "stats_file: several lines" "$lines" '^([3-9]|[1-9][0-9]+)$'
kill -USR2 "$PID"
sleep 0.3
$DNSQ $PORT_A 2.0.0.127.bl.test A >/dev/null
kill -USR1 "$PID"
sleep 0.3
check "USR2 resets, USR1 writes a line: one query since" \
	"$(grep ' bl\.test:' "$JAIL/logs/stats.log" | tail -1)" ' bl\.test:1:1:0:[0-9]+:[0-9]+ '
# logrotate: move the log away, HUP, and the next query lands in a new one.
mv "$JAIL/logs/query.log" "$JAIL/logs/query.log.1"
kill -HUP "$PID"
sleep 0.3
$DNSQ $PORT_A 3.0.0.127.bl.test A >/dev/null
sleep 0.2
check "HUP: the query log is reopened" "$(cat "$JAIL/logs/query.log" 2>/dev/null)" \
	' 3\.0\.0\.127\.bl\.test A IN: '
check_not "HUP: the old log gets nothing more" "$(cat "$JAIL/logs/query.log.1")" '3\.0\.0\.127'
kill -TERM "$PID"
for _ in $(seq 50); do kill -0 "$PID" 2>/dev/null || break; sleep 0.1; done
check_eq "TERM: it stops" "$(kill -0 "$PID" 2>/dev/null && echo running)" ""
check "TERM: the stats file ends with a bare timestamp" "$(tail -1 "$JAIL/logs/stats.log")" '^[0-9]{10}$'

# A failed start in the background: the command says why and exits 1.
"$BIN/dnsbld" -c jailed.yaml >start.log 2>&1 &
sleep 0.1
cat >busy.yaml <<EOC
store: $JAIL/store
listen: ["127.0.0.1:$PORT_A"]
daemon: true
datasets: {spam: {type: ip4set, files: data/spam.ip4set}}
zones: {bl.test: {datasets: [spam]}}
EOC
for _ in $(seq 50); do [ -s dnsbld.pid ] && $DNSQ $PORT_A bl.test SOA --timeout 0.2 | grep -q '^rcode=' && break; sleep 0.1; done
SRV_PIDS+=("$(cat dnsbld.pid)")
"$BIN/dnsbld" -c busy.yaml >busy.log 2>&1
check_eq "port in use: the command exits 1" "$?" 1
check "port in use: the reason is on stderr" "$(cat busy.log)" "127\.0\.0\.1.*$PORT_A.*(in use|another server)"
kill -TERM "$(cat dnsbld.pid)"
sed -e "s|store: .*|store: $WORK/no-such-store|" -e "s|:$PORT_A|:$PORT_B|" busy.yaml >nostore.yaml
"$BIN/dnsbld" -c nostore.yaml >nostore.log 2>&1
check_eq "store missing: the command exits 1" "$?" 1
check "store missing: the reason is on stderr" "$(cat nostore.log)" "store $WORK/no-such-store"
sed "s|user: nobody|user: no-such-user-here|" jailed.yaml >baduser.yaml
"$BIN/dnsbld" -c baduser.yaml >baduser.log 2>&1
check_eq "unknown user: the command exits 1" "$?" 1
check "unknown user: named on stderr" "$(cat baduser.log)" "unknown user .no-such-user-here'"
# rbldnsd's command line, same thing.
"$BIN/dnsbld" -b 127.0.0.1/$PORT_B -u nobody --store "$WORK/dropin-store" \
	-r /nonexistent-jail bl.test:ip4set:data/spam.ip4set >dropin.log 2>&1
check_eq "rbldnsd mode, bad -r: the command exits 1" "$?" 1
check "rbldnsd mode, bad -r: the reason is on stderr" "$(cat dropin.log)" 'chroot to /nonexistent-jail'
srv_report
