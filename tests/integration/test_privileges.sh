#!/usr/bin/env bash
# test_privileges.sh -- the whole path with least privilege: dnsbld starts as
# root, binds port 53, drops to an unprivileged user and reads the store
# read-only; a loader running as ANOTHER unprivileged user (of the store's
# group, no root) updates and compacts the store live, and dnsbld follows.
# Each program gets the rights docs/SERVER.md ("Users and rights") lists
# and no more: checked from /proc and by trying what must fail.
#
# Needs root (users, port 53) and runs in a network namespace of its own
# (unshare -n: only loopback, so port 53 is free); skipped without them.
set -u
if [ "${1:-}" != inner ]; then
	if [ "$(id -u)" != 0 ] || ! command -v useradd >/dev/null ||
		! unshare -n true 2>/dev/null; then
		echo "needs root, useradd and unshare -n: skipped"
		exit 77
	fi
	exec unshare -n bash "$0" inner
fi
ip link set lo up
. "$SRCDIR/tests/integration/server_lib.sh"

# Outside the build tree, so the two users can reach every file they need.
TEST_TMPDIR=/tmp srv_workdir dnsbld-privileges
SRV_USER=dnsbltest-srv LOAD_USER=dnsbltest-load GROUP=dnsbltest
cleanup_users() {
	userdel "$SRV_USER" 2>/dev/null
	userdel "$LOAD_USER" 2>/dev/null
	groupdel "$GROUP" 2>/dev/null
}
trap 'srv_cleanup; cleanup_users' EXIT
cleanup_users
groupadd -r "$GROUP"
useradd -r -M -d /nonexistent -s /usr/sbin/nologin -g "$GROUP" "$SRV_USER"
useradd -r -M -d /nonexistent -s /usr/sbin/nologin -g "$GROUP" "$LOAD_USER"
as_loader() { setpriv --reuid="$LOAD_USER" --regid="$GROUP" --init-groups \
	--inh-caps=-all --bounding-set=-all sh -c 'umask 027; exec "$@"' sh "$@"; }
as_server_user() { setpriv --reuid="$SRV_USER" --regid="$GROUP" --init-groups "$@"; }

# The programs the loader user runs, and its feeds and store (the store's
# group may read; StateDirectoryMode=0750 in dist/ does the same).
mkdir -p "$WORK/bin" "$WORK/feeds"
cp "$BIN/dnsbl-loader" "$BIN/dnsbl-ctl" "$WORK/bin/"
chmod 755 "$WORK/bin"/*
install -d -o "$LOAD_USER" -g "$GROUP" -m 0750 "$WORK/store"
printf ':127.0.0.2:listed\n192.0.2.1\n10.0.0.0/24\n' >"$WORK/feeds/bl.ip4set"
chown -R "$LOAD_USER:$GROUP" "$WORK/feeds"
cat >"$WORK/c.yaml" <<YAML
store: $WORK/store
listen: ["127.0.0.1:53"]
user: $SRV_USER
group: $GROUP
datasets:
  bl: { type: ip4set, files: [feeds/bl.ip4set] }
zones:
  bl.test: { datasets: [bl] }
YAML
chmod 644 "$WORK/c.yaml"
ask() { dig +short +time=1 +tries=2 @127.0.0.1 -p 53 "$1"; }

# ---- the loader: no root, no capabilities -----------------------------------
out=$(as_loader "$WORK/bin/dnsbl-loader" -c "$WORK/c.yaml" load 2>&1)
check "loader (as $LOAD_USER) loads" "$out" '^bl: ip4set, 3 lines'
inst=$(readlink "$WORK/store/current")
check_eq "store files belong to the loader" \
	"$(stat -c '%U:%G' "$WORK/store/$inst/data.mdb")" "$LOAD_USER:$GROUP"
check_eq "data.mdb: the group reads, only the loader writes" \
	"$(stat -c %a "$WORK/store/$inst/data.mdb")" 640
check_eq "lock.mdb: the group may register as a reader" \
	"$(stat -c %a "$WORK/store/$inst/lock.mdb")" 660

# ---- dnsbld: binds 53 as root, then runs as $SRV_USER -----------------------
srv_start "$WORK/c.yaml" 53
check_eq "served through port 53" "$(ask 1.2.0.192.bl.test)" 127.0.0.2
check_eq "dnsbld runs as $SRV_USER" "$(ps -o user= -p "$SRV_PID")" "$SRV_USER"
caps=$(awk '/^Cap(Eff|Prm):/{print $2}' "/proc/$SRV_PID/status" | sort -u)
check_eq "dnsbld has no capabilities left" "$caps" 0000000000000000
# Every descriptor and mapping of data.mdb is read-only.
rw=0
for fd in /proc/"$SRV_PID"/fd/*; do
	case "$(readlink "$fd")" in
	*/data.mdb*)
		flags=$(awk '/^flags:/{print $2}' "/proc/$SRV_PID/fdinfo/${fd##*/}")
		[ $((8#$flags & 3)) = 0 ] || rw=$((rw + 1)) ;;
	esac
done
check_eq "dnsbld: no data.mdb descriptor open for writing" "$rw" 0
check_not "dnsbld: no writable mapping of data.mdb" \
	"$(grep 'data.mdb' "/proc/$SRV_PID/maps")" '^[0-9a-f-]+ .w'
check "dnsbld maps data.mdb" "$(grep -c 'data.mdb' "/proc/$SRV_PID/maps")" '^[1-9]'
# What the server's user may not do.
as_server_user sh -c "echo x >>'$WORK/store/$inst/data.mdb'" 2>/dev/null
check_not "$SRV_USER cannot write data.mdb" "$?" '^0$'
as_server_user sh -c "touch '$WORK/store/intruder'" 2>/dev/null
check_not "$SRV_USER cannot create files in the store" "$?" '^0$'
as_server_user sh -c "echo x >>'$WORK/feeds/bl.ip4set'" 2>/dev/null
check_not "$SRV_USER cannot touch the feeds" "$?" '^0$'

# ---- live update and compaction by the loader user --------------------------
as_loader "$WORK/bin/dnsbl-loader" -c "$WORK/c.yaml" -d 100 watch \
	>"$WORK/watch.log" 2>&1 &
WATCH=$!
SRV_PIDS+=("$WATCH")
for _ in $(seq 50); do grep -q '^bl: ' "$WORK/watch.log" && break; sleep 0.1; done
# as_loader is a function: in the background it runs in a subshell whose
# child is the loader, which the cleanup must stop too.
LOADER_PID=$(pgrep -P "$WATCH" -x dnsbl-loader || echo "$WATCH")
SRV_PIDS+=("$LOADER_PID")
check_eq "the watching loader runs as $LOAD_USER" \
	"$(ps -o user= -p "$LOADER_PID" | tail -1)" "$LOAD_USER"
sleep 1.1   # a new mtime second
as_loader sh -c "printf ':127.0.0.2:listed\n198.51.100.9\n10.0.0.0/24\n' >'$WORK/feeds/bl.ip4set.new' && mv '$WORK/feeds/bl.ip4set.new' '$WORK/feeds/bl.ip4set'"
for _ in $(seq 50); do [ -n "$(ask 9.100.51.198.bl.test)" ] && break; sleep 0.1; done
check_eq "live update served" "$(ask 9.100.51.198.bl.test)" 127.0.0.2
check_eq "live update: the old entry gone" "$(ask 1.2.0.192.bl.test)" ""
out=$(as_loader "$WORK/bin/dnsbl-ctl" -c "$WORK/c.yaml" compact 2>&1)
check "compacted by $LOAD_USER" "$out" '^store: compacted into v[0-9]+'
new=$(readlink "$WORK/store/current")
check_eq "the new instance: lock.mdb for the group" \
	"$(stat -c %a "$WORK/store/$new/lock.mdb")" 660
for _ in $(seq 30); do
	grep -q "$new/data.mdb" "/proc/$SRV_PID/maps" && break
	ask 9.100.51.198.bl.test >/dev/null
	sleep 0.1
done
check "dnsbld (as $SRV_USER) followed into $new" \
	"$(grep 'data.mdb' "/proc/$SRV_PID/maps")" "/$new/data.mdb"
check_eq "served after the compaction" "$(ask 9.100.51.198.bl.test)" 127.0.0.2
check_eq "still unprivileged" "$(ps -o user= -p "$SRV_PID")" "$SRV_USER"
check_not "dnsbld: no errors logged" "$(cat "$WORK/dnsbld.log")" 'cannot|error|FAIL|denied'
srv_report
