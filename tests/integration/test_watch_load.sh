#!/usr/bin/env bash
# test_watch_load.sh -- zero lost and zero wrong answers during live updates.
#
# dnsbld answers a steady query load on loopback while dnsbl-loader watch
# applies a series of updates to a 20000-address feed: full rewrites with 1%
# changed (by rename and in place), a corrupted file, a deleted and a
# re-created one.  watch_load.py judges every answer against the feed
# versions it may come from and counts the unanswered ones; dnsperf adds a
# bounded background load (5000 qps for the same time) whose lost queries
# must be zero too.  Bounded: about 12 s of queries.  Ports 5670-5689.
set -u
. "$SRCDIR/tests/integration/server_lib.sh"

srv_workdir watchload
srv_pick_port 5670 5689
D=$WORK/feeds
mkdir -p "$D"
chmod 755 "$D"
SECONDS_LOAD=${WATCH_LOAD_SECONDS:-10}

cat >"$WORK/c.yaml" <<YAML
store: $WORK/store
listen: ["127.0.0.1:$PORT"]
datasets:
  spam: { type: ip4set, files: [feeds/spam.ip4set], max_errors: 5 }
zones:
  bl.test: { datasets: [spam] }
YAML
python3 "$SRCDIR/tests/integration/watch_load.py" init "$D/spam.ip4set" 20000 7 "$WORK/queries.txt"

srv_watch -i 0
check "initial load" "$(cat "$WORK/watch.out")" "^watching .*\(0 failed"
srv_start "$WORK/c.yaml" "$PORT" -w 2

perf_pid=
if command -v dnsperf >/dev/null; then
	dnsperf -s 127.0.0.1 -p "$PORT" -d "$WORK/queries.txt" -l "$SECONDS_LOAD" \
		-Q 5000 -t 2 >"$WORK/dnsperf.out" 2>&1 &
	perf_pid=$!
	SRV_PIDS+=("$perf_pid")
fi
out=$(timeout 120 python3 "$SRCDIR/tests/integration/watch_load.py" run "$PORT" \
	"$D/spam.ip4set" 20000 7 "$SECONDS_LOAD")
rc=$?
echo "$out"
check_eq "watch_load.py: every answer right, none lost, every update served" "$rc" 0
if [ "$rc" -ne 0 ]; then   # what the server and the loader said meanwhile
	echo "dnsbld.log:"; tail -n 20 "$WORK/dnsbld.log"
	echo "watch.err:"; tail -n 20 "$WORK/watch.err"
fi
check "some queries were judged" "$out" "right [1-9][0-9]{3,}"
check "updates applied" "$out" "updates ([4-9]|[1-9][0-9]+) served"
if [ -n "$perf_pid" ]; then
	wait "$perf_pid"
	perf=$(cat "$WORK/dnsperf.out")
	grep -E "Queries (sent|completed|lost)" <<<"$perf"
	check "dnsperf: queries completed" "$perf" "Queries completed: +[1-9]"
	check "dnsperf: none lost" "$perf" "Queries lost: +0 "
	check_not "dnsperf: no SERVFAIL" "$perf" "SERVFAIL"
fi
check "loader: the bad updates were refused" "$(cat "$WORK/watch.err")" "spam: FAILED .*too many errors"
check "loader: the deleted file was refused" "$(cat "$WORK/watch.err")" "spam: FAILED .*No such file"
check "loader: diffs applied" "$(cat "$WORK/watch.out")" "spam: ip4set, 2000[0-9] lines, 20000 entries, 0 warnings; records \+[1-9][0-9]* -[1-9][0-9]* =[1-9][0-9]*"
srv_report
