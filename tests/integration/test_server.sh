#!/bin/bash
# test_server.sh -- dnsbld's answers (issue 3, "Answers"), end to end.
#
# Writes rbldnsd-format feeds and a YAML config, loads them with the real
# dnsbl-loader, starts the real dnsbld on 127.0.0.1/::1 (a free port in 5460-5464) and checks
# every answer rule with dig, kdig, the c-ares client and dnsq.py: listed
# A/TXT/ANY with `$` expansion, unions across datasets, NODATA for other
# types, NXDOMAIN with the SOA and its negative TTL, empty non-terminals,
# apex SOA/NS (data, config, default), RFC 5782 test points, combined
# subzones, acl actions, 0x20, TTLs, $TIMESTAMP expiry, and a loader commit
# seen without restart.
set -u
. "$SRCDIR/tests/integration/server_lib.sh"
srv_workdir server
srv_pick_port 5460 5464
cd "$WORK" || exit 1

# ---- data ------------------------------------------------------------------
cat >spam.ip4set <<'EOF'
$SOA 3600 ns1.bl.test hostmaster.bl.test 0 600 300 86400 120
$NS 3600 ns1.bl.test ns2.example.net
$TTL 900
1.2.3.4 :2:spam $
10.0.0.0/8 :3:net $
!10.1.0.0/16
192.0.2.0/24 :2:spam $
127.0.0.1 :2:the data lists 127.0.0.1
127.0.0.4 :4:four
EOF
for i in $(seq 10 40); do
	echo "192.0.2.77 :2:long text number $i xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx" >>spam.ip4set
done
cat >policy.ip4trie <<'EOF'
:10:pbl $
1.2.3.4
192.0.2.5 :2:spam $
EOF
cat >six.ip6trie <<'EOF'
2001:db8::/32 :2:v6 $
2001:db8:1::/48 :3:more $
!2001:db8:dead::/48
EOF
cat >dom.dnset <<'EOF'
*.wild.com :2:wild $
.both.org :3:both $
exact.net :4:exact $
a.b.deep.org :5
invalid :2:the data lists invalid
EOF
cat >gen.generic <<'EOF'
mail MX 10 mx.example.net.
info TXT "generic text"
host 120 A 192.0.2.1
EOF
cat >comb.combined <<'EOF'
$SOA 600 ns.zen.test hostmaster.zen.test 42 600 300 86400 60
$DATASET ip4set:sbl @
1.2.3.4 :2:sbl $
$DATASET ip4set:xbl xbl
5.6.7.8 :4:xbl $
$DATASET dnset:dbl dbl.sub
bad.com :2:dbl $
EOF
echo "5.5.5.5" >plain.ip4set
printf '$TIMESTAMP 2020:01:01 2020:01:02\n1.2.3.4\n' >old.ip4set
echo "6.6.6.6 :6:later" >later.ip4set
cat >clients.acl <<'EOF'
127.0.0.2 :refuse
127.0.0.3 :ignore
127.0.0.4 :empty
127.0.0.5 :7:always $
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
  gen: {type: generic, files: [gen.generic]}
  comb: {type: combined, files: [comb.combined]}
  plain: {type: ip4set, files: [plain.ip4set]}
  later: {type: ip4set, files: [later.ip4set]}
  clients: {type: acl, files: [clients.acl]}
  old: {type: ip4set, files: [old.ip4set]}
zones:
  bl.test: {datasets: [spam, policy]}
  v6.test: {datasets: [six]}
  dbl.test: {datasets: [dom, gen]}
  zen.test: {datasets: [comb]}
  nosoa.test: {datasets: [plain], ttl: 300}
  later.test: {datasets: [later]}
  acl.test: {datasets: [spam], acl: clients}
  expired.test: {datasets: [old]}
  cfg.test:
    datasets: [spam]
    ttl: 60
    ns: [ns.cfg.test]
    soa: {mname: ns.cfg.test, rname: hostmaster@cfg.test, minimum: 30}
EOF
"$BIN/dnsbl-loader" -q -c cfg.yaml load spam policy six dom gen comb plain clients old ||
	{ echo "loader failed"; exit 1; }
srv_start cfg.yaml $PORT -w 2

q() { $DNSQ $PORT "$@"; }
dg() { dig -p $PORT @127.0.0.1 +norec +time=2 +tries=1 "$@"; }
v6name() { # reversed nibble name of an IPv6 address
	python3 -c "import ipaddress,sys;print('.'.join(reversed(ipaddress.ip_address(sys.argv[1]).exploded.replace(':',''))))" "$1"
}

# ---- listed: A, TXT, ANY, `$`, union, dedup, TTL ---------------------------
out=$(q 4.3.2.1.bl.test A)
check "listed A: NOERROR, AA" "$out" '^rcode=NOERROR .*flags=qr,aa,rd '
check "union of A across datasets (spam)" "$out" '^an: 4\.3\.2\.1\.bl\.test\. 900 IN A 127\.0\.0\.2$'
check "union of A across datasets (policy), smallest TTL" "$out" '^an: 4\.3\.2\.1\.bl\.test\. 900 IN A 127\.0\.0\.10$'
check "no authority in a positive answer" "$out" ' ns=0 '
out=$(q 4.3.2.1.bl.test TXT)
check "TXT with \$ = queried IP" "$out" '^an: .* TXT "spam 1\.2\.3\.4"$'
check "TXT of the second dataset" "$out" '^an: .* TXT "pbl 1\.2\.3\.4"$'
out=$(q 5.2.0.192.bl.test ANY)
check "identical A from two datasets once" "$out" ' an=2 '
check "ANY gives A" "$out" '^an: .* A 127\.0\.0\.2$'
check "ANY gives TXT" "$out" '^an: .* TXT "spam 192\.0\.2\.5"$'
out=$(dg +short 9.9.2.10.bl.test TXT)
check "range listing with \$ (dig)" "$out" '^"net 10\.2\.9\.9"$'
check_eq "exclusion hides the /8 (dig)" "$(dg +short 9.9.1.10.bl.test A)" ""
out=$(q 9.9.1.10.bl.test A)
check "excluded address: NXDOMAIN" "$out" '^rcode=NXDOMAIN'
out=$(kdig -p $PORT @127.0.0.1 +norec 9.9.2.10.bl.test A)
check "kdig: /8 listing" "$out" 'IN[[:space:]]+A[[:space:]]+127\.0\.0\.3'
check "kdig: aa flag" "$out" 'Flags: qr aa'

# ---- not listed, other types, NXDOMAIN/NODATA with SOA ---------------------
out=$(q 5.0.0.1.bl.test A)
check "not listed: NXDOMAIN" "$out" '^rcode=NXDOMAIN .*flags=qr,aa,rd '
check "NXDOMAIN carries the SOA, TTL = min(TTL, MINIMUM)" "$out" '^ns: bl\.test\. 120 IN SOA ns1\.bl\.test\. hostmaster\.bl\.test\. [0-9]+ 600 300 86400 120$'
for t in AAAA MX CAA TYPE666 NS SOA SRV PTR; do
	out=$(q 4.3.2.1.bl.test $t)
	check "$t on a listed name: NODATA" "$out" '^rcode=NOERROR .* an=0 ns=1 '
	check "$t NODATA has the SOA" "$out" '^ns: bl\.test\. 120 IN SOA '
done
out=$(q 4.0.0.127.bl.test TXT)
check "TXT on a name listed with A only (no TXT): answer" "$out" 'TXT "four"'
out=$(q 4.3.2.1.bl.test A --class 3)
check "CH class outside version.*: REFUSED" "$out" '^rcode=REFUSED'
out=$(dg +short version.bind CH TXT)
check "version.bind CH TXT" "$out" '^"dnsbld '

# ---- empty non-terminals ---------------------------------------------------
for n in 127 0.127 0.0.127 1 2.1 3.2.1 10 2.10 2.0.192; do
	out=$(q $n.bl.test A)
	check "ENT $n.bl.test: NODATA" "$out" '^rcode=NOERROR .* an=0 ns=1 '
done
for n in 9 9.9 9.9.9 1.10 1.1.10 3.3.3.2.1; do
	out=$(q $n.bl.test A)
	check "$n.bl.test (nothing below): NXDOMAIN" "$out" '^rcode=NXDOMAIN'
done
out=$(q 8.b.d.0.1.0.0.2.v6.test A)
check "ENT: IPv6 nibble prefix" "$out" '^rcode=NOERROR .* an=0 '
out=$(q 9.b.d.0.1.0.0.2.v6.test A)
check "IPv6 nibble prefix with nothing below: NXDOMAIN" "$out" '^rcode=NXDOMAIN'
out=$(q deep.org.dbl.test A)
check "ENT: dnset parent" "$out" '^rcode=NOERROR .* an=0 '
out=$(q org.dbl.test A)
check "ENT: dnset grandparent" "$out" '^rcode=NOERROR .* an=0 '
out=$(q other.org.dbl.test A)
check "dnset sibling: NXDOMAIN" "$out" '^rcode=NXDOMAIN'
out=$(q sub.zen.test A)
check "ENT: between a zone and a combined subzone" "$out" '^rcode=NOERROR .* an=0 '
out=$(q xbl.zen.test A)
check "combined subzone apex: NODATA" "$out" '^rcode=NOERROR .* an=0 '

# ---- IPv6, forms -----------------------------------------------------------
out=$(q "$(v6name 2001:db8::1).v6.test" TXT)
check "IPv6 TXT: \$ in compressed form" "$out" 'TXT "v6 2001:db8::1"$'
out=$(q "$(v6name 2001:db8:1::5).v6.test" A)
check "IPv6 longest prefix" "$out" 'A 127\.0\.0\.3$'
out=$(q "$(v6name 2001:db8:dead::1).v6.test" A)
check "IPv6 exclusion" "$out" '^rcode=NXDOMAIN'
out=$(q 1.0.0.0.bl.test A)
check "IPv4 zone: 4 labels not listed" "$out" '^rcode=NXDOMAIN'
out=$(q "$(v6name 2001:db8::a00:5).bl.test" A)
check "a 32-label name is never answered by a 4-label IPv4 entry" "$out" '^rcode=NXDOMAIN'
out=$(q x.4.3.2.1.bl.test A)
check "5 labels below an IPv4 zone: NXDOMAIN" "$out" '^rcode=NXDOMAIN'
out=$(q "$(v6name ::ffff:1.2.3.4).bl.test" A)
check "v4-mapped name answered from IPv4 data (as rbldnsd)" "$out" 'A 127\.0\.0\.10$'

# ---- RFC 5782 test points --------------------------------------------------
out=$(q 2.0.0.127.nosoa.test A)
check "127.0.0.2 listed although the data lacks it" "$out" 'A 127\.0\.0\.2$'
out=$(q 2.0.0.127.nosoa.test TXT)
check "127.0.0.2 test TXT" "$out" 'TXT "RFC 5782 test point"$'
out=$(q 1.0.0.127.bl.test A)
check "127.0.0.1 never listed although the data lists it" "$out" '^rcode=NXDOMAIN'
out=$(q "$(v6name ::ffff:7f00:2).v6.test" A)
check "::ffff:7f00:2 listed in an IPv6 zone" "$out" 'A 127\.0\.0\.2$'
out=$(q "$(v6name ::ffff:7f00:1).v6.test" A)
check "::ffff:7f00:1 never listed" "$out" '^rcode=NXDOMAIN'
out=$(q f.f.f.f.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.v6.test A)
check "ENT above ::ffff:7f00:2" "$out" '^rcode=NOERROR .* an=0 '
out=$(q test.dbl.test A)
check "domain zone lists 'test'" "$out" 'A 127\.0\.0\.2$'
out=$(q invalid.dbl.test A)
check "domain zone never lists 'invalid', whatever the data" "$out" '^rcode=NXDOMAIN'

# ---- dnset and generic -----------------------------------------------------
out=$(q x.y.wild.com.dbl.test TXT)
check "dnset wildcard, \$ = the base name" "$out" 'TXT "wild wild\.com"$'
out=$(q wild.com.dbl.test A)
check "*.d does not list d itself" "$out" '^rcode=NOERROR .* an=0 '
out=$(q both.org.dbl.test TXT)
check ".d lists d" "$out" 'TXT "both both\.org"$'
out=$(q z.both.org.dbl.test A)
check ".d lists subdomains" "$out" 'A 127\.0\.0\.3$'
out=$(q exact.net.dbl.test TXT)
check "dnset exact" "$out" 'TXT "exact exact\.net"$'
out=$(q mail.dbl.test MX)
check "generic MX" "$out" '^an: mail\.dbl\.test\. [0-9]+ IN MX 10 mx\.example\.net\.$'
out=$(q info.dbl.test TXT)
check "generic TXT" "$out" 'TXT "generic text"$'
out=$(q host.dbl.test A)
check "generic A with its own TTL" "$out" '^an: host\.dbl\.test\. 120 IN A 192\.0\.2\.1$'
out=$(q mail.dbl.test A)
check "generic name, other type: NODATA" "$out" '^rcode=NOERROR .* an=0 '

# ---- combined --------------------------------------------------------------
out=$(q 4.3.2.1.zen.test A)
check "combined @ subzone" "$out" 'A 127\.0\.0\.2$'
out=$(q 8.7.6.5.xbl.zen.test TXT)
check "combined xbl subzone" "$out" 'TXT "xbl 5\.6\.7\.8"$'
out=$(q 8.7.6.5.zen.test A)
check "only the most specific subzone answers" "$out" '^rcode=NXDOMAIN'
out=$(q bad.com.dbl.sub.zen.test A)
check "combined dnset subzone" "$out" 'A 127\.0\.0\.2$'
out=$(q zen.test SOA)
check "combined \$SOA with its serial" "$out" '^an: zen\.test\. 600 IN SOA ns\.zen\.test\. hostmaster\.zen\.test\. 42 '

# ---- apex ------------------------------------------------------------------
out=$(q bl.test SOA)
check "apex SOA from \$SOA" "$out" '^an: bl\.test\. 3600 IN SOA ns1\.bl\.test\. hostmaster\.bl\.test\. [1-9][0-9]* 600 300 86400 120$'
out=$(q bl.test NS)
check "apex NS from \$NS (1)" "$out" '^an: bl\.test\. 3600 IN NS ns1\.bl\.test\.$'
check "apex NS from \$NS (2)" "$out" '^an: bl\.test\. 3600 IN NS ns2\.example\.net\.$'
out=$(q bl.test ANY)
check "apex ANY: SOA" "$out" 'IN SOA '
check "apex ANY: NS" "$out" 'IN NS '
out=$(q bl.test A)
check "apex A: NODATA, never NXDOMAIN" "$out" '^rcode=NOERROR .* an=0 ns=1 '
out=$(q 4.3.2.1.bl.test NS)
check "NS below the apex: NODATA" "$out" '^rcode=NOERROR .* an=0 '
out=$(q nosoa.test SOA)
check "default SOA when none is given" "$out" '^an: nosoa\.test\. 300 IN SOA nosoa\.test\. hostmaster\.nosoa\.test\. [1-9][0-9]* 3600 900 604800 300$'
out=$(q nosoa.test NS)
check "no NS anywhere: NODATA, not REFUSED" "$out" '^rcode=NOERROR .* an=0 ns=1 '
out=$(q 5.5.5.5.nosoa.test A)
check "zone ttl from the config" "$out" '^an: 5\.5\.5\.5\.nosoa\.test\. 300 IN A 127\.0\.0\.2$'
out=$(q 1.1.1.1.nosoa.test A)
check "negative TTL from the default SOA" "$out" '^ns: nosoa\.test\. 300 IN SOA'
out=$(q cfg.test SOA)
check "SOA from the config wins over \$SOA" "$out" '^an: cfg\.test\. 60 IN SOA ns\.cfg\.test\. hostmaster\.cfg\.test\. '
out=$(q cfg.test NS)
check "NS from the config" "$out" '^an: cfg\.test\. 60 IN NS ns\.cfg\.test\.$'
out=$(q 4.3.2.1.cfg.test A)
check "config ttl wins over \$TTL" "$out" '^an: 4\.3\.2\.1\.cfg\.test\. 60 IN A 127\.0\.0\.2$'
out=$(q 9.9.9.9.cfg.test A)
check "negative TTL = min(SOA TTL 60, MINIMUM 30)" "$out" '^ns: cfg\.test\. 30 IN SOA '
out=$(q 2.0.0.127.bl.test A)
check "default TTL 2100 when no \$TTL/config (test point in bl.test uses \$TTL)" "$out" ' IN A 127\.0\.0\.2$'
out=$(q 6.6.6.6.later.test A)
check "zone whose dataset is not loaded yet: NXDOMAIN" "$out" '^rcode=NXDOMAIN'
out=$(q 2.0.0.127.later.test A)
check "zone without data: test point, default TTL 2100" "$out" '^an: 2\.0\.0\.127\.later\.test\. 2100 IN A 127\.0\.0\.2$'
out=$(q later.test SOA)
check "zone without data: default SOA" "$out" '^an: later\.test\. 2100 IN SOA later\.test\. hostmaster\.later\.test\. '

out=$(q 4.3.2.1.expired.test A)
check "data past its \$TIMESTAMP expiry: SERVFAIL (as rbldnsd)" "$out" '^rcode=SERVFAIL .*flags=qr,rd '

# ---- outside every zone, 0x20 ----------------------------------------------
out=$(q 4.3.2.1.nowhere.example A)
check "outside every zone: REFUSED without AA" "$out" '^rcode=REFUSED .*flags=qr,rd '
out=$(q test A)
check "a parent of the zones: REFUSED" "$out" '^rcode=REFUSED'
out=$(q 4.3.2.1.Bl.TeSt A)
check "0x20: question echoed in the client's case" "$out" '^q: 4\.3\.2\.1\.Bl\.TeSt\. IN A$'
check "0x20: answer owner in the client's case" "$out" '^an: 4\.3\.2\.1\.Bl\.TeSt\. 900 IN A'
out=$(q 9.9.9.9.BL.test A)
check "0x20: names match case-insensitively" "$out" '^ns: BL\.test\. 120 IN SOA'

# ---- acl -------------------------------------------------------------------
out=$(dg +short 4.3.2.1.acl.test A)
check "acl: client without entry passes" "$out" '^127\.0\.0\.2$'
out=$(dg -b 127.0.0.2 4.3.2.1.acl.test A)
check "acl :refuse" "$out" 'status: REFUSED'
out=$(dg -b 127.0.0.3 4.3.2.1.acl.test A)
check "acl :ignore drops the query" "$out" 'timed out|no servers could be reached'
out=$(dg -b 127.0.0.4 4.3.2.1.acl.test A)
check "acl :empty answers as not listed" "$out" 'status: NXDOMAIN'
out=$(dg -b 127.0.0.4 acl.test SOA)
check "acl :empty still has the apex" "$out" 'status: NOERROR'
out=$(dg -b 127.0.0.5 +short 9.9.9.9.acl.test A)
check "acl always listed: A" "$out" '^127\.0\.0\.7$'
out=$(dg -b 127.0.0.5 +short 9.9.9.9.acl.test TXT)
check "acl always listed: \$ = client IP" "$out" '^"always 127\.0\.0\.5"$'

# ---- IPv6 transport, c-ares ------------------------------------------------
out=$(dig -p $PORT @::1 +norec +short 4.3.2.1.bl.test TXT)
check "IPv6 listener" "$out" '"spam 1\.2\.3\.4"'
CQ="$BIN/cares_query"
out=$($CQ 127.0.0.1:$PORT 4.3.2.1.bl.test A)
check "c-ares A" "$out" '^A 127\.0\.0\.10 ttl=900$'
check "c-ares A (2)" "$out" '^A 127\.0\.0\.2 ttl=900$'
out=$($CQ 127.0.0.1:$PORT 4.3.2.1.bl.test TXT)
check "c-ares TXT" "$out" '^TXT spam 1\.2\.3\.4$'
out=$($CQ 127.0.0.1:$PORT 5.0.0.1.bl.test A)
check "c-ares NXDOMAIN" "$out" '^NXDOMAIN$'
out=$($CQ 127.0.0.1:$PORT 4.3.2.1.bl.test SOA)
check "c-ares NODATA" "$out" '^NODATA$'
out=$($CQ 127.0.0.1:$PORT bl.test SOA)
check "c-ares SOA" "$out" '^SOA ns1\.bl\.test hostmaster\.bl\.test '
out=$($CQ -t "[::1]:$PORT" 2.0.0.127.bl.test TXT)
check "c-ares over TCP/IPv6" "$out" '^TXT '
out=$($CQ -t 127.0.0.1:$PORT 77.2.0.192.bl.test TXT | grep -c '^TXT long text')
check_eq "c-ares over TCP gets every TXT" "$out" 31

# ---- a loader commit is answered without restart or signal -----------------
"$BIN/dnsbl-loader" -q -c cfg.yaml load later || echo "loader failed"
out=$(q 6.6.6.6.later.test TXT)
check "newly loaded dataset answered by the running server" "$out" 'TXT "later"$'
echo "1.2.3.4 :2:spam $" >spam.ip4set.new
grep -v '^1\.2\.3\.4' spam.ip4set | grep -v '^10\.' >>spam.ip4set.new
mv spam.ip4set.new spam.ip4set
"$BIN/dnsbl-loader" -q -c cfg.yaml load spam || echo "loader failed"
out=$(q 9.9.2.10.bl.test A)
check "delisted range gone after the next commit" "$out" '^rcode=NXDOMAIN'

# ---- clean exit ------------------------------------------------------------
kill -TERM "$SRV_PID"
wait "$SRV_PID"
check_eq "exit status 0 on SIGTERM" "$?" 0
# The one query dropped is the acl :ignore one; the wake-up of the UDP
# threads at shutdown is not a query to count.
out=$(grep -E '^dnsbld: worker [0-9]+: [0-9]+ queries' "$WORK/dnsbld.log")
check "both workers report their queries" "$out" 'worker 1: [1-9][0-9]* queries'
check_eq "only the ignored query counted as dropped" \
	"$(awk '{ n += $(NF - 1) } END { print n + 0 }' <<<"$out")" 1
if grep -qiE 'error|sanitizer' "$WORK/dnsbld.log"; then
	check "no errors in the server log" "$(cat "$WORK/dnsbld.log")" '^$NEVER'
fi
srv_report
