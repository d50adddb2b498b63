#!/usr/bin/env bash
# test_crash_safety.sh -- SIGKILL the writer anywhere: nothing half-done shows.
#
# The loader and dnsbl-ctl are killed with SIGKILL at random points (a
# bounded number of kills) while they load a large change, while
# `dnsbl-loader watch` applies a feed update, and while `dnsbl-ctl compact`
# packs the store.  After each kill: the store opens and its metadata
# matches its data (`dnsbl-ctl check`), every dataset answers entirely its
# old or entirely its new version (a sample of names from every dataset,
# the two files of a two-file dataset included), and the next loader run
# completes.  A running dnsbld is asked all along and must never answer
# SERVFAIL or go silent.  Ports 5840-5849.
set -u
. "$SRCDIR/tests/integration/server_lib.sh"

srv_workdir crash_safety
srv_pick_port 5840 5849
F=$WORK/feeds
mkdir -p "$F"
LOADER="$BIN/dnsbl-loader"
CTL="$BIN/dnsbl-ctl"
KILLS_LOAD=8 KILLS_WATCH=6 KILLS_COMPACT=6

cat >"$WORK/c.yaml" <<YAML
store: $WORK/store
listen: ["127.0.0.1:$PORT"]
datasets:
  big: { type: ip4set, files: [feeds/big.ip4set] }
  multi: { type: ip4set, files: [feeds/m1.ip4set, feeds/m2.ip4set] }
  names: { type: dnset, files: [feeds/names.dnset] }
zones:
  big.test: { datasets: [big] }
  multi.test: { datasets: [multi] }
  names.test: { datasets: [names] }
YAML

# Two versions of every feed, in $WORK/v1 and $WORK/v2.  big: 120k /32s,
# a tenth of them different between versions; every dataset's default
# TXT names its version.  The sample (sample.q) holds names whose answer
# differs between the versions, from every dataset and from both files of
# multi; sample.v1 and sample.v2 are the answers each version gives.
mkdir -p "$WORK/v1" "$WORK/v2"
python3 - "$WORK" <<'PY'
import random, sys
w = sys.argv[1]
base = random.Random(1)
common = [base.getrandbits(32) for _ in range(120000)]
only = {1: [], 2: []}
for v in (1, 2):
    rng = random.Random(100 + v)
    lines = [":127.0.0.2:big v%d\n127.0.0.2\n" % v]
    for i, x in enumerate(common):
        if i % 10 == 0:
            x = rng.getrandbits(32)
            if len(only[v]) < 8:
                only[v].append(x)
        lines.append("%d.%d.%d.%d\n" % (11 + (x >> 24) % 200, (x >> 16) & 255,
                                         (x >> 8) & 255, x & 255))
    open("%s/v%d/big.ip4set" % (w, v), "w").write("".join(lines))
    m1 = [":127.0.0.3:multi v%d\n10.1.0.%d\n" % (v, v)]
    m2 = ["10.2.%d.%d\n" % (v, i) for i in range(5000)]
    open("%s/v%d/m1.ip4set" % (w, v), "w").write("".join(m1))
    open("%s/v%d/m2.ip4set" % (w, v), "w").write("".join(m2))
    names = [":127.0.0.4:names v%d\n" % v]
    names += ["n%d-%d.example\n" % (v, i) for i in range(10000)]
    open("%s/v%d/names.dnset" % (w, v), "w").write("".join(names))
def rev(x):
    return "%d.%d.%d.%d" % (x & 255, (x >> 8) & 255, (x >> 16) & 255,
                            11 + (x >> 24) % 200)
with open(w + "/sample.q", "w") as q:
    q.write("2.0.0.127.big.test TXT\n")
    for v in (1, 2):
        for x in only[v]:
            q.write("%s.big.test A\n" % rev(x))
    q.write("1.0.1.10.multi.test TXT\n2.0.1.10.multi.test A\n")
    q.write("7.1.2.10.multi.test A\n7.2.2.10.multi.test A\n")
    q.write("n1-7.example.names.test TXT\nn2-7.example.names.test A\n")
PY
# put V: the feeds of version V, each renamed into place.
put() {
	local f
	for f in big.ip4set m1.ip4set m2.ip4set names.dnset; do
		cp "$WORK/v$1/$f" "$F/.$f.new"
		mv "$F/.$f.new" "$F/$f"
	done
}
sample() { $DNSQ "$PORT" --bulk "$WORK/sample.q"; }
# version: per dataset of the sample, its version as served: "1" or "2"
# when all its sampled answers are that version's, else "mixed"; e.g.
# "big=2 multi=1 names=1".
version() {
	sample | paste - "$WORK/sample.v1" "$WORK/sample.v2" | awk -F'\t' '
		{ split($1, a, " "); n = split(a[1], l, "."); ds = l[n - 1]
		  if (!(ds in v)) { order[++k] = ds; v[ds] = "" }
		  if ($1 == $2 && $1 != $3) v[ds] = v[ds] "1"
		  else if ($1 == $3 && $1 != $2) v[ds] = v[ds] "2"
		  else if ($1 != $2 || $1 != $3) v[ds] = v[ds] "x" }
		END { for (i = 1; i <= k; i++) {
			s = v[order[i]]; r = "mixed"
			if (s ~ /^1+$/) r = 1; else if (s ~ /^2+$/) r = 2
			printf "%s%s=%s", (i > 1 ? " " : ""), order[i], r } }'
}

# ---- the two versions, as a clean load stores them ---------------------------
put 2
"$LOADER" -q -c "$WORK/c.yaml" load >"$WORK/load.log" 2>&1
check_eq "version 2 loads" "$?" 0
srv_start "$WORK/c.yaml" "$PORT" -w 2
sample >"$WORK/sample.v2"
put 1
t0=$(date +%s%N)
"$LOADER" -q -c "$WORK/c.yaml" load >"$WORK/load.log" 2>&1
check_eq "version 1 loads" "$?" 0
LOAD_MS=$((($(date +%s%N) - t0) / 1000000))
sample >"$WORK/sample.v1"
check "sample v1: big's TXT" "$(cat "$WORK/sample.v1")" 'big v1'
check "sample v2: big's TXT" "$(cat "$WORK/sample.v2")" 'big v2'
check "sample v1: multi's TXT" "$(cat "$WORK/sample.v1")" 'multi v1'
check "sample v1: names' TXT" "$(cat "$WORK/sample.v1")" 'names v1'
check_eq "sample: the versions differ" \
	"$(cmp -s "$WORK/sample.v1" "$WORK/sample.v2" && echo same || echo differ)" differ
check_eq "sample: version 1 served" "$(version)" "big=1 multi=1 names=1"
echo "a full load takes $LOAD_MS ms"

# ---- a client that asks all along ----------------------------------------------
# Cycles through the sample's names over UDP until $WORK/stop appears (at
# most 150 s); writes "answered servfail silent" (silent: no reply in 2 s).
python3 - "$PORT" "$WORK/sample.q" "$WORK" <<'PY' &
import os, socket, struct, sys, time
port, qfile, w = int(sys.argv[1]), sys.argv[2], sys.argv[3]
names = []
for line in open(qfile):
    n, t = line.split()
    q = b"".join(bytes([len(l)]) + l.encode() for l in n.split(".")) + b"\0"
    names.append(q + struct.pack(">HH", {"A": 1, "TXT": 16}[t], 1))
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(2.0)
answered = servfail = silent = 0
end = time.monotonic() + 150
i = 0
while time.monotonic() < end and not os.path.exists(w + "/stop"):
    qid = i & 0xffff
    s.sendto(struct.pack(">HHHHHH", qid, 0x0100, 1, 0, 0, 0) + names[i % len(names)],
             ("127.0.0.1", port))
    i += 1
    try:
        while True:
            r = s.recv(4096)
            if struct.unpack(">H", r[:2])[0] == qid:
                break
    except socket.timeout:
        silent += 1
        continue
    answered += 1
    if r[3] & 15 == 2:
        servfail += 1
    time.sleep(0.002)
open(w + "/asker.out", "w").write("%d %d %d\n" % (answered, servfail, silent))
PY
ASKER=$!

# after_kill WHAT TARGET: the checks after a kill; then the next loader run
# must complete and serve version TARGET.
mixed=0
after_kill() {
	local v out
	out=$("$CTL" -c "$WORK/c.yaml" check 2>&1)
	check "$1: the store opens and checks" "$out" 'ok: the metadata matches the data'
	v=$(version)
	if [[ "$v" == *mixed* ]]; then
		FAILS=$((FAILS + 1))
		mixed=$((mixed + 1))
		echo "FAIL: $1: a dataset serves a mix of versions: $v"
	else
		PASSES=$((PASSES + 1))
	fi
	seen="$seen ${v// /,}"
	out=$("$LOADER" -q -c "$WORK/c.yaml" load 2>&1)
	check_eq "$1: the next load completes" "$?" 0
	check_eq "$1: the next load is served" "$(version)" "big=$2 multi=$2 names=$2"
}
# delay MAX_MS: a random sleep of 0..MAX_MS ms.
delay() { sleep "$(awk -v r="$RANDOM" -v m="$1" 'BEGIN { printf "%.3f", r / 32767 * m / 1000 }')"; }
# killed PID: SIGKILL it (if still running), reap it; says whether it was
# still running.
killed() {
	if kill -KILL "$1" 2>/dev/null; then
		wait "$1" 2>/dev/null
		echo killed
	else
		wait "$1" 2>/dev/null
		echo finished
	fi
}

# ---- kills during a large load -----------------------------------------------------
cur=1 seen="" hit=0
for i in $(seq "$KILLS_LOAD"); do
	target=$((3 - cur))
	put "$target"
	"$LOADER" -q -c "$WORK/c.yaml" load >/dev/null 2>&1 &
	pid=$!
	delay $((LOAD_MS * 3 / 4))
	[[ $(killed "$pid") == killed ]] && hit=$((hit + 1))
	after_kill "load kill $i" "$target"
	cur=$target
done
echo "load: $hit of $KILLS_LOAD loaders killed while running; versions seen after the kills: $seen"
check "load: some kills landed while the loader ran" "$hit" '^[1-9]'

# ---- kills during watch updates ---------------------------------------------------
seen="" hit=0
for i in $(seq "$KILLS_WATCH"); do
	target=$((3 - cur))
	# -d 200: the feeds' renames (put) land within one quiet time, so
	# watch sees multi's two files change together.
	"$LOADER" -c "$WORK/c.yaml" -d 200 -i 0 watch >"$WORK/watch.log" 2>&1 &
	pid=$!
	# Its first pass loads every dataset again (nothing changes).
	for _ in $(seq 100); do
		grep -q 'watching' "$WORK/watch.log" && break
		sleep 0.05
	done
	put "$target"
	delay $((LOAD_MS * 3 / 4 + 200))
	[[ $(killed "$pid") == killed ]] && hit=$((hit + 1))
	after_kill "watch kill $i" "$target"
	cur=$target
done
echo "watch: $hit of $KILLS_WATCH watchers killed; versions seen after the kills: $seen"

# ---- kills during compaction -------------------------------------------------------
t0=$(date +%s%N)
"$CTL" -c "$WORK/c.yaml" compact >/dev/null 2>&1
COMPACT_MS=$((($(date +%s%N) - t0) / 1000000))
seen="" hit=0
for i in $(seq "$KILLS_COMPACT"); do
	"$CTL" -c "$WORK/c.yaml" compact >/dev/null 2>&1 &
	pid=$!
	delay $((COMPACT_MS * 11 / 10))
	[[ $(killed "$pid") == killed ]] && hit=$((hit + 1))
	out=$("$CTL" -c "$WORK/c.yaml" check 2>&1)
	check "compact kill $i: the store opens and checks" "$out" 'ok: the metadata matches the data'
	check_eq "compact kill $i: the same version served" "$(version)" \
		"big=$cur multi=$cur names=$cur"
	out=$("$CTL" -c "$WORK/c.yaml" compact 2>&1)
	check "compact kill $i: the next compaction completes" "$out" '^store: compacted into v[0-9]+'
	check_eq "compact kill $i: then the same version served" "$(version)" \
		"big=$cur multi=$cur names=$cur"
done
echo "compact: $hit of $KILLS_COMPACT compactions killed while running ($COMPACT_MS ms each)"
check "compact: some kills landed while it ran" "$hit" '^[1-9]'

touch "$WORK/stop"
wait "$ASKER"
read -r answered servfail silent <"$WORK/asker.out"
echo "asker: $answered answered, $servfail SERVFAIL, $silent unanswered"
check "the server answered all along" "$answered" '^[1-9][0-9]'
check_eq "the server never answered SERVFAIL" "$servfail" 0
check_eq "the server never went silent" "$silent" 0
check_eq "no mix of versions was ever served" "$mixed" 0
srv_report
