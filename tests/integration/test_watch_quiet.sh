#!/usr/bin/env bash
# test_watch_quiet.sh -- when dnsbl-loader watch loads a changed file.
#
# With a quiet time (-d) of 30 s: a dataset's only file renamed into place
# (rsync, mv) is complete and is served within seconds; a file rewritten in
# place waits for the quiet time (its writer may not be done); so does the
# first of a two-file dataset's files renamed in (the other may follow).
# Answers are checked with dig against a running dnsbld.  Ports 5670-5679.
set -u
. "$SRCDIR/tests/integration/server_lib.sh"

srv_workdir watch_quiet
srv_pick_port 5670 5679
D=$WORK/feeds
mkdir -p "$D"

cat >"$WORK/c.yaml" <<YAML
store: $WORK/store
listen: ["127.0.0.1:$PORT"]
datasets:
  one: { type: ip4set, files: [feeds/one.ip4set] }
  pair: { type: ip4set, files: [feeds/p1.ip4set, feeds/p2.ip4set] }
zones:
  one.test: { datasets: [one] }
  pair.test: { datasets: [pair] }
YAML
printf ':127.0.0.2:one\n10.0.0.1\n' >"$D/one.ip4set"
printf ':127.0.0.2:pair\n10.0.1.1\n' >"$D/p1.ip4set"
printf '10.0.2.1\n' >"$D/p2.ip4set"

# a ZONE IP: the A records IP answers in ZONE, or NXDOMAIN.
a() {
	local r
	r=$(dig +tries=1 +time=2 @127.0.0.1 -p "$PORT" \
		"$(awk -F. '{print $4"."$3"."$2"."$1}' <<<"$2").$1" A +short)
	echo "${r:-NXDOMAIN}"
}
# served_within SECONDS ZONE IP: polls until IP is listed in ZONE; "yes"
# or "no" after SECONDS.
served_within() {
	local i
	for i in $(seq $(($1 * 10))); do
		[ "$(a "$2" "$3")" = 127.0.0.2 ] && { echo yes; return; }
		sleep 0.1
	done
	echo no
}

srv_watch -d 30000 -i 0
srv_start "$WORK/c.yaml" "$PORT"
check_eq "start: one listed" "$(a one.test 10.0.0.1)" 127.0.0.2
check_eq "start: pair listed" "$(a pair.test 10.0.2.1)" 127.0.0.2

# The only file, renamed in: loaded at once, not after 30 s.
printf ':127.0.0.2:one\n10.0.0.2\n' >"$D/.one.tmp"
mv "$D/.one.tmp" "$D/one.ip4set"
check_eq "renamed in: served without the quiet time" "$(served_within 10 one.test 10.0.0.2)" yes
check_eq "renamed in: old entry gone" "$(a one.test 10.0.0.1)" NXDOMAIN

# Rewritten in place: its writer may come back, so the quiet time holds.
printf ':127.0.0.2:one\n10.0.0.3\n' >"$D/one.ip4set"
check_eq "in place: waits for the quiet time" "$(served_within 2 one.test 10.0.0.3)" no

# The first of two files renamed in: the second may follow, so it waits.
printf ':127.0.0.2:pair\n10.0.1.2\n' >"$D/.p1.tmp"
mv "$D/.p1.tmp" "$D/p1.ip4set"
check_eq "one of two files renamed: waits for the quiet time" \
	"$(served_within 2 pair.test 10.0.1.2)" no
check_eq "one of two files renamed: old data still served" \
	"$(a pair.test 10.0.1.1)" 127.0.0.2

# SIGHUP looks now: both pending changes load.
kill -HUP "$LOADER_PID"
check_eq "SIGHUP: the rewrite loads" "$(served_within 10 one.test 10.0.0.3)" yes
check_eq "SIGHUP: the renamed file loads" "$(served_within 10 pair.test 10.0.1.2)" yes

srv_report
