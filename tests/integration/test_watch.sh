#!/usr/bin/env bash
# test_watch.sh -- dnsbl-loader watch under a running dnsbld.
#
# The loader follows the config and the feed files while dnsbld answers from
# the store.  Each step changes a file the way operators and rsync do
# (rename over, rewrite in place, delete, re-create, corrupt past
# max_errors, write slowly in chunks, a $TIMESTAMP in the future, a config
# change) and checks with dig that the answers change exactly as expected,
# or stay (keep last good), that the SOA serial moves with every committed
# change and only then, and that no query is ever answered SERVFAIL or left
# unanswered.  Ports 5650-5669.
set -u
. "$SRCDIR/tests/integration/server_lib.sh"

srv_workdir watch
srv_pick_port 5650 5669
LOADER="$BIN/dnsbl-loader"
D=$WORK/feeds
mkdir -p "$D"
chmod 755 "$D"

cat >"$WORK/c.yaml" <<YAML
store: $WORK/store
listen: ["127.0.0.1:$PORT"]
datasets:
  spam: { type: ip4set, files: [feeds/spam.ip4set], max_errors: 2 }
  names: { type: dnset, files: [feeds/names.dnset] }
zones:
  bl.test: { datasets: [spam, names] }
YAML
printf ':127.0.0.2:spam\n10.0.0.1\n10.0.0.2\n10.0.0.3\n' >"$D/spam.ip4set"
printf ':127.0.0.3:name\nbad.example\n' >"$D/names.dnset"

# q NAME: "NXDOMAIN", "NOERROR 127.0.0.2 ...", "SERVFAIL" or "NO REPLY".
# Every answer is also checked: never SERVFAIL, never silence.
q() {
	local out status
	out=$(dig +tries=1 +time=2 @127.0.0.1 -p "$PORT" "$1" A +noall +comments +answer 2>&1)
	status=$(sed -n 's/.*status: \([A-Z]*\),.*/\1/p' <<<"$out")
	if [ -z "$status" ]; then
		echo "NO REPLY"
		FAILS=$((FAILS + 1))
		echo "FAIL: no reply for $1" >&2
		return
	fi
	[ "$status" = SERVFAIL ] && { FAILS=$((FAILS + 1)); echo "FAIL: SERVFAIL for $1" >&2; }
	echo "$status $(awk '$4 == "A" {print $5}' <<<"$out" | sort | tr '\n' ' ')" | sed 's/ *$//'
}
rev() { awk -F. '{print $4"."$3"."$2"."$1}' <<<"$1"; }
ask() { q "$(rev "$1").bl.test"; }
serial() { dig +short @127.0.0.1 -p "$PORT" bl.test SOA | awk '{print $3}'; }

# wait_answer DESC IP WANT: polls (at most 10 s) until IP answers WANT;
# every answer seen meanwhile must be WANT or WAS (the answer before).
wait_answer() {
	local desc=$1 ip=$2 want=$3 was got
	was=$(ask "$ip")
	for _ in $(seq 100); do
		got=$(ask "$ip")
		[ "$got" = "$want" ] && break
		if [ "$got" != "$was" ]; then
			FAILS=$((FAILS + 1))
			echo "FAIL: $desc: $ip answered '$got', neither before ('$was') nor after ('$want')"
			return
		fi
		sleep 0.1
	done
	check_eq "$desc: $ip" "$got" "$want"
}

# wait_log DESC FILE REGEX: polls (at most 10 s) until FILE has a new line
# matching REGEX (lines counted since the last mark_logs).
mark_logs() { OUTMARK=$(wc -l <"$WORK/watch.out"); ERRMARK=$(wc -l <"$WORK/watch.err"); }
wait_log() {
	local desc=$1 which=$2 re=$3 mark
	[ "$which" = out ] && mark=$OUTMARK || mark=$ERRMARK
	for _ in $(seq 100); do
		tail -n +"$((mark + 1))" "$WORK/watch.$which" | grep -qE -- "$re" && break
		sleep 0.1
	done
	check "$desc" "$(tail -n +"$((mark + 1))" "$WORK/watch.$which")" "$re"
}

LISTED="NOERROR 127.0.0.2"
NX="NXDOMAIN"

# ---- start: the loader loads, then dnsbld answers ---------------------------
srv_watch -d 150 -i 0
check "watch: initial load" "$(cat "$WORK/watch.out")" "spam: ip4set, 4 lines, 3 entries, 0 warnings; records \+[0-9]+ -0 =0"
check "watch: watching line" "$(cat "$WORK/watch.out")" "^watching .*c\.yaml and 2 files of 2 datasets \(0 failed"
srv_start "$WORK/c.yaml" "$PORT" -w 2
check_eq "start: 10.0.0.1 listed" "$(ask 10.0.0.1)" "$LISTED"
check_eq "start: 10.0.0.9 not listed" "$(ask 10.0.0.9)" "$NX"
check_eq "start: name listed" "$(q bad.example.bl.test)" "NOERROR 127.0.0.3"
S0=$(serial)
check "start: SOA serial" "$S0" "^[0-9]+$"

# ---- rename over (rsync) ------------------------------------------------------
mark_logs
printf ':127.0.0.2:spam\n10.0.0.1\n10.0.0.3\n10.0.0.9\n' >"$D/.spam.tmp"
mv "$D/.spam.tmp" "$D/spam.ip4set"
wait_answer "rename: added" 10.0.0.9 "$LISTED"
check_eq "rename: removed" "$(ask 10.0.0.2)" "$NX"
check_eq "rename: kept" "$(ask 10.0.0.1)" "$LISTED"
wait_log "rename: logged as a diff" out "spam: ip4set, 4 lines, 3 entries, 0 warnings; records \+[1-9][0-9]* -[1-9][0-9]* =[1-9][0-9]*; "
check_not "rename: names not reloaded" "$(tail -n +"$((OUTMARK + 1))" "$WORK/watch.out")" "names: "
S1=$(serial)
[ "$S1" -gt "$S0" ] && PASSES=$((PASSES + 1)) || { FAILS=$((FAILS + 1)); echo "FAIL: serial after rename $S1 not > $S0"; }

# ---- rewrite in place (same inode) ---------------------------------------------
ino=$(stat -c %i "$D/spam.ip4set")
printf ':127.0.0.2:spam\n10.0.0.1\n10.0.0.4\n' >"$D/spam.ip4set"
check_eq "in place: same inode" "$(stat -c %i "$D/spam.ip4set")" "$ino"
wait_answer "in place: added" 10.0.0.4 "$LISTED"
check_eq "in place: removed" "$(ask 10.0.0.9)" "$NX"
S2=$(serial)
[ "$S2" -gt "$S1" ] && PASSES=$((PASSES + 1)) || { FAILS=$((FAILS + 1)); echo "FAIL: serial after rewrite $S2 not > $S1"; }

# ---- touched, same bytes: nothing changes, the serial stays -----------------------
mark_logs
touch "$D/spam.ip4set"
wait_log "touch: reloaded as an empty diff" out "spam: .*records \+0 -0 =[1-9]"
check_eq "touch: serial unchanged" "$(serial)" "$S2"

# ---- deleted: keep last good ---------------------------------------------------
mark_logs
rm "$D/spam.ip4set"
wait_log "delete: the failure is logged" err "spam: FAILED \(.*c\.yaml:4\): .*spam\.ip4set.*; the stored version is unchanged"
check_eq "delete: still listed" "$(ask 10.0.0.4)" "$LISTED"
check_eq "delete: still not listed" "$(ask 10.0.0.9)" "$NX"
check_eq "delete: serial unchanged" "$(serial)" "$S2"

# ---- re-created -----------------------------------------------------------------
printf ':127.0.0.2:spam\n10.0.0.5\n10.0.0.6\n' >"$D/.spam.tmp"
mv "$D/.spam.tmp" "$D/spam.ip4set"
wait_answer "re-create: added" 10.0.0.5 "$LISTED"
check_eq "re-create: removed" "$(ask 10.0.0.4)" "$NX"
S3=$(serial)
[ "$S3" -gt "$S2" ] && PASSES=$((PASSES + 1)) || { FAILS=$((FAILS + 1)); echo "FAIL: serial after re-create $S3 not > $S2"; }

# ---- corrupted past max_errors (2): keep last good ------------------------------------
mark_logs
printf ':127.0.0.2:spam\n10.0.0.7\nnot an address\n300.1.1.1\n10.0.0.5/33\n' >"$D/.spam.tmp"
mv "$D/.spam.tmp" "$D/spam.ip4set"
wait_log "corrupt: bad lines named" err "spam\.ip4set:3: "
wait_log "corrupt: the load fails" err "spam: FAILED .*too many errors.*the stored version is unchanged"
check_eq "corrupt: old entry still listed" "$(ask 10.0.0.5)" "$LISTED"
check_eq "corrupt: its good line is not" "$(ask 10.0.0.7)" "$NX"
check_eq "corrupt: serial unchanged" "$(serial)" "$S3"

# ---- under max_errors: loads, bad lines reported --------------------------------
printf ':127.0.0.2:spam\n10.0.0.7\nnot an address\n10.0.0.5\n' >"$D/.spam.tmp"
mv "$D/.spam.tmp" "$D/spam.ip4set"
wait_answer "one bad line: loads" 10.0.0.7 "$LISTED"
check_eq "one bad line: kept" "$(ask 10.0.0.5)" "$LISTED"
check_eq "one bad line: removed" "$(ask 10.0.0.6)" "$NX"

# ---- written slowly in place, held open between chunks --------------------------------
# The writer pauses longer than the debounce; the loader waits for it to close
# the file, so no half-written version is ever served.
S4=$(serial)
exec 7>"$D/spam.ip4set"
printf ':127.0.0.2:spam\n10.0.0.7\n' >&7
sleep 0.6
check_eq "slow: nothing applied mid-write (10.0.0.5)" "$(ask 10.0.0.5)" "$LISTED"
printf '10.0.0.5\n' >&7
sleep 0.6
printf '10.0.0.8\n' >&7
sleep 0.6
check_eq "slow: nothing applied mid-write (10.0.0.8)" "$(ask 10.0.0.8)" "$NX"
check_eq "slow: serial unchanged mid-write" "$(serial)" "$S4"
exec 7>&-
wait_answer "slow: the final content" 10.0.0.8 "$LISTED"
check_eq "slow: 10.0.0.5 still listed" "$(ask 10.0.0.5)" "$LISTED"
check_eq "slow: 10.0.0.7 still listed" "$(ask 10.0.0.7)" "$LISTED"
check "slow: the wait is logged" "$(cat "$WORK/watch.err")" "spam: a file is still open for writing; waiting"

# ---- a \$TIMESTAMP in the future fails the load (as rbldnsd): keep last good ----------
mark_logs
printf '$TIMESTAMP 2037:12:31\n:127.0.0.2:spam\n10.0.0.1\n' >"$D/.spam.tmp"
mv "$D/.spam.tmp" "$D/spam.ip4set"
wait_log "timestamp: the load fails" err "spam: FAILED .*the stored version is unchanged"
check_eq "timestamp: old data served" "$(ask 10.0.0.8)" "$LISTED"
check_eq "timestamp: new data not" "$(ask 10.0.0.1)" "$NX"

# ---- the other dataset's file, by rename -----------------------------------------------
printf ':127.0.0.3:name\nworse.example\n' >"$D/.names.tmp"
mv "$D/.names.tmp" "$D/names.dnset"
for _ in $(seq 100); do
	[ "$(q worse.example.bl.test)" = "NOERROR 127.0.0.3" ] && break
	sleep 0.1
done
check_eq "dnset: added" "$(q worse.example.bl.test)" "NOERROR 127.0.0.3"
check_eq "dnset: removed" "$(q bad.example.bl.test)" "$NX"

# ---- the directory replaced (a new directory renamed over the old one) ----------------
mkdir "$WORK/feeds.new"
printf ':127.0.0.2:spam\n10.0.0.11\n' >"$WORK/feeds.new/spam.ip4set"
cp "$D/names.dnset" "$WORK/feeds.new/names.dnset"
chmod 755 "$WORK/feeds.new"
mv "$D" "$WORK/feeds.old" && mv "$WORK/feeds.new" "$D"
wait_answer "directory replaced: added" 10.0.0.11 "$LISTED"
check_eq "directory replaced: removed" "$(ask 10.0.0.8)" "$NX"
rm -rf "$WORK/feeds.old"
printf ':127.0.0.2:spam\n10.0.0.12\n' >"$D/.spam.tmp"
mv "$D/.spam.tmp" "$D/spam.ip4set"
wait_answer "directory replaced: followed after" 10.0.0.12 "$LISTED"

# ---- config change: a new dataset (the zone side is test_watch_zones.sh) ------------------
mark_logs
printf ':127.0.0.4:extra\n10.0.0.13\n' >"$D/extra.ip4set"
cat >"$WORK/c.yaml.new" <<YAML
store: $WORK/store
listen: ["127.0.0.1:$PORT"]
datasets:
  spam: { type: ip4set, files: [feeds/spam.ip4set], max_errors: 2 }
  names: { type: dnset, files: [feeds/names.dnset] }
  extra: { type: ip4set, files: [feeds/extra.ip4set] }
zones:
  bl.test: { datasets: [spam, names, extra] }
YAML
mv "$WORK/c.yaml.new" "$WORK/c.yaml"
wait_log "config: the new dataset loads" out "extra: ip4set, 2 lines, 1 entries"
wait_log "config: applied" out "config: .*c\.yaml applied: 3 datasets \(1 new, 0 changed, 0 dropped\), 1 zones"
check_not "config: unchanged datasets not reloaded" "$(tail -n +"$((OUTMARK + 1))" "$WORK/watch.out")" "(spam|names): [a-z0-9]+, "
show=$("$LOADER" -c "$WORK/c.yaml" show extra 2>&1)
check "config: extra is stored" "$show" "extra"
check "config: the zone table follows" "$("$LOADER" -c "$WORK/c.yaml" zones 2>&1)" "^  bl\.test serial [0-9]+ datasets spam,names,extra$"
printf ':127.0.0.4:extra\n10.0.0.14\n' >"$D/.extra.tmp"
mv "$D/.extra.tmp" "$D/extra.ip4set"
wait_log "config: the new file is followed" out "extra: ip4set, 2 lines, 1 entries, 0 warnings; records \+[1-9][0-9]* -[1-9]"
check_eq "config: spam still served" "$(ask 10.0.0.12)" "$LISTED"

# ---- a bad config: named with file:line, the old one stays ---------------------------------
mark_logs
cp "$WORK/c.yaml" "$WORK/c.yaml.good"
printf 'store: %s\ndatasets:\n  spam: { type: ip4set, files: [feeds/spam.ip4set], max_errors: many }\nzones: {}\n' "$WORK/store" >"$WORK/c.yaml"
wait_log "bad config: file:line" err "config: .*c\.yaml:3.*max_errors.*the previous config stays in force"
printf ':127.0.0.2:spam\n10.0.0.15\n' >"$D/.spam.tmp"
mv "$D/.spam.tmp" "$D/spam.ip4set"
wait_answer "bad config: the old config still drives reloads" 10.0.0.15 "$LISTED"

# ---- config change: a dataset removed is dropped ------------------------------------------
mark_logs
cat >"$WORK/c.yaml" <<YAML
store: $WORK/store
listen: ["127.0.0.1:$PORT"]
datasets:
  spam: { type: ip4set, files: [feeds/spam.ip4set], max_errors: 2 }
  names: { type: dnset, files: [feeds/names.dnset] }
zones:
  bl.test: { datasets: [spam, names] }
YAML
wait_log "config: removed dataset dropped" out "extra: no longer in .*c\.yaml: dropped from the store"
show=$("$LOADER" -c "$WORK/c.yaml.good" show extra 2>&1)
check "config: extra no longer stored" "$show" "^dataset extra \(ip4set\): not loaded"
check_eq "config: spam still served" "$(ask 10.0.0.15)" "$LISTED"

# ---- SIGHUP re-checks now; SIGTERM stops with 0 --------------------------------------------
mark_logs
kill -HUP "$LOADER_PID"
sleep 0.5
kill -0 "$LOADER_PID" 2>/dev/null && PASSES=$((PASSES + 1)) || { FAILS=$((FAILS + 1)); echo "FAIL: loader died on SIGHUP"; }
kill -TERM "$LOADER_PID"
wait "$LOADER_PID"
check_eq "SIGTERM: exit status" "$?" 0
check_eq "after the loader: still answering" "$(ask 10.0.0.15)" "$LISTED"
check_not "dnsbld: no errors logged" "$(cat "$WORK/dnsbld.log")" "error|ERROR"

srv_report
