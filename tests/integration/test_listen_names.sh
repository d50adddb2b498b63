#!/bin/bash
# test_listen_names.sh -- listen addresses given as host names, both modes.
#
# The real dnsbld is started with `-b localhost/PORT` (rbldnsd's command
# line) and with `listen: ["localhost:PORT"]` (YAML config) and must answer
# over UDP (dig) and TCP (kdig) on every address localhost has; -4 and -6
# keep one family; a name that does not resolve and a port over 65535 stop
# the start with a message naming the option or key and the value.
#
# Binding every address of a name shows only when the name has two.  If
# this machine's localhost has 127.0.0.1 and ::1, the checks run as they
# are; if not, they run again in a private mount and network namespace
# (unshare -m -n: loopback only) whose /etc/hosts gives localhost both
# (a bind mount seen only there: the real /etc/hosts is not touched), or
# that part is skipped with a message where namespaces are not available.
set -u
SELF=$(readlink -f "$0")
if [ "${1:-}" = inner ]; then
	# In the private namespaces: localhost has both addresses here.
	mount --bind "$2" /etc/hosts && ip link set lo up || exit 77
	INNER=1
else
	INNER=
fi
. "$SRCDIR/tests/integration/server_lib.sh"

# Does localhost have ADDR here?
localhost_has() {
	getent ahosts localhost | awk '{print $1}' | grep -qx -- "$1"
}
HAS4=0 HAS6=0
localhost_has 127.0.0.1 && HAS4=1
localhost_has ::1 && HAS6=1
if [ $HAS4 = 0 ]; then
	echo "localhost does not resolve to 127.0.0.1 here: skipped"
	exit 77
fi

srv_workdir listen_names
srv_pick_port 5870 5879
PORT_R=$PORT
srv_pick_port 5880 5889
PORT_Y=$PORT
srv_pick_port 5890 5899
PORT_F=$PORT
# rbldnsd mode drops to nobody, who must reach the data files.
DATA=$(mktemp -d /tmp/dnsbld-listen.XXXXXX)
chmod 755 "$DATA"
trap 'srv_cleanup; rm -rf "$DATA"' EXIT
cd "$WORK" || exit 1

printf '127.0.0.2 :2:listed\n' >"$DATA/bl.ip4set"
chmod 644 "$DATA/bl.ip4set"

# ask ADDR PORT [dig args]: the A answer for 127.0.0.2 over UDP.
ask() {
	dig -p "$2" @"$1" +norec +time=2 +tries=1 +short 2.0.0.127.bl.test A
}
# ask_tcp ADDR PORT: the same over TCP.
ask_tcp() {
	kdig -p "$2" @"$1" +tcp +norec +time=2 +retry=0 +short 2.0.0.127.bl.test A
}
# wait_up ADDR PORT PID LOG: until ADDR answers (10 s at most).
wait_up() {
	for _ in $(seq 100); do
		[ "$(ask "$1" "$2")" = 127.0.0.2 ] && return 0
		kill -0 "$3" 2>/dev/null || break
		sleep 0.1
	done
	echo "dnsbld did not answer on $1 port $2:"
	cat "$4"
	return 1
}
# answers WHAT PORT ADDR...: every ADDR answers over UDP and TCP.
answers() {
	local what=$1 port=$2 a
	shift 2
	for a in "$@"; do
		check_eq "$what: $a answers over UDP" "$(ask "$a" "$port")" 127.0.0.2
		check_eq "$what: $a answers over TCP" "$(ask_tcp "$a" "$port")" 127.0.0.2
	done
}
# silent WHAT PORT ADDR: nothing listens on ADDR (the family was left out).
silent() {
	check_not "$1: nothing on $3" "$(ask "$3" "$2" 2>&1)" '^127\.0\.0\.2$'
}
# stop PID
stop() {
	kill -TERM "$1" 2>/dev/null
	for _ in $(seq 50); do
		kill -0 "$1" 2>/dev/null || return 0
		sleep 0.1
	done
}

ADDRS=(127.0.0.1)
[ $HAS6 = 1 ] && ADDRS+=(::1)
echo "localhost here: ${ADDRS[*]}${INNER:+ (private namespace)}"

# ---- rbldnsd's command line: -b localhost/PORT ----------------------------
run_dropin() { # PORT LOG ARGS...
	local port=$1 log=$2
	shift 2
	"$BIN/dnsbld" -n -u nobody -c 0 --store "$WORK/store-r" "$@" \
		"bl.test:ip4set:$DATA/bl.ip4set" >"$log" 2>&1 &
	PID=$!
	SRV_PIDS+=("$PID")
}
run_dropin $PORT_R dropin.log -b localhost/$PORT_R
if wait_up 127.0.0.1 $PORT_R $PID dropin.log; then
	answers "-b localhost/$PORT_R" $PORT_R "${ADDRS[@]}"
else
	check_eq "-b localhost/$PORT_R starts" failed started
fi
stop $PID

# -4 / -6: only that family of localhost's addresses.
run_dropin $PORT_R dropin4.log -4 -b localhost/$PORT_R
if wait_up 127.0.0.1 $PORT_R $PID dropin4.log; then
	answers "-4 -b localhost" $PORT_R 127.0.0.1
	[ $HAS6 = 1 ] && silent "-4 -b localhost" $PORT_R ::1
else
	check_eq "-4 -b localhost/$PORT_R starts" failed started
fi
stop $PID
if [ $HAS6 = 1 ]; then
	run_dropin $PORT_R dropin6.log -6 -b localhost/$PORT_R
	if wait_up ::1 $PORT_R $PID dropin6.log; then
		answers "-6 -b localhost" $PORT_R ::1
		silent "-6 -b localhost" $PORT_R 127.0.0.1
	else
		check_eq "-6 -b localhost/$PORT_R starts" failed started
	fi
	stop $PID
fi

# What can never be bound stops the start, naming the option and value
# (timeout: a server that starts anyway must not hang the test).
out=$(timeout 20 "$BIN/dnsbld" -n -u nobody --store "$WORK/store-e" -b nosuch.invalid/$PORT_F \
	"bl.test:ip4set:$DATA/bl.ip4set" 2>&1)
check_eq "-b nosuch.invalid: exit 1" "$?" 1
check "-b nosuch.invalid: the value and the option" "$out" \
	"^dnsbld: nosuch\.invalid/$PORT_F: .* \(-b\)$"
out=$(timeout 20 "$BIN/dnsbld" -n -u nobody --store "$WORK/store-e" -b 127.0.0.1/65536 \
	"bl.test:ip4set:$DATA/bl.ip4set" 2>&1)
check_eq "-b 127.0.0.1/65536: exit 1" "$?" 1
check "-b 127.0.0.1/65536: a bad port, not port 0" "$out" \
	"^dnsbld: 127\.0\.0\.1/65536: bad port: want 1\.\.65535 \(-b\)$"

# ---- the YAML config: listen: ["localhost:PORT"] ----------------------------
cat >cfg.yaml <<EOF
store: store-y
datasets:
  bl: {type: ip4set, files: [$DATA/bl.ip4set]}
zones:
  bl.test: {datasets: [bl]}
listen: ["localhost:$PORT_Y"]
EOF
"$BIN/dnsbl-loader" -q -c cfg.yaml load >loader.log 2>&1 ||
	{ echo "loader failed:"; cat loader.log; exit 1; }
"$BIN/dnsbld" -c cfg.yaml >yaml.log 2>&1 &
PID=$!
SRV_PIDS+=("$PID")
if wait_up 127.0.0.1 $PORT_Y $PID yaml.log; then
	answers "listen: localhost:$PORT_Y" $PORT_Y "${ADDRS[@]}"
else
	check_eq "listen: localhost:$PORT_Y starts" failed started
fi
stop $PID

sed "s/^listen: .*/listen:\n  - 127.0.0.1:$PORT_F\n  - nosuch.invalid:$PORT_F/" \
	cfg.yaml >bad.yaml
out=$(timeout 20 "$BIN/dnsbld" -c bad.yaml 2>&1)
check_eq "listen: nosuch.invalid: exit 1" "$?" 1
check "listen: nosuch.invalid: the file, line, key and value" "$out" \
	"bad\.yaml:8: listen: \"nosuch\.invalid:$PORT_F\": "
sed "s/^listen: .*/listen: [\"127.0.0.1:65536\"]/" cfg.yaml >bad.yaml
out=$(timeout 20 "$BIN/dnsbld" -c bad.yaml 2>&1)
check_eq "listen: 127.0.0.1:65536: exit 1" "$?" 1
check "listen: 127.0.0.1:65536: a bad port" "$out" \
	"bad\.yaml:6: listen: \"127\.0\.0\.1:65536\": bad port"

# ---- localhost with both addresses -----------------------------------------
if [ -z "$INNER" ] && [ $HAS6 = 0 ]; then
	printf '127.0.0.1 localhost\n::1 localhost\n' >"$WORK/hosts"
	chmod 644 "$WORK/hosts"
	if unshare -m -n true 2>/dev/null; then
		echo "localhost has no ::1 here: again with both, in a private namespace"
		unshare -m -n bash "$SELF" inner "$WORK/hosts"
		rc=$?
		[ $rc = 77 ] && echo "SKIPPED: the private namespace could not be set up"
		[ $rc = 77 ] || check_eq "the checks with localhost = 127.0.0.1 and ::1" "$rc" 0
	else
		echo "SKIPPED: localhost has no ::1 here and unshare -m -n is not" \
			"available: a name with two addresses is not checked"
	fi
fi
srv_report
