#!/usr/bin/env bash
# test_dnsbl_ctl.sh -- dnsbl-ctl against a real store and a running dnsbld.
#
# The real dnsbl-loader fills the store, the real dnsbld answers on
# loopback (queried with dnsq.py), and dnsbl-ctl inspects and edits:
#  - add / del on `manual: true` datasets (address, IPv6, domain entries,
#    exclusions) are answered at once, and the SOA serial moves each time;
#  - edits of file-fed datasets are refused, saying why; bad entries and
#    bad usage exit 2;
#  - `history` has every edit and expiry with the Unix user and reason;
#  - `--for` entries expire: `expire` under a clock set past their time
#    (DNSBL_CTL_NOW), and a running `dnsbl-loader watch` removes them by
#    itself, on a clock set back and on the real one;
#  - edits while `watch` applies a large update: both land, nothing lost;
#  - `export` of every dataset type loads back to identical data and
#    identical answers; `--format bind` is a zone file;
#  - get, stats (text and JSON, SOA serial as served), check, show, zones,
#    drop, compact; the loader leaves manual datasets alone.
# Ports 5940-5949.
set -u
. "$SRCDIR/tests/integration/server_lib.sh"

srv_workdir ctl
srv_pick_port 5940 5949
CTL="$BIN/dnsbl-ctl"
LOADER="$BIN/dnsbl-loader"
ME=$(id -un)

# ctl ARGS...: runs dnsbl-ctl on the test config; sets rc, out, err.
ctl() {
	"$CTL" -c "$WORK/c.yaml" "$@" >"$WORK/ctl.out" 2>"$WORK/ctl.err"
	rc=$?
	out=$(cat "$WORK/ctl.out")
	err=$(cat "$WORK/ctl.err")
}

# q NAME [TYPE]: "RCODE data..." (answers sorted), "NO REPLY".
q() {
	local r
	r=$($DNSQ "$PORT" "$1" "${2:-A}")
	if ! grep -q '^rcode=' <<<"$r"; then
		echo "NO REPLY"
		return
	fi
	echo "$(sed -n 's/^rcode=\([A-Z]*\).*/\1/p' <<<"$r") $(awk '$1 == "an:" { $1 = $2 = $3 = $4 = $5 = ""; sub(/^ +/, ""); print }' <<<"$r" | sort | tr '\n' ' ')" | sed 's/ *$//'
}
rev4() { awk -F. '{print $4"."$3"."$2"."$1}' <<<"$1"; }
ask() { q "$(rev4 "$1").bl.test" "${2:-A}"; }
rev6() {
	python3 -c 'import ipaddress, sys; print(".".join(reversed(ipaddress.ip_address(sys.argv[1]).exploded.replace(":", ""))))' "$1"
}
soa_serial() { $DNSQ "$PORT" "$1" SOA | awk '$1 == "an:" && $5 == "SOA" {print $8}'; }
# gt DESC A B: A > B (numbers)
gt() {
	if [ -n "$2" ] && [ -n "$3" ] && [ "$2" -gt "$3" ]; then
		PASSES=$((PASSES + 1))
	else
		FAILS=$((FAILS + 1))
		echo "FAIL: $1: '$2' is not greater than '$3'"
	fi
}
# wait_for DESC CMD WANT: polls CMD (at most 10 s) until it prints WANT.
wait_for() {
	local got
	for _ in $(seq 100); do
		got=$(eval "$2")
		[ "$got" = "$3" ] && break
		sleep 0.1
	done
	check_eq "$1" "$got" "$3"
}

mkdir -p "$WORK/feeds"
printf '$SOA 600 ns1.bl.test. hostmaster.bl.test. 0 600 300 86400 60\n:2:spam $\n10.0.0.1\n10.0.0.2\n' >"$WORK/feeds/spam.ip4set"
cat >"$WORK/c.yaml" <<YAML
store: $WORK/store
listen: ["127.0.0.1:$PORT"]
datasets:
  spam: {type: ip4set, files: feeds/spam.ip4set}
  hand: {type: ip4set, manual: true}
  hand6: {type: ip6trie, manual: true}
  handdn: {type: dnset, manual: true}
zones:
  bl.test: {datasets: [spam, hand, hand6]}
  dbl.test:
    datasets: [handdn]
    soa: {mname: ns1.dbl.test, rname: hostmaster@dbl.test}
YAML

# ---- usage ------------------------------------------------------------------
"$CTL" --help >"$WORK/h" 2>&1
check_eq "--help: exit 0" "$?" 0
check "--help lists the verbs" "$(cat "$WORK/h")" "^  add +list an entry in a manual dataset"
check "--help: exit statuses" "$(cat "$WORK/h")" "exit status: 0 ok, 1 "
"$CTL" add --help >"$WORK/h" 2>&1
check_eq "add --help: exit 0 (no config needed)" "$?" 0
check "add --help: the verb's usage" "$(cat "$WORK/h")" "^usage: dnsbl-ctl -c FILE add DATASET ENTRY \[:A:TXT\] \[--reason TEXT\] \[--for DURATION\]$"
"$CTL" get 1.2.3.4 >/dev/null 2>"$WORK/h"
check_eq "no -c: exit 2" "$?" 2
ctl frobnicate
check_eq "unknown verb: exit 2" "$rc" 2
check "unknown verb: named" "$err" 'unknown verb "frobnicate"'
ctl add hand
check_eq "add without an entry: exit 2" "$rc" 2
ctl add hand 1.2.3.4 --colour red
check_eq "add with an unknown option: exit 2" "$rc" 2
check "add with an unknown option: named" "$err" "unknown option --colour"
ctl add hand 1.2.3.4 --for soon
check_eq "add --for soon: exit 2" "$rc" 2

# ---- the loader fills the store; manual datasets are made empty -------------
"$LOADER" -c "$WORK/c.yaml" load >"$WORK/load.out" 2>&1
check_eq "load: exit 0" "$?" 0
check "load: a manual dataset is not loaded" "$(cat "$WORK/load.out")" "^hand: ip4set, manual, 0 entries: not loaded \(edit it with dnsbl-ctl\)$"
srv_start "$WORK/c.yaml" "$PORT"
check_eq "start: spam answers" "$(ask 10.0.0.1)" "NOERROR 127.0.0.2"
check_eq "start: 192.0.2.1 not listed" "$(ask 192.0.2.1)" "NXDOMAIN"
S0=$(soa_serial bl.test)
D0=$(soa_serial dbl.test)

# ---- add and del are answered at once ----------------------------------------
ctl add hand '192.0.2.0/24' ':3:listed by hand for $' --reason "ticket 42"
check_eq "add: exit 0" "$rc" 0
check "add: says what it did" "$out" '^hand: added "192.0.2.0/24 :3:listed by hand for \$": records \+2 -0, 1 entry now$'
check_eq "add: answered at once" "$(ask 192.0.2.1)" "NOERROR 127.0.0.3"
check_eq "add: TXT as served" "$(ask 192.0.2.1 TXT)" 'NOERROR "listed by hand for 192.0.2.1"'
S1=$(soa_serial bl.test)
gt "add: the SOA serial moves" "$S1" "$S0"
ctl add hand '!192.0.2.9'
check_eq "add an exclusion: exit 0" "$rc" 0
check_eq "add an exclusion: answered at once" "$(ask 192.0.2.9)" "NXDOMAIN"
check_eq "add an exclusion: the rest stays" "$(ask 192.0.2.8)" "NOERROR 127.0.0.3"
ctl add hand6 '2001:db8:1::/48 :5:six'
check_eq "add IPv6: exit 0" "$rc" 0
check_eq "add IPv6: answered" "$(q "$(rev6 2001:db8:1::7).bl.test")" "NOERROR 127.0.0.5"
ctl add handdn '.bad.example :4:bad domain'
check_eq "add a domain: exit 0" "$rc" 0
check_eq "add a domain: the name" "$(q bad.example.dbl.test)" "NOERROR 127.0.0.4"
check_eq "add a domain: its subdomains" "$(q x.y.bad.example.dbl.test)" "NOERROR 127.0.0.4"
gt "add a domain: that zone's SOA serial moves" "$(soa_serial dbl.test)" "$D0"
ctl add handdn '.bad.example :4:bad domain'
check_eq "the same add again: exit 0" "$rc" 0
check "the same add again: nothing changed" "$out" "listed so already: nothing changed"
S1=$(soa_serial bl.test)
ctl del hand 192.0.2.0/24 --reason "delisted, ticket 43"
check_eq "del: exit 0" "$rc" 0
check_eq "del: answered at once" "$(ask 192.0.2.1)" "NXDOMAIN"
gt "del: the SOA serial moves" "$(soa_serial bl.test)" "$S1"
ctl del hand 192.0.2.0/24
check_eq "del of what is not there: exit 1" "$rc" 1
check "del of what is not there: says so" "$err" 'hand: "192.0.2.0/24" is not in it: nothing deleted'
ctl del handdn '*.bad.example'
check_eq "del of the wildcard only: subdomains go" "$(q x.bad.example.dbl.test)" "NXDOMAIN"
check_eq "del of the wildcard only: the name stays" "$(q bad.example.dbl.test)" "NOERROR 127.0.0.4"

# ---- refusals -----------------------------------------------------------------
ctl add spam 10.9.9.9
check_eq "edit of a file-fed dataset: exit 1" "$rc" 1
check "edit of a file-fed dataset: says why" "$err" "spam: refused: spam is fed from .*spam\.ip4set, and its next load would undo a hand edit; .*manual: true"
check_eq "edit of a file-fed dataset: nothing served" "$(ask 10.9.9.9)" "NXDOMAIN"
ctl del spam 10.0.0.1
check_eq "del in a file-fed dataset: exit 1" "$rc" 1
check_eq "del in a file-fed dataset: still listed" "$(ask 10.0.0.1)" "NOERROR 127.0.0.2"
ctl add nosuch 10.9.9.9
check_eq "edit of an unknown dataset: exit 2" "$rc" 2
check "edit of an unknown dataset: named" "$err" 'no dataset named "nosuch"'
ctl add hand '10.0.0.0/40'
check_eq "a bad entry: exit 2" "$rc" 2
check "a bad entry: the parser's reason" "$err" 'hand: bad ip4set entry: invalid address "10\.0\.0\.0/40"'
ctl add hand '$TTL 60'
check "a \$ line is no entry" "$err" 'a `\$` line is not an entry'
ctl add handdn '192.0.2.1 :2'
check_eq "an address in a dnset is a name: exit 0" "$rc" 0
ctl del handdn '192.0.2.1'

# ---- history --------------------------------------------------------------------
ctl history
check_eq "history: exit 0" "$rc" 0
check "history: the add, its user and reason" "$out" "^[0-9-]+ [0-9:]+ UTC  add     hand  192\.0\.2\.0/24 :3:listed by hand for \\\$  by $ME  reason: ticket 42$"
check "history: the del" "$out" "  del     hand  192\.0\.2\.0/24  by $ME  reason: delisted, ticket 43$"
check "history: the domain" "$out" "  add     handdn  \.bad\.example :4:bad domain  by $ME$"
check_not "history: no record of refused or empty edits" "$out" "10\.9\.9\.9|10\.0\.0\.0/40"
check_eq "history: an unchanged add is no record" "$(grep -c 'add     handdn  .bad.example' <<<"$out")" 1
ctl history handdn
check_not "history DATASET: only its records" "$out" "  hand  "
check "history DATASET: its records" "$out" "  del     handdn  \*\.bad\.example  by $ME$"

# ---- get ----------------------------------------------------------------------
ctl add hand '192.0.2.0/24 :3:listed by hand for $' --reason "again"
ctl get 192.0.2.1
check_eq "get: exit 0" "$rc" 0
check "get: the entry that matched" "$out" "^192\.0\.2\.1 in hand \(ip4set\): 192\.0\.2\.0/24$"
check "get: A and TXT as served" "$out" '^  answer  127\.0\.0\.3 "listed by hand for 192\.0\.2\.1"$'
check "get: the zones" "$out" "^  zones   bl\.test$"
check "get: who added it, and why" "$out" "^  source  added .* by $ME: \"192\.0\.2\.0/24 :3:listed by hand for \\\$\", reason: again$"
ctl get 10.0.0.2
check "get: a file-fed entry's file and line" "$out" "^  source  $WORK/feeds/spam\.ip4set:4: 10\.0\.0\.2$"
check "get: its TXT" "$out" '^  answer  127\.0\.0\.2 "spam 10\.0\.0\.2"$'
ctl get 192.0.2.9
check "get: an exclusion says so" "$out" "^192\.0\.2\.9 in hand \(ip4set\): !192\.0\.2\.9/32$"
ctl get x.bad.example
check_not "get: a deleted wildcard is gone" "$out" "\*\.bad\.example"
ctl get bad.example
check "get: a domain" "$out" "^bad\.example in handdn \(dnset\): bad\.example$"
ctl get 203.0.113.99
check "get: nothing" "$out" "^203\.0\.113\.99: in no dataset$"
ctl get "not an item!"
check_eq "get: not an address or name: exit 2" "$rc" 2

# ---- expiry: dnsbl-ctl expire under a controllable clock ---------------------
NOW=$(date +%s)
ctl add hand '198.51.100.7 :6:temporary' --for 10m
check_eq "add --for: exit 0" "$rc" 0
check "add --for: says until when" "$out" ", until [0-9-]+ [0-9:]+ UTC: records"
check_eq "add --for: listed" "$(ask 198.51.100.7)" "NOERROR 127.0.0.6"
ctl expire
check "expire before its time: nothing" "$out" "^0 entries expired$"
check_eq "expire before its time: still listed" "$(ask 198.51.100.7)" "NOERROR 127.0.0.6"
ctl get 198.51.100.7
check "get: when it expires" "$out" "^  expires [0-9-]+ [0-9:]+ UTC$"
DNSBL_CTL_NOW=$((NOW + 601)) ctl expire
check_eq "expire after its time: exit 0" "$rc" 0
check "expire after its time: one entry" "$out" "^1 entry expired$"
check_eq "expire after its time: gone at once" "$(ask 198.51.100.7)" "NXDOMAIN"
ctl history hand
check "history: the add's expiry" "$out" "  add     hand  198\.51\.100\.7 :6:temporary  by $ME  until "
check "history: the expiry" "$out" "  expire  hand  198\.51\.100\.7  by $ME$"
# A new add without --for cancels an earlier expiry.
ctl add hand '198.51.100.6 :6' --for 1m
ctl add hand '198.51.100.6 :6'
DNSBL_CTL_NOW=$((NOW + 3600)) ctl expire
check_eq "an add for good cancels the expiry" "$(ask 198.51.100.6)" "NOERROR 127.0.0.6"

# ---- expiry: a running watch removes them by itself --------------------------
srv_watch -d 100 -i 0
check "watch: started" "$(cat "$WORK/watch.out")" "^watching "
check "watch: the manual datasets are not loaded" "$(cat "$WORK/watch.out")" "hand: ip4set, manual, [0-9]+ entries: not loaded"
check_eq "watch: manual entries kept" "$(ask 192.0.2.1)" "NOERROR 127.0.0.3"
# Added "two hours ago" for one hour: due now; nobody runs expire.
DNSBL_CTL_NOW=$((NOW - 7200)) ctl add hand '198.51.100.8 :6' --for 1h
wait_for "watch: an entry past its time goes by itself" "ask 198.51.100.8" "NXDOMAIN"
# And on the real clock: two seconds.
ctl add hand6 '2001:db8:99::/48 :7' --for 2s
check_eq "--for 2s: listed" "$(q "$(rev6 2001:db8:99::1).bl.test")" "NOERROR 127.0.0.7"
wait_for "--for 2s: gone by itself" "q $(rev6 2001:db8:99::1).bl.test" "NXDOMAIN"
check "watch: says what expired" "$(cat "$WORK/watch.out")" "expiry: 1 hand-added entry expired"
ctl history hand6
check "history: the sweep is named" "$out" "  expire  hand6  2001:db8:99::/48  by dnsbl-loader watch$"

# ---- edits while watch applies a large update --------------------------------
python3 - "$WORK/feeds/big.tmp" <<'PY'
import sys
with open(sys.argv[1], "w") as f:
    f.write(":2:spam $\n")
    for i in range(300000):
        f.write("10.%d.%d.%d\n" % (100 + i // 65536, (i >> 8) & 255, i & 255))
    f.write("10.200.0.1 :9:new in the big file\n")
PY
mark=$(wc -l <"$WORK/watch.out")
mv "$WORK/feeds/big.tmp" "$WORK/feeds/spam.ip4set"
# Edits back to back from the file's change (the watch waits 100 ms, then
# loads) until the load is committed: some wait for its write lock.
loaded() { tail -n +"$((mark + 1))" "$WORK/watch.out" | grep -q ' spam: ip4set, 300002 lines'; }
n=0
edits_ok=0
while ! loaded && [ "$n" -lt 3000 ]; do
	n=$((n + 1))
	"$CTL" -c "$WORK/c.yaml" -q add hand "198.18.$((n / 256)).$((n % 256)) :8:during the update" && edits_ok=$((edits_ok + 1))
done
check_eq "during the update: every edit committed" "$edits_ok" "$n"
echo "($n edits while the watch loaded the update)"
check "during the update: the big load landed" "$(tail -n +"$((mark + 1))" "$WORK/watch.out")" "spam: ip4set, 300002 lines, 300001 entries"
check_eq "after the update: the big file's entry" "$(ask 10.200.0.1)" "NOERROR 127.0.0.9"
check_eq "after the update: the old file's entries went" "$(ask 10.0.0.1)" "NXDOMAIN"
for k in $(seq 1 "$n"); do echo "$(rev4 "198.18.$((k / 256)).$((k % 256))").bl.test A"; done >"$WORK/during.q"
check_eq "after the update: no edit lost ($n edits)" "$($DNSQ "$PORT" --bulk "$WORK/during.q" | grep -c ' NOERROR A 127\.0\.0\.8$')" "$n"
check_eq "after the update: the earlier edits stay" "$(ask 192.0.2.1)" "NOERROR 127.0.0.3"
ctl check
check_eq "after the update: check finds the store consistent" "$rc" 0
check "check: says so" "$out" "ok: the metadata matches the data$"
kill -TERM "$LOADER_PID" 2>/dev/null
wait "$LOADER_PID" 2>/dev/null

# ---- stats ----------------------------------------------------------------------
ctl stats
check_eq "stats: exit 0" "$rc" 0
check "stats: the store's pages" "$out" "^store $WORK/store: instance v[0-9]+, generation [0-9]+, [0-9.]+ MB \([0-9]+ pages of [0-9]+ bytes: [0-9]+ used, [0-9]+ free\)$"
check "stats: a file-fed dataset" "$out" "^dataset spam \(ip4set\): 300001 entries, serial [0-9]+$"
check "stats: its source" "$out" "^  source       $WORK/feeds/spam\.ip4set size [0-9]+ mtime "
check "stats: a manual dataset" "$out" "^dataset hand \(ip4set, manual\): [0-9]+ entries, serial [0-9]+$"
check "stats: its last change" "$out" "^  last change  [0-9-]+ [0-9:]+ UTC: add 198\.18\.[0-9.]+ :8:during the update by $ME: records \+[0-9]+ -[0-9]+, ok$"
check "stats: a zone and its SOA serial as served" "$out" "^zone bl\.test: SOA serial $(soa_serial bl.test), datasets spam, hand, hand6$"
"$CTL" -c "$WORK/c.yaml" stats --json >"$WORK/stats.json"
check_eq "stats --json: exit 0" "$?" 0
check_eq "stats --json: valid, and says the same" "$(python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
ds = {x["name"]: x for x in d["datasets"]}
z = {x["name"]: x for x in d["zones"]}
print(ds["spam"]["entries"], ds["hand"]["manual"], ds["hand"]["last_change"]["kind"],
      z["bl.test"]["soa_serial"], d["store"]["free_pages"] >= 0)' "$WORK/stats.json")" "300001 True edit $(soa_serial bl.test) True"

# ---- a failed load shows in stats, the last good data stays ------------------
sed -i 's|spam: {type: ip4set, files: feeds/spam.ip4set}|spam: {type: ip4set, files: feeds/spam.ip4set, max_errors: 1}|' "$WORK/c.yaml"
printf '10.0.0.0/40\n10.0.0.0/41\n' >"$WORK/feeds/spam.ip4set"
"$LOADER" -c "$WORK/c.yaml" -q load spam >/dev/null 2>&1
ctl stats
check "stats: a failed load and what is served" "$out" "^  last change  [0-9-]+ [0-9:]+ UTC: load FAILED: .*too many errors.*; serving what was stored "
check_eq "a failed load: the last good data is served" "$(ask 10.200.0.1)" "NOERROR 127.0.0.9"

# ---- the loader leaves manual datasets alone ---------------------------------
"$LOADER" -c "$WORK/c.yaml" load hand handdn >"$WORK/load.out" 2>&1
check "load of a manual dataset: not loaded" "$(cat "$WORK/load.out")" "^hand: ip4set, manual, [1-9][0-9]* entries: not loaded"
check_eq "load of a manual dataset: its entries stay" "$(ask 198.18.0.1)" "NOERROR 127.0.0.8"

# ---- show, zones, drop, compact -------------------------------------------------
ctl show hand
check "show: a manual dataset" "$out" "^dataset hand \(ip4set\) \[manual: edited with dnsbl-ctl\]$"
ctl zones
check "zones: the stored table" "$out" "^  bl\.test serial [0-9]+ datasets spam,hand,hand6$"
ctl compact
check_eq "compact: exit 0" "$rc" 0
check "compact: says so" "$out" "^store: compacted into v[0-9]+"
check_eq "compact: still answered" "$(ask 198.18.0.1)" "NOERROR 127.0.0.8"
ctl history hand
check "compact: the history moved with the data" "$out" "  del     hand  192\.0\.2\.0/24  by $ME  reason: delisted, ticket 43$"
ctl drop nosuch
check_eq "drop of what is not stored: exit 1" "$rc" 1

# ---- export: every type round-trips --------------------------------------------
R=$WORK/rt
mkdir -p "$R"
cat >"$R/d.ip4set" <<'EOF'
$SOA 3600 ns1.rt.test. hostmaster.rt.test. 0 3600 900 604800 300
$NS 1800 ns1.rt.test ns2.rt.test
$TTL 1200
$1 see http://x
:3:default text $ $1
10.0.0.0/8
10.1.0.0-10.1.3.255 :4:range
!10.1.2.3
192.168.1.5 :5:
192.168.1.5 :6:second
127.0.0.2
EOF
printf ':7:tset $\n1.2.3.4\n1.2.3.5\n127.0.0.2\n' >"$R/d.ip4tset"
printf '10.0.0.0/8 :2:eight\n10.1.0.0/16 :3\n!10.1.2.0/24\n127.0.0.2 :9:all\n' >"$R/d.ip4trie"
printf '2001:db8::/32 :2:doc\n2001:db8:1::/48 :3:sub $\n!2001:db8:1:2::/64\n::ffff:0:0/96 :4:mapped\n' >"$R/d.ip6trie"
printf ':8:six tset\n2001:db8:1:2\n2001:db8:1:3\n!2001:db8:1:2:0:0:0:1\n' >"$R/d.ip6tset"
printf '$= base [$]\nexample.com :2:ex\n.phish.example :3:=phish $\n*.wild.example\n!ok.wild.example\na.b\\046c.example :4:esc\n' >"$R/d.dnset"
printf '$TTL 300\n@ A 127.0.0.2\n@ TXT "apex text"\nwww 600 A 10.0.0.1\nmail MX 10 mx.example.com.\nt TXT "  spaced  "\n' >"$R/d.generic"
printf '127.0.0.0/8 :refuse\n10.0.0.0/8 :pass\n192.0.2.0/24 :2:listed\n2001:db8::/32 =empty\n' >"$R/d.acl"
printf '$TTL 900\n$1 one\n$DATASET ip4set:sbl sbl @\n10.0.0.0/8 :2:sbl $1\n$DATASET dnset:dbl dbl\n$TTL 60\nexample.com :3:dbl\n$DATASET ip4tset xbl\n:4:xbl\n1.2.3.4\n' >"$R/d.combined"
TYPES="ip4set ip4tset ip4trie ip6trie ip6tset dnset generic acl combined"
{
	echo "store: $R/store"
	echo "datasets:"
	for t in $TYPES; do
		echo "  $t: {type: $t, files: d.$t}"
		echo "  r$t: {type: $t, files: r.$t}"
		: >"$R/r.$t"
	done
	echo "zones:"
	for t in $TYPES; do
		[ "$t" = acl ] && continue
		echo "  $t.rt: {datasets: [$t]}"
		echo "  r$t.rt: {datasets: [r$t]}"
	done
	echo "  acl.rt: {datasets: [ip4trie], acl: acl}"
	echo "  racl.rt: {datasets: [ip4trie], acl: racl}"
} >"$R/c.yaml"
"$LOADER" -c "$R/c.yaml" -q load $TYPES 2>"$R/load.err"
check_eq "round trip: the originals load cleanly" "$(cat "$R/load.err")" ""
for t in $TYPES; do
	"$CTL" -c "$R/c.yaml" export "$t" >"$R/r.$t"
	check_eq "export $t: exit 0" "$?" 0
done
"$LOADER" -c "$R/c.yaml" -q load $(for t in $TYPES; do echo "r$t"; done) 2>"$R/load.err"
check_eq "round trip: the exports load cleanly" "$(cat "$R/load.err")" ""
for t in $TYPES; do
	"$CTL" -c "$R/c.yaml" export "r$t" | tail -n +2 >"$R/x2"
	tail -n +2 "$R/r.$t" >"$R/x1"
	check_eq "export $t: loads back to the same entries and values" "$(diff "$R/x1" "$R/x2")" ""
	check "export $t: not empty" "$(cat "$R/x1")" "."
done
# And to the same answers, asked of a server for both.
srv_pick_port 5945 5949
RPORT=$PORT
sed -i "1a listen: [\"127.0.0.1:$RPORT\"]" "$R/c.yaml"
srv_start "$R/c.yaml" "$RPORT"
{
	for t in ip4set ip4tset ip4trie combined; do
		for ip in 10.0.0.1 10.1.2.3 10.1.2.4 10.1.3.9 10.7.7.7 127.0.0.2 1.2.3.4 1.2.3.6 192.168.1.5 192.0.2.1; do
			for z in "$t.rt" "r$t.rt" "sbl.$t.rt" "sbl.r$t.rt" "xbl.$t.rt" "xbl.r$t.rt"; do
				echo "$(rev4 "$ip").$z A"
				echo "$(rev4 "$ip").$z TXT"
			done
		done
	done
	for t in ip6trie ip6tset; do
		for ip in 2001:db8::1 2001:db8:1::1 2001:db8:1:2::1 2001:db8:1:2:: 2001:db8:1:3::5 ::ffff:1.2.3.4 2001:db9::1; do
			for z in "$t.rt" "r$t.rt"; do
				echo "$(rev6 "$ip").$z A"
				echo "$(rev6 "$ip").$z TXT"
			done
		done
	done
	for n in example.com x.example.com phish.example a.phish.example wild.example a.wild.example ok.wild.example a.b.c.example 'a.b\046c.example'; do
		for z in dnset.rt rdnset.rt dbl.combined.rt dbl.rcombined.rt; do
			echo "$n.$z A"
			echo "$n.$z TXT"
		done
	done
	for n in "" www. mail. t. nothere.; do
		for z in generic.rt rgeneric.rt; do
			for ty in A TXT MX; do echo "$n$z $ty"; done
		done
	done
	for z in acl.rt racl.rt; do echo "$(rev4 10.0.0.1).$z A"; done
} >"$R/queries"
python3 "$SRCDIR/tests/integration/dnsq.py" "$RPORT" --bulk "$R/queries" >"$R/answers"
# "x.r<type>.rt" and "x.<type>.rt" must answer alike: compare in pairs.
python3 - "$R/answers" >"$R/pairs" <<'PY'
import re, sys
lines = [l.rstrip("\n") for l in open(sys.argv[1])]
bad = 0
by = {}
for l in lines:
    name, qtype, rest = l.split(" ", 2)
    key = re.sub(r"\.r(ip4set|ip4tset|ip4trie|ip6trie|ip6tset|dnset|generic|combined|acl)\.rt", r".\1.rt",
                 re.sub(r"^r(generic|acl)\.rt", r"\1.rt", name))
    by.setdefault((key, qtype), []).append(rest)
for k, v in sorted(by.items()):
    if len(v) != 2 or v[0] != v[1] or "NO-REPLY" in v[0]:
        bad += 1
        print("DIFF", k, v)
listed = sum(1 for v in by.values() if "A 127." in v[0] or "TXT " in v[0])
print("pairs", len(by), "differ", bad, "listed", listed)
PY
check "round trip: the same answers" "$(tail -1 "$R/pairs")" "^pairs [1-9][0-9]+ differ 0 listed [1-9][0-9]*$"
grep '^DIFF' "$R/pairs" | head -5
"$CTL" -c "$R/c.yaml" export ip4set --format bind >"$R/bind"
check_eq "export --format bind: exit 0" "$?" 0
check "export --format bind: a zone file" "$(cat "$R/bind")" "^\\\$ORIGIN	ip4set\.rt\.$"
check "export --format bind: the entries" "$(cat "$R/bind")" "^\*\.0\.1\.10	A	127\.0\.0\.4$"
"$CTL" -c "$R/c.yaml" export ip4set --format xml >/dev/null 2>&1
check_eq "export --format xml: exit 2" "$?" 2
"$CTL" -c "$R/c.yaml" export nosuch >/dev/null 2>&1
check_eq "export of what is not stored: exit 1" "$?" 1

srv_report
