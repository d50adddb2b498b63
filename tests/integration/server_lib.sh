# server_lib.sh -- helpers the dnsbld integration tests source.
#
# Start/stop the real dnsbld on loopback, wait until it answers, and count
# checks (a failed check prints what was expected and what came back, and
# the test exits non-zero at the end).  Every process started here is killed
# by the EXIT trap.

: "${BIN:?BIN must point at the build bin directory}"
: "${SRCDIR:?SRCDIR must point at the repository}"
TEST_TMPDIR=${TEST_TMPDIR:-/tmp}
DNSQ="python3 $SRCDIR/tests/integration/dnsq.py"
SRV_PIDS=()
PASSES=0
FAILS=0

srv_cleanup() {
	for pid in "${SRV_PIDS[@]}"; do
		kill -TERM "$pid" 2>/dev/null
	done
	for pid in "${SRV_PIDS[@]}"; do
		for _ in $(seq 50); do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.1
		done
		kill -KILL "$pid" 2>/dev/null
	done
	[ -n "${WORK:-}" ] && [ -z "${KEEP:-}" ] && rm -rf "$WORK"
}

# srv_workdir NAME: a fresh temp dir in $WORK, cleaned at exit.
srv_workdir() {
	mkdir -p "$TEST_TMPDIR"
	WORK=$(mktemp -d "$TEST_TMPDIR/$1.XXXXXX")
	chmod 755 "$WORK"
	trap srv_cleanup EXIT
}

# srv_pick_port FIRST LAST: sets PORT to the first port of the range that
# nothing uses (UDP and TCP, 127.0.0.1 and ::1), so the same test run from
# several checkouts at once does not share a port (dnsbld refuses a port in
# use, and a shared one would split the queries between servers).
srv_pick_port() {
	PORT=$(python3 - "$1" "$2" <<'PY'
import socket, sys
for port in range(int(sys.argv[1]), int(sys.argv[2]) + 1):
    ok = True
    for fam, addr in ((socket.AF_INET, "127.0.0.1"), (socket.AF_INET6, "::1")):
        for typ in (socket.SOCK_DGRAM, socket.SOCK_STREAM):
            s = socket.socket(fam, typ)
            try:
                if typ == socket.SOCK_STREAM:
                    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                s.bind((addr, port))
            except OSError:
                ok = False
            finally:
                s.close()
    if ok:
        print(port)
        break
PY
)
	if [ -z "$PORT" ]; then
		echo "no free port in $1-$2"
		exit 1
	fi
}

# srv_start CONFIG PORT [ARGS...]: runs dnsbld, waits (at most 10 s) until
# the apex of its first zone answers over UDP; sets SRV_PID.
srv_start() {
	local cfg=$1 port=$2 zone
	shift 2
	"$BIN/dnsbld" -c "$cfg" "$@" >"$WORK/dnsbld.log" 2>&1 &
	SRV_PID=$!
	SRV_PIDS+=("$SRV_PID")
	zone=$(awk '/^zones:/{z=1;next} z && /^  [a-z0-9]/{sub(/:.*/,"");gsub(/ /,"");print;exit}' "$cfg")
	for _ in $(seq 100); do
		if $DNSQ "$port" "$zone" SOA --timeout 0.2 | grep '^rcode=' >/dev/null; then
			return 0
		fi
		kill -0 "$SRV_PID" 2>/dev/null || break
		sleep 0.1
	done
	echo "dnsbld did not start:"; cat "$WORK/dnsbld.log"
	exit 1
}

# srv_watch [OPTION...]: starts `dnsbl-loader -c $WORK/c.yaml OPTION... watch`
# in the background (stdout in $WORK/watch.out, stderr in watch.err, pid in
# LOADER_PID, stopped at exit) and waits, at most 10 s, for its "watching"
# line: every dataset has been loaded once.
srv_watch() {
	"$BIN/dnsbl-loader" -c "$WORK/c.yaml" "$@" watch >"$WORK/watch.out" 2>"$WORK/watch.err" &
	LOADER_PID=$!
	SRV_PIDS+=("$LOADER_PID")
	for _ in $(seq 100); do
		grep -q '^watching ' "$WORK/watch.out" && break
		sleep 0.1
	done
}

# srv_in_netns "$0": re-runs the calling test in a private network namespace
# (unshare -n) whose only interface is loopback, brought up, so it may
# listen on [::] (every address) and use fixed ports; exits 77 (skipped)
# where namespaces are not available (not root).
srv_in_netns() {
	if [ "${SRV_IN_NETNS:-}" != 1 ]; then
		if ! unshare -n true 2>/dev/null; then
			echo "unshare -n not available: skipped"
			exit 77
		fi
		SRV_IN_NETNS=1 exec unshare -n bash "$1"
	fi
	ip link set lo up || exit 77
}

# srv_metrics PORT: the body of GET http://127.0.0.1:PORT/metrics.
srv_metrics() {
	python3 - "$1" <<'PY'
import sys, urllib.request
print(urllib.request.urlopen("http://127.0.0.1:%s/metrics" % sys.argv[1], timeout=5).read().decode())
PY
}

# srv_config_fails YAML REGEX: dnsbld started with YAML as its config
# ($WORK/bad.yaml) must stop with a message matching REGEX.
srv_config_fails() {
	local out
	printf '%s\n' "$1" >"$WORK/bad.yaml"
	out=$(cd "$WORK" && timeout 10 "$BIN/dnsbld" -c bad.yaml 2>&1)
	check "bad config: $2" "$out" "$2"
}

# check DESC OUTPUT REGEX: OUTPUT must contain a line matching REGEX.
check() {
	if grep -qE -- "$3" <<<"$2"; then
		PASSES=$((PASSES + 1))
	else
		FAILS=$((FAILS + 1))
		echo "FAIL: $1: expected /$3/ in:"
		sed 's/^/    | /' <<<"$2"
	fi
}

# check_not DESC OUTPUT REGEX: no line of OUTPUT may match REGEX.
check_not() {
	if grep -qE -- "$3" <<<"$2"; then
		FAILS=$((FAILS + 1))
		echo "FAIL: $1: unexpected /$3/ in:"
		sed 's/^/    | /' <<<"$2"
	else
		PASSES=$((PASSES + 1))
	fi
}

# check_eq DESC GOT WANT
check_eq() {
	if [ "$2" = "$3" ]; then
		PASSES=$((PASSES + 1))
	else
		FAILS=$((FAILS + 1))
		echo "FAIL: $1: got '$2', want '$3'"
	fi
}

# check_same DESC FILE1 FILE2: the files are equal, else their first
# differences are shown.
check_same() {
	if cmp -s "$2" "$3"; then
		PASSES=$((PASSES + 1))
	else
		FAILS=$((FAILS + 1))
		echo "FAIL: $1: $(basename "$2") and $(basename "$3") differ:"
		diff "$2" "$3" | head -20 | sed 's/^/    | /'
	fi
}

srv_report() {
	echo "$PASSES passed, $FAILS failed"
	[ "$FAILS" -eq 0 ]
}
