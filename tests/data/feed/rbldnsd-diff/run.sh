#!/bin/bash
# run.sh -- differential check of lib/feed*.c against the Debian rbldnsd.
#
# Generates a random feed (gen.py), loads it into rbldnsd on loopback and
# into our parser (feedq.c), asks both the same addresses and compares the
# answers and the warning/entry counts.  Manual tool, not part of ctest: it
# needs /usr/sbin/rbldnsd, dig and python3, and runs as root (rbldnsd drops
# to `nobody`).  Usage: run.sh [TYPE] [SEEDS] [e]   (TYPE ip4set|ip4trie|
# ip6trie, default ip4set; SEEDS e.g. "1 2 3"; e = accept host bits, -e)
set -u
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../../../.." && pwd)
type=${1:-ip4set}; seeds=${2:-"1 2 3"}; e=${3:-}
port=${PORT:-5401}
work=$(mktemp -d /tmp/feeddiff.XXXXXX); chmod 755 "$work"
pid=
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; wait 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
# The parser's files (not feedwatch*.c, the file watcher).
parser="feed feed_combined feed_dname feed_dnset feed_entry feed_generic feed_ip
	feed_ipsets feed_reader feed_special feed_value feed_geo geo geo_names
	timeunit dataset dname store_hash"
cc -std=c11 -D_GNU_SOURCE -O2 -I"$src/lib" "$here/feedq.c" \
   $(for f in $parser; do printf '%s ' "$src/lib/$f.c"; done) -lz \
   -o "$work/feedq" || exit 2
fam=4; [ "$type" = ip6trie ] && fam=6
status=0
for seed in $seeds; do
	python3 "$here/gen.py" "$type" "$seed" "$work" || exit 2
	chmod 644 "$work/data"
	timeout 60 rbldnsd -n ${e:+-e} -b 127.0.0.1/$port -u nobody \
		"d.test:$type:$work/data" > "$work/log" 2>&1 &
	pid=$!
	for _ in $(seq 50); do
		dig +short +time=1 +tries=1 @127.0.0.1 -p "$port" d.test SOA >/dev/null 2>&1 &&
			grep -q started "$work/log" && break
		sleep 0.1
	done
	if ! kill -0 "$pid" 2>/dev/null; then
		echo "rbldnsd did not start (port $port busy?):"; cat "$work/log"
		exit 2
	fi
	python3 -c "
import ipaddress,sys
for l in open(sys.argv[1]):
    print(ipaddress.ip_address(l.strip()).reverse_pointer.rsplit('.',2)[0]+'.d.test')" \
		"$work/queries" > "$work/names"
	dig @127.0.0.1 -p "$port" +noall +answer +notcp +time=1 +tries=2 \
		-f "$work/names" A > "$work/dig" 2>&1
	python3 "$here/answers.py" $fam "$work/dig" "$work/queries" > "$work/theirs"
	"$work/feedq" "$type" "$work/data" $e < "$work/queries" > "$work/mine" 2> "$work/counts"
	kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; pid=
	shown=$(grep -c "^rbldnsd: file" "$work/log")
	supp=$(sed -n 's/.* \([0-9]*\) more warnings suppressed/\1/p' "$work/log")
	theirs_w=$((shown + ${supp:-0}))
	mine_w=$(sed -n 's/warnings=\([0-9]*\).*/\1/p' "$work/counts")
	if diff "$work/mine" "$work/theirs" > "$work/diff" && [ "$mine_w" = "$theirs_w" ]; then
		echo "$type seed $seed: same ($(wc -l < "$work/queries") queries, $mine_w warnings)"
	else
		echo "$type seed $seed: DIFFERENT (warnings ours $mine_w, rbldnsd $theirs_w)"
		head -20 "$work/diff"
		status=1
	fi
done
exit $status
