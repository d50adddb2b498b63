#!/usr/bin/env bash
# test_xfr.sh -- zone transfers: AXFR from dnsbld, NOTIFY, and NSD and Knot
# as secondaries that answer like dnsbld.
#
# Loads ip4set (ranges, exclusions, an entry inside an excluded range),
# ip6trie, dnset (wildcards, an exclusion) and a two-dataset zone with the
# real loader, then: `dig AXFR` from an allowed address and from a refused
# one (127.0.0.2, via dig -b); NSD (`nsd -d`) and Knot (`knotd`) on
# loopback ports transfer every zone and answer a sample of listed,
# unlisted, excluded and wildcard names (A and TXT) exactly as dnsbld does;
# after a loader commit dnsbld NOTIFYs them, both transfer again (IXFR:
# the change alone, diffed once for both, smaller than the AXFR), follow
# the new SOA serial and answer the changed names like dnsbld.  Every wait is bounded; the EXIT trap kills everything.
set -uo pipefail
. "$(dirname "$0")/server_lib.sh"

for prog in nsd knotd dig; do
	if ! command -v "$prog" >/dev/null && [ ! -x "/usr/sbin/$prog" ]; then
		echo "SKIP: $prog is not installed (scripts/deps.sh test)"
		exit 77
	fi
done
NSD=$(command -v nsd || echo /usr/sbin/nsd)
KNOTD=$(command -v knotd || echo /usr/sbin/knotd)

srv_workdir xfr

srv_pick_port 27300 27399
DPORT=$PORT
srv_pick_port 27400 27499
NPORT=$PORT
srv_pick_port 27500 27599
KPORT=$PORT
ZONES="bl.test zen.test v6.test dbl.test mix.test comb.test gen.test"

mkdir -p "$WORK/data"
cat >"$WORK/data/spam.ip4set" <<'EOF'
:127.0.0.2:Listed in bl.test
10.0.0.0/8 :127.0.0.3:Big range
!10.1.2.3
!10.2.0.0/16
10.2.3.4 :127.0.0.4:Inside an excluded range
!10.7.0.0/16
192.0.2.1
192.0.2.10-192.0.2.20
198.51.100.0/24
!198.51.100.128/25
203.0.113.7 :127.0.0.5:Single $
2.0.0.0/8 :127.0.0.6:Collides with 2000::/4 in mix.test
EOF
cat >"$WORK/data/policy.ip4set" <<'EOF'
:127.0.0.10:Policy
10.5.0.0/16
192.0.2.15 :127.0.0.11:Policy single
172.16.0.0/12
!172.16.1.1
EOF
cat >"$WORK/data/spam.ip6trie" <<'EOF'
:127.0.0.2:IPv6 listed
2001:db8::/32
!2001:db8:1::/48
2001:db8:1:2::1 :127.0.0.3:One inside
2a00:1450::/29 :127.0.0.4:Another
EOF
cat >"$WORK/data/domains.dnset" <<'EOF'
:127.0.1.2:Domain listed
spam.example
*.phish.example :127.0.1.4:Phishing
.malware.example :127.0.1.5:Malware
!clean.malware.example
a.b.deep.example
*.deep.example :127.0.1.6:Deep wildcard
EOF
cat >"$WORK/data/comb.combined" <<'EOF'
$DATASET ip4set:sbl @
:2:sbl
10.0.0.0/8
!10.1.1.1
$DATASET ip4set:xbl xbl
192.0.2.0/24 :4:xbl
!192.0.2.5
$DATASET dnset:dbl dbl.sub
bad.com :2:dbl
*.worse.com :3:dbl worse
EOF
cat >"$WORK/data/gen.generic" <<'EOF'
mail MX 10 mx.example.net.
info TXT "generic text"
host 120 A 192.0.2.1
EOF
cat >"$WORK/xfr.yaml" <<EOF
store: $WORK/store
listen: ["127.0.0.1:$DPORT"]
datasets:
  spam: {type: ip4set, files: [data/spam.ip4set]}
  policy: {type: ip4set, files: [data/policy.ip4set]}
  spam6: {type: ip6trie, files: [data/spam.ip6trie]}
  domains: {type: dnset, files: [data/domains.dnset]}
  comb: {type: combined, files: [data/comb.combined]}
  gen: {type: generic, files: [data/gen.generic]}
zones:
EOF
for z in $ZONES; do
	case $z in
	bl.test) ds="[spam]" ;;
	zen.test) ds="[spam, policy]" ;;
	v6.test) ds="[spam6]" ;;
	dbl.test) ds="[domains]" ;;
	mix.test) ds="[spam, spam6]" ;;
	comb.test) ds="[comb]" ;;
	gen.test) ds="[gen, domains]" ;;
	esac
	cat >>"$WORK/xfr.yaml" <<EOF
  $z:
    datasets: $ds
    ns: [ns1.$z]
    soa: {mname: ns1.$z, rname: hostmaster@$z, refresh: 1h, minimum: 60}
    transfer:
      allow: [127.0.0.1/32, "::1"]
      notify: ["127.0.0.1:$NPORT", "127.0.0.1:$KPORT"]
EOF
done
cat >>"$WORK/xfr.yaml" <<EOF
server: {workers: 1}
EOF

# ---- the config key: strict like the others ------------------------------
bad_config() {
	sed "0,/allow: \[127.0.0.1\/32, \"::1\"\]/s||$1|" "$WORK/xfr.yaml" >"$WORK/bad.yaml"
	"$BIN/dnsbld" --check-config "$WORK/bad.yaml" 2>&1
	echo "exit=$?"
}
out=$(bad_config 'allow: [10.0.0.1/33]')
check "transfer.allow: a bad prefix length" "$out" 'bad\.yaml:[0-9]+: zones\.bl\.test\.transfer\.allow.*bad prefix length'
check "transfer.allow: exit 2" "$out" '^exit=2$'
out=$(bad_config 'allow: [10.0.0.1/8]')
check "transfer.allow: host bits" "$out" 'host bits set'
out=$(bad_config 'allow: [ns1.example]')
check "transfer.allow: not an address" "$out" 'is not an address or CIDR'
out=$(bad_config 'allowed: [10.0.0.0/8]')
check "transfer: an unknown key" "$out" 'transfer.*allowed'
sed '0,/notify: \[/s//notify: ["127.0.0.1:99999", /' "$WORK/xfr.yaml" >"$WORK/bad.yaml"
out=$("$BIN/dnsbld" --check-config "$WORK/bad.yaml" 2>&1)
check "transfer.notify: a bad port" "$out" 'transfer\.notify.*99999'
out=$("$BIN/dnsbld" --check-config "$WORK/xfr.yaml" 2>&1)
check "the test's config is good" "$out" ': ok \('

"$BIN/dnsbl-loader" -c "$WORK/xfr.yaml" -q load >"$WORK/load.log" 2>&1 ||
	{ echo "load failed:"; cat "$WORK/load.log"; exit 1; }
srv_start "$WORK/xfr.yaml" "$DPORT"

# ---- AXFR with dig: allowed, refused, UDP ---------------------------------
out=$(dig @127.0.0.1 -p "$DPORT" bl.test AXFR +time=5 +tries=1 2>&1)
check "AXFR: SOA first" "$(grep -v '^;' <<<"$out" | grep . | head -1)" \
	'^bl\.test\.[[:space:]].*SOA'
check "AXFR: SOA last" "$(grep -v '^;' <<<"$out" | grep . | tail -1)" \
	'^bl\.test\.[[:space:]].*SOA'
check "AXFR: a range is a wildcard" "$out" '^\*\.10\.bl\.test\..*A[[:space:]]+127\.0\.0\.3'
check "AXFR: an excluded address is a CNAME to excluded.<zone>" "$out" \
	'^3\.2\.1\.10\.bl\.test\..*CNAME[[:space:]]+excluded\.bl\.test\.'
check "AXFR: an excluded /16 is one CNAME" "$out" \
	'^7\.10\.bl\.test\..*CNAME[[:space:]]+excluded\.bl\.test\.'
check_not "AXFR: no wildcard in an excluded /16 with an entry inside" "$out" \
	'^\*\.2\.10\.bl\.test\.'
check "AXFR: the entry inside the excluded /16 is its own name" "$out" \
	'^4\.3\.2\.10\.bl\.test\..*A[[:space:]]+127\.0\.0\.4'
check "AXFR: the test point" "$out" '^2\.0\.0\.127\.bl\.test\..*A[[:space:]]+127\.0\.0\.2'
check "AXFR: TXT \$ of a single address" "$out" '"Single 203\.0\.113\.7"'
check "AXFR: dig counts it" "$out" 'XFR size: [0-9]+ records'
out=$(dig @127.0.0.1 -p "$DPORT" -b 127.0.0.2 bl.test AXFR +time=5 +tries=1 2>&1)
check "AXFR from 127.0.0.2: refused" "$out" 'Transfer failed|REFUSED'
check_not "AXFR from 127.0.0.2: no records" "$out" 'IN[[:space:]]+SOA'
out=$(dig @127.0.0.1 -p "$DPORT" nosuch.zone AXFR +time=5 +tries=1 2>&1)
check "AXFR of a zone not served: NOTAUTH" "$out" 'NOTAUTH|Transfer failed'
out=$($DNSQ "$DPORT" bl.test AXFR)
check "AXFR over UDP: REFUSED" "$out" '^rcode=REFUSED'
out=$(dig @127.0.0.1 -p "$DPORT" bl.test IXFR=1 +time=5 +tries=1 2>&1)
check "IXFR from an old serial: the whole zone" "$out" '^\*\.10\.bl\.test\.'
serial=$(dig @127.0.0.1 -p "$DPORT" bl.test SOA +short | awk '{print $3}')
out=$(dig @127.0.0.1 -p "$DPORT" bl.test "IXFR=$serial" +time=5 +tries=1 2>&1)
check "IXFR from the current serial: the SOA alone" "$out" 'XFR size: 1 records'

# ---- the secondaries ------------------------------------------------------
mkdir -p "$WORK/nsd" "$WORK/knot"
{
	cat <<EOF
server:
  ip-address: 127.0.0.1@$NPORT
  port: $NPORT
  username: ""
  chroot: ""
  zonesdir: "$WORK/nsd"
  database: ""
  zonelistfile: "$WORK/nsd/zone.list"
  xfrdfile: "$WORK/nsd/xfrd.state"
  pidfile: "$WORK/nsd/nsd.pid"
  logfile: "$WORK/nsd/nsd.log"
  verbosity: 2
  xfrd-reload-timeout: 0
remote-control:
  control-enable: no
EOF
	for z in $ZONES; do
		cat <<EOF
zone:
  name: $z
  zonefile: "$z.zone"
  request-xfr: 127.0.0.1@$DPORT NOKEY
  allow-notify: 127.0.0.1 NOKEY
EOF
	done
} >"$WORK/nsd/nsd.conf"
{
	cat <<EOF
server:
  rundir: "$WORK/knot"
  listen: 127.0.0.1@$KPORT
log:
  - target: "$WORK/knot/knot.log"
    any: info
database:
  storage: "$WORK/knot/db"
template:
  - id: default
    storage: "$WORK/knot"
    zonefile-sync: -1
    zonefile-load: none
    journal-content: none
remote:
  - id: dnsbld
    address: 127.0.0.1@$DPORT
acl:
  - id: from_dnsbld
    address: 127.0.0.1
    action: notify
zone:
EOF
	for z in $ZONES; do
		printf '  - domain: %s\n    master: dnsbld\n    acl: from_dnsbld\n' "$z"
	done
} >"$WORK/knot/knot.conf"

# srv_cleanup (the EXIT trap) stops them with dnsbld.
"$NSD" -d -c "$WORK/nsd/nsd.conf" >"$WORK/nsd/stdout.log" 2>&1 &
SRV_PIDS+=($!)
"$KNOTD" -c "$WORK/knot/knot.conf" >"$WORK/knot/stdout.log" 2>&1 &
SRV_PIDS+=($!)

# soa_serial PORT ZONE: the serial a server answers (empty if none).
soa_serial() {
	dig @127.0.0.1 -p "$1" "$2" SOA +short +time=1 +tries=1 2>/dev/null |
		awk 'NF == 7 {print $3}'
}

# wait_serials PORT WANT...: until the server answers each zone's SOA with
# the serial dnsbld has (at most 30 s); 0 when all match.
wait_serials() {
	local port=$1 ok z
	for _ in $(seq 150); do
		ok=1
		for z in $ZONES; do
			[ "$(soa_serial "$port" "$z")" = "$(soa_serial "$DPORT" "$z")" ] ||
				ok=0
		done
		[ "$ok" = 1 ] && return 0
		sleep 0.2
	done
	return 1
}

# The sample: per zone, names of every kind, asked for A and TXT.
python3 - "$WORK/names" <<'PY'
import random, sys
random.seed(7)
v4 = ["127.0.0.2", "127.0.0.1", "10.0.0.0", "10.255.255.255", "10.1.2.3",
      "10.1.2.2", "10.1.2.4", "10.2.0.0", "10.2.3.4", "10.2.3.5", "10.2.255.255", "10.7.1.1", "10.7.0.0",
      "10.3.0.0", "10.5.0.1", "10.5.255.255", "9.255.255.255", "11.0.0.0",
      "192.0.2.1", "192.0.2.2", "192.0.2.9", "192.0.2.10", "192.0.2.15",
      "192.0.2.20", "192.0.2.21", "198.51.100.0", "198.51.100.127",
      "198.51.100.128", "198.51.100.255", "203.0.113.7", "203.0.113.8",
      "172.16.0.0", "172.16.1.1", "172.16.1.2", "172.31.255.255", "172.32.0.0",
      "2.0.0.1", "2.1.2.3", "1.2.3.4", "8.8.8.8"]
for _ in range(150):
    v4.append("10.%d.%d.%d" % (random.choice([0, 1, 2, 3, 5, 7, 9, 200]),
                               random.randrange(256), random.randrange(256)))
    v4.append("%d.%d.%d.%d" % (random.randrange(256), random.randrange(256),
                               random.randrange(256), random.randrange(256)))
def rev4(a):
    return ".".join(reversed(a.split(".")))
def rev6(a):
    import ipaddress
    return ".".join(reversed(ipaddress.ip_address(a).exploded.replace(":", "")))
v6 = ["2001:db8::", "2001:db8::1", "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff",
      "2001:db8:1::1", "2001:db8:1:2::1", "2001:db8:1:2::2", "2001:db8:2::1",
      "2001:db7:ffff::1", "2001:db9::", "2a00:1450::1", "2a00:1457:ffff::1",
      "2a00:1458::", "::ffff:127.0.0.2", "::ffff:127.0.0.1", "2000::1", "2::1"]
for _ in range(80):
    v6.append("2001:db8:%x:%x::%x" % (random.choice([0, 1, 2, 0xffff]),
                                      random.randrange(65536), random.randrange(65536)))
    v6.append("2a00:145%x:%x::%x" % (random.randrange(16), random.randrange(65536),
                                     random.randrange(65536)))
dn = ["spam.example", "x.spam.example", "phish.example", "a.phish.example",
      "b.a.phish.example", "malware.example", "x.malware.example",
      "clean.malware.example", "y.clean.malware.example", "deep.example",
      "b.deep.example", "a.b.deep.example", "z.b.deep.example",
      "c.a.b.deep.example", "x.deep.example", "other.example", "test", "invalid"]
comb = [rev4(a) for a in v4[:120]] + [rev4(a) + ".xbl" for a in v4[:120]] + [
    "1.1.1.10", "1.1.1.10.xbl", "5.2.0.192.xbl", "6.2.0.192.xbl", "5.2.0.192",
    "xbl", "sub", "dbl.sub", "bad.com.dbl.sub", "x.bad.com.dbl.sub",
    "worse.com.dbl.sub", "a.worse.com.dbl.sub", "b.a.worse.com.dbl.sub",
    "good.com.dbl.sub", "bad.com"]
gen = ["mail", "info", "host", "other", "x.mail"] + dn
zones = {"bl.test": [rev4(a) for a in v4], "zen.test": [rev4(a) for a in v4],
         "comb.test": comb, "gen.test": gen,
         "v6.test": [rev6(a) for a in v6], "dbl.test": dn,
         "mix.test": [rev4(a) for a in v4] + [rev6(a) for a in v6]}
with open(sys.argv[1], "w") as f:
    for z, names in zones.items():
        for n in names:
            for t in ("A", "TXT", "MX") if z == "gen.test" else ("A", "TXT"):
                f.write("%s.%s %s\n" % (n, z, t))
PY
wc -l <"$WORK/names" >"$WORK/names.count"

# compare PORT LABEL: every sample name answered as dnsbld answers it (the
# rcode and the A and TXT records; a CNAME to excluded.<zone>, which makes
# an excluded name NXDOMAIN, is left out of the comparison).
compare() {
	local port=$1 label=$2 diffs
	$DNSQ "$DPORT" --bulk "$WORK/names" | sed 's/ | CNAME [^|]*//; s/ CNAME [^|]*$//' >"$WORK/want"
	$DNSQ "$port" --bulk "$WORK/names" |
		sed -E 's/(NOERROR|NXDOMAIN) CNAME excluded\.[a-z0-9.]+( \| )?/\1 /; s/ $//' >"$WORK/got.$label"
	sed -i 's/ $//' "$WORK/want"
	diffs=$(diff "$WORK/want" "$WORK/got.$label" | grep -c '^>' || true)
	check_eq "$label answers $(cat "$WORK/names.count") sample queries as dnsbld" "$diffs" 0
	if [ "$diffs" != 0 ]; then
		diff "$WORK/want" "$WORK/got.$label" | head -20
	fi
	check "$label: the sample has listed names" "$(cat "$WORK/got.$label")" ' NOERROR A 127\.0\.0\.3'
	check "$label: the sample has NXDOMAIN names" "$(cat "$WORK/got.$label")" ' NXDOMAIN'
}

for s in nsd:$NPORT knot:$KPORT; do
	if wait_serials "${s#*:}"; then
		PASSES=$((PASSES + 1))
		compare "${s#*:}" "${s%%:*}"
	else
		FAILS=$((FAILS + 1))
		echo "FAIL: ${s%%:*} did not transfer every zone:"
		tail -20 "$WORK/${s%%:*}/${s%%:*}.log"
	fi
done

# ---- an update: NOTIFY, a new transfer, the changed names ---------------
old=$(soa_serial "$DPORT" bl.test)
sleep 1.1     # the serial is the commit's unix time: let it move
cat >>"$WORK/data/spam.ip4set" <<'EOF'
203.0.113.99 :127.0.0.7:Added by the update
!10.9.0.0/16
EOF
sed -i 's/^192\.0\.2\.1$//' "$WORK/data/spam.ip4set"
"$BIN/dnsbl-loader" -c "$WORK/xfr.yaml" -q load >>"$WORK/load.log" 2>&1 ||
	{ echo "update failed:"; cat "$WORK/load.log"; exit 1; }
new=$(soa_serial "$DPORT" bl.test)
check "the update moved dnsbld's serial" "$([ "$new" -gt "$old" ] && echo up)" up
printf '99.113.0.203.%s A\n1.2.0.192.%s A\n1.0.9.10.%s A\n' bl.test bl.test bl.test >>"$WORK/names"
printf '99.113.0.203.%s TXT\n5.5.9.10.%s A\n' zen.test zen.test >>"$WORK/names"
wc -l <"$WORK/names" >"$WORK/names.count"
for s in nsd:$NPORT knot:$KPORT; do
	label=${s%%:*}
	port=${s#*:}
	if wait_serials "$port"; then
		PASSES=$((PASSES + 1))
		compare "$port" "$label-after-update"
		check "$label: the added address" "$(grep '^99\.113\.0\.203\.bl\.test A' "$WORK/got.$label-after-update")" 'NOERROR A 127\.0\.0\.7'
		check "$label: the removed address" "$(grep '^1\.2\.0\.192\.bl\.test A' "$WORK/got.$label-after-update")" 'NXDOMAIN'
	else
		FAILS=$((FAILS + 1))
		echo "FAIL: $label did not follow the update to serial $new (has $(soa_serial "$port" bl.test))"
	fi
done
check "dnsbld sent NOTIFY and the secondaries answered" "$(cat "$WORK/dnsbld.log")" \
	'NOTIFY of bl\.test serial [0-9]+: 127\.0\.0\.1:[0-9]+ answered'
check "both asked IXFR and got the change alone" \
	"$(grep -c "IXFR of bl\.test serial $old -> $new to 127\.0\.0\.1: started (1 change)" "$WORK/dnsbld.log")" '^[2-9]$'
check "the change was diffed once for both" \
	"$(grep -c "IXFR of bl\.test: the change $old -> $new kept" "$WORK/dnsbld.log")" '^1$'
axfr_bytes=$(grep -Eo "transfer of bl\.test serial $old to [0-9.]+: [0-9]+ records, [0-9]+ messages, [0-9]+ bytes" "$WORK/dnsbld.log" | head -1 | awk '{print $(NF-1)}')
ixfr_bytes=$(grep -Eo "IXFR of bl\.test serial $new to [0-9.]+: [0-9]+ records, [0-9]+ messages, [0-9]+ bytes" "$WORK/dnsbld.log" | head -1 | awk '{print $(NF-1)}')
check "the IXFR ($ixfr_bytes bytes) is smaller than the AXFR ($axfr_bytes)" \
	"$([ -n "$ixfr_bytes" ] && [ -n "$axfr_bytes" ] && [ "$ixfr_bytes" -lt "$axfr_bytes" ] && echo smaller)" smaller
check_not "no transfer failed" "$(cat "$WORK/dnsbld.log")" 'failed after'
check_not "the secondaries took every transfer" \
	"$(cat "$WORK/nsd/nsd.log" "$WORK/knot/knot.log" 2>/dev/null)" \
	'(bad|malformed|error).*(xfr|transfer|IXFR|AXFR)'
check "Knot refreshed with IXFR" "$(cat "$WORK/knot/knot.log")" 'IXFR'

# ---- two changes chained in one IXFR ----------------------------------------
sleep 1.1
echo "203.0.113.100 :127.0.0.8:Second update" >>"$WORK/data/spam.ip4set"
"$BIN/dnsbl-loader" -c "$WORK/xfr.yaml" -q load >>"$WORK/load.log" 2>&1
newer=$(soa_serial "$DPORT" bl.test)
for _ in $(seq 100); do
	grep -q "IXFR of bl\.test: the change $new -> $newer kept" "$WORK/dnsbld.log" && break
	sleep 0.1
done
out=$(dig @127.0.0.1 -p "$DPORT" bl.test "IXFR=$old" +time=5 +tries=1 2>&1)
check "IXFR from two changes back: both, chained" "$(cat "$WORK/dnsbld.log")" \
	"IXFR of bl\.test serial $old -> $newer to 127\.0\.0\.1: started \(2 changes\)"
check "...with the first change's record" "$out" '^99\.113\.0\.203\.bl\.test\..*127\.0\.0\.7'
check "...and the second's" "$out" '^100\.113\.0\.203\.bl\.test\..*127\.0\.0\.8'
check "...between the SOAs of the three serials" \
	"$(grep -E 'IN[[:space:]]+SOA' <<<"$out" | awk '{print $7}' | tr '\n' ' ')" \
	"^$newer $old $new $new $newer $newer $"


srv_report
