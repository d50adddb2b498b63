#!/bin/bash
# test_server_proto.sh -- dnsbld's protocol behaviour (issue 3, "Transport"
# and the header/EDNS rules), end to end on 127.0.0.1 (a free port in 5465-5469).
#
# EDNS (echo, size, DO, BADVERS, unknown options and flags), TC over UDP
# with no partial RRset and the TCP retry, RFC 7766 TCP (pipelining, split
# frames, idle timeout, connection cap that never stalls UDP), header flags,
# opcodes, QDCOUNT, AXFR/IXFR, malformed and hostile packets (raw bytes via
# dnsq.py), and a clean exit on SIGINT.
set -u
. "$SRCDIR/tests/integration/server_lib.sh"
srv_workdir server_proto
srv_pick_port 5465 5469
cd "$WORK" || exit 1

cat >big.ip4set <<'EOF'
$SOA 3600 ns1.bl.test hostmaster.bl.test 7 600 300 86400 120
$NS 3600 ns1.bl.test
1.2.3.4 :2:small $
EOF
for i in $(seq 10 40); do
	echo "192.0.2.77 :2:long text number $i xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx" >>big.ip4set
done
for i in $(seq 1 12); do
	echo "192.0.2.12 :2:twelve $i yyyyyyyyyyyyyyyyyyyy" >>big.ip4set
done
chmod 644 ./*
cat >cfg.yaml <<EOF
store: store
listen: ["127.0.0.1:$PORT"]
datasets:
  big: {type: ip4set, files: [big.ip4set]}
zones:
  bl.test: {datasets: [big]}
server:
  workers: 2
  max_udp_size: 1232
  tcp_idle_ms: 1500
  tcp_max_clients: 4
EOF
# Before any load: no store yet -> a clear error, exit 1.
out=$(timeout 10 "$BIN/dnsbld" -c cfg.yaml 2>&1)
check_eq "no store: exit 1" "$?" 1
check "no store: the message names the store" "$out" 'store .*/store'
"$BIN/dnsbl-loader" -q -c cfg.yaml load || { echo "loader failed"; exit 1; }
srv_start cfg.yaml $PORT
# A second server on the same address refuses to start (SO_REUSEPORT would
# otherwise let it silently take half the queries).
out=$(timeout 10 "$BIN/dnsbld" -c cfg.yaml 2>&1)
check_eq "address in use: exit 1" "$?" 1
check "address in use: says so" "$out" "port $PORT: Address already in use"
out=$(timeout 10 "$BIN/dnsbld" 2>&1)
check_eq "no -c: usage, exit 2" "$?" 2

q() { $DNSQ $PORT "$@"; }
raw() { $DNSQ $PORT --raw "$@"; }
dg() { dig -p $PORT @127.0.0.1 +time=2 +tries=1 "$@"; }
# Header (id 0x1234, flags, counts) and the question 4.3.2.1.bl.test A IN.
QNAME=013401330132013102626c0474657374
QUESTION=${QNAME}0000010001

# ---- EDNS ------------------------------------------------------------------
out=$(q 4.3.2.1.bl.test A)
check "no OPT in the reply to a query without one" "$out" ' ar=0 '
check_not "no OPT line" "$out" '^opt:'
out=$(q 4.3.2.1.bl.test A --edns 4096)
check "OPT echoed" "$out" '^opt: size=1232 version=0 do=0 '
out=$(q 4.3.2.1.bl.test A --edns 4096 --do)
check "DO copied (RFC 3225)" "$out" '^opt: .* do=1 flags=8000 '
out=$(q 4.3.2.1.bl.test A --edns 100)
check "EDNS size below 512 still answered" "$out" '^rcode=NOERROR .* an=1 '
out=$(q 4.3.2.1.bl.test A --edns 1232 --ednsver 1)
check "EDNS version 1: BADVERS" "$out" '^rcode=BADVERS .* an=0 '
check "BADVERS reply has an OPT version 0" "$out" '^opt: size=1232 version=0 '
out=$(dg +edns=1 +noednsnegotiation 4.3.2.1.bl.test A)
check "dig sees BADVERS" "$out" 'status: BADVERS'
out=$(dg +ednsopt=65001:abcd +ednsflags=0x4000 4.3.2.1.bl.test A)
check "unknown option and flag: still answered" "$out" 'status: NOERROR'
check_not "unknown EDNS option not echoed" "$out" '^; OPT='
check_not "unknown EDNS flags cleared" "$out" 'MBZ'
out=$(dg +nsid +cookie 4.3.2.1.bl.test A)
check "NSID/cookie options ignored" "$out" 'status: NOERROR'
check_not "no NSID/COOKIE echoed" "$out" 'NSID|COOKIE:'

# ---- TC and TCP retry ------------------------------------------------------
out=$(q 77.2.0.192.bl.test TXT)
check "31 TXT over plain UDP: TC" "$out" 'flags=qr,aa,tc,rd '
check "TC reply has no partial RRset" "$out" ' an=0 ns=0 ar=0 '
out=$(q 77.2.0.192.bl.test TXT --edns 4096)
check "EDNS 4096 is clamped to max_udp_size 1232: still TC" "$out" 'tc'
check "TC reply keeps the OPT" "$out" '^opt: size=1232'
len=$(sed -n 's/.* len=\([0-9]*\).*/\1/p' <<<"$out")
[ "${len:-99999}" -le 1232 ] && check_eq "reply within 1232" ok ok || check_eq "reply within 1232" "$len" "<=1232"
out=$(q 12.2.0.192.bl.test TXT --edns 512)
len=$(sed -n 's/.* len=\([0-9]*\).*/\1/p' <<<"$out")
check "12 TXT with a 512-byte EDNS buffer: TC" "$out" 'tc'
[ "${len:-99999}" -le 512 ] && check_eq "reply to a 512 buffer within 512" ok ok || check_eq "reply within 512" "$len" "<=512"
out=$(q 12.2.0.192.bl.test TXT --edns 1232)
check "12 TXT fit in 1232" "$out" ' an=12 '
check_not "no TC when it fits" "$out" 'tc'
out=$(q 77.2.0.192.bl.test TXT --tcp)
check "TCP: the whole answer" "$out" ' an=31 '
check_not "TCP: no TC" "$out" 'flags=.*tc'
out=$(dg +norec 77.2.0.192.bl.test TXT)
check "dig retries over TCP after TC" "$out" 'ANSWER: 31,'
check "dig: truncation noticed" "$out" 'Truncated, retrying in TCP mode'
out=$(kdig -p $PORT @127.0.0.1 +notcp +noedns 77.2.0.192.bl.test TXT)
check "kdig sees TC" "$out" 'Flags: qr aa tc'
out=$(kdig -p $PORT @127.0.0.1 +tcp 77.2.0.192.bl.test TXT)
check "kdig over TCP" "$out" 'ANSWER: 31;'

# ---- header flags ------------------------------------------------------------
out=$(dg +rec 4.3.2.1.bl.test A)
check "RD echoed" "$out" 'flags: qr aa rd;'
out=$(dg +norec 4.3.2.1.bl.test A)
check "no RD, no RD" "$out" 'flags: qr aa;'
out=$(dg +norec +adflag +cdflag 4.3.2.1.bl.test A)
check "CD echoed, AD not set (no DNSSEC)" "$out" 'flags: qr aa cd;'
for f in 0300 0140 0180 0120 0110 03f0; do
	out=$(q 4.3.2.1.bl.test A --flags $f)
	check "query flags $f (TC/Z/RA/AD/CD) answered normally" "$out" '^rcode=NOERROR .* an=1 '
	check_not "flags $f: Z never set, RA never set" "$out" 'flags=[^ ]*(,z|,ra)'
done

# ---- opcodes, counts, types --------------------------------------------------
for op in 1 2 4 5 15; do
	out=$(q 4.3.2.1.bl.test A --opcode $op)
	check "opcode $op: NOTIMP, same opcode, counts 0" "$out" "^rcode=NOTIMP opcode=$op .* qd=0 an=0 ns=0 ar=0 "
done
# RD, CD, AD and RA are QUERY's bits: a NOTIMP reply to another opcode
# keeps the ID, the opcode and QR and echoes none of them (raw packets with
# all four set, plus the question).
for op in 1 2 4 5 6 15; do
	hdr=$(printf '1234%04x0001000000000000' $(((op << 11) | 0x01b0)))
	out=$(raw "$hdr$QUESTION")
	check "opcode $op with RD/RA/AD/CD: NOTIMP, only QR and the opcode" "$out" \
		"^rcode=NOTIMP opcode=$op flags=qr qd=0 an=0 ns=0 ar=0 "
	check_not "opcode $op: the ID kept" "$out" 'ID MISMATCH'
done
out=$(raw "123401b00001000000000000$QUESTION")
check "QUERY with RD/RA/AD/CD: RD and CD still echoed, AD and RA not" "$out" \
	'^rcode=NOERROR opcode=0 flags=qr,aa,rd,cd qd=1 an=1 '
out=$(raw "123401b00000000000000000")
check "QUERY FORMERR: RD and CD still echoed" "$out" '^rcode=FORMERR opcode=0 flags=qr,rd,cd '
out=$(q 4.3.2.1.bl.test A --opcode 4 --qdcount 0)
check "NOTIFY with QDCOUNT 0: NOTIMP" "$out" '^rcode=NOTIMP opcode=4 .* qd=0 '
out=$(dg +opcode=status 4.3.2.1.bl.test A)
check "dig opcode STATUS: NOTIMP" "$out" 'opcode: STATUS, status: NOTIMP'
out=$(q 4.3.2.1.bl.test A --qdcount 0)
check "QDCOUNT 0: FORMERR" "$out" '^rcode=FORMERR .* qd=0 '
out=$(q 4.3.2.1.bl.test A --qdcount 2)
check "QDCOUNT 2: FORMERR" "$out" '^rcode=FORMERR'
out=$(q bl.test AXFR --tcp)
check "AXFR refused" "$out" '^rcode=REFUSED'
out=$(dg bl.test AXFR)
check "dig AXFR fails" "$out" 'Transfer failed|REFUSED'
out=$(q bl.test IXFR)
check "IXFR refused" "$out" '^rcode=REFUSED'
out=$(q 4.3.2.1.bl.test TYPE65280)
check "unknown type on an existing name: NODATA" "$out" '^rcode=NOERROR .* an=0 ns=1 '

# ---- malformed packets -----------------------------------------------------
check "empty datagram dropped" "$(raw '' --timeout 0.5)" '^NO REPLY$'
check "5-byte datagram dropped" "$(raw 1234010000 --timeout 0.5)" '^NO REPLY$'
check "11-byte datagram dropped" "$(raw 1234010000010000000000 --timeout 0.5)" '^NO REPLY$'
out=$(raw "123481000001000000000000$QUESTION" --timeout 0.5)
check "a response (QR set) is never answered" "$out" '^NO REPLY$'
out=$(raw "123401000001000000000000" --timeout 1)
check "header only, QDCOUNT 1: FORMERR" "$out" '^rcode=FORMERR .* qd=0 '
out=$(raw "123401000001000000000000${QNAME}" --timeout 1)
check "question without type/class: FORMERR, no question" "$out" '^rcode=FORMERR .* qd=0 '
out=$(raw "123401000001000000000000013401" --timeout 1)
check "label running past the end: FORMERR" "$out" '^rcode=FORMERR'
out=$(raw "123401000001000000000000c00c00010001" --timeout 1)
check "compression loop in the question: FORMERR" "$out" '^rcode=FORMERR .* qd=0 '
out=$(raw "12340100000100000000000001614000010001" --timeout 1)
check "reserved label type: FORMERR" "$out" '^rcode=FORMERR'
out=$(raw "123401000001000000000001${QUESTION}00" --timeout 1)
check "truncated additional record: FORMERR with the question" "$out" '^rcode=FORMERR .* qd=1 '
check "FORMERR echoes the question" "$out" '^q: 4\.3\.2\.1\.bl\.test\. IN A$'
out=$(raw "123401000001000000000002${QUESTION}0000290200000000000000002902000000000000" --timeout 1)
check "two OPT records: FORMERR" "$out" '^rcode=FORMERR .* qd=1 '
out=$(raw "123401000001000100000000${QUESTION}00002904d0000000000000" --timeout 1)
check "OPT in the answer section: FORMERR" "$out" '^rcode=FORMERR'
out=$(raw "123401000001000000000001${QUESTION}c00c002904d0000000000000" --timeout 1)
check "OPT not owned by the root: FORMERR" "$out" '^rcode=FORMERR'
out=$(raw "123401000001000000000001${QUESTION}00002904d00000000000050001000900" --timeout 1)
check "EDNS option overrunning its record: FORMERR" "$out" '^rcode=FORMERR'
out=$(raw "123401000001000000000000${QUESTION}deadbeef" --timeout 1)
check "trailing bytes after the question ignored" "$out" '^rcode=NOERROR .* an=1 '
# Random garbage must never kill the server.
python3 - "$PORT" <<'PY'
import os, random, socket, sys
random.seed(5465)
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for i in range(3000):
    n = random.randint(0, 80)
    pkt = bytes(random.getrandbits(8) for _ in range(n))
    if n > 2 and random.random() < 0.5:
        pkt = pkt[:2] + b"\x01\x00\x00\x01" + pkt[6:]   # plausible header
    s.sendto(pkt, ("127.0.0.1", int(sys.argv[1])))
PY
out=$(q 4.3.2.1.bl.test TXT)
check "alive after 3000 random packets" "$out" 'TXT "small 1\.2\.3\.4"'

# ---- TCP (RFC 7766) ----------------------------------------------------------
out=$(python3 - "$PORT" "$SRCDIR/tests/integration" <<'PY'
import socket, struct, sys, time
sys.path.insert(0, sys.argv[2])
import dnsq
port = int(sys.argv[1])
def frame(p): return struct.pack(">H", len(p)) + p
names = ["4.3.2.1.bl.test", "5.0.0.1.bl.test", "77.2.0.192.bl.test", "bl.test"]
types = [1, 1, 16, 6]
s = socket.create_connection(("127.0.0.1", port), timeout=3)
# Pipelined: four queries in one write.
s.sendall(b"".join(frame(dnsq.build_query(n, t, qid=100 + i)) for i, (n, t) in enumerate(zip(names, types))))
got = {}
for _ in names:
    ln = struct.unpack(">H", dnsq.recv_exact(s, 2))[0]
    r = dnsq.parse(dnsq.recv_exact(s, ln))
    got[r["id"]] = r
for i in range(4):
    r = got.get(100 + i)
    print("pipelined %d rcode=%s an=%d" % (i, dnsq.rcode_name(r) if r else "none", r["an"] if r else -1))
# A query split into single bytes on the same connection.
for b in frame(dnsq.build_query("4.3.2.1.bl.test", 16, qid=200)):
    s.send(bytes([b]))
    time.sleep(0.002)
ln = struct.unpack(">H", dnsq.recv_exact(s, 2))[0]
r = dnsq.parse(dnsq.recv_exact(s, ln))
print("split id=%d an=%d" % (r["id"], r["an"]))
# A zero-length frame is ignored; the next one still answered.
s.sendall(b"\0\0" + frame(dnsq.build_query("4.3.2.1.bl.test", 1, qid=201)))
ln = struct.unpack(">H", dnsq.recv_exact(s, 2))[0]
print("after-empty id=%d" % dnsq.parse(dnsq.recv_exact(s, ln))["id"])
# A client that half-closes after its queries still gets every reply.
h = socket.create_connection(("127.0.0.1", port), timeout=3)
h.sendall(b"".join(frame(dnsq.build_query("77.2.0.192.bl.test", 16, qid=i)) for i in range(300)))
h.shutdown(socket.SHUT_WR)
buf = b""
while True:
    chunk = h.recv(65536)
    if not chunk:
        break
    buf += chunk
n = 0
while len(buf) >= 2:
    ln = struct.unpack(">H", buf[:2])[0]
    if len(buf) < 2 + ln:
        break
    buf = buf[2 + ln:]
    n += 1
print("half-close replies=%d" % n)
# Idle timeout (1500 ms): the server closes the connection.
t0 = time.time()
s.settimeout(5)
data = s.recv(10)
print("idle-close %s after %.1f s" % ("eof" if data == b"" else "data", time.time() - t0))
PY
)
check "TCP pipelined 0" "$out" '^pipelined 0 rcode=NOERROR an=1$'
check "TCP pipelined 1" "$out" '^pipelined 1 rcode=NXDOMAIN an=0$'
check "TCP pipelined 2 (31 TXT, no TC)" "$out" '^pipelined 2 rcode=NOERROR an=31$'
check "TCP pipelined 3" "$out" '^pipelined 3 rcode=NOERROR an=1$'
check "TCP frame split into bytes" "$out" '^split id=200 an=1$'
check "TCP zero-length frame skipped" "$out" '^after-empty id=201$'
check "TCP half-close: all 300 replies (31 TXT each, past the 256 KiB backlog) still sent" "$out" '^half-close replies=300$'
check "TCP idle timeout closes" "$out" '^idle-close eof after (1\.[3-9]|2\.[0-9])'

out=$(python3 - "$PORT" "$SRCDIR/tests/integration" <<'PY'
import socket, struct, sys, time
sys.path.insert(0, sys.argv[2])
import dnsq
port = int(sys.argv[1])
held = [socket.create_connection(("127.0.0.1", port), timeout=3) for _ in range(4)]
# Each held connection answers once, so the server has surely accepted it.
for s in held:
    q = dnsq.build_query("4.3.2.1.bl.test", 1)
    s.sendall(struct.pack(">H", len(q)) + q)
    dnsq.recv_exact(s, struct.unpack(">H", dnsq.recv_exact(s, 2))[0])
extra = socket.create_connection(("127.0.0.1", port), timeout=3)
try:
    extra.sendall(struct.pack(">H", 33) + dnsq.build_query("4.3.2.1.bl.test", 1)[:33])
    data = extra.recv(10)
    print("fifth %s" % ("closed" if data == b"" else "answered"))
except (ConnectionError, socket.timeout) as e:
    print("fifth closed (%s)" % type(e).__name__)
# UDP is answered while the TCP slots are full and idle.
r = dnsq.exchange("127.0.0.1", port, dnsq.build_query("4.3.2.1.bl.test", 1), False)
print("udp-while-full %s" % ("ok" if r else "none"))
for s in held:
    s.close()
time.sleep(0.3)
r = dnsq.exchange("127.0.0.1", port, dnsq.build_query("4.3.2.1.bl.test", 1), True)
print("tcp-after-release %s" % ("ok" if r else "none"))
PY
)
check "TCP connection cap: the fifth is closed" "$out" '^fifth closed'
check "UDP answered while TCP is full" "$out" '^udp-while-full ok$'
check "TCP works again after release" "$out" '^tcp-after-release ok$'

# ---- clean exit ------------------------------------------------------------
kill -INT "$SRV_PID"
wait "$SRV_PID"
check_eq "exit status 0 on SIGINT" "$?" 0
srv_report
