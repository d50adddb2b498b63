#!/bin/bash
# test_dropin.sh -- dnsbld started with rbldnsd's command line, against rbldnsd.
#
# Debian's rbldnsd and dnsbld get the same command line (apart from the
# port and dnsbld's --store in a temp dir) over the same files: every
# dataset type diffgen.py writes, a zone merging three, specs shared by
# zones, an acl that always lists 127.0.0.1 in one zone and one that
# refuses it in another.  Thousands of queries must get the same answers,
# except the deliberate differences diffgen.py's compare() lists.  Then:
# -h, an unknown option, a bad spec, -d, a live update of a spec'd file,
# a failed reload, -c 0 with HUP, and TERM.  Skipped (77) without rbldnsd.
set -u
. "$SRCDIR/tests/integration/server_lib.sh"
RBLDNSD=${RBLDNSD:-/usr/sbin/rbldnsd}
if [ ! -x "$RBLDNSD" ]; then
	echo "rbldnsd not installed: skipped"
	exit 77
fi
srv_workdir dropin
srv_pick_port 5750 5759
PORT_D=$PORT
srv_pick_port 5760 5769
PORT_R=$PORT
srv_pick_port 5770 5779
PORT_H=$PORT
srv_pick_port 5780 5784
PORT_TD=$PORT
srv_pick_port 5785 5789
PORT_TR=$PORT
# Both servers drop to nobody and must read the files as nobody.
RBLDIR=$(mktemp -d /tmp/dnsbld-dropin.XXXXXX)
chmod 755 "$RBLDIR"
trap 'srv_cleanup; rm -rf "$RBLDIR"' EXIT
cd "$WORK" || exit 1

# wait_up PORT ZONE PID: until ZONE's apex answers (10 s at most).
wait_up() {
	for _ in $(seq 100); do
		$DNSQ "$1" "$2" SOA --timeout 0.2 | grep '^rcode=' >/dev/null && return 0
		kill -0 "$3" 2>/dev/null || return 1
		sleep 0.1
	done
	return 1
}

# answer PORT NAME TYPE: "RCODE answers..." on one line.
answer() {
	$DNSQ "$1" "$2" "$3" | awk '/^rcode=/{sub(/rcode=/,"");split($1,a," ");r=a[1]} /^an: /{$1="";$2="";$3="";$4="";s=s $0} END{print r s}'
}

python3 "$SRCDIR/tests/integration/diffgen.py" gen "$WORK" "${DIFF_SEED:-20265}" || exit 1
cp ./*.data "$RBLDIR/"
printf '127.0.0.1 :127.0.0.9:always listed for $\n' >"$RBLDIR/always.acl"
printf '127.0.0.1 :refuse\n' >"$RBLDIR/refuse.acl"
printf '192.0.2.1 :2:old\n' >"$RBLDIR/live.ip4set"
chmod 644 "$RBLDIR"/*

specs=()
while read -r zone type file; do
	specs+=("$zone:$type:$RBLDIR/$file")
done <zones.txt
# The same specs shared by two more zones, each with an acl.
specs+=("acl4.t:ip4set:$RBLDIR/ip4set.data" "acl4.t:acl:$RBLDIR/always.acl")
specs+=("aclr.t:dnset:$RBLDIR/dnset.data" "aclr.t:acl:$RBLDIR/refuse.acl")
specs+=("live.t:ip4set:$RBLDIR/live.ip4set")
# Queries for the acl zones: the ones of the zones they share data with.
awk '$3 != "testpoint" && $1 ~ /\.ip4set\.t$/ && n++ < 600 {sub(/ip4set\.t$/, "acl4.t", $1); print}
     $3 != "testpoint" && $1 ~ /\.dnset\.t$/ && m++ < 300 {sub(/dnset\.t$/, "aclr.t", $1); print}' \
	queries.txt >acl-queries.txt
cat acl-queries.txt >>queries.txt

"$RBLDNSD" -n -b 127.0.0.1/$PORT_R -u nobody "${specs[@]}" >rbldnsd.log 2>&1 &
RBL_PID=$!
SRV_PIDS+=("$RBL_PID")
"$BIN/dnsbld" -n -b 127.0.0.1/$PORT_D -u nobody --store "$WORK/store" "${specs[@]}" >dnsbld.log 2>&1 &
D_PID=$!
SRV_PIDS+=("$D_PID")
wait_up $PORT_R ip4set.t $RBL_PID || { echo "rbldnsd did not start"; cat rbldnsd.log; exit 1; }
wait_up $PORT_D ip4set.t $D_PID || { echo "dnsbld did not start"; cat dnsbld.log; exit 1; }

$DNSQ $PORT_R --bulk queries.txt >rbldnsd.out
$DNSQ $PORT_D --bulk queries.txt >dnsbld.out
out=$(python3 "$SRCDIR/tests/integration/diffgen.py" compare queries.txt rbldnsd.out dnsbld.out)
rc=$?
echo "$out" | head -60
check_eq "dnsbld and rbldnsd agree on $(wc -l <queries.txt) queries (same command line)" "$rc" 0
n=$(grep -c . queries.txt)
[ "$n" -ge 2000 ] && check_eq "at least 2000 queries" ok ok || check_eq "at least 2000 queries" "$n" ">=2000"
check "acl: always listed in acl4.t" "$(grep -c 'acl4.t A.*127.0.0.9' dnsbld.out)" '^[1-9]'
check "acl: refused in aclr.t" "$(grep -c 'aclr.t [A-Z]* REFUSED' dnsbld.out)" '^[1-9]'
check "every dataset loaded into the store" "$(cat dnsbld.log)" 'store .* dataset.s., 0 failed'

# Live update: a file renamed over the spec'd one is served.
check "live: before" "$(answer $PORT_D 1.2.0.192.live.t TXT)" '^NOERROR.*old'
printf '192.0.2.1 :3:new\n' >"$RBLDIR/live.tmp"
chmod 644 "$RBLDIR/live.tmp"
mv "$RBLDIR/live.tmp" "$RBLDIR/live.ip4set"
got=
for _ in $(seq 50); do
	got=$(answer $PORT_D 1.2.0.192.live.t TXT)
	grep -q new <<<"$got" && break
	sleep 0.1
done
check "live: the renamed file is served within 5 s" "$got" '^NOERROR.*new'
# A failed reload (a file nobody can read) keeps the last good data and
# logs "NAME: FAILED: why": no config file location, as there is none.
printf '192.0.2.1 :4:unread\n' >"$RBLDIR/live.tmp"
chmod 000 "$RBLDIR/live.tmp"
mv "$RBLDIR/live.tmp" "$RBLDIR/live.ip4set"
for _ in $(seq 50); do
	grep -q 'live\.ip4set: FAILED' dnsbld.log && break
	sleep 0.1
done
check "live: a failed reload logs the dataset and why" "$(cat dnsbld.log)" \
	'live\.ip4set: FAILED: .*live\.ip4set: unable to open file: Permission denied'
check_not "live: a failed reload names no config location" "$(grep FAILED dnsbld.log)" 'config:0|\(command line'
check "live: a failed reload keeps the last good data" "$(answer $PORT_D 1.2.0.192.live.t TXT)" '^NOERROR.*new'
printf '192.0.2.1 :3:new\n' >"$RBLDIR/live.tmp"
chmod 644 "$RBLDIR/live.tmp"
mv "$RBLDIR/live.tmp" "$RBLDIR/live.ip4set"

# -c 0: no updates, but HUP reloads; -l, -s, USR1, USR2; TERM exits 0.
# (The stats file is reopened as nobody, as in rbldnsd.)
LOGDIR=$RBLDIR/logs
mkdir "$LOGDIR" && chmod 777 "$LOGDIR"
# -v hides the version.  -t 45:30:60: 45 s without $TTL, a $TTL of 10 raised to 30 (as rbldnsd).
printf '192.0.2.1 :2:first\n' >"$RBLDIR/hup.ip4set"
printf '$TTL 10\n192.0.2.1\n' >"$RBLDIR/ttl.ip4set"
chmod 644 "$RBLDIR/hup.ip4set" "$RBLDIR/ttl.ip4set"
"$BIN/dnsbld" -n -c 0 -b 127.0.0.1/$PORT_H -u nobody --store "$WORK/store-hup" \
	-l "+$LOGDIR/query.log" -s "$LOGDIR/stats.log" -t 45:30:60 -v \
	"hup.t:ip4set:$RBLDIR/hup.ip4set" "ttl.t:ip4set:$RBLDIR/ttl.ip4set" \
	>dnsbld-hup.log 2>&1 &
H_PID=$!
SRV_PIDS+=("$H_PID")
wait_up $PORT_H hup.t $H_PID || { echo "dnsbld -c 0 did not start"; cat dnsbld-hup.log; exit 1; }
check "hup: before" "$(answer $PORT_H 1.2.0.192.hup.t TXT)" '^NOERROR.*first'
check "-v: version.bind names only the program" "$($DNSQ $PORT_H version.bind TXT --class 3)" '^an: .* TXT "dnsbld"$'
check "without -v: version.bind has the version" "$($DNSQ $PORT_D version.bind TXT --class 3)" '^an: .* TXT "dnsbld [0-9]'
check "-t: the default TTL" "$($DNSQ $PORT_H 1.2.0.192.hup.t A)" '^an: .* 45 IN A 127\.0\.0\.2'
check "-t: a data TTL under min is raised" "$($DNSQ $PORT_H 1.2.0.192.ttl.t A)" '^an: .* 30 IN A 127\.0\.0\.2'
printf '192.0.2.1 :2:second\n' >"$RBLDIR/hup.tmp"
chmod 644 "$RBLDIR/hup.tmp"
mv "$RBLDIR/hup.tmp" "$RBLDIR/hup.ip4set"
sleep 1
check "hup: -c 0 does not follow the file" "$(answer $PORT_H 1.2.0.192.hup.t TXT)" '^NOERROR.*first'
kill -HUP $H_PID
got=
for _ in $(seq 50); do
	got=$(answer $PORT_H 1.2.0.192.hup.t TXT)
	grep -q second <<<"$got" && break
	sleep 0.1
done
check "hup: HUP reloads" "$got" '^NOERROR.*second'
chmod 000 "$RBLDIR/hup.ip4set"
kill -HUP $H_PID
for _ in $(seq 50); do
	grep -q 'hup\.ip4set: FAILED' dnsbld-hup.log && break
	sleep 0.1
done
check "hup: a failed reload logs the dataset and why" "$(cat dnsbld-hup.log)" \
	'hup\.ip4set: FAILED: .*hup\.ip4set: unable to open file: Permission denied'
check_not "hup: a failed reload names no config location" "$(grep FAILED dnsbld-hup.log)" 'config:0|\(command line'
check "hup: a failed reload keeps the last good data" "$(answer $PORT_H 1.2.0.192.hup.t TXT)" '^NOERROR.*second'
chmod 644 "$RBLDIR/hup.ip4set"
check "-l: rbldnsd's query log line" "$(cat "$LOGDIR/query.log")" \
	'^[0-9]{10} 127\.0\.0\.1 1\.2\.0\.192\.hup\.t TXT IN: NOERROR/1/[0-9]+$'
check "-l: SOA query logged" "$(cat "$LOGDIR/query.log")" \
	'^[0-9]{10} 127\.0\.0\.1 hup\.t SOA IN: NOERROR/1/[0-9]+$'
kill -USR1 $H_PID
sleep 0.5
check "USR1: stats logged per zone" "$(cat dnsbld-hup.log)" \
	"stats for [0-9]+secs zone hup\.t: tot=[0-9]+ ok=[0-9]+ nxd=0 err=0 in=[0-9]+ out=[0-9]+"
check "USR1: total logged" "$(cat dnsbld-hup.log)" 'stats for [0-9]+sec: tot='
check "-s: a line on USR1" "$(cat "$LOGDIR/stats.log")" \
	'^[0-9]{10} hup\.t:[0-9]+:[0-9]+:0:[0-9]+:[0-9]+ ttl\.t:[0-9]+:[0-9]+:0:[0-9]+:[0-9]+ \*:[0-9]+:[0-9]+:0:[0-9]+:[0-9]+$'
kill -USR2 $H_PID
sleep 0.5
check_eq "USR2: a bare timestamp after the reset" \
	"$(tail -1 "$LOGDIR/stats.log" | grep -cE '^[0-9]{10}$')" 1
kill -USR1 $H_PID
sleep 0.5
check "USR2: the counters start over" "$(tail -1 "$LOGDIR/stats.log")" ' hup\.t:0:0:0:0:0 '
kill -TERM $H_PID
wait $H_PID
check_eq "TERM: exit status 0" "$?" 0
check "TERM: logged" "$(cat dnsbld-hup.log)" 'terminating'
check_eq "TERM: the stats file ends with a bare timestamp" \
	"$(tail -1 "$LOGDIR/stats.log" | grep -cE '^[0-9]{10}$')" 1

# Without -n, with -r and -p: the parent exits 0 once the child serves; the
# pid file (written before the chroot) names the child; files and store
# are inside the jail; TERM through the pid file stops it.
JAIL=$RBLDIR/jail
mkdir "$JAIL" && chmod 755 "$JAIL"
printf '192.0.2.1 :2:jailed\n' >"$JAIL/j.ip4set"
chmod 644 "$JAIL/j.ip4set"
"$BIN/dnsbld" -u nobody -r "$JAIL" -p "$WORK/j.pid" --store st \
	-b 127.0.0.1/$PORT_H j.t:ip4set:j.ip4set >dnsbld-jail.log 2>&1
check_eq "background: the parent exits 0" "$?" 0
J_PID=$(cat "$WORK/j.pid" 2>/dev/null)
check "background: the pid file names a running process" \
	"$( [ -n "$J_PID" ] && kill -0 "$J_PID" 2>/dev/null && echo alive)" '^alive$'
[ -n "$J_PID" ] && SRV_PIDS+=("$J_PID")
check "chroot: the jail's file is served" "$(answer $PORT_H 1.2.0.192.j.t TXT)" '^NOERROR.*jailed'
check "chroot: the store is in the jail" "$(ls "$JAIL/st/current/")" 'data\.mdb'
printf '192.0.2.1 :2:moved\n' >"$JAIL/j.tmp"
chmod 644 "$JAIL/j.tmp"
mv "$JAIL/j.tmp" "$JAIL/j.ip4set"
got=
for _ in $(seq 50); do
	got=$(answer $PORT_H 1.2.0.192.j.t TXT)
	grep -q moved <<<"$got" && break
	sleep 0.1
done
check "chroot: a renamed file in the jail is served" "$got" '^NOERROR.*moved'
[ -n "$J_PID" ] && kill -TERM "$J_PID"
gone=no
for _ in $(seq 50); do
	kill -0 "$J_PID" 2>/dev/null || { gone=yes; break; }
	sleep 0.1
done
check_eq "background: TERM stops it" "$gone" yes

# A failed first load: fatal without -q (exit 1, the file named), a start
# anyway with -q; -f is accepted and logged as ignored.
out=$("$BIN/dnsbld" -n -u nobody -b 127.0.0.1/$PORT_H --store "$WORK/store-q" \
	"m.t:ip4set:$RBLDIR/missing.ip4set" 2>&1)
check_eq "failed first load: exit 1" "$?" 1
check "failed first load: the file and why" "$out" 'missing\.ip4set.*(No such file|unable to open)'
"$BIN/dnsbld" -n -q -f -u nobody -b 127.0.0.1/$PORT_H --store "$WORK/store-q" \
	"m.t:ip4set:$RBLDIR/missing.ip4set" >dnsbld-q.log 2>&1 &
Q_PID=$!
SRV_PIDS+=("$Q_PID")
wait_up $PORT_H m.t $Q_PID
check_eq "-q: starts although the load failed" "$?" 0
check "-f: logged as ignored" "$(cat dnsbld-q.log)" '-f: .*nothing to fork for'
kill -TERM $Q_PID
wait $Q_PID
check_eq "-q: TERM exits 0" "$?" 0

# -t def:min:max against rbldnsd: data TTLs ($TTL, per-record generic TTLs,
# $SOA, $NS) clamped, the default where the data has none.
printf 'www 5 A 1.2.3.4\nmx 500 MX 10 mail\nnottl TXT "hi"\n' >"$RBLDIR/ttl.generic"
printf '$SOA 5 ns.x. h.x. 1 2 3 4 5\n$NS 7 ns.x.\n$TTL 900\n192.0.2.1\n' >"$RBLDIR/soa.ip4set"
chmod 644 "$RBLDIR/ttl.generic" "$RBLDIR/soa.ip4set"
tspecs=("g.t:generic:$RBLDIR/ttl.generic" "s.t:ip4set:$RBLDIR/soa.ip4set" "n.t:ip4set:$RBLDIR/hup.ip4set")
"$RBLDNSD" -n -u nobody -t 45:30:60 -b 127.0.0.1/$PORT_TR "${tspecs[@]}" >rbldnsd-ttl.log 2>&1 &
TR_PID=$!
SRV_PIDS+=("$TR_PID")
"$BIN/dnsbld" -n -u nobody -t 45:30:60 -b 127.0.0.1/$PORT_TD --store "$WORK/store-ttl" "${tspecs[@]}" >dnsbld-ttl.log 2>&1 &
TD_PID=$!
SRV_PIDS+=("$TD_PID")
wait_up $PORT_TR s.t $TR_PID || { echo "rbldnsd -t did not start"; cat rbldnsd-ttl.log; exit 1; }
wait_up $PORT_TD s.t $TD_PID || { echo "dnsbld -t did not start"; cat dnsbld-ttl.log; exit 1; }
for q in "www.g.t A" "mx.g.t MX" "nottl.g.t TXT" "s.t SOA" "s.t NS" "1.2.0.192.s.t A" "1.2.0.192.n.t A"; do
	# shellcheck disable=SC2086
	r=$($DNSQ $PORT_TR $q | grep '^an: ')
	# shellcheck disable=SC2086
	d=$($DNSQ $PORT_TD $q | grep '^an: ')
	check_eq "-t 45:30:60: $q as rbldnsd (TTLs included)" "$d" "$r"
	check "-t 45:30:60: $q answered" "$d" '^an: '
done

# Bad data in rbldnsd mode: a skipped line's warning quotes its text, and a
# failed reload names the data file and line and quotes the line.
printf '192.0.2.1 :5:quoted\n1.2.3.4/40 :2:x\n' >"$RBLDIR/live.tmp"
chmod 644 "$RBLDIR/live.tmp"
mv "$RBLDIR/live.tmp" "$RBLDIR/live.ip4set"
for _ in $(seq 50); do
	grep -q quoted <<<"$(answer $PORT_D 1.2.0.192.live.t TXT)" && break
	sleep 0.1
done
check "bad line: the warning names file and line and quotes the text" "$(cat dnsbld.log)" \
	'/live\.ip4set:2: invalid address "1\.2\.3\.4/40"$'
printf '# data before the first $DATASET is fatal\n192.0.2.1\n$DATASET ip4set @\n' \
	>"$RBLDIR/combined.tmp"
chmod 644 "$RBLDIR/combined.tmp"
mv "$RBLDIR/combined.tmp" "$RBLDIR/combined.data"
for _ in $(seq 50); do
	grep -q 'combined\.data: FAILED' dnsbld.log && break
	sleep 0.1
done
check "failed reload: the data file, line and text" "$(cat dnsbld.log)" \
	'combined\.data: FAILED: .*/combined\.data:2: invalid/unrecognized entry "192\.0\.2\.1" - specify \$DATASET line; the stored version is unchanged$'
printf '192.0.2.1 :3:new\n' >"$RBLDIR/live.tmp"
chmod 644 "$RBLDIR/live.tmp"
mv "$RBLDIR/live.tmp" "$RBLDIR/live.ip4set"

# Command line errors, as rbldnsd words them.
out=$("$BIN/dnsbld" -h 2>&1)
check_eq "-h: exit 0" "$?" 0
check "-h: rbldnsd's usage" "$out" 'zonespec'
out=$("$BIN/dnsbld" -z -b 127.0.0.1/$PORT_H bl.t:ip4set:x 2>&1)
check_eq "unknown option: exit 1" "$?" 1
check "unknown option: message" "$out" "^dnsbld: invalid option -- 'z'"
out=$("$BIN/dnsbld" -b 127.0.0.1/$PORT_H bl.t:nosuch:x 2>&1)
check_eq "bad spec: exit 1" "$?" 1
check "bad spec: message" "$out" "^dnsbld: unknown dataset type \`nosuch'"
out=$("$BIN/dnsbld" -b 127.0.0.1/$PORT_H bl.t 2>&1)
check_eq "spec without type: exit 1" "$?" 1
check "spec without type: message" "$out" '^dnsbld: '

out=$("$BIN/dnsbld" -4 -b ::1/$PORT_H bl.t:ip4set:x 2>&1)
check_eq "-4 with an IPv6 address: exit 1" "$?" 1
check "-4 with an IPv6 address: rbldnsd's message" "$out" \
	"^dnsbld: ::1/$PORT_H: Address family for hostname not supported"

# -d: the zones in BIND format, then exit 0.
"$BIN/dnsbld" --store "$WORK/store-dump" -d "live.t:ip4set:$RBLDIR/live.ip4set" >dump.out 2>dump.err
check_eq "-d: exit 0" "$?" 0
check "-d: starts with \$ORIGIN after the header" "$(grep -v '^;' dump.out | head -1)" '^\$ORIGIN	live\.t\.$'
check "-d: the record" "$(cat dump.out)" '^1\.2\.0\.192	A	127\.0\.0\.3'
srv_report
