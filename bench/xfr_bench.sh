#!/usr/bin/env bash
# xfr_bench.sh -- AXFR and IXFR of a large zone: size and time of a full
# transfer, then of the IXFR after a 1% update (twice: a second secondary
# asking the same gets the same kept change), and how long dnsbld took to
# diff the change.
#
# Usage: bench/xfr_bench.sh [BIN [LINES]]   (default build/bin, 1000000)
# Data from bench/gendata.py (its 1% --mutate); dig from bind9-dnsutils.
# Everything on 127.0.0.1; the server is stopped at the end.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BIN=${1:-$root/build/bin}
LINES=${2:-1000000}
PORT=${XFR_BENCH_PORT:-27950}
WORK=$(mktemp -d /tmp/xfr_bench.XXXXXX)
trap 'rc=$?; kill "$SRV" 2>/dev/null; wait 2>/dev/null; [ $rc = 0 ] || cat "$WORK/dnsbld.log"; [ -n "${KEEP:-}" ] || rm -rf "$WORK"' EXIT

python3 "$root/bench/gendata.py" "$WORK" --ip4 "$LINES" --ip6 10 --dn 10 --queries 10
cat >"$WORK/c.yaml" <<YAML
store: $WORK/store
listen: ["127.0.0.1:$PORT"]
datasets:
  bl: { type: ip4set, files: [bl.ip4set] }
zones:
  bl.bench: { datasets: [bl], transfer: { allow: [127.0.0.0/8] } }
YAML
"$BIN/dnsbl-loader" -c "$WORK/c.yaml" -q load
"$BIN/dnsbld" -c "$WORK/c.yaml" >"$WORK/dnsbld.log" 2>&1 &
SRV=$!
for _ in $(seq 100); do
	dig +short @127.0.0.1 -p "$PORT" bl.bench SOA >/dev/null 2>&1 && break
	sleep 0.1
done
serial() { dig +short @127.0.0.1 -p "$PORT" bl.bench SOA | awk '{print $3}'; }
# xfr TYPE: transfers once; prints "records messages bytes seconds".
xfr() {
	local t0 t1 out
	t0=$(date +%s.%N)
	out=$(dig @127.0.0.1 -p "$PORT" bl.bench "$1" +time=60 +tries=1 | tail -3)
	t1=$(date +%s.%N)
	python3 - "$out" "$t0" "$t1" <<'PY'
import re, sys
m = re.search(r"XFR size: (\d+) records \(messages (\d+), bytes (\d+)\)", sys.argv[1])
print(m.group(1), m.group(2), m.group(3), "%.2f" % (float(sys.argv[3]) - float(sys.argv[2])))
PY
}
old=$(serial)
read -r arec amsg abytes asec < <(xfr AXFR)
sleep 1.1   # the serial is the commit's second
python3 "$root/bench/gendata.py" "$WORK" --ip4 "$LINES" --mutate 0.01 >/dev/null
"$BIN/dnsbl-loader" -c "$WORK/c.yaml" -q load
new=$(serial)
# The diff runs within a second of the commit (the NOTIFY timer's tick):
# wait for it as a secondary notified would.
for _ in $(seq 600); do grep -q "the change $old -> $new kept" "$WORK/dnsbld.log" && break; sleep 0.1; done
read -r irec imsg ibytes isec < <(xfr "IXFR=$old")
read -r jrec jmsg jbytes jsec < <(xfr "IXFR=$old")
diffline=$(grep -o 'the change .* diffed in [0-9.]* s' "$WORK/dnsbld.log" | tail -1)
rss=$(awk '/VmHWM/{print $2}' "/proc/$SRV/status")
echo "zone: $LINES-line ip4set, serial $old -> $new (1% of lines changed)"
printf '%-30s %10s %9s %12s %8s\n' transfer records messages bytes seconds
printf '%-30s %10s %9s %12s %8s\n' "AXFR" "$arec" "$amsg" "$abytes" "$asec"
printf '%-30s %10s %9s %12s %8s\n' "IXFR after 1%" "$irec" "$imsg" "$ibytes" "$isec"
printf '%-30s %10s %9s %12s %8s\n' "IXFR again" "$jrec" "$jmsg" "$jbytes" "$jsec"
python3 -c "print('IXFR/AXFR bytes: %.4f' % ($ibytes / $abytes))"
echo "dnsbld: $diffline; peak RSS $((rss / 1024)) MB"
