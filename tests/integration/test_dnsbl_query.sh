#!/bin/bash
# test_dnsbl_query.sh -- dnsbl-query against the real dnsbld, end to end.
#
# Loads feeds with the real dnsbl-loader, starts the real dnsbld on
# 127.0.0.1/::1 (a free port in 5910-5919) and checks dnsbl-query's answers:
# listed and unlisted IPv4, IPv6 and domains, items routed by zone type,
# several zones, names of return codes (config `codes:` and the built-in
# map), 127.255.255.x reported as errors, JSON lines, exit codes, many items
# on standard input, and the --check probe.  A small Python responder (a
# free port in 5920-5929) plays the lists dnsbld will not be: one whose test
# points are wrong, one that lists everything, a slow one, one answering
# SERVFAIL, one whose resolver rewrites NXDOMAIN, and one that never
# answers (timeouts).
set -u
. "$SRCDIR/tests/integration/server_lib.sh"
srv_workdir dnsbl_query
srv_pick_port 5910 5919
cd "$WORK" || exit 1
Q="$BIN/dnsbl-query"

# ---- data ------------------------------------------------------------------
cat >spam.ip4set <<'EOF'
$SOA 3600 ns1.bl.test hostmaster.bl.test 42 600 300 86400 120
$NS 3600 ns1.bl.test ns2.bl.test
1.2.3.4 :2:spam $
10.0.0.0/8 :3:net $
192.0.2.254 :127.255.255.254:query via an open resolver
192.0.2.255 :127.255.255.255:too many queries
EOF
cat >policy.ip4trie <<'EOF'
:10:pbl $
1.2.3.4
5.5.5.5
EOF
cat >six.ip6trie <<'EOF'
2001:db8::/32 :2:v6 $
EOF
cat >dom.dnset <<'EOF'
bad.example :2:bad domain $
.phish.example :4:phish $
EOF
# A local copy of a public zone: its codes get the built-in names.
cat >zen.ip4set <<'EOF'
1.2.3.4 :4:xbl
9.9.9.9 :10
EOF
chmod 644 ./*

cat >cfg.yaml <<EOF
store: store
listen: ["127.0.0.1:$PORT", "[::1]:$PORT"]
datasets:
  spam: {type: ip4set, files: [spam.ip4set]}
  policy: {type: ip4trie, files: [policy.ip4trie]}
  six: {type: ip6trie, files: [six.ip6trie]}
  dom: {type: dnset, files: [dom.dnset]}
  zen: {type: ip4set, files: [zen.ip4set]}
zones:
  bl.test:
    datasets: [spam, six]
    codes: {127.0.0.2: spam source, 127.0.0.3: "spam network"}
  pol.test: {datasets: [policy], codes: {127.0.0.10: dynamic range}}
  dbl.test: {datasets: [dom], ns: [ns1.dbl.test]}
  zen.spamhaus.org: {datasets: [zen]}
EOF
"$BIN/dnsbl-loader" -q -c cfg.yaml load || { echo "loader failed"; exit 1; }
srv_start cfg.yaml "$PORT"
AT="@127.0.0.1:$PORT"

# ---- the fake lists --------------------------------------------------------
cat >fake.py <<'PY'
# A DNS responder for lists that get things wrong (see the test's header).
import select, socket, struct, sys, time

ZONES = ("broken.test", "wild.test", "slow.test", "fail.test",
         "hijack.test", "silent.test")

def wire(name):
    return b"".join(bytes([len(l)]) + l.encode() for l in name.split(".")) + b"\0"

def rr(rtype, rdata):
    return b"\xc0\x0c" + struct.pack(">HHIH", rtype, 1, 60, len(rdata)) + rdata

def answer(q):
    qid, flags = struct.unpack(">HH", q[:4])
    off, labels = 12, []
    while q[off]:
        labels.append(q[off + 1:off + 1 + q[off]].decode().lower())
        off += 1 + q[off]
    qtype = struct.unpack(">H", q[off + 1:off + 3])[0]
    question, name = q[12:off + 5], ".".join(labels)
    zone = next((z for z in ZONES if name == z or name.endswith("." + z)), None)
    rcode, an = 0, []
    if zone is None:
        rcode = 5
    elif zone == "silent.test":
        return None
    elif zone == "fail.test":
        rcode = 2
    elif name == zone:
        if qtype == 6:
            an.append(rr(6, wire("ns1." + zone) + wire("hostmaster." + zone) +
                         struct.pack(">IIIII", 77, 3600, 600, 86400, 60)))
        elif qtype == 2:
            an.append(rr(2, wire("ns1." + zone)))
    elif zone == "hijack.test":
        an.append(rr(1, bytes([198, 51, 100, 1])))
    elif zone == "broken.test" or (zone == "slow.test" and
                                   not name.startswith("2.0.0.127.")):
        rcode = 3
    elif qtype == 1:
        an.append(rr(1, bytes([127, 0, 0, 2])))
    elif qtype == 16:
        an.append(rr(16, b"\x06listed"))
    head = struct.pack(">HHHHHH", qid, 0x8400 | (flags & 0x0100) | rcode, 1,
                       len(an), 0, 0)
    return zone, head + question + b"".join(an)

s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", int(sys.argv[1])))
later = []   # (due, reply, address): slow.test's answers
while True:
    wait = max(0.0, min(d for d, _, _ in later) - time.time()) if later else None
    if select.select([s], [], [], wait)[0]:
        q, addr = s.recvfrom(4096)
        try:
            r = answer(q)
        except (IndexError, struct.error, UnicodeDecodeError):
            continue
        if r is None:
            continue
        if r[0] == "slow.test":
            later.append((time.time() + 0.3, r[1], addr))
        else:
            s.sendto(r[1], addr)
    now = time.time()
    for item in [x for x in later if x[0] <= now]:
        later.remove(item)
        s.sendto(item[1], item[2])
PY
PORT0=$PORT
srv_pick_port 5920 5929
FAKE=$PORT
PORT=$PORT0
python3 fake.py "$FAKE" 2>fake.log &
SRV_PIDS+=("$!")
for _ in $(seq 50); do
	$DNSQ "$FAKE" broken.test SOA --timeout 0.2 | grep -q '^rcode=NOERROR' && break
	sleep 0.1
done
FAT="@127.0.0.1:$FAKE"

# run ARGS...: dnsbl-query's output (stdout and stderr) in $out, status in $rc.
run() {
	out=$("$Q" "$@" 2>&1)
	rc=$?
}

# ---- listed, unlisted, IPv6, domains, several zones, names ------------------
run -c cfg.yaml "$AT" 1.2.3.4 5.6.7.8 2001:db8::5 2001:db9::1 bad.example \
	x.phish.example good.example
check "IPv4 listed, config name, TXT" "$out" '^1\.2\.3\.4 bl\.test: listed 127\.0\.0\.2 \(spam source\) "spam 1\.2\.3\.4"$'
check "second zone of the same item" "$out" '^1\.2\.3\.4 pol\.test: listed 127\.0\.0\.10 \(dynamic range\) "pbl 1\.2\.3\.4"$'
check "built-in name of a public zone's code" "$out" '^1\.2\.3\.4 zen\.spamhaus\.org: listed 127\.0\.0\.4 \(XBL\) "xbl"$'
check "IPv4 not listed" "$out" '^5\.6\.7\.8 bl\.test: not listed$'
check "IPv6 listed" "$out" '^2001:db8::5 bl\.test: listed 127\.0\.0\.2 \(spam source\) "v6 2001:db8::5"$'
check "IPv6 not listed" "$out" '^2001:db9::1 bl\.test: not listed$'
check "domain listed" "$out" '^bad\.example dbl\.test: listed 127\.0\.0\.2 "bad domain bad\.example"$'
check "domain wildcard listed" "$out" '^x\.phish\.example dbl\.test: listed 127\.0\.0\.4 "phish [a-z.]*phish\.example"$'
check "domain not listed" "$out" '^good\.example dbl\.test: not listed$'
check_not "IPv6 not sent to IPv4-only zones" "$out" '^2001:db8::5 (pol\.test|zen\.spamhaus\.org)'
check_not "domains not sent to address zones" "$out" '^bad\.example (bl|pol)\.test'
check_not "addresses not sent to domain zones" "$out" '^1\.2\.3\.4 dbl\.test'
check_eq "lines: 3 zones x 2 IPv4, 1 x 2 IPv6, 1 x 3 domains" "$(wc -l <<<"$out")" 11
check_eq "in input order, zones in config order" \
	"$(awk '{print $1, $2}' <<<"$out" | head -4 | tr '\n' '|')" \
	"1.2.3.4 bl.test:|1.2.3.4 pol.test:|1.2.3.4 zen.spamhaus.org:|5.6.7.8 bl.test:|"
check_eq "exit 1: something listed" "$rc" 1

run -c cfg.yaml "$AT" 5.6.7.8 good.example 2001:db9::1
check_eq "exit 0: nothing listed" "$rc" 0

run -c cfg.yaml "$AT" 10.9.8.7 9.9.9.9
check "ip4set CIDR listed, second config name" "$out" '^10\.9\.8\.7 bl\.test: listed 127\.0\.0\.3 \(spam network\) "net 10\.9\.8\.7"$'
check "built-in PBL name" "$out" '^9\.9\.9\.9 zen\.spamhaus\.org: listed 127\.0\.0\.10 \(PBL \(ISP maintained\)\)$'

# -z: every item to every zone, unless the zone's type or the map says.
run -z bl.test -z dbl.test "$AT" 1.2.3.4 bad.example
check "-z: a domain goes to an address zone too" "$out" '^bad\.example bl\.test: not listed$'
check "-z: an address goes to a domain zone too" "$out" '^1\.2\.3\.4 dbl\.test: not listed$'
check "-z: no codes names without the config" "$out" '^1\.2\.3\.4 bl\.test: listed 127\.0\.0\.2 "spam 1\.2\.3\.4"$'
run -z bl.test:ip -z dbl.test:domain "$AT" 1.2.3.4 bad.example
check_eq "-z ZONE:TYPE routes items" "$(awk '{print $1, $2}' <<<"$out" | tr '\n' '|')" \
	"1.2.3.4 bl.test:|bad.example dbl.test:|"
run -z zen.spamhaus.org "$AT" bad.example
check "a known address zone takes no domain" "$out" '^bad\.example: error: no zone checks domains$'
check_eq "... which is an error" "$rc" 2
run -c cfg.yaml -z pol.test "$AT" 1.2.3.4
check_eq "-c with -z: only that zone, with its config names" "$out" \
	'1.2.3.4 pol.test: listed 127.0.0.10 (dynamic range) "pbl 1.2.3.4"'
run -z bl.test "@[::1]:$PORT" 1.2.3.4
check "server over IPv6: @[::1]:PORT" "$out" '^1\.2\.3\.4 bl\.test: listed 127\.0\.0\.2'

# ---- 127.255.255.x, bad items, server errors -------------------------------
run -c cfg.yaml "$AT" 192.0.2.254 192.0.2.255
check "127.255.255.254 is an error, not a listing" "$out" \
	'^192\.0\.2\.254 bl\.test: error: list service error 127\.255\.255\.254 \(query via public/open resolver\) "query via an open resolver"$'
check "127.255.255.255 is an error" "$out" \
	'^192\.0\.2\.255 bl\.test: error: list service error 127\.255\.255\.255 \(excessive number of queries\)'
check_eq "exit 2 on a service error" "$rc" 2
run -c cfg.yaml "$AT" 1.2.3 user@example.com 1.2.3.0/24 5.6.7.8
check "bad IPv4" "$out" '^1\.2\.3: error: not a valid IPv4 address$'
check "not an item" "$out" '^user@example\.com: error: not an IP address or a domain name$'
check "a network" "$out" '^1\.2\.3\.0/24: error: a network, not an address$'
check "good items still checked" "$out" '^5\.6\.7\.8 bl\.test: not listed$'
check_eq "exit 2 on a bad item" "$rc" 2
run -z x.fail.test "$FAT" 1.2.3.4
check "SERVFAIL" "$out" '^1\.2\.3\.4 x\.fail\.test: error: SERVFAIL$'
check_eq "exit 2 on SERVFAIL" "$rc" 2
run -z hijack.test "$FAT" 1.2.3.4
check "an answer outside 127/8 is an error" "$out" \
	'^1\.2\.3\.4 hijack\.test: error: answer 198\.51\.100\.1 is outside 127\.0\.0\.0/8'
t0=$(date +%s%N)
run -z silent.test -t 0.5 --tries 1 "$FAT" 1.2.3.4 5.6.7.8
t1=$(date +%s%N)
check "timeout" "$out" '^1\.2\.3\.4 silent\.test: error: timeout$'
check_eq "exit 2 on a timeout" "$rc" 2
ms=$(((t1 - t0) / 1000000))
check_eq "... within the timeout (-t 0.5: took $ms ms)" "$((ms >= 450 && ms < 1500))" 1

# ---- JSON ------------------------------------------------------------------
run --json -c cfg.yaml "$AT" 1.2.3.4 5.6.7.8 192.0.2.254 bad.example nonsense@
check_eq "JSON exit status" "$rc" 2
json=$(python3 - "$out" <<'PY'
import json, sys
lines = sys.argv[1].split("\n")
objs = [json.loads(l) for l in lines]
keys = ["item", "zone", "query", "listed", "codes", "txt", "error", "time_ms"]
for o in objs:
    assert list(o) == keys, o
    assert isinstance(o["listed"], bool) and isinstance(o["codes"], list)
    assert isinstance(o["txt"], list) and isinstance(o["time_ms"], (int, float))
    assert all(list(c) == ["address", "name"] for c in o["codes"]), o
by = {(o["item"], o["zone"]): o for o in objs}
a = by[("1.2.3.4", "bl.test")]
assert a["listed"] and a["query"] == "4.3.2.1.bl.test" and a["error"] is None, a
assert a["codes"] == [{"address": "127.0.0.2", "name": "spam source"}], a
assert a["txt"] == ["spam 1.2.3.4"], a
z = by[("1.2.3.4", "zen.spamhaus.org")]
assert z["codes"] == [{"address": "127.0.0.4", "name": "XBL"}], z
n = by[("5.6.7.8", "bl.test")]
assert not n["listed"] and n["codes"] == [] and n["txt"] == [] and n["error"] is None, n
e = by[("192.0.2.254", "bl.test")]
assert not e["listed"] and e["error"].startswith("list service error 127.255.255.254"), e
d = by[("bad.example", "dbl.test")]
assert d["listed"] and d["query"] == "bad.example.dbl.test", d
b = by[("nonsense@", None)]
assert b["query"] is None and b["error"] == "not an IP address or a domain name", b
print("ok %d" % len(objs))
PY
)
check "JSON lines parse and have the documented shape" "$json" '^ok 11$'

# ---- standard input: many items, comments, blanks --------------------------
python3 - >items.txt <<'PY'
for i in range(20000):
    print("10.%d.%d.1" % (i // 256, i % 256) if i % 10 == 0 else
          "172.16.%d.%d" % (i // 256, i % 256))
PY
t0=$(date +%s%N)
"$Q" -z bl.test "$AT" <items.txt >many.out
rc=$?
t1=$(date +%s%N)
check_eq "stdin: one line per item" "$(wc -l <many.out)" 20000
check_eq "stdin: every 10th listed" "$(grep -c ': listed 127.0.0.3' many.out)" 2000
check_eq "stdin: no errors" "$(grep -c ': error' many.out)" 0
check_eq "stdin: output in input order" "$(cut -d' ' -f1 many.out | cmp - items.txt && echo same)" same
check_eq "stdin: exit 1" "$rc" 1
echo "20000 items from stdin in $(((t1 - t0) / 1000000)) ms"
run -z bl.test "$AT" <<'EOF'
# a comment line
1.2.3.4   5.6.7.8	# two on a line, then a comment
   2001:db8::1

EOF
check_eq "stdin: blanks and comments" "$(awk '{print $1}' <<<"$out" | tr '\n' ' ')" \
	"1.2.3.4 5.6.7.8 2001:db8::1 "
out=$(echo 1.2.3.4 | "$Q" -z bl.test "$AT" -)
check "\"-\" reads standard input" "$out" '^1\.2\.3\.4 bl\.test: listed'
run -q -z bl.test "$AT" 1.2.3.4 5.6.7.8
check_eq "-q: only listed items" "$out" '1.2.3.4 bl.test: listed 127.0.0.2 "spam 1.2.3.4"'

# ---- --check ---------------------------------------------------------------
run --check bl.test -c cfg.yaml "$AT"
check "--check OK, IPv4 and IPv6 test points from the config" "$out" \
	'^DNSBL OK - bl\.test: 127\.0\.0\.2 listed, 127\.0\.0\.1 not listed, ::ffff:7f00:2 listed, ::ffff:7f00:1 not listed, SOA serial 42, 2 NS, [0-9.]+ ms \| time='
check_eq "--check OK exits 0" "$rc" 0
run --check dbl.test -c cfg.yaml "$AT"
check "--check of a domain zone" "$out" \
	'^DNSBL OK - dbl\.test: test listed, invalid not listed, SOA serial [0-9]+, 1 NS, '
run --check pol.test --type ip4 "$AT"
check "--check --type ip4; no NS is a WARNING" "$out" \
	'^DNSBL WARNING - pol\.test: 127\.0\.0\.2 listed, 127\.0\.0\.1 not listed, SOA serial [0-9]+, no NS, [0-9.]+ ms \|'
check_eq "--check WARNING exits 1 (no NS)" "$rc" 1
run --check broken.test "$FAT"
check "--check: 127.0.0.2 not listed is CRITICAL" "$out" \
	'^DNSBL CRITICAL - broken\.test: 127\.0\.0\.2 not listed \(RFC 5782: must be\), 127\.0\.0\.1 not listed, SOA serial 77, 1 NS'
check_eq "--check CRITICAL exits 2" "$rc" 2
run --check wild.test "$FAT"
check "--check: 127.0.0.1 listed is CRITICAL" "$out" \
	'^DNSBL CRITICAL - wild\.test: 127\.0\.0\.2 listed, 127\.0\.0\.1 listed \(RFC 5782: must not be\)'
run --check slow.test --warn-ms 100 "$FAT"
check "--check: a slow answer is a WARNING" "$out" \
	'^DNSBL WARNING - slow\.test: 127\.0\.0\.2 listed, 127\.0\.0\.1 not listed, SOA serial 77, 1 NS, [0-9]+ ms \(over 100 ms\) \| time=[0-9.]+ms;100;$'
check_eq "--check WARNING exits 1" "$rc" 1
run --check slow.test --warn-ms 50 --crit-ms 100 "$FAT"
check_eq "--check: --crit-ms" "$rc" 2
run --check silent.test -t 0.3 --tries 1 "$FAT"
check "--check: timeouts are CRITICAL" "$out" '^DNSBL CRITICAL - silent\.test: 127\.0\.0\.2: timeout'
run --check bl.test --type ip5 "$AT"
check "--check: bad usage is UNKNOWN" "$out" '^DNSBL UNKNOWN - --type ip5'
check_eq "--check: UNKNOWN exits 3" "$rc" 3

# ---- usage and config ------------------------------------------------------
run -h
check "-h prints usage" "$out" '^usage: dnsbl-query '
check_eq "-h exits 0" "$rc" 0
run --help
check "--help prints usage" "$out" '^usage: dnsbl-query '
run "$AT" 1.2.3.4
check "no zone" "$out" 'no zone: give -z ZONE or -c FILE'
check_eq "bad usage exits 2" "$rc" 2
run -z bl.test --tries 0 1.2.3.4
check_eq "bad --tries exits 2" "$rc" 2
run -z bl.test "@[::1" 1.2.3.4
check "bad server" "$out" 'expected @\[ADDRESS\]:PORT'
sed 's/127.0.0.3: "spam network"/127.0.0.x: "spam network"/' cfg.yaml >badcodes.yaml
run -c badcodes.yaml "$AT" 1.2.3.4
check "bad codes: file:line" "$out" \
	'badcodes\.yaml:12: zones\.bl\.test\.codes\.127\.0\.0\.x: "127\.0\.0\.x" is not an IPv4 address'
check_eq "bad config exits 2" "$rc" 2

srv_report
