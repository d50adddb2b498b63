#!/usr/bin/env python3
"""asker.py PORT QNAME EXPECT SECONDS OUT -- a client that asks all along.

Sends one UDP A query for QNAME to 127.0.0.1:PORT every millisecond or so
for SECONDS (bounded), and writes "ok bad lost" to OUT: answers that are
NOERROR with exactly one A record EXPECT, other answers, and queries left
unanswered for a second.  Tests run it in the background across an update
to show that the server answered throughout.
"""
import socket
import struct
import sys
import time

port, qname, expect = int(sys.argv[1]), sys.argv[2], sys.argv[3]
seconds, out = float(sys.argv[4]), sys.argv[5]
want = bytes(int(x) for x in expect.split("."))
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(1.0)
q = b"".join(bytes([len(l)]) + l.encode() for l in qname.split(".")) + b"\0"
ok = bad = lost = 0
end = time.monotonic() + seconds
while time.monotonic() < end:
    qid = (ok + bad + lost) & 0xffff
    s.sendto(struct.pack(">HHHHHH", qid, 0x0100, 1, 0, 0, 0) + q + b"\0\1\0\1",
             ("127.0.0.1", port))
    try:
        r = s.recv(512)
    except socket.timeout:
        lost += 1
        continue
    if r[3] & 15 == 0 and struct.unpack(">H", r[6:8])[0] == 1 and r[-4:] == want:
        ok += 1
    else:
        bad += 1
    time.sleep(0.001)
with open(out, "w") as f:
    f.write("%d %d %d\n" % (ok, bad, lost))
