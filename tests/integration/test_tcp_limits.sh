#!/bin/bash
# test_tcp_limits.sh -- TCP connection caps and the half-sent query
# deadline: `tcp_max_per_client` closes one address's connection past its
# cap while another address (IPv4 or IPv6) still gets in; a query begun
# and not finished within `tcp_query_timeout_ms` (a slowloris sending a
# byte now and then, well inside the idle timeout) ends the connection,
# while an idle connection and a query sent in slow halves within the
# deadline are kept; `tcp_max_clients` still caps the total; UDP answers
# throughout; the counters in /metrics.
#
# Clients connect from other 127.0.0.0/8 source addresses and from ::1.
set -u
. "$SRCDIR/tests/integration/server_lib.sh"
srv_workdir tcp_limits
srv_pick_port 5940 5949
PD=$PORT
srv_pick_port 5950 5959
PM=$PORT
cd "$WORK" || exit 1
printf '192.0.2.1 :2:spam\n' >spam.ip4set
cat >cfg.yaml <<EOT
store: store
listen: ["127.0.0.1:$PD", "[::1]:$PD"]
metrics: "127.0.0.1:$PM"
workers: 2
server:
  tcp_max_clients: 6
  tcp_max_per_client: 2
  tcp_query_timeout_ms: 1000
  tcp_idle_ms: 4000
datasets: {spam: {type: ip4set, files: [spam.ip4set]}}
zones:
  bl.test: {datasets: [spam]}
EOT
"$BIN/dnsbl-loader" -q -c cfg.yaml load || { echo "loader failed"; exit 1; }
srv_start cfg.yaml $PD

out=$(python3 - "$PD" "$SRCDIR/tests/integration" <<'PY'
import socket, struct, sys, time
sys.path.insert(0, sys.argv[2])
import dnsq
port = int(sys.argv[1])
Q = dnsq.build_query("1.2.0.192.bl.test", 1)
F = struct.pack(">H", len(Q)) + Q

def conn(src):
    fam = socket.AF_INET6 if ":" in src else socket.AF_INET
    s = socket.socket(fam, socket.SOCK_STREAM)
    s.settimeout(3)
    s.bind((src, 0))
    s.connect(("::1" if ":" in src else "127.0.0.1", port))
    return s

def ask(s):
    """'answered', or 'closed' when the server ended the connection."""
    try:
        s.sendall(F)
        hdr = dnsq.recv_exact(s, 2)
        if hdr is None:
            return "closed"
        r = dnsq.recv_exact(s, struct.unpack(">H", hdr)[0])
        return "answered" if r and dnsq.parse(r)["an"] == 1 else "bad"
    except (ConnectionError, socket.timeout) as e:
        return "closed"

# Per client: two connections of 127.0.0.5 are served, a third is closed.
a = [conn("127.0.0.5") for _ in range(2)]
print("a1 %s" % ask(a[0]))
print("a2 %s" % ask(a[1]))
print("a3 %s" % ask(conn("127.0.0.5")))
# Other clients still get in: another IPv4 address, and ::1.
b = conn("127.0.0.6")
print("b1 %s" % ask(b))
c = conn("::1")
print("c1 %s" % ask(c))
# One of 127.0.0.5's closes: it may open another.
a[0].close()
time.sleep(0.3)
a.append(conn("127.0.0.5"))
print("a4 %s" % ask(a[-1]))
# The total cap (6): 127.0.0.5 x2, .6, ::1 and .7 x2 fill it; .8 is closed.
d = [conn("127.0.0.7") for _ in range(2)]
print("d %s %s" % (ask(d[0]), ask(d[1])))
print("total-cap %s" % ask(conn("127.0.0.8")))
for s in a + d + [b, c]:
    s.close()
time.sleep(0.3)

# Slowloris: a frame's length and 5 bytes, then a byte every 0.3 s (each
# read would reset the 4 s idle timeout).  Closed after about 1 s.
s = conn("127.0.0.9")
s.sendall(F[:7])
t0 = time.time()
closed = None
for i in range(7, len(F)):
    time.sleep(0.3)
    try:
        s.send(F[i:i + 1])
        s.settimeout(0.01)
        if s.recv(1) == b"":
            closed = time.time() - t0
            break
    except socket.timeout:
        pass
    except ConnectionError:
        closed = time.time() - t0
        break
    finally:
        s.settimeout(3)
print("slowloris %s" % ("closed after %.1f s" % closed if closed else "kept"))
# A query in two halves 0.3 s apart: inside the deadline, answered.
s = conn("127.0.0.9")
s.sendall(F[:10])
time.sleep(0.3)
s.sendall(F[10:])
hdr = dnsq.recv_exact(s, 2)
if hdr:
    dnsq.recv_exact(s, struct.unpack(">H", hdr)[0])
print("halves %s" % ("answered" if hdr else "closed"))
# Pipelined queries, each whole within the deadline, the next begun at
# once: the deadline counts from the last whole query.
for i in range(4):
    s.sendall(F + F[:5] if i == 0 else F[5:] + F[:5])
    time.sleep(0.3)
s.sendall(F[5:])
n = 0
s.settimeout(2)
buf = b""
while n < 5:
    try:
        chunk = s.recv(4096)
    except (ConnectionError, socket.timeout):
        break
    if not chunk:
        break
    buf += chunk
    while len(buf) >= 2 and len(buf) >= 2 + struct.unpack(">H", buf[:2])[0]:
        buf = buf[2 + struct.unpack(">H", buf[:2])[0]:]
        n += 1
print("pipelined-slow replies=%d" % n)
s.close()
# An idle connection (nothing sent) is not a half-sent query: after 1.5 s
# it still answers.
s = conn("127.0.0.10")
time.sleep(1.5)
print("idle %s" % ask(s))
s.close()
# UDP is answered all along.
r = dnsq.exchange("127.0.0.1", port, Q, False, 2.0, "127.0.0.5")
print("udp %s" % ("ok" if r else "none"))
PY
)
check "per client: first connection" "$out" '^a1 answered$'
check "per client: second connection" "$out" '^a2 answered$'
check "per client: the third is closed" "$out" '^a3 closed$'
check "another IPv4 client still gets in" "$out" '^b1 answered$'
check "an IPv6 client still gets in" "$out" '^c1 answered$'
check "after one closes, the client gets in again" "$out" '^a4 answered$'
check "under the total cap" "$out" '^d answered answered$'
check "the total cap" "$out" '^total-cap closed$'
check "slowloris closed by the query deadline" "$out" \
	'^slowloris closed after (0\.9|1\.[0-9]|2\.[0-4]) s$'
check "a query in two halves within the deadline" "$out" '^halves answered$'
check "slow pipelined queries, each in time" "$out" '^pipelined-slow replies=5$'
check "an idle connection is kept (idle timeout 4 s)" "$out" '^idle answered$'
check "UDP answered" "$out" '^udp ok$'

m=$(srv_metrics $PM)
check "metrics: per-client cap" "$m" '^dnsbld_tcp_refused_total\{cap="per_client"\} 1$'
check "metrics: total cap" "$m" '^dnsbld_tcp_refused_total\{cap="total"\} 1$'
check "metrics: half-sent query timeouts" "$m" '^dnsbld_tcp_query_timeouts_total 1$'
check "metrics: no connection left" "$m" '^dnsbld_tcp_connections 0$'
srv_report
