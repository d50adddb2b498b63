#!/bin/bash
# test_dropin_store.sh -- rbldnsd mode keeps no state between runs.
#
# Scripts start many short-lived rbldnsd instances with temporary files
# from one directory, several at a time.  dnsbld in rbldnsd mode keeps a
# store per instance under ./dnsbld-store (named by its -b addresses) and
# removes the stores of instances that stopped, so: after 50 short-lived
# instances the store directory holds only the last one, with only its
# data; two instances with different specs and -b run side by side, each
# serving its own zone and only it, and neither touches the other's data;
# a second instance on the same -b is refused and the first keeps serving;
# a restart with unchanged files reuses the stored data.
set -u
. "$SRCDIR/tests/integration/server_lib.sh"
srv_workdir dropin-store
srv_pick_port 5890 5899
PORT_A=$PORT
srv_pick_port 5900 5909
PORT_B=$PORT
cd "$WORK" || exit 1
mkdir run
cd run || exit 1
USER_OPT=()
[ "$(id -u)" = 0 ] && USER_OPT=(-u nobody) && chmod 755 "$WORK/run" && chown nobody "$WORK/run"

# start NAME PORT SPEC...: dnsbld -n in the background until it answers
# NAME's apex; sets PID.
start() {
	local zone=$1 port=$2
	shift 2
	"$BIN/dnsbld" -n "${USER_OPT[@]}" -b 127.0.0.1/$port "$@" >>"$WORK/dnsbld-$port.log" 2>&1 &
	PID=$!
	SRV_PIDS+=("$PID")
	for _ in $(seq 100); do
		$DNSQ "$port" "$zone" SOA --timeout 0.2 | grep '^rcode=NOERROR' >/dev/null && return 0
		kill -0 "$PID" 2>/dev/null || break
		sleep 0.05
	done
	echo "dnsbld for $zone did not start:"; tail -5 "$WORK/dnsbld-$port.log"
	return 1
}
stop() {
	kill -TERM "$1" 2>/dev/null
	wait "$1"
}
# stored DIR: the dataset names a store holds, one a line.
stored() {
	cat >"$WORK/show.yaml" <<EOC
store: $PWD/$1
datasets: {none: {type: ip4set, files: /dev/null}}
EOC
	"$BIN/dnsbl-loader" -c "$WORK/show.yaml" show 2>"$WORK/show.err" | awk '$1 == "dataset" && $2 != "none" {print $2}'
}

# 50 short-lived instances, each with its own temporary file.
ok=0
for i in $(seq 1 50); do
	tmp=$(mktemp "$WORK/run/spam.XXXXXX")
	chmod 644 "$tmp"
	printf '192.0.2.%d :2:instance %d\n' "$i" "$i" >"$tmp"
	start "z$i.test" $PORT_A "z$i.test:ip4set:$tmp" || break
	got=$($DNSQ $PORT_A "$i.2.0.192.z$i.test" TXT)
	grep -q "instance $i\"" <<<"$got" && ok=$((ok + 1))
	stop "$PID"
	rm -f "$tmp"
done
check_eq "50 instances: each served its own file" "$ok" 50
check_eq "50 instances: one store left, the last one's" \
	"$(ls dnsbld-store | tr '\n' ' ')" "127.0.0.1_$PORT_A "
check_eq "50 instances: it holds only the last one's data" \
	"$(stored dnsbld-store/127.0.0.1_$PORT_A | sed 's|%2F.*||')" "ip4set:"
check_eq "50 instances: one dataset in it" \
	"$(stored dnsbld-store/127.0.0.1_$PORT_A | wc -l)" 1
check_not "50 instances: no leftovers reported" "$(cat "$WORK"/dnsbld-*.log)" 'stored but not in|drop '

# Two at once from this directory: different specs, different -b.
printf '192.0.2.1 :2:alpha data\n' >a.ip4set
printf '192.0.2.1 :2:beta data\n' >b.ip4set
chmod 644 a.ip4set b.ip4set
start alpha.test $PORT_A alpha.test:ip4set:a.ip4set || exit 1
PID_A=$PID
start beta.test $PORT_B beta.test:ip4set:b.ip4set || exit 1
PID_B=$PID
for round in 1 2 3; do
	check "side by side ($round): A serves its zone" "$($DNSQ $PORT_A 1.2.0.192.alpha.test TXT)" '"alpha data"'
	check "side by side ($round): B serves its zone" "$($DNSQ $PORT_B 1.2.0.192.beta.test TXT)" '"beta data"'
	check "side by side ($round): A does not serve B's" "$($DNSQ $PORT_A 1.2.0.192.beta.test TXT)" 'rcode=REFUSED'
	check "side by side ($round): B does not serve A's" "$($DNSQ $PORT_B 1.2.0.192.alpha.test TXT)" 'rcode=REFUSED'
	sleep 0.3
done
check_eq "side by side: two stores" "$(ls dnsbld-store | sort | tr '\n' ' ')" \
	"$(printf '127.0.0.1_%s\n' $PORT_A $PORT_B | sort | tr '\n' ' ')"
check_eq "side by side: B's store holds B's data only" \
	"$(stored dnsbld-store/127.0.0.1_$PORT_B)" "ip4set:b.ip4set"

# A second server on A's addresses is refused; A keeps serving.
"$BIN/dnsbld" -n "${USER_OPT[@]}" -b 127.0.0.1/$PORT_A other.test:ip4set:b.ip4set >same.log 2>&1 &
same=$!
SRV_PIDS+=("$same")
for _ in $(seq 50); do kill -0 $same 2>/dev/null || break; sleep 0.1; done
wait $same
check_eq "same -b: the second server exits 1" "$?" 1
check "same -b: it says why" "$(cat same.log)" 'in use by another dnsbld \(pid [0-9]+\)'
check "same -b: the first still serves its data" "$($DNSQ $PORT_A 1.2.0.192.alpha.test TXT)" '"alpha data"'
check_eq "same -b: the first's store is untouched" \
	"$(stored dnsbld-store/127.0.0.1_$PORT_A)" "ip4set:a.ip4set"

# A restart with unchanged files reuses what is stored.
stop "$PID_A"
start alpha.test $PORT_A alpha.test:ip4set:a.ip4set || exit 1
PID_A=$PID
check "restart: unchanged data is reused" "$(tail -12 "$WORK/dnsbld-$PORT_A.log")" 'ip4set:a\.ip4set: .*records \+0 -0 =[1-9]'
check "restart: B's store is kept while B runs" "$(ls dnsbld-store)" "127.0.0.1_$PORT_B"
stop "$PID_A"
stop "$PID_B"
srv_report
