#!/usr/bin/env bash
# test_watch_zones.sh -- zone changes in the config reach a running dnsbld.
#
# dnsbl-loader watch stores the config's zone table (store_put_zones) at
# start and at every config change.  Once dnsbld serves the store's zone
# table (store_get_zones) instead of the one it read at start, a zone added,
# removed or given another dataset list is answered without a restart, and
# the zone's SOA serial moves.  Ports 5690-5699.
set -u
. "$SRCDIR/tests/integration/server_lib.sh"

srv_workdir watchzones
srv_pick_port 5690 5699
D=$WORK/feeds
mkdir -p "$D"
chmod 755 "$D"
printf ':127.0.0.2:spam\n10.0.0.1\n' >"$D/spam.ip4set"
printf ':127.0.0.4:extra\n10.0.0.13\n' >"$D/extra.ip4set"

config() {   # config ZONES-YAML: rewrites c.yaml by rename
	cat >"$WORK/c.yaml.new" <<YAML
store: $WORK/store
listen: ["127.0.0.1:$PORT"]
datasets:
  spam: { type: ip4set, files: [feeds/spam.ip4set] }
  extra: { type: ip4set, files: [feeds/extra.ip4set] }
zones:
$1
YAML
	mv "$WORK/c.yaml.new" "$WORK/c.yaml"
}
rcode() { dig +tries=1 +time=2 @127.0.0.1 -p "$PORT" "$1" "${2:-A}" | sed -n 's/.*status: \([A-Z]*\),.*/\1/p'; }
serial() { dig +short @127.0.0.1 -p "$PORT" "$1" SOA | awk '{print $3}'; }
wait_rcode() {   # wait_rcode DESC NAME TYPE WANT
	local got
	for _ in $(seq 50); do
		got=$(rcode "$2" "$3")
		[ "$got" = "$4" ] && break
		sleep 0.1
	done
	check_eq "$1" "$got" "$4"
}
zones_stored() {   # waits for the loader's Nth "zone table stored" line
	for _ in $(seq 100); do
		[ "$(grep -c 'zones: zone table stored' "$WORK/watch.out")" -ge "$1" ] && return
		sleep 0.1
	done
	FAILS=$((FAILS + 1))
	echo "FAIL: the loader did not store zone table #$1"
}

config "  bl.test: { datasets: [spam] }"
"$BIN/dnsbl-loader" -c "$WORK/c.yaml" -d 100 -i 0 watch >"$WORK/watch.out" 2>"$WORK/watch.err" &
SRV_PIDS+=("$!")
zones_stored 1
srv_start "$WORK/c.yaml" "$PORT" -w 2
check_eq "start: extra not in bl.test" "$(rcode 13.0.0.10.bl.test)" NXDOMAIN
S0=$(serial bl.test)

# A new zone and a dataset added to the old one.
config "  bl.test: { datasets: [spam, extra] }
  new.test: { datasets: [extra] }"
zones_stored 2
wait_rcode "added zone: apex answers" new.test SOA NOERROR
wait_rcode "added zone: its data" 13.0.0.10.new.test A NOERROR
wait_rcode "dataset added to a zone: answered" 13.0.0.10.bl.test A NOERROR
check_eq "old data still answered" "$(rcode 1.0.0.10.bl.test)" NOERROR
S1=$(serial bl.test)
[ -n "$S1" ] && [ "$S1" -gt "$S0" ] && PASSES=$((PASSES + 1)) ||
	{ FAILS=$((FAILS + 1)); echo "FAIL: bl.test serial $S1 not > $S0 after its datasets changed"; }

# The zone removed, the dataset taken out again.
config "  bl.test: { datasets: [spam] }"
zones_stored 3
wait_rcode "removed zone: refused" new.test SOA REFUSED
wait_rcode "dataset removed from a zone: not listed" 13.0.0.10.bl.test A NXDOMAIN
check_eq "old data still answered" "$(rcode 1.0.0.10.bl.test)" NOERROR
S2=$(serial bl.test)
[ -n "$S2" ] && [ "$S2" -gt "$S1" ] && PASSES=$((PASSES + 1)) ||
	{ FAILS=$((FAILS + 1)); echo "FAIL: bl.test serial $S2 not > $S1 after its datasets changed"; }
check_not "never SERVFAIL" "$(rcode 1.0.0.10.bl.test)" SERVFAIL
srv_report
