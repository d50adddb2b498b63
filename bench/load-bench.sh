#!/usr/bin/env bash
# load-bench.sh -- dnsbl-loader load speed and store size vs rbldnsd's RAM.
#
# A benchmark, not a test: it generates a deterministic ip4set (default 1M
# lines: mostly single addresses, some CIDRs, ranges and exclusions, a shared
# default value and ~10% per-line values; bench/gendata.py), then
#   1. loads it with dnsbl-loader into a fresh store, 3 times: median
#      lines/s, and the store's size (du -b data.mdb, mdb_stat pages);
#   2. re-loads it after a 1% change (the diff write), 3 times: median;
#   3. starts Debian's rbldnsd on the same file (127.0.0.1:5540, -n, as
#      nobody), 3 times: median time to its first answer, load time from
#      its log, and VmRSS after it answered a query;
# and prints a table with the ratios.  Every wait is bounded.
# Usage: bench/load-bench.sh [LINES]    env: BUILD=build (the build dir)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

lines_wanted="${1:-1000000}"
build="${BUILD:-build}"
port=5540
loader="$root/$build/bin/dnsbl-loader"

if [[ ! -x "$loader" ]]; then
	bash scripts/deps.sh build
	bash scripts/build.sh "$build"
fi
command -v rbldnsd >/dev/null || bash scripts/deps.sh test
command -v mdb_stat >/dev/null || bash scripts/deps.sh test

W="$(mktemp -d /tmp/dnsbld-loadbench.XXXXXX)"
rbl_pid=""
cleanup() {
	# rbldnsd runs from a subshell: its pid is in a file.
	if [[ -f "$W/rbl.pid" ]]; then
		kill "$(cat "$W/rbl.pid")" 2>/dev/null || true
		sleep 0.2
	fi
	rm -rf "$W"
}
trap cleanup EXIT
chmod 755 "$W"

say() { echo "load-bench: $*" >&2; }
median() { sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
now() { date +%s.%N; }
calc() { awk "BEGIN { printf \"%.3f\", $1 }"; }
calc0() { awk "BEGIN { printf \"%d\", $1 }"; }

say "generating $lines_wanted lines in $W/data"
python3 bench/gendata.py "$W/data" --ip4 "$lines_wanted" --ip6 0 --dn 0 --queries 0
data="$W/data/bl.ip4set"
lines=$(wc -l <"$data")
bytes=$(stat -c %s "$data")
mkdir -p "$W/mut"
cp "$data" "$W/mut/bl.ip4set"
python3 bench/gendata.py "$W/mut" --mutate 0.01
cp "$data" "$W/orig.ip4set"
chmod 644 "$data" "$W/orig.ip4set" "$W/mut/bl.ip4set"

cat >"$W/bench.yaml" <<YAML
store: $W/store
datasets:
  bl: {type: ip4set, files: [$data]}
zones:
  bl.bench: {datasets: [bl]}
YAML

# ---- 1. full loads into a fresh store ------------------------------------
full_times=()
full_parse=()
full_write=()
for run in 1 2 3; do
	rm -rf "$W/store"
	sync
	t0=$(now)
	full_summary=$(timeout 900 "$loader" -w 5 -c "$W/bench.yaml" load)
	t1=$(now)
	full_times+=("$(calc "$t1 - $t0")")
	full_parse+=("$(sed -E 's/.*parse ([0-9.]+) s.*/\1/' <<<"$full_summary")")
	full_write+=("$(sed -E 's/.*write ([0-9.]+) s.*/\1/' <<<"$full_summary")")
	say "full load run $run: ${full_times[-1]} s ($full_summary)"
done
full_s=$(printf '%s\n' "${full_times[@]}" | median)
full_p=$(printf '%s\n' "${full_parse[@]}" | median)
full_w=$(printf '%s\n' "${full_write[@]}" | median)
summary=$("$loader" -w 5 -c "$W/bench.yaml" load)   # unchanged re-load, for the record
say "unchanged re-load: $summary"
store_bytes=$(du -b "$W/store/data.mdb" | cut -f1)
store_alloc=$(du -B1 "$W/store/data.mdb" | cut -f1)
mdb_env=$(mdb_stat -e "$W/store")
page_size=$(awk -F': *' '/Page size/ { print $2 }' <<<"$mdb_env")
pages_used=$(awk -F': *' '/Number of pages used/ { print $2 }' <<<"$mdb_env")
entries=$("$loader" -c "$W/bench.yaml" show bl | awk '$1 == "entries" { print $2; exit }')

# ---- 2. 1% change: the diff write ------------------------------------------
upd_times=()
upd_write=()
upd_summary=""
for run in 1 2 3; do
	cp "$W/orig.ip4set" "$data"
	timeout 900 "$loader" -q -c "$W/bench.yaml" load bl
	cp "$W/mut/bl.ip4set" "$data"
	t0=$(now)
	upd_summary=$(timeout 900 "$loader" -w 5 -c "$W/bench.yaml" load bl)
	t1=$(now)
	upd_times+=("$(calc "$t1 - $t0")")
	upd_write+=("$(sed -E 's/.*write ([0-9.]+) s.*/\1/' <<<"$upd_summary")")
	say "1% update run $run: ${upd_times[-1]} s ($upd_summary)"
done
upd_s=$(printf '%s\n' "${upd_times[@]}" | median)
upd_w=$(printf '%s\n' "${upd_write[@]}" | median)
cp "$W/orig.ip4set" "$data"

# ---- 3. rbldnsd on the same file, 3 times -----------------------------------
# Prints "seconds-to-first-answer VmRSS-kB log-load-time" for one start.
# python3 starts rbldnsd and polls it with a raw UDP SOA query every 5 ms
# (at most 60 s): queries wait in the socket buffer while rbldnsd loads, so
# the first answer marks the end of its load.
rbldnsd_once() {
	local st rss load
	st=$(python3 - "$port" "$data" "$W/rbldnsd.log" "$W/rbl.pid" <<'PY'
import socket, struct, subprocess, sys, time
port, data, logf, pidf = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
q = struct.pack("!HHHHHH", 1, 0x0100, 1, 0, 0, 0) + b"\x02bl\x05bench\x00" + struct.pack("!HH", 6, 1)
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(0.005)
log = open(logf, "w")
t0 = time.monotonic()
p = subprocess.Popen(["rbldnsd", "-n", "-b", "127.0.0.1/%d" % port, "-u", "nobody",
                      "-c", "0", "bl.bench:ip4set:" + data],
                     stdin=subprocess.DEVNULL, stdout=log, stderr=log)
open(pidf, "w").write("%d\n" % p.pid)
while time.monotonic() - t0 < 60 and p.poll() is None:
    try:
        s.sendto(q, ("127.0.0.1", port))
        s.recv(4096)
        print("%.3f" % (time.monotonic() - t0))
        break
    except OSError:
        pass
PY
	)
	rbl_pid=$(cat "$W/rbl.pid")
	if [[ -z "$st" ]] || ! dig +short +tries=2 +time=2 @127.0.0.1 -p "$port" bl.bench SOA | grep -q .; then
		say "rbldnsd did not answer; its log:"
		cat "$W/rbldnsd.log" >&2
		return 1
	fi
	rss=$(awk '/^VmRSS/ { print $2 }' "/proc/$rbl_pid/status")
	load=$(sed -nE 's/.*zones reloaded, time ([0-9.]+)e\/([0-9.]+)u sec.*/\1/p' "$W/rbldnsd.log" | head -1)
	kill "$rbl_pid"
	for _ in $(seq 1 50); do   # at most 5 s for it to exit
		kill -0 "$rbl_pid" 2>/dev/null || break
		sleep 0.1
	done
	rm -f "$W/rbl.pid"
	echo "$st $rss ${load:-0}"
}
rbl_starts=()
rbl_rsss=()
rbl_loads=()
for run in 1 2 3; do
	say "starting rbldnsd on 127.0.0.1:$port (run $run)"
	read -r st rss ld < <(rbldnsd_once) || exit 1
	[[ -n "${st:-}" ]] || exit 1
	say "rbldnsd run $run: first answer after $st s, VmRSS $rss kB, log time ${ld}e"
	rbl_starts+=("$st")
	rbl_rsss+=("$rss")
	rbl_loads+=("$ld")
done
rbl_start=$(printf '%s\n' "${rbl_starts[@]}" | median)
rbl_rss_kb=$(printf '%s\n' "${rbl_rsss[@]}" | median)
rbl_load=$(printf '%s\n' "${rbl_loads[@]}" | median)

# ---- report -----------------------------------------------------------------
r() { awk "BEGIN { printf \"%.2f\", $1 / $2 }"; }
lps=$(calc0 "$lines / $full_s")
rbl_rss=$((rbl_rss_kb * 1024))
echo
echo "Load benchmark: $lines lines ($bytes bytes) ip4set, $(nproc) cores, $(date -u +%Y-%m-%d)"
echo "dnsbl-loader: $loader (median of 3 runs)"
echo "rbldnsd: $(rbldnsd -h 2>&1 | head -1 || true)"
echo
printf '| %-40s | %14s | %14s | %8s |\n' "figure" "dnsbld" "rbldnsd" "ratio"
printf '|%s|%s|%s|%s|\n' "------------------------------------------" "----------------" "----------------" "----------"
printf '| %-40s | %14s | %14s | %8s |\n' "full load s (rbldnsd: start->1st answer)" "$full_s" "$rbl_start" "$(r "$full_s" "$rbl_start")"
printf '| %-40s | %14s | %14s | %8s |\n' "full load: parse / write txn, s" "$full_p / $full_w" "-" ""
printf '| %-40s | %14s | %14s | %8s |\n' "rbldnsd log \"time Ne\" (coarse clock)" "-" "${rbl_load:-?}" ""
printf '| %-40s | %14s | %14s | %8s |\n' "lines/s" "$lps" "$(calc0 "$lines / $rbl_start")" "$(r "$lps" "$(calc0 "$lines / $rbl_start")")"
printf '| %-40s | %14s | %14s | %8s |\n' "stored entries" "$entries" "-" ""
printf '| %-40s | %14s | %14s | %8s |\n' "store data.mdb bytes (du -b) / VmRSS" "$store_bytes" "$rbl_rss" "$(r "$store_bytes" "$rbl_rss")"
printf '| %-40s | %14s | %14s | %8s |\n' "store bytes allocated on disk" "$store_alloc" "-" "$(r "$store_alloc" "$rbl_rss")"
printf '| %-40s | %14s | %14s | %8s |\n' "mdb pages used x page size" "$((pages_used * page_size))" "-" "$(r "$((pages_used * page_size))" "$rbl_rss")"
printf '| %-40s | %14s | %14s | %8s |\n' "bytes per line" "$((store_bytes / lines))" "$((rbl_rss / lines))" ""
printf '| %-40s | %14s | %14s | %8s |\n' "1% change re-load, s (wall)" "$upd_s" "$rbl_start" "$(r "$upd_s" "$rbl_start")"
printf '| %-40s | %14s | %14s | %8s |\n' "1% change: write transaction, s" "$upd_w" "-" ""
echo
echo "rbldnsd reloads a changed file whole (its time is its full load); dnsbld"
echo "writes only the difference, in one transaction, while serving."
echo "last 1% update: $upd_summary"
echo "mdb_stat -e: page size $page_size, pages used $pages_used"
