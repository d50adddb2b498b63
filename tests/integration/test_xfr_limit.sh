#!/usr/bin/env bash
# test_xfr_limit.sh -- `max_transfers`: zone transfers in progress at once.
#
# With max_transfers: 1, a client that asks AXFR of a large zone and does
# not read holds the one transfer; a second AXFR meanwhile gets SERVFAIL
# (a secondary retries later) and the refusal is logged; queries are
# answered all along; once the first client goes, a transfer gets the whole
# zone again.  The zone (150,000 separate addresses with their own TXT,
# about 10 MB of AXFR) is larger than what the kernel's socket buffers take, so the
# unread transfer stays in progress.  Ports 6110-6119.
set -u
. "$SRCDIR/tests/integration/server_lib.sh"

srv_workdir xfr-limit
srv_pick_port 6110 6119
python3 - "$WORK/big.ip4set" <<'PY'
import sys
with open(sys.argv[1], "w") as f:
    # every other address, each with a TXT of its own: one name each
    for i in range(150000):
        f.write("10.%d.%d.%d :2:entry %d\n" % (i >> 15, (i >> 7) & 255, (i & 127) * 2, i))
PY
cat >"$WORK/c.yaml" <<YAML
store: $WORK/store
listen: ["127.0.0.1:$PORT"]
max_transfers: 1
datasets:
  big: { type: ip4set, files: [big.ip4set] }
zones:
  bl.test: { datasets: [big], transfer: { allow: [127.0.0.0/8] } }
YAML
"$BIN/dnsbl-loader" -q -c "$WORK/c.yaml" load || { echo "load failed"; exit 1; }
srv_start "$WORK/c.yaml" "$PORT"

# The holder: asks AXFR, reads one message's length, then nothing (60 s
# at most; the test kills it sooner).
python3 - "$PORT" "$WORK/holder.ready" <<'PY' &
import socket, struct, sys, time
port, ready = int(sys.argv[1]), sys.argv[2]
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
s.connect(("127.0.0.1", port))
q = struct.pack(">HHHHHH", 7, 0, 1, 0, 0, 0) + b"\x02bl\x04test\x00" + struct.pack(">HH", 252, 1)
s.sendall(struct.pack(">H", len(q)) + q)
s.recv(2)
open(ready, "w").close()
time.sleep(60)
PY
HOLDER=$!
SRV_PIDS+=("$HOLDER")
for _ in $(seq 100); do [ -e "$WORK/holder.ready" ] && break; sleep 0.1; done
check_eq "the holder's transfer began" "$([ -e "$WORK/holder.ready" ] && echo yes)" yes
sleep 0.5
out=$(dig @127.0.0.1 -p "$PORT" bl.test AXFR +time=5 +tries=1 2>&1)
check "a second transfer meanwhile: SERVFAIL" "$out" 'SERVFAIL|Transfer failed'
check_not "a second transfer meanwhile: no records" "$out" 'IN[[:space:]]+SOA'
check "the refusal is logged" "$(cat "$WORK/dnsbld.log")" \
	'transfer of bl\.test to 127\.0\.0\.1 refused \(max_transfers are in progress'
check_eq "queries are answered meanwhile" \
	"$(dig +short @127.0.0.1 -p "$PORT" 4.0.0.10.bl.test)" 127.0.0.2
out=$(dig @127.0.0.1 -p "$PORT" bl.test "IXFR=$(dig +short @127.0.0.1 -p "$PORT" bl.test SOA | awk '{print $3}')" +time=5 +tries=1 2>&1)
check "an up-to-date IXFR is still answered (one message, no transfer)" "$out" 'XFR size: 1 records'
kill "$HOLDER" 2>/dev/null
wait "$HOLDER" 2>/dev/null
ok=""
for _ in $(seq 50); do
	out=$(dig @127.0.0.1 -p "$PORT" bl.test AXFR +time=10 +tries=1 2>&1 | tail -3)
	if grep -q 'XFR size: 3000[0-9][0-9] records' <<<"$out"; then ok=yes; break; fi
	sleep 0.2
done
check_eq "after the holder left: the whole zone again" "$ok" yes
srv_report
