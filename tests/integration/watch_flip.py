#!/usr/bin/env python3
# watch_flip.py -- how long a feed change takes to be answered, and memory.
#
#   watch_flip.py PORT SRC DST NAME PID [--hup PID]
#
# Renames SRC over DST (the moment the change lands), optionally sends
# SIGHUP to a process (rbldnsd's "check now"), then queries NAME (an
# address that the new file lists and the old one did not) over UDP every
# 2 ms until it is answered NOERROR, at most 60 s.  Meanwhile and for 2 s
# after, samples RssAnon of PID every 20 ms.  Prints the seconds from the
# rename to the first listed answer, the number of queries that got no
# reply within 1 s, RssAnon before / peak / after and RssFile (the mapped
# store, for dnsbld) before / after, in kB.  Loopback only.
import os
import select
import signal
import socket
import struct
import sys
import time


def rss(pid, what="RssAnon:"):
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith(what):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def query(port, name, qid):
    q = struct.pack(">HHHHHH", qid, 0x0100, 1, 0, 0, 0)
    for label in name.rstrip(".").split("."):
        q += bytes([len(label)]) + label.encode()
    return q + b"\0" + struct.pack(">HH", 1, 1)


def main():
    port, src, dst, name, pid = int(sys.argv[1]), sys.argv[2], sys.argv[3], \
        sys.argv[4], int(sys.argv[5])
    hup = int(sys.argv[7]) if len(sys.argv) > 7 and sys.argv[6] == "--hup" else 0
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    before = rss(pid)
    file_before = rss(pid, "RssFile:")
    peak = before
    lost = 0
    t0 = time.monotonic()
    os.rename(src, dst)
    if hup:
        os.kill(hup, signal.SIGHUP)
    flip = None
    qid = 0
    last_rss = 0.0
    while time.monotonic() - t0 < 60:
        qid = (qid + 1) & 0xFFFF
        s.sendto(query(port, name, qid), ("127.0.0.1", port))
        deadline = time.monotonic() + 1.0
        got = None
        while time.monotonic() < deadline:
            r, _, _ = select.select([s], [], [], deadline - time.monotonic())
            if not r:
                break
            p = s.recv(4096)
            if struct.unpack(">H", p[:2])[0] == qid:
                got = p
                break
        now = time.monotonic()
        if now - last_rss > 0.02:
            peak = max(peak, rss(pid))
            last_rss = now
        if got is None:
            lost += 1
            continue
        if (struct.unpack(">H", got[2:4])[0] & 15) == 0:
            flip = now - t0
            break
        time.sleep(0.002)
    end = time.monotonic() + 2
    while time.monotonic() < end:
        peak = max(peak, rss(pid))
        time.sleep(0.02)
    print("rename -> served: %s s; unanswered probes: %d; RssAnon kB before %d "
          "peak %d after %d; RssFile kB (mapped store pages) before %d after %d"
          % ("%.3f" % flip if flip is not None else "NEVER", lost, before,
             peak, rss(pid), file_before, rss(pid, "RssFile:")))
    return 0 if flip is not None else 1


if __name__ == "__main__":
    sys.exit(main())
