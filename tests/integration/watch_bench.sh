#!/usr/bin/env bash
# watch_bench.sh -- live-update figures: dnsbld + dnsbl-loader watch against
# rbldnsd on the same 1% change of a 1M-line ip4set (not a ctest test: it
# takes a minute and only measures; the closing note quotes its output).
#
#   BIN=build/bin SRCDIR=. bash tests/integration/watch_bench.sh [LINES]
#
# For each server: load, start a dnsperf load (-Q 20000 for 8 s), rename the
# mutated file over the feed, and time until the changed address is served
# (watch_flip.py), with RssAnon before / peak / after and the queries dnsperf
# lost.  rbldnsd runs with -c 1 (stat every second) and once more with a
# SIGHUP right after the rename.  Loopback only, ports 5690-5699, bounded.
set -u
. "$SRCDIR/tests/integration/server_lib.sh"
LINES=${1:-1000000}
srv_workdir watchbench
srv_pick_port 5690 5699
FLIP="python3 $SRCDIR/tests/integration/watch_flip.py"
D=$WORK/data
python3 "$SRCDIR/bench/gendata.py" "$D" --ip4 "$LINES" --ip6 1000 --dn 1000 --queries 200000 >/dev/null
chmod -R a+rX "$WORK"
# The 1% change, prepared aside (same file system) so only the rename lands.
mkdir -p "$WORK/next" && cp "$D/bl.ip4set" "$WORK/next/bl.ip4set"
python3 "$SRCDIR/bench/gendata.py" "$WORK/next" --mutate 0.01
added=$(awk '/^added/ {print $2}' "$WORK/next/changes.txt")
name=$(awk -F. '{print $4"."$3"."$2"."$1".bl.bench"}' <<<"$added")
cp "$WORK/next/bl.ip4set" "$WORK/next.ip4set"
grep '\.bl\.bench' "$D/queries.txt" >"$WORK/q4.txt"

cat >"$WORK/c.yaml" <<YAML
store: $WORK/store
listen: ["127.0.0.1:$PORT"]
datasets:
  bl: { type: ip4set, files: [data/bl.ip4set] }
zones:
  bl.bench: { datasets: [bl] }
YAML
QPS=${WATCH_BENCH_QPS:-10000}
perf() { dnsperf -s 127.0.0.1 -p "$PORT" -d "$WORK/q4.txt" -l 8 -Q "$QPS" -t 1 >"$WORK/perf.$1" 2>&1 & PERF=$!; sleep 1; }
perf_lost() { grep -E "Queries (completed|lost)|Average Latency" "$WORK/perf.$1" | tr -s ' ' | tr '\n' ' '; echo; }
# baseline NAME: the same dnsperf load with no update, for comparison.
baseline() { perf "base-$1"; wait "$PERF"; echo "dnsperf, no update ($QPS qps, 8 s): $(perf_lost "base-$1")"; }

echo "== dnsbld + dnsbl-loader watch ($LINES lines, 1% changed, rename)"
t0=$(date +%s.%N)
"$BIN/dnsbl-loader" -c "$WORK/c.yaml" -i 0 watch >"$WORK/watch.out" 2>"$WORK/watch.err" &
SRV_PIDS+=("$!")
for _ in $(seq 600); do grep -q '^watching' "$WORK/watch.out" && break; sleep 0.1; done
echo "initial load: $(grep '^[0-9T:-]*Z bl:' "$WORK/watch.out" | sed 's/^[^ ]* //')"
srv_start "$WORK/c.yaml" "$PORT" -w 2
baseline dnsbld
perf dnsbld
$FLIP "$PORT" "$WORK/next.ip4set" "$D/bl.ip4set" "$name" "$SRV_PID"
wait "$PERF"
echo "dnsperf with the update ($QPS qps, 8 s): $(perf_lost dnsbld)"
sleep 0.5
echo "loader: $(tail -1 "$WORK/watch.out" | sed 's/^[^ ]* //')"
kill "$SRV_PID"; wait "$SRV_PID" 2>/dev/null

for mode in poll hup; do
	echo "== rbldnsd -c 1 ($mode)"
	# the original file again, then the same change
	python3 "$SRCDIR/bench/gendata.py" "$WORK/orig" --ip4 "$LINES" --ip6 1000 --dn 1000 --queries 10 >/dev/null
	cp "$WORK/orig/bl.ip4set" "$D/bl.ip4set"
	cp "$WORK/next/bl.ip4set" "$WORK/next.ip4set"
	chmod -R a+rX "$WORK"
	rbldnsd -n -b "127.0.0.1/$PORT" -u nobody -c 1 "bl.bench:ip4set:$D/bl.ip4set" >"$WORK/rbldnsd.log" 2>&1 &
	RB=$!
	SRV_PIDS+=("$RB")
	for _ in $(seq 200); do dig +short +tries=1 +time=1 @127.0.0.1 -p "$PORT" bl.bench SOA | grep -q . && break; sleep 0.1; done
	sleep 1.5
	rpid=$(pgrep -P "$RB" rbldnsd || echo "$RB")
	[ "$mode" = poll ] && baseline rbldnsd
	perf "rbldnsd-$mode"
	if [ "$mode" = hup ]; then
		$FLIP "$PORT" "$WORK/next.ip4set" "$D/bl.ip4set" "$name" "$rpid" --hup "$rpid"
	else
		$FLIP "$PORT" "$WORK/next.ip4set" "$D/bl.ip4set" "$name" "$rpid"
	fi
	wait "$PERF"
	echo "dnsperf with the update ($QPS qps, 8 s): $(perf_lost "rbldnsd-$mode")"
	kill "$RB"; wait "$RB" 2>/dev/null
done
