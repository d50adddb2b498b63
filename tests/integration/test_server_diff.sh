#!/bin/bash
# test_server_diff.sh -- dnsbld against Debian's rbldnsd on the same files.
#
# diffgen.py writes seeded random feeds of every dataset type (plus a zone
# merging three of them, and for each address type a zone listing the first
# and last addresses) and thousands of A/TXT/ANY (and MX, SOA, NS) queries,
# among them the edge addresses (0.0.0.0, 255.255.255.255, ::, all-f and
# their neighbours) in every address zone; rbldnsd serves the files directly
# (127.0.0.1, a free port in 5482-5489), dnsbld serves them after the real
# loader stored them (a free port in 5470-5479).  Every reply must have the same rcode and answer set,
# except the deliberate differences that diffgen.py's compare() lists (empty
# non-terminals, RFC 5782 test points).  Skipped (exit 77, ctest SKIP) when
# rbldnsd is not installed.
set -u
. "$SRCDIR/tests/integration/server_lib.sh"
RBLDNSD=${RBLDNSD:-/usr/sbin/rbldnsd}
if [ ! -x "$RBLDNSD" ]; then
	echo "rbldnsd not installed: skipped"
	exit 77
fi
srv_workdir server_diff
srv_pick_port 5482 5489
RBL_PORT=$PORT
srv_pick_port 5470 5479
# rbldnsd drops root and must read the files as nobody: give it a copy in a
# world-readable directory of its own.
RBLDIR=$(mktemp -d /tmp/dnsbld-diff.XXXXXX)
chmod 755 "$RBLDIR"
trap 'srv_cleanup; rm -rf "$RBLDIR"' EXIT
cd "$WORK" || exit 1

python3 "$SRCDIR/tests/integration/diffgen.py" gen "$WORK" "${DIFF_SEED:-20260}" || exit 1
cp ./*.data "$RBLDIR/"
chmod 644 "$RBLDIR"/*

{
	echo "store: store"
	echo "listen: [\"127.0.0.1:$PORT\"]"
	echo "datasets:"
	# A dataset per file, named after it (ip4set.data -> ip4set).
	while read -r zone type file; do
		echo "  ${file%.data}: {type: $type, files: [$file]}"
	done <zones.txt | sort -u
	echo "zones:"
	awk '{sub(/\.data$/, "", $3); ds[$1] = ds[$1] (ds[$1] ? ", " : "") $3; if (!seen[$1]++) order[n++] = $1}
	     END {for (i = 0; i < n; i++) printf "  %s: {datasets: [%s]}\n", order[i], ds[order[i]]}' zones.txt
} >cfg.yaml
"$BIN/dnsbl-loader" -q -c cfg.yaml load 2>loader.log ||
	{ echo "loader failed"; cat loader.log; exit 1; }
srv_start cfg.yaml $PORT

args=()
while read -r zone type file; do
	args+=("$zone:$type:$RBLDIR/$file")
done <zones.txt
"$RBLDNSD" -n -b 127.0.0.1/$RBL_PORT -u nobody "${args[@]}" >"$WORK/rbldnsd.log" 2>&1 &
SRV_PIDS+=("$!")
for _ in $(seq 100); do
	$DNSQ $RBL_PORT ip4set.t SOA --timeout 0.2 | grep '^rcode=' >/dev/null && break
	sleep 0.1
done

$DNSQ $RBL_PORT --bulk queries.txt >rbldnsd.out
$DNSQ $PORT --bulk queries.txt >dnsbld.out
out=$(python3 "$SRCDIR/tests/integration/diffgen.py" compare queries.txt rbldnsd.out dnsbld.out)
rc=$?
echo "$out" | head -60
check_eq "dnsbld and rbldnsd agree on $(wc -l <queries.txt) queries" "$rc" 0
n=$(grep -c . queries.txt)
[ "$n" -ge 2000 ] && check_eq "at least 2000 queries" ok ok || check_eq "at least 2000 queries" "$n" ">=2000"
srv_report
