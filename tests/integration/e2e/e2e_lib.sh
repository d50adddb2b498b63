# e2e_lib.sh -- shared by the end-to-end tests (test_e2e_*.sh): dnsbld
# behind Debian's Unbound and Postfix, run as the test's own instances.
#
# The test runs in private namespaces made with unshare: its own network
# (only `lo`, so Unbound can listen on 127.0.0.1:53, where the system
# resolver looks, without touching the machine's port 53), its own mounts
# (/etc/resolv.conf is bind-mounted to a file saying `nameserver 127.0.0.1`;
# the machine's own file is never changed) and its own PID namespace (the
# test's shell is PID 1 there, so when it exits, even killed, the kernel
# kills every process it started).  Everything else comes from
# server_lib.sh: the work dir, the checks and the EXIT trap.
#
# Usage, at the top of a test (before anything else is started):
#   . "$SRCDIR/tests/integration/e2e/e2e_lib.sh"
#   e2e_need unbound unbound-checkconf dig     # exit 77 when one is missing
#   e2e_enter "$0"                             # re-runs the test inside
#   srv_workdir NAME                           # (server_lib.sh)

. "$SRCDIR/tests/integration/server_lib.sh"

# e2e_need PROGRAM...: skip (exit 77) naming the Debian package when a
# program is not installed (scripts/deps.sh installs them).
e2e_need() {
	local prog pkg
	for prog in "$@"; do
		if ! command -v "$prog" >/dev/null 2>&1 && [ ! -x "/usr/sbin/$prog" ]; then
			case $prog in
			unbound*) pkg=unbound ;;
			postfix | postconf) pkg=postfix ;;
			dig) pkg=bind9-dnsutils ;;
			unshare) pkg=util-linux ;;
			*) pkg=$prog ;;
			esac
			echo "SKIP: $prog is not installed (Debian package $pkg; scripts/deps.sh test installs it)"
			exit 77
		fi
	done
}

# e2e_enter SCRIPT: unless already inside, re-run SCRIPT inside new
# network, mount and PID namespaces (exit 77 where they cannot be made:
# not root, or a container without the capability), with `lo` up and
# /etc/resolv.conf saying `nameserver 127.0.0.1` there only.
e2e_enter() {
	if [ -n "${E2E_INSIDE:-}" ]; then
		ip link set lo up || { echo "cannot bring lo up in the namespace"; exit 1; }
		E2E_RESOLV=$(mktemp "$TEST_TMPDIR/e2e-resolv.XXXXXX")
		printf 'nameserver 127.0.0.1\noptions timeout:2 attempts:2\n' >"$E2E_RESOLV"
		chmod 644 "$E2E_RESOLV"
		mount --bind "$E2E_RESOLV" /etc/resolv.conf ||
			{ echo "cannot bind-mount /etc/resolv.conf in the namespace"; exit 1; }
		rm -f "$E2E_RESOLV" # the mount keeps the file
		return 0
	fi
	mkdir -p "$TEST_TMPDIR"
	if [ "$(id -u)" -ne 0 ]; then
		echo "SKIP: needs root to make network and mount namespaces (unshare)"
		exit 77
	fi
	if ! unshare --net --mount --pid --fork --kill-child --mount-proc true 2>"$TEST_TMPDIR/e2e-unshare.err"; then
		echo "SKIP: cannot make private namespaces here (unshare --net --mount --pid):"
		sed 's/^/    /' "$TEST_TMPDIR/e2e-unshare.err"
		rm -f "$TEST_TMPDIR/e2e-unshare.err"
		exit 77
	fi
	rm -f "$TEST_TMPDIR/e2e-unshare.err"
	# --mount makes the new mounts private (no propagation back to the
	# machine); --kill-child: if unshare itself is killed (ctest's timeout),
	# the test and so its whole PID namespace go too.
	E2E_INSIDE=1 exec unshare --net --mount --pid --fork --kill-child --mount-proc \
		bash "$1"
}

# wait_for DESC SECONDS COMMAND...: run COMMAND every 0.1 s until it
# succeeds; fail the test (exit 1) after SECONDS.
wait_for() {
	local desc=$1 limit=$2 i
	shift 2
	for i in $(seq $((limit * 10))); do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	echo "timed out after ${limit}s waiting for $desc"
	return 1
}

# ---- Unbound ----------------------------------------------------------------

# unbound_conf FILE STRICT DNSBLD_PORT ZONE...: a private config for an
# Unbound on 127.0.0.1:53 (inside the namespace) with QNAME minimisation on
# (STRICT yes or no) and one stub zone per dnsbld ZONE.
unbound_conf() {
	local file=$1 strict=$2 port=$3 zone
	shift 3
	cat >"$file" <<EOF
server:
    interface: 127.0.0.1
    port: 53
    do-ip6: no
    do-daemonize: no
    chroot: ""
    username: ""
    directory: "$WORK"
    pidfile: "$WORK/unbound.pid"
    use-syslog: no
    logfile: ""
    verbosity: 1
    num-threads: 1
    # no validator: the DNSBL zones are not signed and there is no root here
    module-config: "iterator"
    qname-minimisation: yes
    qname-minimisation-strict: $strict
    # dnsbld is on loopback
    do-not-query-localhost: no
    # Unbound answers test. itself (RFC 6761) unless told otherwise
    local-zone: "test." nodefault
    access-control: 127.0.0.0/8 allow
remote-control:
    control-enable: no
EOF
	for zone in "$@"; do
		cat >>"$file" <<EOF
stub-zone:
    name: "$zone"
    stub-addr: 127.0.0.1@$port
    stub-first: no
EOF
	done
}

# unbound_start CONF: check the config with unbound-checkconf, run unbound
# in the foreground (log in $WORK/unbound.log), wait (at most 10 s) until it
# answers on 127.0.0.1:53; sets UNBOUND_PID.
unbound_start() {
	local conf=$1 out
	if ! out=$(unbound-checkconf "$conf" 2>&1); then
		echo "unbound-checkconf $conf failed:"
		echo "$out"
		exit 1
	fi
	unbound -d -c "$conf" >>"$WORK/unbound.log" 2>&1 &
	UNBOUND_PID=$!
	SRV_PIDS+=("$UNBOUND_PID")
	if ! wait_for "unbound" 10 dig @127.0.0.1 -p 53 +time=1 +tries=1 localhost A; then
		echo "unbound did not start:"
		cat "$WORK/unbound.log"
		exit 1
	fi
}

# unbound_stop: TERM the running unbound and wait (at most 5 s) for it.
unbound_stop() {
	[ -n "${UNBOUND_PID:-}" ] || return 0
	kill -TERM "$UNBOUND_PID" 2>/dev/null
	for _ in $(seq 50); do
		kill -0 "$UNBOUND_PID" 2>/dev/null || break
		sleep 0.1
	done
	kill -KILL "$UNBOUND_PID" 2>/dev/null
	wait "$UNBOUND_PID" 2>/dev/null
	UNBOUND_PID=
}
