#!/usr/bin/env bash
# test_shrink_guard.sh -- a feed that suddenly loses most entries is held.
#
# The real dnsbl-loader (load and watch) with a running dnsbld: a valid but
# cut or empty feed (more than max_shrink of the stored entries gone) is
# held -- logged as HELD, the stored version still answered -- until
# `dnsbl-ctl accept DATASET` applies it, or (shrink_hold) until the same
# files have stayed so long enough; a smaller change, a small dataset and
# max_shrink 0 go through at once.  Ports 5850-5859.
set -u
. "$SRCDIR/tests/integration/server_lib.sh"

srv_workdir shrink_guard
srv_pick_port 5850 5859
F=$WORK/feeds
mkdir -p "$F"
LOADER="$BIN/dnsbl-loader"
CTL="$BIN/dnsbl-ctl"

cat >"$WORK/c.yaml" <<YAML
store: $WORK/store
listen: ["127.0.0.1:$PORT"]
datasets:
  big: { type: ip4set, files: [feeds/big.ip4set] }
  timed: { type: ip4set, files: [feeds/timed.ip4set], shrink_hold: 3s, max_shrink: 30% }
  off: { type: ip4set, files: [feeds/off.ip4set], max_shrink: 0 }
  small: { type: ip4set, files: [feeds/small.ip4set] }
zones:
  big.test: { datasets: [big] }
  timed.test: { datasets: [timed] }
  off.test: { datasets: [off] }
  small.test: { datasets: [small] }
YAML

# gen FILE N: N addresses 10.0.x.y (1 -> 10.0.0.1).
gen() { awk -v n="$2" 'BEGIN { for (i = 1; i <= n; i++) printf "10.0.%d.%d\n", i / 256, i % 256 }' >"$1.new" && mv "$1.new" "$1"; }
# listed ZONE I: the answer for address number I.
listed() { $DNSQ "$PORT" "$(($2 % 256)).$(($2 / 256)).0.10.$1" A | head -1 | cut -d' ' -f1; }
load() {
	out=$("$LOADER" -c "$WORK/c.yaml" load "$@" 2>&1)
	rc=$?
}

gen "$F/big.ip4set" 1000
gen "$F/timed.ip4set" 1000
gen "$F/off.ip4set" 1000
gen "$F/small.ip4set" 50
load
check_eq "first load" "$rc" 0
srv_start "$WORK/c.yaml" "$PORT"
check_eq "big: 900 listed" "$(listed big.test 900)" rcode=NOERROR

# ---- a cut file (400 of 1000 left) is held ---------------------------------------
gen "$F/big.ip4set" 400
load big
check_eq "cut file: the load is refused" "$rc" 1
check "cut file: logged as HELD, with the counts and how to accept" "$out" \
	"big: HELD: the new version has 400 entries, 600 fewer than the 1000 stored \(more than max_shrink 50%\), seen since .* UTC; it is applied by \`dnsbl-ctl accept big\`.*the stored version is served"
check_eq "cut file: the stored version is answered" "$(listed big.test 900)" rcode=NOERROR
check "cut file: dnsbl-ctl stats shows the hold" "$("$CTL" -c "$WORK/c.yaml" stats)" \
	"load FAILED: the new version has 400 entries"
load big
check_eq "cut file: still held on the next load" "$rc" 1
# A smaller cut (50% exactly) is no more than max_shrink: applied.
gen "$F/big.ip4set" 500
load big
check_eq "half the entries: applied" "$rc" 0
check_eq "half the entries: 900 no longer listed" "$(listed big.test 900)" rcode=NXDOMAIN
gen "$F/big.ip4set" 1000
load big

# ---- an empty file, then dnsbl-ctl accept ----------------------------------------
: >"$F/big.ip4set"
load big
check_eq "empty file: held" "$rc" 1
check "empty file: logged" "$out" "big: HELD: the new version has 0 entries, 1000 fewer"
check_eq "empty file: still answered" "$(listed big.test 1)" rcode=NOERROR
out=$("$CTL" -c "$WORK/c.yaml" accept big 2>&1)
check_eq "accept: exit status" "$?" 0
check "accept: says what it loaded" "$out" "^accepted: big: ip4set, 0 lines, 0 entries"
check_eq "accept: applied at once" "$(listed big.test 1)" rcode=NXDOMAIN
check_not "accept: the hold is gone from stats" \
	"$("$CTL" -c "$WORK/c.yaml" stats | sed -n '/^dataset big /,/^dataset timed /p')" \
	"load FAILED"
load big
check_eq "accept: the next load has nothing to hold" "$rc" 0
out=$("$CTL" -c "$WORK/c.yaml" accept small extra 2>&1)
check_eq "accept: one dataset only" "$?" 2
out=$("$CTL" -c "$WORK/c.yaml" accept nosuch 2>&1)
check "accept: an unknown dataset" "$out" 'no dataset named'

# ---- shrink_hold: applied once the same files stayed so long enough ----------------
gen "$F/timed.ip4set" 600
load timed
check_eq "shrink_hold: 40% gone is over max_shrink 30%: held" "$rc" 1
check "shrink_hold: says when it goes through" "$out" "or once it has stayed so for 3 s"
# Another cut version starts the hold over.  The hold counts whole seconds,
# so a wait may measure up to a second more than it lasted: "not yet" is
# asked well inside the 3 s of the new version (and past them for the
# first one), "applied" well after.
sleep 2.2
gen "$F/timed.ip4set" 550
load timed
check_eq "shrink_hold: a different version starts over" "$rc" 1
sleep 1
load timed
check_eq "shrink_hold: not yet 3 s for this version" "$rc" 1
check_eq "shrink_hold: still the stored version" "$(listed timed.test 900)" rcode=NOERROR
sleep 2.5
load timed
check_eq "shrink_hold: after 3 s it is applied" "$rc" 0
check_eq "shrink_hold: the new version answered" "$(listed timed.test 900)" rcode=NXDOMAIN

# ---- no guard: max_shrink 0, and a small dataset -----------------------------------
: >"$F/off.ip4set"
: >"$F/small.ip4set"
load off small
check_eq "max_shrink 0 and a 50-entry dataset: applied" "$rc" 0
check_eq "max_shrink 0: emptied" "$(listed off.test 1)" rcode=NXDOMAIN
check_eq "small dataset: emptied" "$(listed small.test 1)" rcode=NXDOMAIN

# ---- watch holds it too, and picks up the accept ------------------------------------
gen "$F/big.ip4set" 1000
load big
"$LOADER" -c "$WORK/c.yaml" -d 50 watch >"$WORK/watch.log" 2>&1 &
WATCH=$!
SRV_PIDS+=("$WATCH")
for _ in $(seq 100); do
	grep -q watching "$WORK/watch.log" && break
	sleep 0.05
done
gen "$F/big.ip4set" 10
for _ in $(seq 100); do
	grep -q "big: HELD" "$WORK/watch.log" && break
	sleep 0.05
done
check "watch: the cut file is held" "$(cat "$WORK/watch.log")" "big: HELD: the new version has 10 entries"
check_eq "watch: the stored version is answered" "$(listed big.test 900)" rcode=NOERROR
"$CTL" -q -c "$WORK/c.yaml" accept big
check_eq "watch: accepted while watch runs" "$(listed big.test 900)" rcode=NXDOMAIN
check_eq "watch: the new version answered" "$(listed big.test 10)" rcode=NOERROR
kill "$WATCH"
wait "$WATCH" 2>/dev/null
srv_report
