#!/bin/bash
# test_traps_rdns.sh -- a trap dataset's reverse DNS, against a real DNS server.
#
# NSD on loopback serves 127.in-addr.arpa, the ip6.arpa zone of
# 2001:db8::/32 and a forward zone rdns.test; the loader asks it
# (`resolver:`).  Senders: 127.0.1.1 forward-confirmed, 127.0.1.2 a
# mismatch (its PTR name has another address), 127.0.1.3 no PTR
# (NXDOMAIN), 127.0.1.4 a PTR name without an A record (a mismatch),
# 2001:db8:1::25 forward-confirmed over AAAA, and with a resolver that
# swallows queries (a python UDP socket that never answers) a timeout.
# Checked through `dnsbl-ctl get` (the trap listing named: hits, first and
# last hit, expiry, rDNS), the TXT ${rdns} and the A codes a real dnsbld
# serves, the policy (threshold_no_fcrdns lists a sender without FCrDNS
# after one hit, code_no_fcrdns answers it, a confirmed or timed-out
# sender needs the full threshold; a listing made before its rDNS was
# known is relabeled; an only_no_fcrdns dataset serves a zone of its own),
# `hits` waiting for its lookups (bounded by rdns_timeout), and `watch`
# looking up in its event loop.
set -u
. "$SRCDIR/tests/integration/server_lib.sh"
NSD=$(command -v nsd || echo /usr/sbin/nsd)
if [ ! -x "$NSD" ]; then
	echo "SKIP: nsd is not installed (scripts/deps.sh test installs it)"
	exit 77
fi
srv_workdir traps_rdns
srv_pick_port 6240 6249
DNS_PORT=$PORT
srv_pick_port 6250 6259
NSD_PORT=$PORT
srv_pick_port 6260 6269
SWALLOW_PORT=$PORT
cd "$WORK" || exit 1

# ---- the DNS server: reverse and forward zones -----------------------------
mkdir nsd
soa() { printf '$TTL 60\n@ SOA ns.rdns.test. host.rdns.test. 1 3600 900 604800 60\n@ NS ns.rdns.test.\n'; }
{ soa; cat <<'EOF'
1.1.0 PTR mail1.rdns.test.
2.1.0 PTR mail2.rdns.test.
4.1.0 PTR mail4.rdns.test.
6.1.0 PTR mail6.rdns.test.
EOF
} >nsd/127.in-addr.arpa.zone
{ soa; cat <<'EOF'
5.2.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.1.0.0.0 PTR mx6.rdns.test.
EOF
} >nsd/8.b.d.0.1.0.0.2.ip6.arpa.zone
{ soa; cat <<'EOF'
ns A 127.0.0.1
mail1 A 127.0.1.1
mail2 A 127.0.9.9
mail4 TXT "no address"
mail6 A 127.0.1.6
mx6 AAAA 2001:db8:1::25
EOF
} >nsd/rdns.test.zone
{
	cat <<EOF
server:
  ip-address: 127.0.0.1@$NSD_PORT
  port: $NSD_PORT
  username: ""
  chroot: ""
  zonesdir: "$WORK/nsd"
  database: ""
  zonelistfile: "$WORK/nsd/zone.list"
  xfrdfile: "$WORK/nsd/xfrd.state"
  pidfile: "$WORK/nsd/nsd.pid"
  logfile: "$WORK/nsd/nsd.log"
remote-control:
  control-enable: no
EOF
	for z in 127.in-addr.arpa 8.b.d.0.1.0.0.2.ip6.arpa rdns.test; do
		printf 'zone:\n  name: %s\n  zonefile: "%s.zone"\n' "$z" "$z"
	done
} >nsd/nsd.conf
"$NSD" -d -c nsd/nsd.conf >nsd/stdout.log 2>&1 &
SRV_PIDS+=($!)
for _ in $(seq 100); do
	$DNSQ "$NSD_PORT" 1.1.0.127.in-addr.arpa PTR --timeout 0.2 2>/dev/null |
		grep -q 'PTR' && break
	sleep 0.1
done
check "NSD serves the reverse zone" \
	"$($DNSQ "$NSD_PORT" 1.1.0.127.in-addr.arpa PTR)" "mail1\.rdns\.test"

# ---- a resolver that never answers ------------------------------------------
python3 - "$SWALLOW_PORT" <<'PY' &
import socket, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", int(sys.argv[1])))
end = time.monotonic() + 120       # bounded: the test is far shorter
while time.monotonic() < end:
    s.settimeout(1)
    try:
        s.recv(4096)               # read and dropped: no answer, ever
    except OSError:
        pass
PY
SRV_PIDS+=($!)

# ---- the config ---------------------------------------------------------------
cat >traps.yaml <<EOF
store: store
listen: ["127.0.0.1:$DNS_PORT"]
datasets:
  traps:
    type: trap
    threshold: 3
    window: 1h
    expire: 1d
    allow_special: false           # the test's senders are loopback
    prefix6: 64
    code: 127.0.0.2
    txt: "\$ listed after \${hits} hits; rDNS \${rdns}"
    rdns: true
    resolver: "127.0.0.1:$NSD_PORT"
    rdns_timeout: 2s
    threshold_no_fcrdns: 1
    code_no_fcrdns: 127.0.0.4
    socket: hits.sock
  nofcrdns:
    type: trap
    threshold: 1
    expire: 1d
    allow_special: false
    rdns: true
    resolver: "127.0.0.1:$NSD_PORT"
    only_no_fcrdns: true
    code: 127.0.0.5
  slow:
    type: trap
    threshold: 3
    allow_special: false
    rdns: true
    resolver: "127.0.0.1:$SWALLOW_PORT"
    rdns_timeout: 1s
    threshold_no_fcrdns: 1
zones:
  traps.test: {datasets: [traps]}
  nofcrdns.test: {datasets: [nofcrdns]}
  slow.test: {datasets: [slow]}
EOF

LOADER="$BIN/dnsbl-loader"
CTL="$BIN/dnsbl-ctl"
# hits DATASET LINES...: `hits DATASET` with the lines on standard input.
hits() {
	local ds=$1
	shift
	printf '%s\n' "$@" | "$LOADER" -c traps.yaml hits "$ds" >hits.out 2>&1
	HITS_RC=$?
	HITS_OUT=$(cat hits.out)
}
rname() {
	python3 -c 'import ipaddress,sys
a = ipaddress.ip_address(sys.argv[1])
if a.version == 4:
    print(".".join(reversed(str(a).split("."))) + "." + sys.argv[2])
else:
    print(".".join(reversed(a.exploded.replace(":", ""))) + "." + sys.argv[2])' "$1" "$2"
}
# q ADDRESS ZONE TYPE
q() { $DNSQ "$DNS_PORT" "$(rname "$1" "$2")" "$3"; }

# ---- hits: confirmed, mismatch, no PTR, no A; the policy ----------------------
hits traps "127.0.1.1 trap=t1" "127.0.1.2" "127.0.1.2" "127.0.1.2" \
	"127.0.1.3" "127.0.1.4" "2001:db8:1::25" "2001:db8:1::25"
check_eq "hits exits 0" "$HITS_RC" 0
check "hits: the lookups' summary" "$HITS_OUT" \
	"rdns: 5 looked up: 2 confirmed, 2 mismatch, 1 no PTR, 0 timeout, 0 failure, 0 dropped; 1 relabeled"
check "hits: two listed by threshold_no_fcrdns, one by threshold" "$HITS_OUT" \
	"3 listed"

srv_start traps.yaml "$DNS_PORT"
out=$(q 127.0.1.2 traps.test A)
check "mismatch (3 hits, listed before its rDNS came): relabeled 127.0.0.4" \
	"$out" "IN A 127\.0\.0\.4"
out=$(q 127.0.1.2 traps.test TXT)
check "mismatch: the TXT names the PTR name" "$out" \
	"127\.0\.1\.2 listed after 3 hits; rDNS mismatch mail2\.rdns\.test"
out=$(q 127.0.1.3 traps.test A)
check "no PTR: listed after 1 hit (threshold_no_fcrdns), 127.0.0.4" "$out" \
	"IN A 127\.0\.0\.4"
check "no PTR: the TXT says so" "$(q 127.0.1.3 traps.test TXT)" \
	"listed after 1 hits; rDNS no PTR"
check "a PTR name with no A: a mismatch, listed after 1 hit" \
	"$(q 127.0.1.4 traps.test TXT)" "rDNS mismatch mail4\.rdns\.test"
check "confirmed, 1 hit of 3: not listed" "$(q 127.0.1.1 traps.test A)" \
	"rcode=NXDOMAIN"
check "IPv6 confirmed, 2 hits of 3: not listed" \
	"$(q 2001:db8:1::25 traps.test A)" "rcode=NXDOMAIN"

out=$("$CTL" -c traps.yaml get 127.0.1.2)
check "get: the trap dataset names the listing" "$out" \
	"source  trap dataset traps: 3 hits, listing 1"
check "get: first hit" "$out" "first   [0-9]{4}-"
check "get: last hit" "$out" "last    [0-9]{4}-"
check "get: expiry" "$out" "expires [0-9]{4}-"
check "get: rDNS mismatch" "$out" \
	"rdns    mismatch mail2\.rdns\.test: no FCrDNS \(127\.0\.1\.2, "
check_not "get: no 'hand edit'" "$out" "hand edit"
check "get: no PTR" "$("$CTL" -c traps.yaml get 127.0.1.3)" \
	"rdns    no PTR: no FCrDNS"

# The confirmed senders reach the full threshold: the plain code, and the
# looked-up name in the TXT (no second lookup: the outcome is kept).
hits traps "127.0.1.1" "127.0.1.1" "2001:db8:1::99"
check "hits: nothing looked up again" "$HITS_OUT" "rdns: 0 looked up"
check "confirmed, 3 hits: listed with code" "$(q 127.0.1.1 traps.test A)" \
	"IN A 127\.0\.0\.2"
check "confirmed: the TXT names it" "$(q 127.0.1.1 traps.test TXT)" \
	"listed after 3 hits; rDNS confirmed mail1\.rdns\.test"
out=$("$CTL" -c traps.yaml get 2001:db8:1::7)
check "IPv6: the /64 is listed (3 hits)" "$out" \
	"traps \(trap\): 2001:db8:1::/64"
check "IPv6: confirmed over AAAA, for the address that hit" "$out" \
	"rdns    confirmed mx6\.rdns\.test \(2001:db8:1::25, "
check "IPv6: the plain code" "$(q 2001:db8:1::7 traps.test A)" \
	"IN A 127\.0\.0\.2"

# ---- only_no_fcrdns: a dataset (and zone) of the senders without FCrDNS ------
hits nofcrdns "127.0.1.1" "127.0.1.2" "127.0.1.3"
check "only_no_fcrdns: a confirmed sender is not listed" \
	"$(q 127.0.1.1 nofcrdns.test A)" "rcode=NXDOMAIN"
check "only_no_fcrdns: a mismatch is" "$(q 127.0.1.2 nofcrdns.test A)" \
	"IN A 127\.0\.0\.5"
check "only_no_fcrdns: no PTR is" "$(q 127.0.1.3 nofcrdns.test A)" \
	"IN A 127\.0\.0\.5"

# ---- a timeout: recorded as such, never "no FCrDNS" ---------------------------
t0=$(date +%s.%N)
hits slow "127.0.1.7" "127.0.1.7" "127.0.1.7"
t1=$(date +%s.%N)
check_eq "hits (timeout) exits 0" "$HITS_RC" 0
check "hits waited for the lookup: a timeout" "$HITS_OUT" \
	"rdns: 1 looked up: 0 confirmed, 0 mismatch, 0 no PTR, 1 timeout"
el=$(python3 -c "print('ok' if $t1 - $t0 < 4.5 else 'slow: %.1f s' % ($t1 - $t0))")
check_eq "hits waits no longer than rdns_timeout (1s) and a margin" "$el" ok
check "timeout: get says so" "$("$CTL" -c traps.yaml get 127.0.1.7)" \
	"rdns    timeout \(127\.0\.1\.7, "
hits slow "127.0.1.8"
check "timeout: one hit does not list (not counted as no FCrDNS)" \
	"$(q 127.0.1.8 slow.test A)" "rcode=NXDOMAIN"

# ---- watch: lookups in the event loop -----------------------------------------
"$LOADER" -c traps.yaml -m loader.prom watch >watch.log 2>&1 &
WATCH=$!
SRV_PIDS+=("$WATCH")
for _ in $(seq 100); do [ -S hits.sock ] && break; sleep 0.05; done
python3 - <<'PY'
import socket
s = socket.socket(socket.AF_UNIX)
s.connect("hits.sock")
s.sendall(b"127.0.1.6\n127.0.1.6\n127.0.1.6\n127.0.1.9\n")
s.close()
PY
for _ in $(seq 60); do
	q 127.0.1.6 traps.test TXT | grep -q 'rDNS confirmed' &&
		q 127.0.1.9 traps.test A | grep -q '127.0.0.4' && break
	sleep 0.1
done
check "watch: confirmed (listed, then its TXT filled in)" \
	"$(q 127.0.1.6 traps.test TXT)" "rDNS confirmed mail6\.rdns\.test"
check "watch: no PTR listed after one hit" "$(q 127.0.1.9 traps.test A)" \
	"IN A 127\.0\.0\.4"
for _ in $(seq 30); do grep -q 'rdns: [0-9]* looked up' watch.log && break; sleep 0.1; done
check "watch: its line counts the lookups" "$(cat watch.log)" \
	"traps: traps: .*; rdns: [0-9]+ looked up: [0-9]+ confirmed"
for _ in $(seq 30); do
	grep -q '^dnsbl_loader_trap_rdns_noptr_total{dataset="traps"} 1$' loader.prom 2>/dev/null && break
	sleep 0.1
done
check "watch -m: confirmed lookups counted" "$(cat loader.prom)" \
	'^dnsbl_loader_trap_rdns_confirmed_total\{dataset="traps"\} 1$'
check "watch -m: no-PTR lookups counted" "$(cat loader.prom)" \
	'^dnsbl_loader_trap_rdns_noptr_total\{dataset="traps"\} 1$'
check "watch -m: timeouts counted (none)" "$(cat loader.prom)" \
	'^dnsbl_loader_trap_rdns_timeout_total\{dataset="traps"\} 0$'
kill -TERM "$WATCH"
wait "$WATCH"
check_eq "watch stops cleanly" "$?" 0

# ---- config errors -------------------------------------------------------------
bad() {
	printf 'store: store\ndatasets:\n  t:\n    type: trap\n%s\n' "$1" >bad.yaml
	"$LOADER" -c bad.yaml check 2>&1
}
check "threshold_no_fcrdns needs rdns" "$(bad '    threshold_no_fcrdns: 1')" \
	"bad\.yaml:3: datasets\.t: .*need rdns: true"
check "threshold_no_fcrdns above threshold" \
	"$(bad $'    rdns: true\n    threshold: 2\n    threshold_no_fcrdns: 3')" \
	"threshold_no_fcrdns is above threshold"
check "resolver must be numeric" \
	"$(bad $'    rdns: true\n    resolver: "ns.example:53"')" \
	"bad\.yaml:6: datasets\.t\.resolver: .*not a numeric address"
check "\${rdns} needs rdns" "$(bad '    txt: "rdns ${rdns}"')" "need rdns: true"

srv_report
