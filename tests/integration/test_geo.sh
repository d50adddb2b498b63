#!/bin/bash
# test_geo.sh -- country and ASN zones (docs/GEO.md) with the real loader,
# dnsbld, dnsbl-query and Debian's rbldnsd.
#
# A seeded generator writes an unsorted IP-to-country table with nested,
# overlapping and equal ranges, the first and last addresses, IPv6 rows and
# a header, and works out on its own (a sweep in Python) what every address
# must answer: the narrower range wins, then the later line.  It writes that
# answer as an rbldnsd ip4set + ip6trie, and as ip4set the answer of a
# policy zone for two countries with an allow-listed prefix inside one of
# them (the zone serves a spam ip4set too).  dnsbld serves the table
# (country zone, policy zone) and rbldnsd the converted files; thousands of
# queries (each range's edges and their neighbours) must get the same rcode
# and answers.  Then: hand-picked rows
# (what wins), an ASN zone's TXT, dnsbl-query's country names, and
# `dnsbl-loader watch` taking a replaced table as a diff.
set -u
. "$SRCDIR/tests/integration/server_lib.sh"
RBLDNSD=${RBLDNSD:-/usr/sbin/rbldnsd}
srv_workdir geo
srv_pick_port 6300 6309
DB_PORT=$PORT
cd "$WORK" || exit 1

python3 - "${GEO_SEED:-1818}" <<'PY' || exit 1
import gzip, heapq, ipaddress, random, sys
rnd = random.Random(int(sys.argv[1]))
CCS = ["CN", "RU", "DE", "US", "FR", "BR", "JP", "NL"]
rows = []      # (family, start, end, cc) in file order

def add(fam, s, e, cc):
    rows.append((fam, s, e, cc))

# IPv4: random ranges, nested narrower ones, equal-width duplicates, edges.
for _ in range(1200):
    s = rnd.randrange(1 << 32)
    if (s >> 24) == 127:
        continue
    e = min(s + rnd.choice([0, 1, 5, 255, 256, 4095, 65535, 70000,
                            1 << 20]), (1 << 32) - 1)
    if (e >> 24) == 127:
        continue
    add(4, s, e, rnd.choice(CCS))
    if rnd.random() < 0.25 and e > s:      # a narrower one inside
        a = rnd.randrange(s, e + 1)
        b = rnd.randrange(a, e + 1)
        add(4, a, b, rnd.choice(CCS))
    if rnd.random() < 0.1:                 # the same range again: later wins
        add(4, s, e, rnd.choice(CCS))
add(4, 0, 255, "AU")
add(4, 0xffffff00, 0xffffffff, "NZ")
# IPv6.
for _ in range(200):
    p = rnd.choice([32, 48, 64, 128])
    s = (rnd.randrange(1 << p)) << (128 - p)
    e = s + (1 << (128 - p)) - 1
    add(6, s, e, rnd.choice(CCS))
    if rnd.random() < 0.3 and p < 128:
        q = p + 16
        a = s + (rnd.randrange(1 << 16) << (128 - q))
        add(6, a, a + (1 << (128 - q)) - 1, rnd.choice(CCS))
add(6, (1 << 128) - (1 << 64), (1 << 128) - 1, "IS")

order = list(range(len(rows)))
rnd.shuffle(order)                         # unsorted input
rows = [rows[i] for i in order]

def text(fam, v):
    return str(ipaddress.ip_address(v) if fam == 6 else ipaddress.IPv4Address(v))

with open("geo.csv", "w") as f:
    f.write("# generated\nip_start,ip_end,country\n")
    for fam, s, e, cc in rows:
        cidr = list(ipaddress.summarize_address_range(
            ipaddress.ip_address(text(fam, s)), ipaddress.ip_address(text(fam, e))))
        if len(cidr) == 1 and rnd.random() < 0.5:
            f.write("%s,%s\n" % (cidr[0], cc.lower() if rnd.random() < 0.1 else cc))
        else:
            f.write("%s,%s,%s\n" % (text(fam, s), text(fam, e), cc))

# The reference: a sweep over each family, narrower first, then later line.
def pieces(fam):
    rs = sorted(((s, e, e - s, -i, cc) for i, (f, s, e, cc) in enumerate(rows)
                 if f == fam))
    out, heap, i, cur = [], [], 0, 0
    top = (1 << (32 if fam == 4 else 128)) - 1
    while True:
        if not heap:
            if i == len(rs):
                break
            cur = rs[i][0]
        while i < len(rs) and rs[i][0] <= cur:
            s, e, w, neg, cc = rs[i]
            heapq.heappush(heap, (w, neg, e, cc))
            i += 1
        while heap and heap[0][2] < cur:
            heapq.heappop(heap)
        if not heap:
            continue
        w, neg, e, cc = heap[0]
        end = e if i == len(rs) else min(e, rs[i][0] - 1)
        if out and out[-1][2] == cc and out[-1][1] + 1 == cur:
            out[-1][1] = end
        else:
            out.append([cur, end, cc])
        if end == top:
            break
        cur = end + 1
    return out

def code(cc):
    return "127.0.%d.%d" % (ord(cc[0]), ord(cc[1]))

p4, p6 = pieces(4), pieces(6)
with open("geo4.data", "w") as f:
    for s, e, cc in p4:
        f.write("%s-%s :%s:%s\n" % (text(4, s), text(4, e), code(cc), cc))
with open("geo6.data", "w") as f:
    for s, e, cc in p6:
        for net in ipaddress.summarize_address_range(
                ipaddress.ip_address(text(6, s)), ipaddress.ip_address(text(6, e))):
            f.write("%s :%s:%s\n" % (net, code(cc), cc))

# The policy zone: CN and RU, minus an allow-listed /24 inside a CN piece.
cn = [p for p in p4 if p[2] == "CN" and p[1] - p[0] >= 1024][0]
allow = ((cn[0] + 512) >> 8) << 8
with open("allow.data", "w") as f:
    f.write("!%s/24\n" % text(4, allow))
with open("pol4.data", "w") as f:
    for s, e, cc in p4:
        if cc not in ("CN", "RU"):
            continue
        for a, b in ((s, min(e, allow - 1)), (max(s, allow + 256), e)):
            if a <= b:
                f.write("%s-%s :%s:%s\n" % (text(4, a), text(4, b), code(cc), cc))
with open("allow.txt", "w") as f:
    f.write("%s\n" % text(4, allow + 7))
# A spam list in the policy zone too: its listings are merged, the
# allow-list does not touch them.
with open("spam.data", "w") as f:
    f.write(":127.0.0.2:spam\n%s\n%s\n" % (text(4, allow + 7), text(4, cn[0])))
    for fam, s, e, cc in rows[:50]:
        if fam == 4:
            f.write("%s\n" % text(4, (s + e) // 2))

# Queries: every row's edges and neighbours, and a point inside.
def rev(fam, v):
    if fam == 4:
        return ".".join(reversed(text(4, v).split(".")))
    return ".".join(reversed("%032x" % v))
qs = set()
for fam, s, e, cc in rows:
    top = (1 << (32 if fam == 4 else 128)) - 1
    for v in (s - 1, s, (s + e) // 2, e, e + 1):
        if 0 <= v <= top and not (fam == 4 and (v >> 24) == 127):
            qs.add((fam, v))
for v in range(allow - 1, allow + 257, 37):
    qs.add((4, v))
qs.update({(4, allow + 7), (4, cn[0])})
with open("queries.txt", "w") as f:
    for fam, v in sorted(qs):
        for zone in ("geo.t", "pol.t") if fam == 4 else ("geo.t",):
            f.write("%s.%s A\n" % (rev(fam, v), zone))
            f.write("%s.%s TXT\n" % (rev(fam, v), zone))
print("%d rows, %d IPv4 and %d IPv6 pieces, %d queries" % (
    len(rows), len(p4), len(p6), 3 * len(qs)))
PY

# Hand-picked rows: what wins, written out.
cat >picked.csv <<'EOF'
network,country
10.1.0.0/16,RU
10.0.0.0/8,CN
10.1.2.0/24,DE
10.9.0.0/24,FR
10.9.0.0/24,IT
2001:db8::/32,NL
2001:db8:1::/48,BE
EOF
cat >asn.csv <<'EOF'
network,asn,name
10.0.0.0/8,64500,BIG-NET
10.1.0.0/16,AS64501,"Small, Inc."
2001:db8::/32,64502
EOF
printf '192.0.2.0\t192.0.2.255\t64503\tUS\tTAB-NET, Inc. $1\n' >>asn.csv
gzip -c picked.csv >picked.csv.gz
cat >cfg.yaml <<EOF
store: store
listen: ["127.0.0.1:$PORT"]
datasets:
  geo: {type: country, files: [geo.csv]}
  picked: {type: country, files: [picked.csv.gz]}
  asn: {type: asn, files: [asn.csv]}
  allow: {type: ip4trie, files: [allow.data]}
  spam: {type: ip4set, files: [spam.data]}
zones:
  geo.t: {datasets: [geo]}
  pol.t: {datasets: [geo, allow, spam], countries: [CN, ru]}
  picked.t: {datasets: [picked]}
  asn.t: {datasets: [asn]}
  asbl.t: {datasets: [asn, allow], asns: [AS64501, 64503]}
EOF
"$BIN/dnsbl-loader" -c cfg.yaml load >load.log 2>&1 ||
	{ echo "loader failed"; cat load.log; exit 1; }
check "the table loads without a warning" "$(cat load.log)" "^geo: country, [0-9]+ lines, [0-9]+ entries, 0 warnings"
srv_start cfg.yaml "$PORT"

# --- rbldnsd on the same data, converted ---------------------------------
if [ -x "$RBLDNSD" ]; then
	srv_pick_port 6310 6319
	RBL_PORT=$PORT
	PORT=$DB_PORT
	RBLDIR=$(mktemp -d /tmp/dnsbld-geo.XXXXXX)
	chmod 755 "$RBLDIR"
	trap 'srv_cleanup; rm -rf "$RBLDIR"' EXIT
	cp geo4.data geo6.data pol4.data spam.data "$RBLDIR/"
	chmod 644 "$RBLDIR"/*
	"$RBLDNSD" -n -b 127.0.0.1/$RBL_PORT -u nobody \
		"geo.t:ip4set:$RBLDIR/geo4.data" "geo.t:ip6trie:$RBLDIR/geo6.data" \
		"pol.t:ip4set:$RBLDIR/pol4.data" "pol.t:ip4set:$RBLDIR/spam.data" \
		>rbldnsd.log 2>&1 &
	SRV_PIDS+=("$!")
	for _ in $(seq 100); do
		$DNSQ $RBL_PORT geo.t SOA --timeout 0.2 | grep '^rcode=' >/dev/null && break
		sleep 0.1
	done
	$DNSQ $RBL_PORT --bulk queries.txt >rbldnsd.out
	$DNSQ "$PORT" --bulk queries.txt >dnsbld.out
	n=$(wc -l <queries.txt)
	diffs=$(diff rbldnsd.out dnsbld.out | grep -c '^>')
	check_eq "dnsbld and rbldnsd (the table as ip4set + ip6trie) agree on $n queries" "$diffs" 0
	[ "$diffs" -eq 0 ] || diff rbldnsd.out dnsbld.out | head -20
	check "the comparison saw listings" "$(grep -c ' A 127.0.67.78' dnsbld.out)" "^[1-9]"
	check "the policy zone lists some, not all" "$(grep -c '^[^ ]*pol.t A NXDOMAIN' dnsbld.out)" "^[1-9]"
else
	echo "rbldnsd not installed: the comparison is skipped"
fi
PORT=$DB_PORT

# --- answers, one by one -------------------------------------------------
q() { $DNSQ "$PORT" "$1" "${2:-A}" | sed -n 's/^an: [^ ]* [0-9]* IN //p' | sort | paste -sd';'; }
check_eq "10.0.0.1: the /8" "$(q 1.0.0.10.picked.t)" "A 127.0.67.78"
check_eq "10.1.0.0: the narrower /16 (written before the /8)" "$(q 0.0.1.10.picked.t)" "A 127.0.82.85"
check_eq "10.1.255.255: its last address" "$(q 255.255.1.10.picked.t)" "A 127.0.82.85"
check_eq "10.2.0.0: the /8 again" "$(q 0.0.2.10.picked.t)" "A 127.0.67.78"
check_eq "10.1.2.9: the /24 inside (lower case in the file)" "$(q 9.2.1.10.picked.t TXT)" "TXT \"DE\""
check_eq "10.9.0.5: two equal ranges, the later line wins" "$(q 5.0.9.10.picked.t TXT)" "TXT \"IT\""
check "11.0.0.1: not in the table" "$($DNSQ "$PORT" 1.0.0.11.picked.t A)" "rcode=NXDOMAIN"
check_eq "2001:db8::1: IPv6" "$(q 1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.picked.t TXT)" "TXT \"NL\""
check_eq "2001:db8:1::1: the /48 inside" "$(q 1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.1.0.0.0.8.b.d.0.1.0.0.2.picked.t TXT)" "TXT \"BE\""
check_eq "asn: 10.0.0.1" "$(q 1.0.0.10.asn.t TXT)" "TXT \"64500 | 10.0.0.0/8 |  |  |  | BIG-NET\""
check_eq "asn: 10.1.2.3, the narrower network" "$(q 3.2.1.10.asn.t TXT)" "TXT \"64501 | 10.1.0.0/16 |  |  |  | Small, Inc.\""
check_eq "asn: an A code too" "$(q 3.2.1.10.asn.t)" "A 127.0.0.2"
check_eq "asn: IPv6, no name" "$(q 1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.asn.t TXT)" "TXT \"64502 | 2001:db8::/32 |  |  | \""
check_eq "asn: ip2asn's columns, with the country" "$(q 9.2.0.192.asn.t TXT)" "TXT \"64503 | 192.0.2.0/24 | US |  |  | TAB-NET, Inc. \$1\""

check_eq "asns: 10.1.2.3 is in AS64501" "$(q 3.2.1.10.asbl.t)" "A 127.0.0.2"
check "asns: 10.0.0.1 (AS64500) is not listed" "$($DNSQ "$PORT" 1.0.0.10.asbl.t A)" "rcode=NXDOMAIN"
check_eq "asns: 192.0.2.9 is in AS64503" "$(q 9.2.0.192.asbl.t TXT)" "TXT \"64503 | 192.0.2.0/24 | US |  |  | TAB-NET, Inc. \$1\""

# dnsbl-ctl export writes the CSV the loader reads: loaded again into a
# store of its own and exported, it is the same.
for ds in geo asn; do
	"$BIN/dnsbl-ctl" -c cfg.yaml export $ds >exp1-$ds.csv
done
sed -e 's|^store: store|store: store2|' -e 's|files: \[geo.csv\]|files: [exp1-geo.csv]|' \
	-e 's|files: \[asn.csv\]|files: [exp1-asn.csv]|' cfg.yaml >cfg2.yaml
"$BIN/dnsbl-loader" -q -c cfg2.yaml load geo asn >load2.log 2>&1
check_eq "the exports load without a warning" "$(cat load2.log)" ""
for ds in geo asn; do
	"$BIN/dnsbl-ctl" -c cfg2.yaml export $ds >exp2-$ds.csv
	check_eq "export of $ds, loaded again, exports the same" \
		"$(diff <(tail -n +2 exp1-$ds.csv) <(tail -n +2 exp2-$ds.csv) | head -5)" ""
done
check "the geo export has the table's prefixes" "$(wc -l <exp1-geo.csv)" "^[0-9]{4,}"

allowed=$(cat allow.txt)
rallowed=$(echo "$allowed" | awk -F. '{print $4"."$3"."$2"."$1}')
check_eq "the allow-listed address inside CN is listed by the spam list only" \
	"$(q "$rallowed.pol.t")" "A 127.0.0.2"
check "...and an address next to it is not listed at all" \
	"$($DNSQ "$PORT" "$(echo "$allowed" | awk -F. '{print $4+1"."$3"."$2"."$1}').pol.t" A)" "rcode=NXDOMAIN"
check "...and still is CN in the country zone" \
	"$($DNSQ "$PORT" "$(echo "$allowed" | awk -F. '{print $4"."$3"."$2"."$1}').geo.t" A)" "an: .* A 127.0.67.78"

out=$("$BIN/dnsbl-query" -c cfg.yaml -z picked.t -z asn.t "@127.0.0.1:$PORT" 10.1.2.9 10.0.0.1 2>&1)
check "dnsbl-query names the country" "$out" '^10.1.2.9 picked.t: listed 127.0.68.69 \(Germany\) "DE"'
check "dnsbl-query shows the AS name" "$out" '^10.0.0.1 asn.t: listed 127.0.0.2 "64500 \| 10.0.0.0/8 \|  \|  \|  \| BIG-NET"'

# --- a replaced table, live ----------------------------------------------
"$BIN/dnsbl-loader" -c cfg.yaml -d 50 watch >watch.log 2>&1 &
WATCH_PID=$!
SRV_PIDS+=("$WATCH_PID")
for _ in $(seq 100); do
	grep -q "asn: asn" watch.log && break
	sleep 0.1
done
sed -e 's|^10.1.2.0/24,DE|10.1.2.0/24,PL|' -e '$a 10.9.0.0/25,ES' picked.csv | gzip -c >picked.new
mv picked.new picked.csv.gz          # rsync's rename over the old file
ok=
for _ in $(seq 100); do
	if [ "$(q 9.2.1.10.picked.t TXT)" = 'TXT "PL"' ]; then ok=1; break; fi
	sleep 0.1
done
check_eq "the replaced table is served" "${ok:-no}" 1
check_eq "the new narrower row wins" "$(q 5.0.9.10.picked.t TXT)" "TXT \"ES\""
check_eq "the rest of the /24 stays IT" "$(q 200.0.9.10.picked.t TXT)" "TXT \"IT\""
check_eq "unchanged rows answer as before" "$(q 0.0.1.10.picked.t)" "A 127.0.82.85"
check "the reload was a diff (unchanged records kept)" "$(grep ' picked: country' watch.log | tail -1)" "records \+[0-9]+ -[0-9]+ =[1-9][0-9]*"
srv_report
