#!/bin/bash
# test_keys.sh -- key-in-name zones (`keys:`): `<name>.<key>.<zone>` is
# answered as `<name>.<zone>` for a key of the config or of the key file
# (case-insensitive); an unknown key gets the zone's code and TXT, or
# REFUSED; the key's own name is NODATA and the apex is the apex; the key
# file is re-read live (a key revoked, one added) and a bad key file keeps
# the keys served; per-key counters in /metrics; config and key file errors
# name file:line.
#
# Clients send from 127.0.0.7 (and ::1).
set -u
. "$SRCDIR/tests/integration/server_lib.sh"
srv_workdir keys
srv_pick_port 5980 5989
PD=$PORT
srv_pick_port 5990 5999
PM=$PORT
cd "$WORK" || exit 1
printf '192.0.2.1 :2:spam $\n' >spam.ip4set
printf 'cust1key customer-one   # a comment\n\nCust2Key\n' >keys.txt
cat >cfg.yaml <<EOT
store: store
listen: ["127.0.0.1:$PD", "[::1]:$PD"]
metrics: "127.0.0.1:$PM"
datasets: {spam: {type: ip4set, files: [spam.ip4set]}}
zones:
  dq.test:
    datasets: [spam]
    keys: {list: [abc123], file: keys.txt, unknown: 127.255.255.255, txt: "unknown key"}
  dqr.test:
    datasets: [spam]
    keys: {list: [k1]}
EOT
"$BIN/dnsbl-loader" -q -c cfg.yaml load || { echo "loader failed"; exit 1; }
srv_start cfg.yaml $PD

q() {   # q NAME [TYPE] [ARGS...]
	local name=$1 type=${2:-A}
	shift
	[ $# -gt 0 ] && shift
	$DNSQ $PD "$name" "$type" --source 127.0.0.7 --timeout 1 "$@"
}
out=$(q 1.2.0.192.abc123.dq.test)
check "a config key: the listing" "$out" '^an: 1\.2\.0\.192\.abc123\.dq\.test\. .* A 127\.0\.0\.2$'
out=$(q 1.2.0.192.abc123.dq.test TXT)
check "a config key: the TXT, \$ the address" "$out" ' TXT "spam 192\.0\.2\.1"$'
out=$(q 1.2.0.192.cust1key.dq.test A --tcp)
check "a key from the file, over TCP" "$out" ' A 127\.0\.0\.2$'
out=$(q 1.2.0.192.CUST2KEY.dq.test)
check "keys are case-insensitive" "$out" ' A 127\.0\.0\.2$'
out=$($DNSQ $PD 1.2.0.192.abc123.dq.test A --server ::1 --source ::1)
check "an IPv6 client" "$out" ' A 127\.0\.0\.2$'
out=$(q 9.9.9.9.abc123.dq.test)
check "a known key, not listed: NXDOMAIN" "$out" '^rcode=NXDOMAIN .*ns=1'
out=$(q 2.0.0.127.abc123.dq.test)
check "a known key: the test point" "$out" ' A 127\.0\.0\.2$'
out=$(q abc123.dq.test)
check "the key's own name: NODATA" "$out" '^rcode=NOERROR .*an=0 ns=1'
out=$(q dq.test SOA)
check "the apex still answers" "$out" '^an: dq\.test\. .* SOA '
out=$(q 1.2.0.192.nokey.dq.test)
check "an unknown key: the zone's code" "$out" '^an: 1\.2\.0\.192\.nokey\.dq\.test\. .* A 127\.255\.255\.255$'
out=$(q 1.2.0.192.nokey.dq.test TXT)
check "an unknown key: the zone's TXT" "$out" ' TXT "unknown key"$'
out=$(q 1.2.0.192.dq.test)
check "no key at all: the zone's code" "$out" ' A 127\.255\.255\.255$'
out=$(q 1.2.0.192.nokey.dqr.test)
check "an unknown key, no code: REFUSED" "$out" '^rcode=REFUSED'
out=$(q 1.2.0.192.k1.dqr.test)
check "the other zone's key" "$out" ' A 127\.0\.0\.2$'
out=$(q 1.2.0.192.abc123.dqr.test)
check "a key of another zone is unknown here" "$out" '^rcode=REFUSED'

# Live: cust1key revoked, newkey added.
printf 'Cust2Key\nnewkey customer-new\n' >keys.tmp && mv keys.tmp keys.txt
for _ in $(seq 50); do
	grep -q 'zone dq\.test: 2 key(s), from' dnsbld.log && break
	sleep 0.1
done
out=$(q 1.2.0.192.newkey.dq.test)
check "a key added to the file is served, no restart" "$out" ' A 127\.0\.0\.2$'
out=$(q 1.2.0.192.cust1key.dq.test)
check "a key removed from the file is refused its answer" "$out" ' A 127\.255\.255\.255$'
# A bad key file: the keys loaded last stay.
printf 'newkey\nbad key here\n' >keys.tmp && mv keys.tmp keys.txt
for _ in $(seq 50); do
	grep -q 'keys\.txt:2: more than a key and a name' dnsbld.log && break
	sleep 0.1
done
check "a bad key file is logged with its line" "$(cat dnsbld.log)" \
	'keys\.txt:2: more than a key and a name \(the keys loaded last are served\)'
out=$(q 1.2.0.192.cust2key.dq.test)
check "...and the keys loaded last are served" "$out" ' A 127\.0\.0\.2$'

m=$(srv_metrics $PM)
check "metrics: a config key" "$m" '^dnsbld_key_queries_total\{zone="dq\.test",key="abc123"\} 6$'
check "metrics: a file key by its name" "$m" '^dnsbld_key_queries_total\{zone="dq\.test",key="customer-one"\} 1$'
check "metrics: a file key with no name" "$m" '^dnsbld_key_queries_total\{zone="dq\.test",key="cust2key"\} 2$'
check "metrics: unknown keys" "$m" '^dnsbld_key_unknown_total\{zone="dq\.test"\} 4$'
check "metrics: the other zone" "$m" '^dnsbld_key_unknown_total\{zone="dqr\.test"\} 2$'

# Errors.
bad() {   # bad KEYS-YAML REGEX
	srv_config_fails "$(printf 'store: store\nlisten: ["127.0.0.1:%s"]\ndatasets: {spam: {type: ip4set, files: [spam.ip4set]}}\nzones:\n  x.test:\n    datasets: [spam]\n    keys: %s' \
		$((PD + 20)) "$1")" "$2"
}
bad '{unknown: refuse}' 'bad\.yaml:7: zones\.x\.test\.keys: needs "list" or "file"'
bad '{list: ["a.b"]}' 'bad\.yaml:7: zones\.x\.test\.keys\.list: "a\.b" is not a key'
bad '{list: [a], unknown: 10.0.0.1}' 'bad\.yaml:7: zones\.x\.test\.keys\.unknown: "10\.0\.0\.1" is not an address in 127'
bad '{file: missing.txt}' 'missing\.txt: No such file or directory'
srv_report
