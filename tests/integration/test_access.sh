#!/bin/bash
# test_access.sh -- the config's `access:` rules (per zone and global) by
# client address: drop, refuse, unlisted, answer (a code and a TXT), pass;
# first match wins, zone rules before global ones, IPv6 clients and IPv4
# clients on a dual-stack socket (::ffff:a.b.c.d matching IPv4 prefixes),
# UDP and TCP, the counters in /metrics, and config errors naming
# file:line.
#
# Clients send from 127.0.0.x source addresses and from ::1.  A [::]
# listener means every address, so the test re-runs itself in a private
# network namespace (unshare -n) whose only interface is loopback; skipped
# (exit 77) where namespaces are not available (not root).
set -u
. "$SRCDIR/tests/integration/server_lib.sh"
srv_in_netns "$0"
P4=5491          # IPv4 only
P6=5492          # [::], dual-stack
PM=5493          # metrics
srv_workdir access
cd "$WORK" || exit 1

printf '192.0.2.1 :2:spam $\n' >spam.ip4set
cat >cfg.yaml <<EOT
store: store
listen: ["127.0.0.1:$P4", "[::]:$P6"]
metrics: "127.0.0.1:$PM"
access:
  - {from: 127.0.0.9, action: pass}
  - {from: [127.0.0.8/29], action: refuse}
  - {from: 127.0.0.2, action: unlisted}
  - {from: "::1", action: drop}
datasets:
  spam: {type: ip4set, files: [spam.ip4set]}
zones:
  bl.test:
    datasets: [spam]
    access:
      - {from: [127.0.0.2/32], action: drop}
      - {from: 127.0.0.3, action: unlisted}
      - from: [127.0.0.4/31, "2001:db8::/32"]
        action: answer
        code: 127.255.255.254
        txt: "query through an open resolver"
      - {from: 127.0.0.4, action: refuse}
      - {from: "::1/128", action: answer, code: 127.255.255.253}
  other.test:
    datasets: [spam]
EOT
"$BIN/dnsbl-loader" -q -c cfg.yaml load || { echo "loader failed"; exit 1; }
srv_start cfg.yaml $P4

# q SOURCE PORT NAME [TYPE] [ARGS...]: a query from SOURCE (the server
# address is of the same family).
q() {
	local src=$1 port=$2 name=$3 type=${4:-A} srv=127.0.0.1
	shift 3
	[ $# -gt 0 ] && shift
	case $src in *:*) srv=::1 ;; esac
	$DNSQ "$port" "$name" "$type" --server $srv --source "$src" \
		--timeout 0.5 "$@"
}
L=1.2.0.192.bl.test      # listed in bl.test
LO=1.2.0.192.other.test  # listed in other.test

out=$(q 127.0.0.1 $P4 $L)
check "no rule: the listing" "$out" '^an: .* A 127\.0\.0\.2$'
out=$(q 127.0.0.2 $P4 $L)
check "zone rule drop: no reply" "$out" '^NO REPLY$'
out=$(q 127.0.0.2 $P4 $L A --tcp)
check "zone rule drop over TCP: no reply" "$out" '^NO REPLY$'
out=$(q 127.0.0.2 $P4 $LO)
check "global rule unlisted in another zone (zone rules first)" "$out" \
	'^rcode=NXDOMAIN .*flags=qr,aa,'
out=$(q 127.0.0.3 $P4 $L)
check "unlisted: a listed name is NXDOMAIN" "$out" '^rcode=NXDOMAIN'
out=$(q 127.0.0.3 $P4 2.0.0.127.bl.test)
check "unlisted: the test point too" "$out" '^rcode=NXDOMAIN'
out=$(q 127.0.0.3 $P4 $L A --tcp)
check "unlisted over TCP" "$out" '^rcode=NXDOMAIN'
out=$(q 127.0.0.3 $P4 bl.test SOA)
check "unlisted: the apex still answers" "$out" '^an: bl\.test\. .* SOA '
out=$(q 127.0.0.4 $P4 9.9.9.9.bl.test)
check "answer: the code for any address (first match beats refuse)" "$out" \
	'^an: 9\.9\.9\.9\.bl\.test\. .* A 127\.255\.255\.254$'
out=$(q 127.0.0.5 $P4 $L TXT)
check "answer: the TXT" "$out" \
	'^an: .* TXT "query through an open resolver"$'
out=$(q 127.0.0.5 $P4 $L TXT)
check_not "answer: not the listing" "$out" 'spam'
out=$(q 127.0.0.4 $P4 bl.test SOA)
check "answer: the apex is the apex" "$out" '^an: bl\.test\. .* SOA '
out=$(q 127.0.0.9 $P4 $L)
check "global pass before a wider refuse" "$out" '^an: .* A 127\.0\.0\.2$'
out=$(q 127.0.0.10 $P4 $L)
check "global refuse" "$out" '^rcode=REFUSED .*flags=qr,rd '
out=$(q 127.0.0.10 $P4 $LO A --tcp)
check "global refuse over TCP, another zone" "$out" '^rcode=REFUSED'
out=$(q 127.0.0.10 $P4 version.bind TXT --class 3)
check "global refuse outside every zone (CH)" "$out" '^rcode=REFUSED'
# IPv6 clients.
out=$(q ::1 $P6 $L)
check "IPv6 client: zone answer rule before the global drop" "$out" \
	'^an: .* A 127\.255\.255\.253$'
out=$(q ::1 $P6 $LO)
check "IPv6 client: global drop in another zone" "$out" '^NO REPLY$'
# IPv4 clients on the dual-stack socket arrive as ::ffff:127.0.0.x.
out=$(q 127.0.0.2 $P6 $L)
check "v4-mapped client: IPv4 drop rule" "$out" '^NO REPLY$'
out=$(q 127.0.0.4 $P6 $L)
check "v4-mapped client: IPv4 answer rule" "$out" '^an: .* A 127\.255\.255\.254$'
out=$(q 127.0.0.10 $P6 $L A --tcp)
check "v4-mapped client over TCP: IPv4 refuse rule" "$out" '^rcode=REFUSED'
out=$(q 127.0.0.1 $P6 $L)
check "v4-mapped client, no rule" "$out" '^an: .* A 127\.0\.0\.2$'

m=$(srv_metrics $PM)
check "metrics: drop" "$m" '^dnsbld_access_total\{action="drop"\} 4$'
check "metrics: refuse" "$m" '^dnsbld_access_total\{action="refuse"\} 4$'
check "metrics: unlisted" "$m" '^dnsbld_access_total\{action="unlisted"\} 5$'
check "metrics: answer" "$m" '^dnsbld_access_total\{action="answer"\} 6$'
check "metrics: pass" "$m" '^dnsbld_access_total\{action="pass"\} 1$'

# Config errors name the file, the line and the reason.
bad() {   # bad ACCESS-YAML REGEX
	srv_config_fails "$(printf 'store: store\nlisten: ["127.0.0.1:%s"]\ndatasets: {spam: {type: ip4set, files: [spam.ip4set]}}\nzones: {bl.test: {datasets: [spam]}}\naccess:\n%s' \
		$((P4 + 10)) "$1")" "$2"
}
bad '  - {from: 10.0.0.0/8, action: block}' \
	'bad\.yaml:6: access\.action: "block" is not pass, drop, refuse, unlisted or answer'
bad '  - {from: 10.0.0.0/8, action: answer}' \
	'bad\.yaml:6: access: action answer needs "code"'
bad '  - {from: 10.0.0.1/8, action: drop}' \
	'bad\.yaml:6: access\.from: "10\.0\.0\.1/8": host bits set'
bad '  - {from: 10.0.0.0/8, action: drop, txt: hi}' \
	'bad\.yaml:6: access: "txt" goes with action answer only'
bad '  - {action: drop}' 'bad\.yaml:6: access: a rule needs "from"'
bad '  - {from: 10.0.0.0/8, action: answer, code: 10.0.0.1}' \
	'bad\.yaml:6: access\.code: "10\.0\.0\.1" is not an address in 127\.0\.0\.0/8'
srv_report
