#!/bin/bash
# test_e2e_unbound.sh -- dnsbld behind Debian's Unbound ("End to end with
# real software").
#
# In private namespaces (e2e/e2e_lib.sh) the test loads IPv4, IPv6 and
# domain lists with the real dnsbl-loader, starts the real dnsbld on
# 127.0.0.1 and an Unbound of its own on 127.0.0.1:53 with one stub zone
# per DNSBL zone and QNAME minimisation on, first relaxed, then strict
# (`qname-minimisation-strict: yes`).  In both modes: listed, unlisted,
# range, RFC 5782 test point, IPv6 and domain queries through Unbound give
# dnsbld's own answers; dnsbld's query log shows Unbound's minimised
# queries (empty non-terminals, answered NODATA); and an NXDOMAIN is cached
# for the SOA minimum (5 s): an address listed by hand (dnsbl-ctl add)
# right after it was asked for stays NXDOMAIN through Unbound until the
# minimum has passed, then is listed.
set -u
. "$SRCDIR/tests/integration/e2e/e2e_lib.sh"
e2e_need unshare ip unbound unbound-checkconf dig
e2e_enter "$0"
srv_workdir e2e-unbound
srv_pick_port 5470 5479
cd "$WORK" || exit 1

# ---- data and config --------------------------------------------------------
cat >spam.ip4set <<'EOF'
192.0.2.1 :2:spam $
10.0.0.0/8 :3:net $
EOF
cat >six.ip6trie <<'EOF'
2001:db8::/32 :2:v6 $
EOF
cat >dom.dnset <<'EOF'
.spammer.example :2:domain $
EOF
chmod 644 ./*
NEG=5 # the SOA minimum: how long an NXDOMAIN may be cached
cat >cfg.yaml <<EOF
store: store
listen: ["127.0.0.1:$PORT"]
datasets:
  spam: {type: ip4set, files: [spam.ip4set]}
  handlist: {type: ip4set, manual: true}
  six: {type: ip6trie, files: [six.ip6trie]}
  dom: {type: dnset, files: [dom.dnset]}
zones:
  bl.dnsbl.test:
    datasets: [spam, handlist]
    ttl: 900
    soa: {mname: ns.dnsbl.test, rname: hostmaster@dnsbl.test, ttl: 1h, minimum: $NEG}
  v6.dnsbl.test:
    datasets: [six]
    soa: {mname: ns.dnsbl.test, rname: hostmaster@dnsbl.test, minimum: $NEG}
  dbl.dnsbl.test:
    datasets: [dom]
    soa: {mname: ns.dnsbl.test, rname: hostmaster@dnsbl.test, minimum: $NEG}
server:
  workers: 1
  query_log: queries.log
  query_log_unbuffered: true
EOF
"$BIN/dnsbl-loader" -q -c cfg.yaml load || { echo "loader failed"; exit 1; }
srv_start cfg.yaml "$PORT"

# direct: dnsbld itself; ub: through Unbound (recursion desired)
direct() { dig @127.0.0.1 -p "$PORT" +norec +time=2 +tries=1 "$@"; }
ub() { dig @127.0.0.1 -p 53 +time=3 +tries=1 "$@"; }
status() { sed -n 's/.*status: \([A-Z]*\),.*/\1/p' <<<"$1"; }
v6name() {
	python3 -c "import ipaddress,sys;print('.'.join(reversed(ipaddress.ip_address(sys.argv[1]).exploded.replace(':',''))))" "$1"
}

# same MODE NAME TYPE: Unbound's rcode and answer records (sorted) are
# dnsbld's.
same() {
	local mode=$1 name=$2 type=$3 d u
	d=$(direct "$name" "$type")
	u=$(ub "$name" "$type")
	check_eq "$mode: $name $type: rcode through unbound = dnsbld's" "$(status "$u")" "$(status "$d")"
	check_eq "$mode: $name $type: answer through unbound = dnsbld's" \
		"$(ub +short "$name" "$type" | sort)" "$(direct +short "$name" "$type" | sort)"
}

# negative_cache MODE ADDRESS: ADDRESS (unlisted) is asked for through
# Unbound, then listed by hand; until the SOA minimum has passed Unbound
# still answers its cached NXDOMAIN, after it the listing.
negative_cache() {
	local mode=$1 addr=$2 name t0 out left
	name=$(awk -F. '{print $4"."$3"."$2"."$1}' <<<"$addr").bl.dnsbl.test
	t0=$(date +%s.%N)
	out=$(ub "$name" A)
	check "$mode: $addr unlisted: NXDOMAIN through unbound" "$out" 'status: NXDOMAIN'
	check "$mode: the NXDOMAIN's SOA TTL is the minimum" "$out" \
		"^bl\.dnsbl\.test\.[[:space:]]+[0-$NEG][[:space:]]+IN[[:space:]]+SOA"
	"$BIN/dnsbl-ctl" -q -c cfg.yaml add handlist "$addr" :2:added by hand --reason "e2e $mode" ||
		{ FAILS=$((FAILS + 1)); echo "FAIL: dnsbl-ctl add handlist $addr"; }
	check "$mode: dnsbld lists $addr at once" "$(direct +short "$name" A)" '^127\.0\.0\.2$'
	out=$(ub "$name" A)
	left=$(python3 -c "import sys,time;print(int(float(sys.argv[1])+$NEG-time.time()))" "$t0")
	if [ "$left" -ge 1 ]; then
		check "$mode: $addr still NXDOMAIN from unbound's cache (${left}s of the minimum left)" "$out" 'status: NXDOMAIN'
	else
		echo "note: $mode: the cache check came too late (the machine is slow); not counted"
	fi
	# past the minimum (1 s to spare), the listing
	sleep "$(python3 -c "import sys,time;print(max(0,float(sys.argv[1])+$NEG+1-time.time()))" "$t0")"
	out=$(ub "$name" A)
	check "$mode: $addr listed through unbound once the minimum has passed" "$out" \
		"^$name\.[[:space:]]+[0-9]+[[:space:]]+IN[[:space:]]+A[[:space:]]+127\.0\.0\.2$"
	check "$mode: ... with its TXT" "$(ub +short "$name" TXT)" '^"added by hand"$'
}

run_mode() {
	local mode=$1 strict=$2 neg4=$3 neg8=$4 out q n t
	: >queries.log
	unbound_conf "unbound-$mode.conf" "$strict" "$PORT" bl.dnsbl.test v6.dnsbl.test dbl.dnsbl.test
	unbound_start "unbound-$mode.conf"

	# IPv4: a listed address, a range, the RFC 5782 test point, unlisted
	out=$(ub 1.2.0.192.bl.dnsbl.test A)
	check "$mode: listed A through unbound" "$out" \
		'^1\.2\.0\.192\.bl\.dnsbl\.test\.[[:space:]]+[0-9]+[[:space:]]+IN[[:space:]]+A[[:space:]]+127\.0\.0\.2$'
	check "$mode: listed TXT through unbound" "$(ub +short 1.2.0.192.bl.dnsbl.test TXT)" '^"spam 192\.0\.2\.1"$'
	for q in "1.2.0.192 A" "1.2.0.192 TXT" "9.9.9.10 A" "9.9.9.10 TXT" "2.0.0.127 A" \
		"2.0.0.127 TXT" "1.0.0.127 A" "3.2.0.192 A" "1.1.1.11 A" "2.0.192 A" "1.2.0.192 AAAA"; do
		read -r n t <<<"$q"
		same "$mode" "$n.bl.dnsbl.test" "$t"
	done
	check "$mode: the range answers 127.0.0.3" "$(ub +short 9.9.9.10.bl.dnsbl.test A)" '^127\.0\.0\.3$'
	check "$mode: the test point is listed" "$(ub +short 2.0.0.127.bl.dnsbl.test A)" '^127\.0\.0\.2$'
	out=$(ub 1.0.0.127.bl.dnsbl.test A)
	check "$mode: 127.0.0.1 never listed: NXDOMAIN" "$out" 'status: NXDOMAIN'
	out=$(ub 1.1.1.11.bl.dnsbl.test A)
	check "$mode: nothing under 11/8: NXDOMAIN" "$out" 'status: NXDOMAIN'
	out=$(ub 1.2.0.192.bl.dnsbl.test AAAA)
	check "$mode: other type on a listed name: NODATA" "$out" 'status: NOERROR'
	check "$mode: ... no answer" "$out" 'ANSWER: 0,'

	# IPv6
	same "$mode" "$(v6name 2001:db8::1).v6.dnsbl.test" A
	same "$mode" "$(v6name 2001:db8::1).v6.dnsbl.test" TXT
	same "$mode" "$(v6name 2001:db9::1).v6.dnsbl.test" A
	same "$mode" "$(v6name ::ffff:7f00:2).v6.dnsbl.test" A
	check "$mode: IPv6 listed through unbound" "$(ub +short "$(v6name 2001:db8::1).v6.dnsbl.test" TXT)" '^"v6 2001:db8::1"$'
	check "$mode: IPv6 unlisted: NXDOMAIN" "$(ub "$(v6name 2001:db9::1).v6.dnsbl.test" A)" 'status: NXDOMAIN'

	# domains
	for n in spammer.example a.b.spammer.example other.example test invalid; do
		same "$mode" "$n.dbl.dnsbl.test" A
	done
	check "$mode: domain listed through unbound" "$(ub +short spammer.example.dbl.dnsbl.test TXT)" '^"domain spammer\.example"$'
	check "$mode: subdomain listed through unbound" "$(ub +short a.b.spammer.example.dbl.dnsbl.test A)" '^127\.0\.0\.2$'
	check "$mode: domain unlisted: NXDOMAIN" "$(ub other.example.dbl.dnsbl.test A)" 'status: NXDOMAIN'

	# Unbound minimised its queries: it asked dnsbld for the empty
	# non-terminals above the addresses, which answer NOERROR with no record.
	out=$(cat queries.log)
	check "$mode: unbound asked for 192.bl (QNAME minimisation), NODATA" "$out" \
		'^[0-9]+ 127\.0\.0\.1 192\.bl\.dnsbl\.test [A-Z]+ IN: NOERROR/0/'
	check "$mode: unbound asked for 0.0.127.bl, NODATA" "$out" \
		'^[0-9]+ 127\.0\.0\.1 0\.0\.127\.bl\.dnsbl\.test [A-Z]+ IN: NOERROR/0/'
	check "$mode: unbound asked for example.dbl, NODATA" "$out" \
		'^[0-9]+ 127\.0\.0\.1 example\.dbl\.dnsbl\.test [A-Z]+ IN: NOERROR/0/'
	check "$mode: unbound asked for the full names too" "$out" \
		'^[0-9]+ 127\.0\.0\.1 1\.2\.0\.192\.bl\.dnsbl\.test (A|TXT) IN: NOERROR/1/'

	# negative caching for the SOA minimum: an address under a listed /24
	# (its parents are empty non-terminals) and one in a /8 with nothing in
	# it (Unbound minimises to 198.bl, NXDOMAIN, and caches that too)
	negative_cache "$mode" "$neg4"
	negative_cache "$mode" "$neg8"

	unbound_stop
}

run_mode relaxed no 192.0.2.50 198.51.100.7
run_mode strict yes 192.0.2.51 198.51.100.8

if [ "$FAILS" -ne 0 ]; then
	echo "---- unbound.log"; tail -40 unbound.log
	echo "---- dnsbld.log"; tail -20 dnsbld.log
fi
srv_report
