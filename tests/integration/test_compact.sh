#!/usr/bin/env bash
# test_compact.sh -- the store gives its space back while dnsbld serves.
#
# A broad update leaves the previous version's pages in the store file;
# `dnsbl-loader load` (and watch) then compact it into a new instance
# (DIR/vN, DIR/current), and `dnsbl-loader compact` does it on demand.
# The running server must move over by itself: answer the new data, never
# fail a query during the switch, and stop mapping the old file (so its
# space really returns).  Ports 5800-5809.
set -u
. "$SRCDIR/tests/integration/server_lib.sh"

srv_workdir compact
# The updates here must be written in place (what leaves pages to give
# back): a big dataset's small change would be kept beside it instead.
export DNSBLD_OVERLAY_MIN=100000000
srv_pick_port 5800 5809
D=$WORK/feeds
mkdir -p "$D"

# gen SEED: 300k /32s (the same for a seed), the sentinel 192.0.2.1 always.
gen() {
	python3 - "$1" "$D/bl.ip4set.new" <<'PY'
import random, sys
rng = random.Random(int(sys.argv[1]))
base = random.Random(1)
with open(sys.argv[2], "w") as f:
    f.write(":127.0.0.2:listed\n192.0.2.1\n")
    for i in range(300000):
        x = base.getrandbits(32)
        if i % 10 == 0:          # a tenth differs from seed to seed
            x = rng.getrandbits(32)
        f.write("%d.%d.%d.%d\n" % (11 + (x >> 24) % 200, (x >> 16) & 255,
                                   (x >> 8) & 255, x & 255))
PY
	mv "$D/bl.ip4set.new" "$D/bl.ip4set"
}
cat >"$WORK/c.yaml" <<YAML
store: $WORK/store
listen: ["127.0.0.1:$PORT"]
datasets:
  bl: { type: ip4set, files: [feeds/bl.ip4set] }
zones:
  bl.test: { datasets: [bl] }
YAML
mapped_deleted() { grep -c 'data.mdb (deleted)' "/proc/$SRV_PID/maps"; }
wait_unmapped() {   # the server lets go of the old file within ~1 s idle
	for _ in $(seq 40); do
		[ "$(mapped_deleted)" = 0 ] && break
		sleep 0.1
	done
	check_eq "$1: no deleted store file mapped" "$(mapped_deleted)" 0
}
instances() { (cd "$WORK/store" && ls -d v* | tr '\n' ' '); }
current() { readlink "$WORK/store/current"; }

# ---- a fresh load is packed: nothing to compact -----------------------------
gen 1
out=$("$BIN/dnsbl-loader" -c "$WORK/c.yaml" load 2>&1)
check "fresh load stored" "$out" '^bl: ip4set, 300002 lines'
check_not "fresh load: no compaction" "$out" 'compacted'
check_eq "fresh load: instance v1" "$(current)" v1
srv_start "$WORK/c.yaml" "$PORT" -w 2
check_eq "sentinel listed" "$(dig +short @127.0.0.1 -p "$PORT" 1.2.0.192.bl.test)" 127.0.0.2

# A client that asks all along (the update takes ~5 s): the sentinel must
# always be listed.
python3 "$SRCDIR/tests/integration/asker.py" "$PORT" 1.2.0.192.bl.test \
	127.0.0.2 12 "$WORK/asker.out" &
ASKER=$!

# ---- a broad update: load compacts, the server moves over -------------------
gen 2
sleep 0.3
out=$("$BIN/dnsbl-loader" -c "$WORK/c.yaml" load bl 2>&1)
check "update stored" "$out" '^bl: ip4set, 300002 lines.*records \+[0-9]{4,} -[0-9]{4,}'
check "update: compacted into v2" "$out" '^store: compacted into v2, [0-9.]+ MB -> [0-9.]+ MB in [0-9.]+ s$'
check_eq "update: current is v2" "$(current)" v2
check_eq "update: the old instance is gone" "$(instances)" "v2 "
NEW=$(python3 -c "
import random
rng = random.Random(2); base = random.Random(1)
for i in range(11):
    x = base.getrandbits(32)
    if i % 10 == 0: x = rng.getrandbits(32)
print('%d.%d.%d.%d' % (x & 255, (x >> 8) & 255, (x >> 16) & 255, 11 + (x >> 24) % 200))")
check_eq "update: an address only the new data lists" \
	"$(dig +short @127.0.0.1 -p "$PORT" "$NEW.bl.test")" 127.0.0.2
wait_unmapped "update"

# ---- on demand ---------------------------------------------------------------
out=$("$BIN/dnsbl-loader" -c "$WORK/c.yaml" compact 2>&1)
check "compact: says what it did" "$out" '^store: compacted into v3, '
check_eq "compact: current is v3" "$(current)" v3
check_eq "compact: still answers" "$(dig +short @127.0.0.1 -p "$PORT" "$NEW.bl.test")" 127.0.0.2
wait_unmapped "compact"
out=$("$BIN/dnsbl-loader" -c "$WORK/c.yaml" compact extra 2>&1)
check_eq "compact: no dataset names (exit 2)" "$?" 2

# ---- the watching loader compacts after a broad change ----------------------
"$BIN/dnsbl-loader" -c "$WORK/c.yaml" -d 100 -i 0 watch >"$WORK/watch.out" 2>&1 &
WATCH=$!
SRV_PIDS+=("$WATCH")
for _ in $(seq 100); do grep -q '^bl: ' "$WORK/watch.out" && break; sleep 0.1; done
gen 3
for _ in $(seq 150); do grep -q 'compacted into v4' "$WORK/watch.out" && break; sleep 0.1; done
check "watch: compacted into v4" "$(cat "$WORK/watch.out")" 'store: compacted into v4, '
check_eq "watch: current is v4" "$(current)" v4
wait_unmapped "watch"

wait "$ASKER"
read -r ok bad lost <"$WORK/asker.out"
check_eq "during all of it: wrong answers" "$bad" 0
check_eq "during all of it: unanswered" "$lost" 0
check "during all of it: answered" "$ok" '^[0-9]{3,}$'
check_not "server: no errors logged" "$(cat "$WORK/dnsbld.log")" 'cannot|error|FAIL'
srv_report
