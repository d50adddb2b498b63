#!/usr/bin/env bash
# round2.sh -- the second performance round's figures, dnsbld against
# Debian's rbldnsd (and the UDP floor), from one run.
#
# A benchmark, not a test.  On an N-line ip4set (bench/gendata.py, default
# 1M lines; the issue's size is --lines 10000000) it measures:
#   1. updates: a 1% and a 0.1% change renamed over the feed (a copy beside
#      it, then rename, as rsync does), with no query load and with dnsperf
#      at --qps (bounded, -l: a window longer than the slowest flip):
#      seconds from the rename until a canary address that only the new
#      version lists is answered (tests/integration/watch_flip.py), and
#      the queries dnsperf lost.
#      dnsbld: `dnsbl-loader watch` and dnsbld on one store; rbldnsd: -c 1
#      and a SIGHUP right after the rename (its best case).  Each change is
#      applied and then undone (the undo is the same size of change, with
#      its own canary), --update-pairs times: medians;
#   2. full load: `dnsbl-loader load` into a fresh store (wall, user+sys
#      CPU) against rbldnsd's start-up on the same file (exec to its first
#      answer), --runs times: medians;
#   3. loader peak RSS (full load, 1% update) against rbldnsd's VmRSS once
#      loaded, and the loader's private part of it (RssAnon, sampled by
#      bench/proc_peak.py);
#   4. lookup: CPU per query at --cpu-rate with serve_bench.py's method
#      (bench/round2_cpu.py): the three servers pinned to core 0, dnsperf
#      on core 1, --runs runs of --duration s each, taken in turn;
#   5. space: the store after ten successive 1% updates applied with
#      `dnsbl-loader load bl` while dnsbld answers a probe every 5 ms
#      (bench/round2_space.py), and its peak during them (the loader
#      compacts the store when a quarter of it is free);
#   6. with --instr: user-space instructions per query of both servers
#      under callgrind (bench/round2_instr.py, same data, 20,000 queries),
#      the load-independent measure of user CPU; about 3 minutes at 1M
#      lines, 10 at 10M;
# and prints a table: figure | rbldnsd | dnsbld | ratio | target.
#
# Usage: bench/round2.sh [--lines N] [--quick] [--runs R] [--qps Q]
#        [--update-pairs P] [--load-seconds L] [--cpu-rate "R..."]
#        [--duration S] [--space-rounds K] [--bindir DIR] [--datadir DIR]
#        [--instr]
#        [--watch-delay MS]  (dnsbl-loader watch -d: quiet time after a file
#        event before it reloads, default 200; after the feed renamed into
#        place, as here, it waits at most 20 ms)
# --quick: 100k lines, one run of everything, shorter loads (a smoke run).
# --datadir keeps the generated data for the next run (10M: ~12 s to make).
# Needs rbldnsd, dnsperf, mdb_stat, taskset, python3, cc; run
# as root (rbldnsd switches to nobody; nice -10 for the CPU figures).
# Loopback only, ports 5900-5912; every wait and load is bounded; servers and
# temp files are removed on exit.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

lines=1000000 runs=3 qps=50000 pairs=1 load_s="" cpu_rate="50000" duration=5
space_rounds=10 bindir="$root/build/bin" datadir="" watch_delay=200 instr=0
while [[ $# -gt 0 ]]; do
	case "$1" in
	--lines) lines=$2; shift ;;
	--quick) lines=100000 runs=1 duration=3 space_rounds=3 load_s=5 ;;
	--runs) runs=$2; shift ;;
	--qps) qps=$2; shift ;;
	--update-pairs) pairs=$2; shift ;;
	--load-seconds) load_s=$2; shift ;;
	--cpu-rate) cpu_rate=$2; shift ;;
	--duration) duration=$2; shift ;;
	--space-rounds) space_rounds=$2; shift ;;
	--bindir) bindir=$(cd "$2" && pwd); shift ;;
	--datadir) datadir=$2; shift ;;
	--watch-delay) watch_delay=$2; shift ;;
	--instr) instr=1 ;;
	-h | --help) sed -n '2,/^set -e/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
	*) echo "round2.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
	esac
	shift
done
# dnsperf's window per flip: the slowest flip must end inside it.
[[ -n "$load_s" ]] || load_s=$((lines > 2000000 ? 16 : 8))   # or longer: round2_update.py
loader="$bindir/dnsbl-loader"
if [[ ! -x "$loader" || ! -x "$bindir/dnsbld" ]]; then
	bash scripts/build.sh "$(dirname "$bindir")"
fi
for tool in rbldnsd dnsperf mdb_stat taskset; do
	command -v "$tool" >/dev/null || { echo "round2.sh: $tool is needed" >&2; exit 2; }
done

PORT_RBL=5900 PORT_DB=5901 PORT_CPU=5910   # 5910-5912: round2_cpu.py
W="$(mktemp -d /tmp/dnsbld-round2.XXXXXX)"
chmod 755 "$W"   # rbldnsd runs as nobody and must read the feed
PIDS=()
cleanup() {
	local p
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
	[[ -f "$W/rbl.pid" ]] && { kill "$(cat "$W/rbl.pid")" 2>/dev/null || true; }
	for p in "${PIDS[@]}"; do   # at most 5 s each to exit
		for _ in $(seq 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
	done
	rm -rf "$W"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

say() { echo "round2: $*" >&2; }
median() { sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
R="$W/results"   # key=value, one a line
: >"$R"
get() { awk -F= -v k="$1" '$1 == k { v = $2 } END { print v }' "$R"; }
put() { echo "$1=$2" >>"$R"; }
# wait_answer PORT PID: until the bl.bench SOA is answered (at most 120 s).
wait_answer() {
	for _ in $(seq 1200); do
		dig +short +tries=1 +time=1 @127.0.0.1 -p "$1" bl.bench SOA 2>/dev/null | grep -q . && return 0
		kill -0 "$2" 2>/dev/null || break
		sleep 0.1
	done
	say "no answer on port $1"; return 1
}
stop() { kill "$1" 2>/dev/null || true; for _ in $(seq 100); do kill -0 "$1" 2>/dev/null || return 0; sleep 0.1; done; kill -9 "$1" 2>/dev/null || true; }

# ---- data -----------------------------------------------------------------
data="${datadir:-$W/data}/data-$lines"
if [[ ! -f "$data/queries.txt" ]]; then
	say "generating $lines ip4set lines (+ serve_bench's ip6trie, dnset, query mix) in $data"
	python3 bench/gendata.py "$data" --ip4 "$lines"
fi
chmod 755 "$(dirname "$data")" "$data"
chmod 644 "$data"/*
# The versions renamed in: ORIG is the data plus canary 127.8.8.8; a change
# of fraction F is the data with F of its lines replaced plus 127.9.9.9.
# gendata.py never writes 127/8, so a canary is listed by exactly one
# version, whatever CIDRs the data holds.
V="$W/versions"
mkdir -p "$V/m1" "$V/m01"
{ cat "$data/bl.ip4set"; echo 127.8.8.8; } >"$V/orig"
for f in 1:0.01 01:0.001; do
	cp "$data/bl.ip4set" "$V/m${f%%:*}/bl.ip4set"
	python3 bench/gendata.py "$V/m${f%%:*}" --mutate "${f#*:}"
	{ cat "$V/m${f%%:*}/bl.ip4set"; echo 127.9.9.9; } >"$V/mut${f%%:*}"
done
chmod -R a+rX "$V"
grep '\.bl\.bench ' "$data/queries.txt" >"$W/q4.txt"
feed="$W/feed/bl.ip4set"
mkdir -p "$W/feed" && chmod 755 "$W/feed"
cp "$V/orig" "$feed" && chmod 644 "$feed"
cat >"$W/bench.yaml" <<YAML
store: $W/store
listen: ["127.0.0.1:$PORT_DB"]
datasets:
  bl: {type: ip4set, files: [$feed]}
zones:
  bl.bench: {datasets: [bl]}
YAML

# ---- 2 and 3: full loads, loader peak RSS ----------------------------------
say "full loads of $lines lines into a fresh store, $runs runs"
for run in $(seq "$runs"); do
	rm -rf "$W/store"
	sync
	timeout 900 python3 bench/proc_peak.py -o "$W/time" -- "$loader" -c "$W/bench.yaml" load >"$W/load.out"
	read -r _ e u s m a <"$W/time"
	say "  run $run: $e s wall, $(awk "BEGIN { print $u + $s }") s CPU, max RSS $m KiB (private $a KiB); $(cat "$W/load.out")"
	echo "$e" >>"$W/full_wall"
	awk "BEGIN { print $u + $s }" >>"$W/full_cpu"
	echo "$m" >>"$W/full_rss"
	echo "$a" >>"$W/full_anon"
done
put full_wall_s "$(median <"$W/full_wall")"
put full_cpu_s "$(median <"$W/full_cpu")"
put full_maxrss_kib "$(median <"$W/full_rss")"
put full_rssanon_kib "$(median <"$W/full_anon")"

# ---- 1, dnsbld: dnsbl-loader watch + dnsbld on one store --------------------
# flip_set M: the change M (1 or 01) applied and undone, --update-pairs times.
flip_set() {
	local out=() i
	for ((i = 0; i < pairs; i++)); do out+=("$V/mut$1:127.9.9.9" "$V/orig:127.8.8.8"); done
	echo "${out[@]}"
}
# updates NAME PID [--hup]: the four update figures of one server.
updates() {
	local name=$1 pid=$2 port=$3 m mode q
	shift 3
	# No load first: its time sizes dnsperf's window for the loaded flips.
	for m in 1 01; do
		for mode in idle load; do
			q=$qps; [[ $mode == idle ]] && q=0
			say "$name: $([[ $m == 1 ]] && echo 1% || echo 0.1%) change, $([[ $q == 0 ]] && echo "no query load" || echo "$q qps")"
			local extra=()
			[[ $mode == load ]] && extra=(--expect "$(get "${name}_u${m}_idle_s")")
			[[ $m == 1 && $mode == load ]] && extra+=(--baseline)
			# shellcheck disable=SC2046  # flip_set's words are paths
			timeout 1800 python3 bench/round2_update.py --port "$port" --pid "$pid" --feed "$feed" \
				--queries "$W/q4.txt" --qps "$q" --load-seconds "$load_s" --key "${name}_u${m}_$mode" \
				"${extra[@]}" "$@" $(flip_set "$m") >>"$R"
		done
	done
}
say "dnsbld: dnsbl-loader watch and dnsbld on $W/store"
"$loader" -c "$W/bench.yaml" -i 0 -d "$watch_delay" watch >"$W/watch.out" 2>"$W/watch.err" &
PIDS+=("$!")
watch_pid=$!
for _ in $(seq 1800); do grep -q '^watching' "$W/watch.out" && break; sleep 0.1; done
grep -q '^watching' "$W/watch.out" || { say "dnsbl-loader watch did not start"; cat "$W/watch.err" >&2; exit 1; }
"$bindir/dnsbld" -c "$W/bench.yaml" >"$W/dnsbld.log" 2>&1 &
PIDS+=("$!")
db_pid=$!
wait_answer "$PORT_DB" "$db_pid"
updates dnsbld "$db_pid" "$PORT_DB"
say "dnsbl-loader watch, its work for each flip:"
grep -E '^[0-9T:-]+Z bl:' "$W/watch.out" | sed 's/^/  /' >&2 || true
stop "$db_pid"
stop "$watch_pid"

# ---- 2, 3 and 1, rbldnsd: start-ups on the same file, then its updates ----
say "rbldnsd start-ups on the same file, $runs runs"
startup_s="" startup_cpu_s="" vmrss_kib="" rssanon_kib="" pid=""   # set by round2_rbldnsd.py
for run in $(seq "$runs"); do
	python3 bench/round2_rbldnsd.py "$PORT_RBL" "$feed" "$W/rbl.pid" "$W/rbldnsd.log" 1 >"$W/rbl.start"
	# shellcheck disable=SC1090  # key=value lines
	. "$W/rbl.start"
	say "  run $run: first answer after $startup_s s, $startup_cpu_s s CPU, VmRSS $vmrss_kib KiB"
	echo "$startup_s" >>"$W/rbl_start"
	echo "$startup_cpu_s" >>"$W/rbl_cpu"
	echo "$vmrss_kib" >>"$W/rbl_rss"
	echo "$rssanon_kib" >>"$W/rbl_anon"
	[[ $run == "$runs" ]] || { stop "$pid"; rm -f "$W/rbl.pid"; }
done
PIDS+=("$pid")
put rbl_start_s "$(median <"$W/rbl_start")"
put rbl_start_cpu_s "$(median <"$W/rbl_cpu")"
put rbl_vmrss_kib "$(median <"$W/rbl_rss")"
put rbl_rssanon_kib "$(median <"$W/rbl_anon")"
updates rbldnsd "$pid" "$PORT_RBL" --hup
put rbl_vmrss_after_kib "$(awk '/^VmRSS/ { print $2 }' "/proc/$pid/status")"
stop "$pid"
rm -f "$W/rbl.pid"

# ---- 5 and 3: ten 1% updates while dnsbld answers ---------------------------
say "space: a fresh load, then $space_rounds successive 1% updates while dnsbld answers"
cp "$V/orig" "$feed"
rm -rf "$W/store"
"$loader" -q -c "$W/bench.yaml" load
put store_fresh_bytes "$(du -B1 "$W/store/current/data.mdb" | cut -f1)"
"$bindir/dnsbld" -c "$W/bench.yaml" >"$W/dnsbld.log" 2>&1 &
PIDS+=("$!")
db_pid=$!
wait_answer "$PORT_DB" "$db_pid"
timeout 3600 python3 bench/round2_space.py "$W/bench.yaml" "$loader" "$feed" "$PORT_DB" \
	"$space_rounds" 0.01 "$W/store" >>"$R"
env_stat=$(mdb_stat -e "$W/store/current")
put store_bytes "$(du -B1 "$W/store/current/data.mdb" | cut -f1)"
put store_dir_bytes "$(du -sB1 "$W/store" | cut -f1)"
put store_pages_bytes "$(awk -F': *' '/Page size/ { ps = $2 } /Number of pages used/ { n = $2 } END { print n * ps }' <<<"$env_stat")"
stop "$db_pid"

# ---- 4: CPU per query ------------------------------------------------------
say "CPU per query at $cpu_rate qps: rbldnsd, dnsbld, UDP floor; $runs runs of $duration s"
mkdir -p "$W/cpu" && chmod 755 "$W/cpu"
timeout 3600 python3 bench/round2_cpu.py "$W/cpu" "$data" "$bindir" "$PORT_CPU" "$cpu_rate" \
	"$duration" "$runs" >>"$R"

# ---- 6: instructions per query ----------------------------------------------
if [[ $instr == 1 ]]; then
	say "instructions per query under callgrind (bench/round2_instr.py)"
	if timeout 7200 python3 bench/round2_instr.py --sizes "$lines" \
		--datadir "$(dirname "$data")" --bindir "$bindir" >"$W/instr.out" 2>"$W/instr.err"; then
		# "| instructions, whole process | 1,408 | 3,956 | 2.81 |"
		awk -F'|' '/instructions, whole process/ {
			gsub(/[ ,]/, "", $3); gsub(/[ ,]/, "", $4)
			print "instr_rbldnsd=" $3; print "instr_dnsbld=" $4 }' "$W/instr.out" >>"$R"
	else
		say "round2_instr.py failed:"; tail -5 "$W/instr.err" >&2
	fi
fi

# ---- the table ---------------------------------------------------------------
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "" || b == "" || a + 0 == 0) print "-"; else printf "%.2f", b / a }'; }
mb() { awk -v k="$1" 'BEGIN { if (k == "") print "-"; else printf "%.1f MB", k * 1024 / 1e6 }'; }
mbb() { awk -v b="$1" 'BEGIN { if (b == "") print "-"; else printf "%.1f MB", b / 1e6 }'; }
# lost KEY: the median losses, "≥" when a flip outlasted its dnsperf window.
lost() { echo "$([[ $(get "$1_short") == 0 ]] || echo "≥ ")$(get "$1_lost")"; }
row() { printf '| %s | %s | %s | %s | %s |\n' "$@"; }
rrss=$(get rbl_vmrss_kib)
echo
echo "### Second round: $lines ip4set lines, $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "bench/round2.sh --lines $lines --runs $runs --qps $qps --update-pairs $pairs --load-seconds $load_s --cpu-rate \"$cpu_rate\" --duration $duration --space-rounds $space_rounds$([[ $instr == 1 ]] && echo " --instr")"
echo "dnsbld $(git -C "$root" describe --always --dirty 2>/dev/null || echo '?'), $(rbldnsd -h 2>&1 | head -1 | cut -c1-60)"
echo "rbldnsd applies a change with -c 1 and a SIGHUP sent right after the rename (its best case);"
echo "dnsbld with dnsbl-loader watch (inotify, -d $watch_delay; a file renamed into place waits at most 20 ms before reloading).  Ratios are dnsbld / rbldnsd unless the figure says otherwise."
echo
row "figure" "rbldnsd" "dnsbld" "ratio" "target"
row "---" "---:" "---:" "---:" "---"
for m in 1 01; do
	pct=$([[ $m == 1 ]] && echo 1% || echo 0.1%)
	tgt=$([[ $m == 1 ]] && echo "≤ 1.0 s" || echo "≤ 0.3 s")
	a=$(get "rbldnsd_u${m}_load_s") b=$(get "dnsbld_u${m}_load_s")
	row "$pct change renamed in → new answers, s, at $qps qps" "$a" "$b" "$(ratio "$a" "$b")" "$tgt"
	a=$(lost "rbldnsd_u${m}_load") b=$(lost "dnsbld_u${m}_load")
	row "  queries lost per update (dnsperf window: $(get "rbldnsd_u${m}_load_window") / $(get "dnsbld_u${m}_load_window") s)" "$a" "$b" "" "0"
	a=$(get "rbldnsd_u${m}_idle_s") b=$(get "dnsbld_u${m}_idle_s")
	row "$pct change → new answers, s, no query load" "$a" "$b" "$(ratio "$a" "$b")" ""
done
a=$(get rbldnsd_u1_load_baseline_lost) b=$(get dnsbld_u1_load_baseline_lost)
row "  queries lost with no update ($load_s s at $qps qps)" "$a" "$b" "" ""
a=$(get rbl_start_s) b=$(get full_wall_s)
row "full load, s (rbldnsd: exec → first answer)" "$a" "$b" "$(ratio "$a" "$b")" "≤ 1.0×"
a=$(get rbl_start_cpu_s) b=$(get full_cpu_s)
row "  CPU (user+sys) of that load, s" "$a" "$b" "$(ratio "$a" "$b")" ""
b=$(get full_maxrss_kib)
row "loader peak RSS, full load (rbldnsd: VmRSS loaded)" "$(mb "$rrss")" "$(mb "$b")" "$(ratio "$rrss" "$b")" "≤ 2×"
b=$(get full_rssanon_kib)
row "  of which private (RssAnon; the rest is the store's pages it maps)" "$(mb "$rrss")" "$(mb "$b")" "$(ratio "$rrss" "$b")" ""
b=$(get upd_maxrss_kib)
row "loader peak RSS, 1% update (median of $space_rounds)" "$(mb "$rrss")" "$(mb "$b")" "$(ratio "$rrss" "$b")" "≤ 2×"
b=$(get upd_rssanon_kib)
row "  of which private (RssAnon)" "$(mb "$rrss")" "$(mb "$b")" "$(ratio "$rrss" "$b")" ""
row "  loader 1% update (load bl): wall / CPU s" "-" "$(get upd_wall_s) / $(get upd_cpu_s)" "" ""
for rate in $cpu_rate; do
	k="$((rate / 1000))k"
	a=$(get "cpu_rbldnsd_user_$rate") b=$(get "cpu_dnsbld_user_$rate")
	row "user CPU µs/query @ $k qps" "$a" "$b" "$(ratio "$a" "$b")" "≤ 0.5×"
	a=$(get "cpu_rbldnsd_total_$rate") b=$(get "cpu_dnsbld_total_$rate")
	row "total CPU µs/query @ $k qps" "$a" "$b" "$(ratio "$a" "$b")" ""
	a=$(get "cpu_rbldnsd_qps_$rate") b=$(get "cpu_dnsbld_qps_$rate")
	f=$(get "cpu_floor_qps_$rate")
	row "  qps answered in those runs (floor: ${f%.*})" "${a%.*}" "${b%.*}" "" "$rate"
	b=$(get "cpu_dnsbld_total_$rate")
	a=$(get "cpu_floor_total_$rate")
	row "  dnsbld total vs the UDP floor's (rbldnsd column: floor)" "$a" "$b" "$(ratio "$a" "$b")" "≤ 1.15×"
done
if [[ $instr == 1 ]]; then
	a=$(get instr_rbldnsd) b=$(get instr_dnsbld)
	row "user-space instructions/query (callgrind, 20,000 queries)" "$a" "$b" "$(ratio "$a" "$b")" "≤ 0.5×"
fi
a=$((rrss * 1024))
b=$(get store_bytes)
row "store data.mdb (du) after $space_rounds 1% updates vs rbldnsd VmRSS" "$(mbb "$a")" "$(mbb "$b")" "$(ratio "$a" "$b")" "≤ 1.5×"
b=$(get store_pages_bytes)
row "  mdb_stat pages used × page size" "$(mbb "$a")" "$(mbb "$b")" "$(ratio "$a" "$b")" ""
b=$(get store_fresh_bytes)
row "  store data.mdb after the fresh load" "$(mbb "$a")" "$(mbb "$b")" "$(ratio "$a" "$b")" ""
b=$(get space_peak_dir_bytes)
row "  store dir peak right after an update (all instances)" "$(mbb "$a")" "$(mbb "$b")" "$(ratio "$a" "$b")" ""
b=$(get space_peak_compact_bytes)
row "  largest data.mdb before a compaction (loader's report)" "$(mbb "$a")" "$(mbb "$b")" "$(ratio "$a" "$b")" ""
row "  probes unanswered during the updates" "-" "$(get space_unanswered) of $(get space_probes)" "" "0"
echo
echo "Each update flip (seconds/queries lost): $(grep '_all=' "$R" | tr '\n' ' ')"
echo "rbldnsd RssAnon once loaded: $(get rbl_rssanon_kib) KiB, VmRSS after its updates: $(get rbl_vmrss_after_kib) KiB"
