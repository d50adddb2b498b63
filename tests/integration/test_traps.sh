#!/bin/bash
# test_traps.sh -- spam-trap hits become listings, end to end.
#
# A real dnsbld answers a zone made of a trap dataset and a feed dataset;
# the real dnsbl-loader takes hits from standard input (`hits`), and in
# `watch` over its UNIX socket and its TCP port.  Checked: below and at
# the threshold, the sliding window, the TXT fields, malformed lines (named
# by source and position, never applied), special-use ranges, the allow
# CIDRs and allow datasets, IPv6 /64 aggregation, listings expiring on the
# loader's clock (DNSBL_LOADER_NOW), repeat offenders' longer listings,
# history records, a junk client and an over-long line not stopping the
# others, and a kill -9 of the loader mid-stream (what was committed
# stays; the next start goes on from the stored counters).
set -u
. "$SRCDIR/tests/integration/server_lib.sh"
srv_workdir traps
srv_pick_port 5960 5964
DNS_PORT=$PORT
srv_pick_port 5965 5969
HIT_PORT=$PORT
cd "$WORK" || exit 1

T0=1800000000           # the loader's clock for this test (2027-01-15)
mkdir data
cat >data/spam.ip4set <<'EOF'
1.2.3.4 :3:feed listing
EOF
cat >data/good.ip4set <<'EOF'
8.8.4.0/24
EOF
cat >traps.yaml <<EOF
store: store
listen: ["127.0.0.1:$DNS_PORT"]
datasets:
  spam: {type: ip4set, files: [data/spam.ip4set]}
  good: {type: ip4set, files: [data/good.ip4set]}
  traps:
    type: trap
    threshold: 3
    window: 1h
    expire: 1d
    repeat_expire: 7d
    repeat_within: 30d
    allow: [45.0.0.0/16, good]
    code: 127.0.0.9
    txt: "\$ seen \${hits} times, first \${first}, last \${last}"
    socket: hits.sock
    listen: $HIT_PORT
zones:
  traps.test: {datasets: [traps, spam]}
EOF

LOADER="$BIN/dnsbl-loader"
# hits NOW LINES...: the lines on standard input of `hits traps` at NOW.
hits() {
	local now=$1
	shift
	printf '%s\n' "$@" | DNSBL_LOADER_NOW=$now "$LOADER" -c traps.yaml hits traps \
		>"$WORK/hits.out" 2>"$WORK/hits.err"
	HITS_RC=$?
	HITS_OUT=$(cat "$WORK/hits.out" "$WORK/hits.err")
}
# rname ADDRESS: the query name in traps.test.
rname() {
	python3 -c 'import ipaddress,sys
a = ipaddress.ip_address(sys.argv[1])
if a.version == 4:
    print(".".join(reversed(str(a).split("."))) + ".traps.test")
else:
    print(".".join(reversed(a.exploded.replace(":", ""))) + ".traps.test")' "$1"
}
q() { $DNSQ "$DNS_PORT" "$(rname "$1")" "${2:-A}"; }
listed() { q "$1" A | grep -q 'IN A 127.0.0.9'; }
# expect_listed DESC ADDRESS / expect_unlisted DESC ADDRESS
expect_listed() { check "$1" "$(q "$2" A)" "IN A 127\.0\.0\.9"; }
expect_unlisted() { check "$1" "$(q "$2" A)" "rcode=NXDOMAIN"; }
# wait_listed ADDRESS: up to 3 s for a listing to be served.
wait_listed() {
	for _ in $(seq 60); do
		listed "$1" && return 0
		sleep 0.05
	done
	return 1
}

hits $T0 11.1.1.1 11.1.1.1 11.1.1.1
check_eq "hits refuses to run before its allow datasets are loaded" "$HITS_RC" 1
check "...and says which" "$HITS_OUT" "allow dataset good is not stored \(load it first\)"
"$LOADER" -c traps.yaml load >load.out 2>&1 || { cat load.out; exit 1; }
check "load makes the trap dataset" "$(cat load.out)" "^traps: trap, 0 entries"
srv_start traps.yaml "$DNS_PORT"

# ---- stdin: threshold, TXT -------------------------------------------------
hits $T0 11.1.1.1 11.1.1.1
check_eq "hits exits 0" "$HITS_RC" 0
check "summary line" "$HITS_OUT" "^traps: 2 lines, 2 hits, 0 malformed, 0 allowed; 0 listed"
expect_unlisted "2 hits of 3: not listed" 11.1.1.1
hits $T0 "11.1.1.1 trap=spamtrap-7 reason=RCPT to a trap"
check "third hit lists" "$HITS_OUT" "1 listed"
expect_listed "3 hits: listed" 11.1.1.1
check "TXT shows the hits and times" "$(q 11.1.1.1 TXT)" \
	'"11\.1\.1\.1 seen 3 times, first 2027-01-15T08:00:00Z, last 2027-01-15T08:00:00Z"'
check "the feed dataset answers in the same zone" "$(q 1.2.3.4 A)" "IN A 127\.0\.0\.3"
check "RFC 5782 test point" "$(q 127.0.0.2 A)" "IN A 127\.0\.0\.2"
check "RFC 5782 127.0.0.1 never" "$(q 127.0.0.1 A)" "rcode=NXDOMAIN"

# ---- the window ------------------------------------------------------------
hits $T0 "11.1.1.2 time=$((T0 - 7200))" "11.1.1.2 time=$((T0 - 3700))" 11.1.1.2
expect_unlisted "3 hits over 2 h (window 1 h): not listed" 11.1.1.2
hits $T0 "11.1.1.2 time=$((T0 - 600))" 11.1.1.2
expect_listed "3 hits within the hour: listed" 11.1.1.2

# ---- malformed lines -------------------------------------------------------
hits $T0 bogus "11.1.1.5 foo=bar" "11.1.1.5 time=$((T0 + 86400))" 11.1.1.5 11.1.1.5 \
	"11.1.1.5 trap=a trap=b"
check "malformed lines are counted" "$HITS_OUT" "6 lines, 2 hits, 4 malformed"
check "a malformed line is named by its position" "$HITS_OUT" "stdin:1: not an IPv4 or IPv6 address"
check "unknown key named" "$HITS_OUT" "stdin:2: unknown key"
check "a future time is refused" "$HITS_OUT" "stdin:3: time= is in the future"
check "a repeated key is refused" "$HITS_OUT" "stdin:6: trap= given twice"
expect_unlisted "malformed lines are not applied" 11.1.1.5

# ---- allow-lists and special-use ranges ------------------------------------
hits $T0 10.1.1.1 10.1.1.1 10.1.1.1 192.168.7.7 192.168.7.7 192.168.7.7 \
	100.64.0.1 100.64.0.1 100.64.0.1 fe80::1 fe80::1 fe80::1 \
	8.8.4.4 8.8.4.4 8.8.4.4 45.0.9.9 45.0.9.9 45.0.9.9
check "allowed hits are counted, not applied" "$HITS_OUT" "18 lines, 0 hits, 0 malformed, 18 allowed; 0 listed"
expect_unlisted "RFC 1918 never listed" 10.1.1.1
expect_unlisted "CGN space never listed" 100.64.0.1
expect_unlisted "an allow dataset's address never listed" 8.8.4.4
expect_unlisted "an allow CIDR never listed" 45.0.9.9
check "the allow dataset still answers nothing in this zone" "$(q 8.8.4.4 A)" "NXDOMAIN"

# ---- IPv6: per /64 -----------------------------------------------------------
hits $T0 2a00:1:2:3::1 2a00:1:2:3::2 2a00:1:2:3:aaaa::3
check "three addresses of one /64: one listing" "$HITS_OUT" "3 hits.*1 listed"
expect_listed "any address of the /64 is listed" 2a00:1:2:3:ffff::9
expect_unlisted "the next /64 is not" 2a00:1:2:4::1
check "IPv6 TXT names the queried address" "$(q 2a00:1:2:3:ffff::9 TXT)" '"2a00:1:2:3:ffff::9 seen 3 times'
hits $T0 2a00:1:2:5::1 2a00:1:2:6::1 2a00:1:2:7::1

# A pipe that stays open: the batch is committed after 100 ms anyway.
( printf '11.4.4.4\n11.4.4.4\n11.4.4.4\n'; sleep 3 ) |
	DNSBL_LOADER_NOW=$T0 "$LOADER" -c traps.yaml hits traps >/dev/null 2>&1 &
PIPE=$!
wait_listed 11.4.4.4
expect_listed "hits from an open pipe are listed before it ends" 11.4.4.4
check_eq "...while hits still reads" "$(kill -0 $PIPE 2>/dev/null && echo yes)" yes
wait $PIPE
expect_unlisted "one hit in each of three /64s: nothing" 2a00:1:2:5::1

HIST=$("$BIN/dnsbl-ctl" -c traps.yaml history traps 2>&1)
check "history records each listing" "$HIST" "add +traps +11\.1\.1\.1 +by dnsbl-loader"
check "history names the /64" "$HIST" "2a00:1:2:3::/64"
check "history has the reason" "$HIST" "trap: 3 hits.*RCPT to a trap"

# ---- watch: the UNIX socket and the TCP port --------------------------------
# send_unix LINES / send_tcp LINES: one connection each.
send_unix() {
	python3 - "$WORK/hits.sock" "$@" <<'PY'
import socket, sys
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
s.sendall(("\n".join(sys.argv[2:]) + "\n").encode())
s.close()
PY
}
send_tcp() {
	python3 - "$HIT_PORT" "$@" <<'PY'
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.sendall(("\n".join(sys.argv[2:]) + "\n").encode())
s.close()
PY
}
start_watch() {
	DNSBL_LOADER_NOW=$T0 "$LOADER" -c traps.yaml watch >>watch.log 2>&1 &
	WATCH_PID=$!
	SRV_PIDS+=("$WATCH_PID")
	for _ in $(seq 100); do
		[ -S hits.sock ] && grep -q "hits on" watch.log && return 0
		sleep 0.05
	done
	echo "watch did not start:"; cat watch.log
	exit 1
}
: >watch.log
start_watch
send_unix 11.2.2.2 11.2.2.2 11.2.2.2
wait_listed 11.2.2.2
expect_listed "3 hits on the UNIX socket: listed" 11.2.2.2
send_tcp 11.2.2.3 "11.2.2.3 trap=x" "11.2.2.3 reason=tcp"
wait_listed 11.2.2.3
expect_listed "3 hits on the TCP port: listed" 11.2.2.3
send_unix 11.2.2.4 11.2.2.4
sleep 0.4
expect_unlisted "2 hits on the socket: not listed" 11.2.2.4

# A junk client, then an over-long line, do not stop the others.
python3 - "$HIT_PORT" "$WORK/hits.sock" >junk.out 2>&1 <<'PY' &
import socket, sys, time
junk = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
junk.sendall(b"junk junk\n" * 2000)
good = socket.socket(socket.AF_UNIX)
good.connect(sys.argv[2])
good.sendall(b"x" * 5000)                  # no newline: one over-long line
good.sendall(b"\n11.2.2.5\n11.2.2.5\n11.2.2.5\n")
time.sleep(1)
good.close()
try:
    junk.sendall(b"more\n")
    print("junk:", junk.recv(10))
except OSError as e:
    print("junk closed:", e)
PY
JUNK=$!
wait_listed 11.2.2.5
expect_listed "a good client beside a junk one is listed" 11.2.2.5
wait $JUNK
check "the junk client is closed" "$(cat watch.log)" "closed: too many malformed lines after 100[01] lines"
check "malformed lines on a socket are named" "$(cat watch.log)" "from 127\.0\.0\.1:[0-9]+:1: not an IPv4"
check "an over-long line is refused" "$(cat watch.log)" "hits\.sock#[0-9]+:1: line too long"

# A config change of the trap dataset restarts its listeners with it.
sed -i 's/^    threshold: 3$/    threshold: 1/' traps.yaml
for _ in $(seq 100); do
	[ "$(grep -c 'hits on' watch.log)" -ge 2 ] && break
	sleep 0.05
done
check "a changed trap dataset restarts the listeners" "$(cat watch.log)" "traps\.yaml changed: the trap listeners restart"
send_unix 11.6.6.6
wait_listed 11.6.6.6
expect_listed "threshold 1 after the change: one hit lists" 11.6.6.6
sed -i 's/^    threshold: 1$/    threshold: 3/' traps.yaml
for _ in $(seq 100); do
	[ "$(grep -c 'hits on' watch.log)" -ge 3 ] && break
	sleep 0.05
done
send_unix 11.6.6.7
sleep 0.4
expect_unlisted "threshold 3 again: one hit does not list" 11.6.6.7

# kill -9 in the middle of a stream: committed hits stay, counters too.
send_unix 11.3.3.3 11.3.3.3 11.3.3.4 11.3.3.4
sleep 0.5                               # committed (100 ms batches)
python3 - "$WORK/hits.sock" "$WORK/streaming" <<'PY' 2>/dev/null &
import socket, sys, time
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
end, n = time.monotonic() + 20, 0
while time.monotonic() < end:      # a flood of one-off senders, until killed
    s.sendall(b"".join(b"11.%d.%d.%d\n" % (100 + (n + i) // 65536 % 100,
                                           (n + i) // 256 % 256, (n + i) % 256)
                       for i in range(10000)))
    n += 10000
    if n == 20000:
        open(sys.argv[2], "w").close()
PY
STREAM=$!
for _ in $(seq 100); do
	[ -e streaming ] && break
	sleep 0.05
done
check_eq "a flood is under way" "$([ -e streaming ] && echo yes)" yes
send_tcp 11.3.3.9 11.3.3.9 11.3.3.9
wait_listed 11.3.3.9
expect_listed "another client is served during the flood" 11.3.3.9
check_eq "the flood is still on when the loader is killed" "$(kill -0 $STREAM 2>/dev/null && echo yes)" yes
kill -KILL "$WATCH_PID"
wait "$STREAM" 2>/dev/null
wait "$WATCH_PID" 2>/dev/null
check_eq "the socket file of the killed loader is still there" "$([ -S hits.sock ] && echo yes)" yes
start_watch
send_unix 11.3.3.3 11.3.3.4
wait_listed 11.3.3.4
expect_listed "after kill -9: the stored counter went on (2 + 1 hits)" 11.3.3.4
expect_listed "after kill -9: 2 + 1 hits for the other too" 11.3.3.3
expect_listed "after kill -9: earlier listings are still served" 11.2.2.3
kill -TERM "$WATCH_PID"
wait "$WATCH_PID" 2>/dev/null
check_eq "a stopped loader removes its socket" "$([ -e hits.sock ] && echo yes)" ""

# ---- expiry on the loader's clock, repeat offenders -------------------------
hits $((T0 + 86400 - 10))
expect_listed "a day minus 10 s: still listed" 11.1.1.1
hits $((T0 + 86400 + 10))
check "the sweep at start and end expires listings" "$HITS_OUT" "entr(y|ies) expired"
expect_unlisted "a day after the last hit: expired" 11.1.1.1
expect_unlisted "the /64 expired too" 2a00:1:2:3::1
check "history records the expiry" "$("$BIN/dnsbl-ctl" -c traps.yaml history traps 2>&1)" \
	"expire +traps +11\.1\.1\.1"
T1=$((T0 + 86400 + 100))
hits $T1 11.1.1.1 11.1.1.1 11.1.1.1
expect_listed "listed again" 11.1.1.1
check "a repeat offender is named so" "$("$BIN/dnsbl-ctl" -c traps.yaml history traps 2>&1)" \
	"11\.1\.1\.1 .*listing 2 \(repeat offender\)"
hits $((T1 + 2 * 86400))
expect_listed "a repeat offender's listing lasts longer than 1 d" 11.1.1.1
hits $((T1 + 7 * 86400 + 70))   # ends rounded up to the minute
expect_unlisted "...and ends after 7 d" 11.1.1.1
check "counters are pruned when nothing is left to remember" "$HITS_OUT" "counters pruned"
check_not "nothing pruned is a failure" "$HITS_OUT" "FAILED|pruning counters:"

# ---- allow wins over listings made before the allow-list grew ---------------
T2=$((T1 + 7 * 86400 + 120))
hits $T2 11.2.2.7 11.2.2.7 11.2.2.7 11.2.2.8 11.2.2.8 11.2.2.8 11.2.3.1 11.2.3.1 11.2.3.1
expect_listed "before the allow dataset grows" 11.2.2.7
echo 11.2.2.0/24 >>data/good.ip4set
"$LOADER" -c traps.yaml -q load good >/dev/null 2>&1
hits $T2
check "hits ends the listings the allow-list now covers" "$HITS_OUT" "allow-list: 2 listings ended"
expect_unlisted "an address the allow dataset now lists is delisted" 11.2.2.7
expect_listed "the one it does not cover stays" 11.2.3.1
check "...with a history record" "$("$BIN/dnsbl-ctl" -c traps.yaml history traps 2>&1)" \
	"del +traps +11\.2\.2\.7 .*allow-listed"

# ---- dnsbl-ctl delist: ends a listing, --for keeps it off ---------------------
T3=$((T2 + 60))
CTL="$BIN/dnsbl-ctl"
hits $T3 11.4.4.4 11.4.4.4 11.4.4.4 2a01:44:1:1::1 2a01:44:1:1::1 2a01:44:1:1::1
expect_listed "delist: listed first" 11.4.4.4
expect_listed "delist: the /64 listed first" 2a01:44:1:1::1
OUT=$(DNSBL_CTL_NOW=$T3 "$CTL" -c traps.yaml delist 11.4.4.4 2>&1)
check_eq "delist without --reason: usage error" "$?" 2
check "...saying what is missing" "$OUT" "give one ADDRESS and --reason TEXT"
OUT=$(DNSBL_CTL_NOW=$T3 "$CTL" -c traps.yaml delist 11.4.4.4 --reason "relay fixed" --for 2h 2>&1)
check_eq "delist: exit 0" "$?" 0
check "delist: says what it did" "$OUT" "traps: 11\.4\.4\.4 delisted; not listed again until"
expect_unlisted "delist: served as not listed at once" 11.4.4.4
hits $((T3 + 60)) 11.4.4.4 11.4.4.4 11.4.4.4
expect_unlisted "delist --for 2h: three more hits do not list it again" 11.4.4.4
hits $((T3 + 3 * 3600)) 11.4.4.4 11.4.4.4 11.4.4.4
expect_listed "after the 2 h: the traps list it again" 11.4.4.4
check "delist: a history record with who and why" "$("$CTL" -c traps.yaml history traps 2>&1)" \
	"del +traps +11\.4\.4\.4 +by [^ ].*reason: relay fixed"
OUT=$(DNSBL_CTL_NOW=$T3 "$CTL" -c traps.yaml delist 2a01:44:1:1::99 --reason "same /64" 2>&1)
check "delist of an IPv6 address ends its /64's listing" "$OUT" "delisted"
expect_unlisted "...served at once" 2a01:44:1:1::1
OUT=$(DNSBL_CTL_NOW=$T3 "$CTL" -c traps.yaml delist 11.9.9.9 --reason "never listed" 2>&1)
check "delist of an address that was not listed says so" "$OUT" "11\.9\.9\.9 was not listed"

# ---- zones/traps.yaml, the README's example ----------------------------------
mkdir example example/data
cp "$SRCDIR/zones/data/trap-allow.ip4set" "$SRCDIR/zones/data/trap-hits.txt" example/data/
sed -e 's|^store: .*|store: store|' -e 's|socket: .*|socket: hits.sock|' \
	"$SRCDIR/zones/traps.yaml" >example/traps.yaml
OUT=$("$LOADER" -c example/traps.yaml check 2>&1)
check "zones/traps.yaml checks" "$OUT" "ok \(3 datasets, 1 zones\)"
"$LOADER" -c example/traps.yaml -q load >/dev/null 2>&1
OUT=$("$LOADER" -c example/traps.yaml hits traps <example/data/trap-hits.txt 2>&1)
check "the example hits list a sender and a /64; the allow-list keeps 3 off" "$OUT" \
	"11 lines, 6 hits, 0 malformed, 5 allowed; 2 listed"

srv_report
