# shellcheck shell=bash
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
		# PID 1 of a namespace gets only the signals it handles: TERM and
		# INT end the test through its EXIT trap, which stops what it started
		trap 'exit 143' TERM
		trap 'exit 130' INT
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
	# machine); --kill-child: if unshare itself is killed (ctest's timeout
	# kills the whole tree), the test and so its whole PID namespace go too.
	# unshare does not pass TERM or INT on, so this shell does: to the test
	# inside, whose EXIT trap then stops what it started.
	E2E_INSIDE=1 unshare --net --mount --pid --fork --kill-child --mount-proc \
		bash "$1" &
	E2E_NS=$!
	trap 'e2e_forward TERM' TERM
	trap 'e2e_forward INT' INT
	local rc
	while :; do
		wait "$E2E_NS"
		rc=$?
		kill -0 "$E2E_NS" 2>/dev/null || break
	done
	exit "$rc"
}

# e2e_forward SIGNAL: send SIGNAL to the test inside the namespaces (the
# child of unshare, found by its parent's id).
e2e_forward() {
	local inner
	inner=$(ps -o pid= --ppid "$E2E_NS" 2>/dev/null | tr -d ' ')
	[ -n "$inner" ] && kill -"$1" "$inner" 2>/dev/null
}

# wait_for DESC SECONDS COMMAND...: run COMMAND every 0.1 s until it
# succeeds; fail the test (exit 1) after SECONDS.
wait_for() {
	local desc=$1 limit=$2
	shift 2
	for _ in $(seq $((limit * 10))); do
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

# ---- Postfix ----------------------------------------------------------------

# postfix_conf DIR ZONE SMTPD_PORT POSTSCREEN_PORT: a private Postfix
# instance in DIR (main.cf, master.cf; queue, data and log in $WORK),
# listening on 127.0.0.1 only, unchrooted, logging to $WORK/postfix.log:
#   127.0.0.1:SMTPD_PORT       smtpd with `reject_rbl_client ZONE`; each
#                              process serves one connection (max_use=1):
#                              smtpd keeps the DNSBL results it got for its
#                              whole life, so only a new process sees a
#                              listing made after it asked
#   127.0.0.1:POSTSCREEN_PORT  postscreen with `postscreen_dnsbl_sites =
#                              ZONE*2`, action enforce (its smtpd has no
#                              restriction of its own, so a reject there
#                              is postscreen's)
# Postfix looks the DNSBL up through the system resolver, so through
# /etc/resolv.conf, which the namespace points at the test's Unbound.
postfix_conf() {
	local dir=$1 zone=$2 smtpd_port=$3 ps_port=$4
	mkdir -p "$dir"
	# the queue directory must exist, owned by root; `postfix start` makes
	# what is inside it and the data directory (owned by postfix)
	install -d -m 755 -o root -g root "$WORK/postfix-queue"
	cat >"$dir/main.cf" <<EOF
compatibility_level = 3.6
queue_directory = $WORK/postfix-queue
data_directory = $WORK/postfix-data
maillog_file = $WORK/postfix.log
maillog_file_prefixes = $WORK
myhostname = mail.e2e.test
mydomain = e2e.test
myorigin = \$myhostname
mydestination = e2e.test, \$myhostname, localhost
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mynetworks = 127.0.0.1/32
local_recipient_maps =
alias_maps =
alias_database =
biff = no
smtputf8_enable = no
smtp_host_lookup = dns
smtpd_relay_restrictions = reject_unauth_destination
smtpd_client_restrictions = reject_rbl_client $zone
postscreen_access_list =
postscreen_dnsbl_sites = $zone*2
postscreen_dnsbl_threshold = 2
postscreen_dnsbl_action = enforce
postscreen_greet_action = ignore
postscreen_greet_wait = 2s
EOF
	cat >"$dir/master.cf" <<EOF
127.0.0.1:$smtpd_port inet n - n - - smtpd -o max_use=1
127.0.0.1:$ps_port inet n - n - 1 postscreen
smtpd     pass  - - n - - smtpd -o smtpd_client_restrictions=
dnsblog   unix  - - n - 0 dnsblog
tlsproxy  unix  - - n - 0 tlsproxy
pickup    unix  n - n 60 1 pickup
cleanup   unix  n - n - 0 cleanup
qmgr      unix  n - n 300 1 qmgr
rewrite   unix  - - n - - trivial-rewrite
bounce    unix  - - n - 0 bounce
defer     unix  - - n - 0 bounce
trace     unix  - - n - 0 bounce
verify    unix  - - n - 1 verify
flush     unix  n - n 1000? 0 flush
proxymap  unix  - - n - - proxymap
showq     unix  n - n - - showq
error     unix  - - n - - error
retry     unix  - - n - - error
discard   unix  - - n - - discard
local     unix  - n n - - local
anvil     unix  - - n - 1 anvil
scache    unix  - - n - 1 scache
postlog   unix-dgram n - n - 1 postlogd
EOF
}

# listening PORT: something listens on 127.0.0.1:PORT (TCP).
listening() {
	[ -n "$(ss -Hltn "sport = :$1" 2>/dev/null)" ]
}

# postfix_start DIR PORT...: `postfix -c DIR start`, then wait (at most
# 20 s) until every PORT on 127.0.0.1 accepts; sets POSTFIX_PID (the
# master, stopped by the EXIT trap).
postfix_start() {
	local dir=$1 port
	shift
	if ! postfix -c "$dir" start >>"$WORK/postfix-start.log" 2>&1; then
		echo "postfix -c $dir start failed:"
		cat "$WORK/postfix-start.log" "$WORK/postfix.log" 2>/dev/null
		# Postfix writes its reasons to stderr only when it is a terminal
		script -qec "postfix -c '$dir' check" /dev/null </dev/null 2>&1 | tail -20
		exit 1
	fi
	POSTFIX_PID=$(awk '{print $1; exit}' "$WORK/postfix-queue/pid/master.pid" 2>/dev/null)
	[ -n "$POSTFIX_PID" ] && SRV_PIDS+=("$POSTFIX_PID")
	for port in "$@"; do
		# a listening socket, not a connection: postscreen would remember it
		if ! wait_for "postfix on port $port" 20 listening "$port"; then
			cat "$WORK/postfix.log"
			exit 1
		fi
	done
}
