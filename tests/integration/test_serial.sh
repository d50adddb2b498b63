#!/usr/bin/env bash
# test_serial.sh -- a zone's SOA serial moves with every change it serves.
#
# A zone's serial is the largest of its own (the zone table's) and its
# datasets'.  A load that changes a dataset in the same second as a change
# of the zone in the config (its TTL) must still move it: the dataset's new
# serial goes above every serial in the store, not only above its own old
# one and the clock.  Ports 6400-6409.
set -u
. "$SRCDIR/tests/integration/server_lib.sh"

srv_workdir serial
srv_pick_port 6400 6409
mkdir -p "$WORK/feeds"
chmod 755 "$WORK/feeds"

config() {   # config ZONES-YAML
	cat >"$WORK/c.yaml" <<YAML
store: $WORK/store
listen: ["127.0.0.1:$PORT"]
datasets:
  spam: { type: ip4set, files: [feeds/spam.ip4set] }
zones:
$1
YAML
}
serial() { dig +short +tries=1 +time=2 @127.0.0.1 -p "$PORT" bl.test SOA | awk '{print $3}'; }
load() { "$BIN/dnsbl-loader" -c "$WORK/c.yaml" load >>"$WORK/load.log" 2>&1; }

printf ':127.0.0.2:spam\n10.0.0.1\n' >"$WORK/feeds/spam.ip4set"
config "  bl.test: { datasets: [spam] }"
load
check_eq "first load" "$?" 0
srv_start "$WORK/c.yaml" "$PORT"

# Both writes must fall in one second, or the clock alone moves the serial:
# start early in a second and try again if the second turned meanwhile.
same_second=0
for try in 1 2 3 4 5; do
	while [ "$(date +%N | cut -c1)" -gt 2 ]; do sleep 0.05; done
	t0=$(date +%s)
	config "  bl.test: { datasets: [spam], ttl: $((600 + try)) }"
	load
	s_zones=$(serial)
	printf ':127.0.0.2:spam\n10.0.0.1\n10.0.0.%d\n' "$((try + 1))" >"$WORK/feeds/spam.ip4set"
	load
	s_data=$(serial)
	[ "$(date +%s)" = "$t0" ] && { same_second=1; break; }
	sleep 0.5
done
echo "serial after the zone table changed $s_zones, after the data changed $s_data (one second: $same_second)"
check_eq "both loads ran within one second" "$same_second" 1
if [ -n "$s_zones" ] && [ -n "$s_data" ] && [ "$s_data" -gt "$s_zones" ]; then
	PASSES=$((PASSES + 1))
else
	FAILS=$((FAILS + 1))
	echo "FAIL: the data change in the same second did not move the serial ($s_zones -> $s_data)"
fi
check_eq "the new entry is answered" \
	"$(dig +short @127.0.0.1 -p "$PORT" "$((try + 1)).0.0.10.bl.test" A)" 127.0.0.2
srv_report
