#!/usr/bin/env bash
# test_bad_input.sh -- bad feeds and a full disk never cost what is stored.
#
# The real dnsbl-loader loads feeds with NUL bytes, lines over 64 KiB,
# truncated gzip, ranges beyond $MAXRANGE4, a file rewritten while it is
# read, and writes to a store on a full disk (a small tmpfs this test
# mounts; needs root) and to a store that starts at a tiny map size.  Each
# case must give an error naming the file (and the line, where one line is
# at fault), and the answers of a running dnsbld for what was stored
# before must stay the same.  Ports 5830-5839.
set -u
. "$SRCDIR/tests/integration/server_lib.sh"

srv_workdir bad_input
srv_pick_port 5830 5839
F=$WORK/feeds
mkdir -p "$F"
LOADER="$BIN/dnsbl-loader"

cat >"$WORK/c.yaml" <<YAML
store: $WORK/store
listen: ["127.0.0.1:$PORT"]
datasets:
  keep: { type: ip4set, files: [feeds/keep.ip4set] }
  # max_shrink 0: spam shrinks from 400k entries to 3 on purpose here
  # (test_shrink_guard.sh has the guard).
  spam: { type: ip4set, files: [feeds/spam.ip4set], max_shrink: 0 }
  strict: { type: ip4set, files: [feeds/strict.ip4set], max_errors: 1 }
zones:
  keep.test: { datasets: [keep] }
  spam.test: { datasets: [spam] }
  strict.test: { datasets: [strict] }
YAML

# load [DATASET...]: runs the loader; sets rc and out (stdout and stderr).
load() {
	out=$("$LOADER" -c "$WORK/c.yaml" load "$@" 2>&1)
	rc=$?
}
# sample: the answers to a fixed set of queries, one line each.
printf '%s\n' "2.0.0.127.keep.test A" "1.0.0.10.keep.test TXT" \
	"2.0.0.127.spam.test A" "1.0.0.10.spam.test TXT" "3.0.0.10.spam.test A" \
	"2.0.0.127.strict.test TXT" "7.0.0.10.strict.test A" >"$WORK/sample"
sample() { $DNSQ "$PORT" --bulk "$WORK/sample"; }

printf ':127.0.0.2:kept $\n127.0.0.2\n10.0.0.1\n' >"$F/keep.ip4set"
printf ':127.0.0.3:spam $\n127.0.0.2\n10.0.0.1\n' >"$F/spam.ip4set"
printf ':127.0.0.4:strict $\n127.0.0.2\n10.0.0.7\n' >"$F/strict.ip4set"
load
check_eq "first load" "$rc" 0
srv_start "$WORK/c.yaml" "$PORT"
BEFORE=$(sample)
check "sample: spam listed with its TXT" "$BEFORE" 'spam 10\.0\.0\.1'
check "sample: strict listed" "$BEFORE" '127\.0\.0\.4'

# ---- NUL bytes: the line ends there, and the log says so --------------------
printf ':127.0.0.3:spam $\n127.0.0.2\n10.0.0.1\0junk after a NUL\n10.0.0.3\n' \
	>"$F/spam.ip4set"
load spam
check_eq "NUL: the load succeeds" "$rc" 0
check "NUL: named by file:line" "$out" "spam\.ip4set:3: NUL byte in the line"
check_eq "NUL: the address before the NUL stays served" \
	"$(sample | sed 5d)" "$(sed 5d <<<"$BEFORE")"
check "NUL: the line after it is loaded" "$(sample | sed -n 5p)" '127\.0\.0\.3'
printf ':127.0.0.4:strict $\n127.0.0.2\n10.0.0.\0007\n10.0.\0\n' >"$F/strict.ip4set"
load strict
check_eq "NUL, too many bad lines: the load fails" "$rc" 1
check "NUL, too many bad lines: file:line and why" "$out" \
	"strict\.ip4set:4: invalid address \"10\.0\.\".*the stored version is unchanged"
printf ':127.0.0.3:spam $\n127.0.0.2\n10.0.0.1\n' >"$F/spam.ip4set"
printf ':127.0.0.4:strict $\n127.0.0.2\n10.0.0.7\n' >"$F/strict.ip4set"
load
check_eq "back to the first version" "$(sample)" "$BEFORE"

# ---- a line over 64 KiB -------------------------------------------------------
python3 -c '
import sys
sys.stdout.write(":127.0.0.3:spam $\n127.0.0.2\n10.0.0.9 :3:" + "x" * 70000 + "\n10.0.0.1\n")' \
	>"$F/spam.ip4set"
load spam
check_eq "long line: the load succeeds" "$rc" 0
check "long line: named by file:line" "$out" "spam\.ip4set:3: long line \(truncated\)"
check_eq "long line: the other lines are served as before" "$(sample)" "$BEFORE"
python3 -c '
import sys
sys.stdout.write(":127.0.0.4:strict $\n127.0.0.2\n" + "1" * 70000 + "\n" + "2" * 70000 + "\n")' \
	>"$F/strict.ip4set"
load strict
check_eq "long lines over max_errors: the load fails" "$rc" 1
check "long lines over max_errors: file:line" "$out" "strict\.ip4set:[34]: .*the stored version is unchanged"
check_eq "long lines over max_errors: nothing lost" "$(sample)" "$BEFORE"

# ---- truncated gzip -------------------------------------------------------------
python3 -c '
import gzip, sys
data = gzip.compress(b":127.0.0.3:gz $\n" + b"".join(b"10.1.%d.%d\n" % (i >> 8, i & 255) for i in range(5000)))
sys.stdout.buffer.write(data[:len(data) // 2])' >"$F/spam.ip4set"
load spam
check_eq "truncated gzip: the load fails" "$rc" 1
check "truncated gzip: the file and why" "$out" \
	"spam: FAILED .*feeds/spam\.ip4set: gzip: truncated gzip data; the stored version is unchanged"
check_eq "truncated gzip: nothing lost" "$(sample)" "$BEFORE"
head -c 5 /dev/urandom | { printf '\037\213'; cat; } >"$F/spam.ip4set"
load spam
check_eq "gzip header only: the load fails" "$rc" 1
check "gzip header only: the file and why" "$out" "feeds/spam\.ip4set: gzip: "
check_eq "gzip header only: nothing lost" "$(sample)" "$BEFORE"

# ---- ranges beyond $MAXRANGE4 ---------------------------------------------------
printf ':127.0.0.3:spam $\n$MAXRANGE4 /24\n127.0.0.2\n10.0.0.1\n10.2.0.0/16\n10.3.0.0-10.3.1.0\n' \
	>"$F/spam.ip4set"
load spam
check_eq "MAXRANGE4: the load succeeds" "$rc" 0
check "MAXRANGE4: a CIDR too large, by file:line" "$out" \
	"spam\.ip4set:5: too large range \"10\.2\.0\.0/16\" \(65536\) ignored \(256 max\)"
check "MAXRANGE4: a range too large, by file:line" "$out" \
	"spam\.ip4set:6: too large range \"10\.3\.0\.0-10\.3\.1\.0\" \(257\) ignored"
check "MAXRANGE4: the range is not listed" \
	"$($DNSQ "$PORT" 1.0.2.10.spam.test A)" "^rcode=NXDOMAIN"
check_eq "MAXRANGE4: the other lines are served as before" "$(sample)" "$BEFORE"
printf ':127.0.0.4:strict $\n$MAXRANGE4 256\n127.0.0.2\n10.2.0.0/16\n10.3.0.0/16\n' \
	>"$F/strict.ip4set"
load strict
check_eq "MAXRANGE4 over max_errors: the load fails" "$rc" 1
check "MAXRANGE4 over max_errors: file:line" "$out" \
	"strict\.ip4set:5: too large range .*the stored version is unchanged"
check_eq "MAXRANGE4 over max_errors: nothing lost" "$(sample)" "$BEFORE"
printf ':127.0.0.4:strict $\n127.0.0.2\n10.0.0.7\n' >"$F/strict.ip4set"

# ---- a file that shrinks and grows while it is read -----------------------
# Version A: 400k lines, 127.0.0.2 and 10.0.0.1 (answering 127.0.0.5) on
# top.  A writer cuts the file in place to a part of it (ftruncate) and
# writes the rest back, over and over, while the loader runs.  Each load
# must either fail naming the file ("changed while it was being read") or
# store what the file held at one moment: never a mix, never a crash.  (A
# load that reads the file while it is cut short stores the short version:
# an operator who rewrites a feed in place, without rename(2), gets that,
# as with rbldnsd.)
python3 - "$WORK" <<'PY'
import sys
w = sys.argv[1]
lines = [":127.0.0.5:v\n127.0.0.2\n10.0.0.1\n"]
lines += ["11.%d.%d.%d\n" % (i >> 16, (i >> 8) & 255, i & 255) for i in range(400000)]
open(w + "/A", "w").write("".join(lines))
open(w + "/B", "w").write(":127.0.0.6:v\n127.0.0.2\n10.0.0.1\n11.0.0.1\n")
PY
cp "$WORK/A" "$F/spam.ip4set"
python3 - "$WORK" "$F/spam.ip4set" <<'PY' &
import os, sys, time
w, path = sys.argv[1], sys.argv[2]
data = open(w + "/A", "rb").read()
end = time.monotonic() + 40
fd = os.open(path, os.O_WRONLY)
while time.monotonic() < end and not os.path.exists(w + "/stop"):
    for cut in (len(data) // 2, len(data) // 5, 1000):
        os.ftruncate(fd, cut)
        time.sleep(0.002)
        os.pwrite(fd, data[cut:], cut)
        time.sleep(0.002)
os.close(fd)
PY
WRITER=$!
changed=0 stored=0 other=0
for _ in $(seq 30); do
	load spam
	if ((rc != 0)); then
		if grep -q "feeds/spam\.ip4set: file changed while it was being read" <<<"$out"; then
			changed=$((changed + 1))
		else
			other=$((other + 1))
			echo "shrinking file: unexpected failure: $out"
		fi
		continue
	fi
	# What the loader says it stored is what is served.
	n=$(sed -n 's/^spam: ip4set, [0-9]* lines, \([0-9]*\) entries.*/\1/p' <<<"$out")
	a=$($DNSQ "$PORT" 1.0.0.10.spam.test A | grep '^an:')
	last=$($DNSQ "$PORT" "$(python3 -c "i=$n-3; print('%d.%d.%d.11.spam.test' % (i & 255, (i >> 8) & 255, i >> 16))")" A | grep -c '^an:')
	if [[ -n "$n" ]] && ((n >= 3)) && [[ "$a" == *127.0.0.5 ]] && ((last == 1)); then
		stored=$((stored + 1))
	elif [[ "$n" == 0 || "$n" == 1 || "$n" == 2 ]]; then
		stored=$((stored + 1))   # cut within the first lines
	else
		other=$((other + 1))
		echo "shrinking file: stored and served differ: $out / $a / $last"
	fi
	((changed >= 3 && stored >= 1)) && break
done
touch "$WORK/stop"
wait "$WRITER"
echo "shrinking file: $changed loads refused, $stored stored one state"
check_eq "shrinking file: every load was refused or one state of the file" "$other" 0
check "shrinking file: a change while reading was detected" "$changed" '^[1-9]'
# Replaced by rename(2) while read: the open file is the old version whole.
cp "$WORK/A" "$F/spam.ip4set"
(sleep 0.05 && cp "$WORK/B" "$F/spam.new" && mv "$F/spam.new" "$F/spam.ip4set") &
REPLACER=$!
load spam
wait "$REPLACER"
check_eq "replaced file: the load succeeds" "$rc" 0
check "replaced file: one whole version" "$out" '^spam: ip4set, (400003 lines, 400002|4 lines, 3) entries'
printf ':127.0.0.3:spam $\n127.0.0.2\n10.0.0.1\n' >"$F/spam.ip4set"
load spam
check_eq "replaced file: back to the first version" "$(sample)" "$BEFORE"

# ---- a store at a tiny map size: it grows ---------------------------------------
mkdir -p "$WORK/small"
sed "s|store: .*|store: $WORK/small/store|" "$WORK/c.yaml" >"$WORK/small.yaml"
cp "$WORK/A" "$F/spam.ip4set"
out=$(DNSBLD_STORE_MAPSIZE=65536 "$LOADER" -c "$WORK/small.yaml" load 2>&1)
check_eq "tiny map: the load succeeds" "$?" 0
check "tiny map: every entry stored" "$out" '^spam: ip4set, 400003 lines, 400002 entries'
out=$("$BIN/dnsbl-ctl" -c "$WORK/small.yaml" get 10.0.0.1 2>&1)
check "tiny map: the store answers" "$out" '127\.0\.0\.5'
printf ':127.0.0.3:spam $\n127.0.0.2\n10.0.0.1\n' >"$F/spam.ip4set"

# ---- a full disk ------------------------------------------------------------------
# The store on a 3 MB tmpfs: the first load fits, the big one cannot.  The
# failure must name the dataset and why, change nothing, and leave a store
# that the server still answers from and the next load can write.
SKIPPED=""
if [[ $(id -u) -ne 0 ]]; then
	SKIPPED="full disk: mounting a tmpfs needs root"
elif ! unshare -m true 2>/dev/null; then
	SKIPPED="full disk: cannot make a mount namespace"
else
	mkdir -p "$WORK/full"
	cat >"$WORK/full.sh" <<SH
set -u
mount -t tmpfs -o size=3m tmpfs "$WORK/full" || exit 3
sed "s|store: .*|store: $WORK/full/store|; s|127.0.0.1:$PORT|127.0.0.1:\$2|" "$WORK/c.yaml" >"$WORK/full.yaml"
"$LOADER" -c "$WORK/full.yaml" load >"$WORK/full.1" 2>&1 || exit 4
"$BIN/dnsbld" -c "$WORK/full.yaml" >"$WORK/full.srv" 2>&1 &
srv=\$!
for _ in \$(seq 50); do
	$DNSQ \$2 keep.test SOA --timeout 0.2 | grep -q '^rcode=' && break
	sleep 0.1
done
$DNSQ \$2 --bulk "$WORK/sample" >"$WORK/full.before"
cp "$WORK/A" "$F/spam.ip4set"
"$LOADER" -c "$WORK/full.yaml" load spam >"$WORK/full.2" 2>&1
echo \$? >"$WORK/full.rc"
$DNSQ \$2 --bulk "$WORK/sample" >"$WORK/full.after"
printf ':127.0.0.3:spam \$\n127.0.0.2\n10.0.0.1\n10.0.0.3\n' >"$F/spam.ip4set"
"$LOADER" -c "$WORK/full.yaml" load spam >"$WORK/full.3" 2>&1
echo \$? >>"$WORK/full.rc"
$DNSQ \$2 3.0.0.10.spam.test A >"$WORK/full.next"
kill \$srv; wait \$srv
umount "$WORK/full"
SH
	OUTER=$PORT
	srv_pick_port $((PORT + 1)) 5839
	unshare -m --propagation private bash "$WORK/full.sh" x "$PORT"
	frc=$?
	PORT=$OUTER
	check_eq "full disk: the test's mount and first load" "$frc" 0
	check_eq "full disk: the big load fails, the next succeeds" \
		"$(tr '\n' ' ' <"$WORK/full.rc" 2>/dev/null)" "1 0 "
	check "full disk: the failure names the dataset and why" \
		"$(cat "$WORK/full.2" 2>/dev/null)" \
		"spam: FAILED to store: the file system holding .*/full/store.* is full \([0-9]+ KiB free\).*the stored version is unchanged"
	check_eq "full disk: the answers did not change" \
		"$(cat "$WORK/full.after" 2>/dev/null)" "$(cat "$WORK/full.before" 2>/dev/null)"
	check "full disk: answers were served" "$(cat "$WORK/full.before" 2>/dev/null)" 'kept 10\.0\.0\.1'
	check "full disk: the next load is served" "$(cat "$WORK/full.next" 2>/dev/null)" '127\.0\.0\.3'
	printf ':127.0.0.3:spam $\n127.0.0.2\n10.0.0.1\n' >"$F/spam.ip4set"
fi

check_eq "the first server answered the same throughout" "$(sample)" "$BEFORE"
if [[ -n "$SKIPPED" ]] && ((FAILS == 0)); then
	srv_report
	echo "SKIP: $SKIPPED"
	exit 77
fi
srv_report
