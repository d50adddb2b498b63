#!/usr/bin/env bash
# test_ship.sh -- mirrors that take the primary's store instead of zone
# transfers: `dnsbl-ctl ship DIR` on the primary writes a packed copy,
# `dnsbl-ctl adopt FILE` on the mirror makes it the mirror's data, and the
# mirror's running dnsbld moves over with no failed query.  A damaged or
# foreign file is refused and the mirror keeps what it had.  Ports 6100-6109.
set -u
. "$SRCDIR/tests/integration/server_lib.sh"

srv_workdir ship
srv_pick_port 6100 6109
mkdir -p "$WORK/primary" "$WORK/mirror"
# The same zones on both; only the primary has the feed files.
zones_yaml='zones:
  bl.test: { datasets: [bl, domains] }'
cat >"$WORK/primary/c.yaml" <<YAML
store: $WORK/primary/store
datasets:
  bl: { type: ip4set, files: [bl.ip4set] }
  domains: { type: dnset, files: [domains.dnset] }
$zones_yaml
YAML
cat >"$WORK/mirror/c.yaml" <<YAML
store: $WORK/mirror/store
listen: ["127.0.0.1:$PORT"]
datasets:
  bl: { type: ip4set, files: [bl.ip4set] }
  domains: { type: dnset, files: [domains.dnset] }
$zones_yaml
YAML
P="$BIN/dnsbl-ctl -c $WORK/primary/c.yaml"
M="$BIN/dnsbl-ctl -c $WORK/mirror/c.yaml"
ask() { dig +short @127.0.0.1 -p "$PORT" "$1" "${2:-A}"; }
serial() { ask bl.test SOA | awk '{print $3}'; }

# ---- the first copy -----------------------------------------------------------
{
	echo ":127.0.0.2:listed"
	echo "192.0.2.1"
	echo "10.0.0.0/24"
	echo "!10.0.0.5"
	seq 1 20000 | awk '{printf "11.%d.%d.%d\n", $1 % 200, int($1 / 200) % 250, $1 % 250}'
} >"$WORK/primary/bl.ip4set"
printf ':127.0.0.3:domain\nspam.example\n' >"$WORK/primary/domains.dnset"
out=$("$BIN/dnsbl-loader" -c "$WORK/primary/c.yaml" load 2>&1)
check "primary loaded" "$out" '^bl: ip4set'
out=$($P ship "$WORK/outbox" 2>&1)
check "ship: says what it wrote" "$out" "^shipped $WORK/outbox/data.mdb: [0-9.]+ MB, generation [0-9]+, in [0-9.]+ s$"
check_eq "ship: only data.mdb left in the outbox" "$(ls -A "$WORK/outbox")" data.mdb

out=$($M adopt "$WORK/outbox/data.mdb" 2>&1)
check "adopt into an empty mirror store" "$out" "^adopted $WORK/outbox/data.mdb as $WORK/mirror/store/v2: "
check_eq "mirror: current is v2" "$(readlink "$WORK/mirror/store/current")" v2
srv_start "$WORK/mirror/c.yaml" "$PORT" -w 2
check_eq "mirror: listed" "$(ask 1.2.0.192.bl.test)" 127.0.0.2
check_eq "mirror: in a range" "$(ask 9.0.0.10.bl.test)" 127.0.0.2
check_eq "mirror: excluded" "$(ask 5.0.0.10.bl.test)" ""
check_eq "mirror: unlisted" "$(ask 2.2.0.192.bl.test)" ""
check_eq "mirror: a domain" "$(ask spam.example.bl.test)" 127.0.0.3
check_eq "mirror: the TXT" "$(ask 1.2.0.192.bl.test TXT)" '"listed"'
check "mirror: dnsbl-ctl reads the adopted data" "$($M get 192.0.2.1 2>&1)" 'bl'
serial1=$(serial)

# ---- an update adopted while the mirror answers all along -------------------
python3 "$SRCDIR/tests/integration/asker.py" "$PORT" 1.2.0.192.bl.test \
	127.0.0.2 4 "$WORK/asker.out" &
ASKER=$!
sleep 0.5
sed -i 's/^!10.0.0.5$/!10.0.0.6/' "$WORK/primary/bl.ip4set"
echo "198.51.100.7" >>"$WORK/primary/bl.ip4set"
sleep 1.1   # a new mtime second, so the loader sees a changed file
"$BIN/dnsbl-loader" -c "$WORK/primary/c.yaml" load >/dev/null 2>&1
$P -q ship "$WORK/outbox"
out=$($M adopt "$WORK/outbox/data.mdb" 2>&1)
check "adopt an update" "$out" "as $WORK/mirror/store/v3: "
for _ in $(seq 30); do [ -n "$(ask 7.100.51.198.bl.test)" ] && break; sleep 0.1; done
check_eq "update: a new listing served" "$(ask 7.100.51.198.bl.test)" 127.0.0.2
check_eq "update: the old exclusion gone" "$(ask 5.0.0.10.bl.test)" 127.0.0.2
check_eq "update: the new exclusion" "$(ask 6.0.0.10.bl.test)" ""
check_eq "update: the old instance removed" "$(cd "$WORK/mirror/store" && ls -d v*)" v3
serial2=$(serial)
check "update: the SOA serial moved up ($serial1 -> $serial2)" \
	"$((serial2 > serial1))" '^1$'
wait "$ASKER"
read -r ok bad lost <"$WORK/asker.out"
check_eq "during the switch: wrong answers" "$bad" 0
check_eq "during the switch: unanswered" "$lost" 0
check "during the switch: answered" "$ok" '^[0-9]{2,}$'

# ---- bad copies are refused; the mirror keeps serving -----------------------
head -c 20000 "$WORK/outbox/data.mdb" >"$WORK/cut.mdb"
out=$($M adopt "$WORK/cut.mdb" 2>&1)
check_eq "a cut copy: exit 1" "$?" 1
check "a cut copy: names the file and says nothing changed" "$out" "cut.mdb.*unchanged|unchanged.*cut.mdb"
head -c 65536 /dev/urandom >"$WORK/junk.mdb"
out=$($M adopt "$WORK/junk.mdb" 2>&1)
check_eq "not a store: exit 1" "$?" 1
check "not a store: says so" "$out" 'adopt: FAILED: .*unchanged'
out=$($M adopt "$WORK/nonesuch.mdb" 2>&1)
check "a missing file: named" "$out" 'nonesuch.mdb: No such file'
out=$($M adopt "$WORK" 2>&1)
check "a directory: refused" "$out" 'not a regular file'
check_eq "after the refusals: still v3" "$(readlink "$WORK/mirror/store/current")" v3
check_eq "after the refusals: no leftover instance" "$(cd "$WORK/mirror/store" && ls -d v*)" v3
check_eq "after the refusals: still served" "$(ask 7.100.51.198.bl.test)" 127.0.0.2
out=$($M ship 2>&1)
check_eq "ship without a directory: exit 2" "$?" 2
check_not "server: no errors logged" "$(cat "$WORK/dnsbld.log")" 'cannot|error|FAIL'
srv_report
