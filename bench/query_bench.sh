#!/usr/bin/env bash
# query_bench.sh -- dnsbl-query's throughput against a local dnsbld.
#
# Generates bench data with bench/gendata.py, loads it with dnsbl-loader,
# starts dnsbld (one worker, loopback, a free port from 5393) and feeds
# dnsbl-query N items on standard input: about 45% listed IPv4 addresses
# (an A and a TXT query each), 40% unlisted IPv4, 8% IPv6 and 7% domains,
# each routed by the config to its zone (bl.bench, v6.bench, dbl.bench).
# Prints items per second for each run and their median.  Every run is
# bounded by `timeout`; nothing leaves loopback.
#
# Usage: bash bench/query_bench.sh [N [RUNS]]   (default 100000 items, 5 runs)
# Env:   BIN=build/bin  WINDOW=2000 (dnsbl-query -w)  KEEP=1 keeps the files
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
n="${1:-100000}"
runs="${2:-5}"
bin="${BIN:-$root/build/bin}"
window="${WINDOW:-2000}"
for prog in dnsbld dnsbl-loader dnsbl-query; do
	[[ -x "$bin/$prog" ]] || { echo "query_bench: no $bin/$prog (build first: bash scripts/build.sh)" >&2; exit 2; }
done

work=$(mktemp -d "${TMPDIR:-/tmp}/dnsbl-query-bench.XXXXXX")
srv=
cleanup() {
	[[ -n "$srv" ]] && kill "$srv" 2>/dev/null && wait "$srv" 2>/dev/null
	[[ -z "${KEEP:-}" ]] && rm -rf "$work"
	return 0
}
trap cleanup EXIT

port=$(python3 - <<'PY'
import socket
for port in range(5393, 5500):
    try:
        for typ in (socket.SOCK_DGRAM, socket.SOCK_STREAM):
            s = socket.socket(socket.AF_INET, typ)
            s.bind(("127.0.0.1", port))
            s.close()
    except OSError:
        continue
    print(port)
    break
PY
)
[[ -n "$port" ]] || { echo "query_bench: no free port" >&2; exit 2; }

echo "# generating data and $n items in $work" >&2
python3 "$root/bench/gendata.py" "$work/data" --ip4 200000 --ip6 20000 --dn 50000 --queries 1
python3 - "$work/data" "$n" >"$work/items.txt" <<'PY'
import ipaddress, random, sys
data, n = sys.argv[1], int(sys.argv[2])
rng = random.Random(5782)
def plain(path, ok):
    with open(path) as f:
        return [l.split()[0] for l in f if ok(l)]
ip4 = plain(data + "/bl.ip4set", lambda l: l[0].isdigit() and "/" not in l and "-" not in l)
ip6 = plain(data + "/v6.ip6trie", lambda l: l[0].isalnum() and "/" not in l and ":" in l)
dn = plain(data + "/dbl.dnset", lambda l: l[0].isalnum())
for _ in range(n):
    r = rng.random()
    if r < 0.45:
        print(rng.choice(ip4))
    elif r < 0.85:
        while True:
            a = rng.getrandbits(32)
            if 1 <= a >> 24 < 224 and a >> 24 != 127:
                break
        print(ipaddress.IPv4Address(a))
    elif r < 0.93:
        print(rng.choice(ip6) if rng.random() < 0.5 else
              ipaddress.IPv6Address((0x2001 << 112) | rng.getrandbits(112)))
    else:
        print(rng.choice(dn) if rng.random() < 0.6 else "x%d.example.com" % rng.getrandbits(32))
PY

cat >"$work/bench.yaml" <<EOF
store: $work/store
listen: ["127.0.0.1:$port"]
workers: 1
datasets:
  bl: {type: ip4set, files: [$work/data/bl.ip4set]}
  v6: {type: ip6trie, files: [$work/data/v6.ip6trie]}
  dbl: {type: dnset, files: [$work/data/dbl.dnset]}
zones:
  bl.bench: {datasets: [bl]}
  v6.bench: {datasets: [v6]}
  dbl.bench: {datasets: [dbl]}
EOF
"$bin/dnsbl-loader" -q -c "$work/bench.yaml" load
"$bin/dnsbld" -c "$work/bench.yaml" 2>"$work/dnsbld.log" &
srv=$!
for _ in $(seq 100); do
	"$bin/dnsbl-query" --check bl.bench -t 0.2 --tries 1 "@127.0.0.1:$port" >/dev/null 2>&1 && break
	sleep 0.1
done

rates=()
for i in $(seq "$runs"); do
	t0=$(date +%s%N)
	rc=0
	timeout 300 "$bin/dnsbl-query" -w "$window" -c "$work/bench.yaml" "@127.0.0.1:$port" \
		<"$work/items.txt" >"$work/out.txt" || rc=$?
	t1=$(date +%s%N)
	lines=$(wc -l <"$work/out.txt")
	listed=$(grep -c ': listed' "$work/out.txt" || true)
	errors=$(grep -c ': error' "$work/out.txt" || true)
	rate=$((n * 1000000000 / (t1 - t0)))
	rates+=("$rate")
	printf 'run %d: %d items in %d ms = %d items/s (%d lines, %d listed, %d errors, exit %d)\n' \
		"$i" "$n" $(((t1 - t0) / 1000000)) "$rate" "$lines" "$listed" "$errors" "$rc"
	[[ "$rc" -le 1 && "$errors" -eq 0 ]] || echo "run $i: errors (see $work/out.txt with KEEP=1)"
done
median=$(printf '%s\n' "${rates[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
echo "dnsbl-query: median $median items/s over $runs runs of $n items (window $window, dnsbld 1 worker, $(nproc) cores)"
