#!/usr/bin/env python3
"""rrl_bench.py -- response rate limiting against a reflection-style flood.

A reflection attack sends small queries with the victim's address as the
source, for answers as large as possible (TXT, ANY), so the server floods
the victim.  Here the "victim" is a loopback address (127.0.50.1): the
attacker's queries leave from it and the replies come back to it, which is
exactly what the server sees of a spoofed flood.  The bench serves a zone
whose listing has a 250-character TXT, sends --rate TXT queries a second
with EDNS for --duration seconds, counts the bytes sent (in to the server)
and the bytes received back (out of the server, at the victim), and does
it twice: without and with `rate_limit` (--rrl, default 20 responses a
second, slip 2).  A resolver of the victim's /24 asking at an ordinary rate
(5 a second, from 127.0.50.2) is counted too: its replies, and how many of
them were TC (it would retry those over TCP, which is never limited).

    python3 bench/rrl_bench.py --bin build/bin [--rate 5000] [--duration 5]
        [--rrl 20] [--slip 2]

Prints bytes out per byte in (the amplification) for each run.  Loopback
only, bounded in time.
"""
import argparse
import os
import select
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "tests", "integration"))
import dnsq  # noqa: E402


def wait_up(port, limit=20):
    end = time.time() + limit
    while time.time() < end:
        if dnsq.exchange("127.0.0.1", port, dnsq.build_query("bl.rrl", 6), False, 0.2):
            return True
        time.sleep(0.1)
    return False


def run_flood(port, rate, duration, name):
    """Victim-sourced TXT queries at `rate`; (bytes in, bytes out, replies,
    TC replies, legit asked, legit answered)."""
    v = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    v.bind(("127.0.50.1", 0))
    v.setblocking(False)
    v.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
    legit = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    legit.bind(("127.0.50.2", 0))
    legit.setblocking(False)
    q = dnsq.build_query(name, 16, qid=1, edns=1232)
    sent_b = l_asked = 0
    got = {v: [0, 0, 0], legit: [0, 0, 0]}     # bytes, replies, TC replies

    def drain(timeout):
        r, _, _ = select.select([v, legit], [], [], timeout)
        for s in r:
            while True:
                try:
                    pkt = s.recv(65535)
                except BlockingIOError:
                    break
                got[s][0] += len(pkt)
                got[s][1] += 1
                got[s][2] += 1 if pkt[2] & 0x02 else 0

    t0 = time.monotonic()
    end = t0 + duration
    n = 0
    next_legit = t0
    while True:
        now = time.monotonic()
        if now >= end:
            break
        due = int((now - t0) * rate)
        while n < due:
            try:
                v.sendto(q, ("127.0.0.1", port))
                sent_b += len(q)
                n += 1
            except BlockingIOError:
                break
        if now >= next_legit:
            legit.sendto(dnsq.build_query(name, 1, qid=l_asked & 0xffff), ("127.0.0.1", port))
            l_asked += 1
            next_legit = now + 0.2
        drain(0.001)
    t_end = time.monotonic() + 0.5         # late replies
    while time.monotonic() < t_end:
        drain(0.05)
    v.close()
    legit.close()
    return (sent_b, got[v][0], n, got[v][1], got[v][2], l_asked, got[legit][1],
            got[legit][2])


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--bin", required=True, help="dnsbld's bin directory")
    ap.add_argument("--rate", type=int, default=5000, help="flood queries a second")
    ap.add_argument("--duration", type=float, default=5)
    ap.add_argument("--rrl", type=int, default=20, help="responses_per_second")
    ap.add_argument("--slip", type=int, default=2)
    ap.add_argument("--port", type=int, default=5395)
    args = ap.parse_args()
    bindir = os.path.abspath(args.bin)
    work = tempfile.mkdtemp(prefix="rrl_bench.")
    rows = []
    try:
        with open(os.path.join(work, "bl.ip4set"), "w") as f:
            f.write("192.0.2.1 :2:%s\n" % ("Listed: see https://bl.example/lookup?ip=$ " * 6)[:250])
        for label, extra in (("no rate limit", ""),
                             ("rate_limit %d/s slip %d" % (args.rrl, args.slip),
                              "rate_limit: {responses_per_second: %d, slip: %d}\n"
                              % (args.rrl, args.slip))):
            cfg = os.path.join(work, "cfg.yaml")
            with open(cfg, "w") as f:
                f.write("store: %s/store\nlisten: [\"127.0.0.1:%d\"]\nworkers: 1\n%s"
                        "datasets: {bl: {type: ip4set, files: [%s/bl.ip4set]}}\n"
                        "zones: {bl.rrl: {datasets: [bl]}}\n" % (work, args.port, extra, work))
            subprocess.run([os.path.join(bindir, "dnsbl-loader"), "-q", "-c", cfg, "load"],
                           check=True)
            p = subprocess.Popen([os.path.join(bindir, "dnsbld"), "-c", cfg],
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            try:
                if not wait_up(args.port):
                    sys.exit("dnsbld did not start")
                time.sleep(1.1)      # the probe's budget is spent
                rows.append((label,) + run_flood(args.port, args.rate, args.duration,
                                                 "1.2.0.192.bl.rrl"))
            finally:
                p.send_signal(signal.SIGTERM)
                p.wait(10)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print("Reflection-style flood: %d TXT queries/s (EDNS) for %.0f s from one address,"
          % (args.rate, args.duration))
    print("a 250-character TXT answer; a resolver of the same /24 asks 5/s.\n")
    print("| | queries sent | bytes in | replies (TC) | bytes out | out/in | resolver: replies (TC) of asked |")
    print("|---|---|---|---|---|---|---|")
    for label, sb, rb, n, rep, tc, la, lo, ltc in rows:
        print("| %s | %d | %d | %d (%d) | %d | %.2f | %d (%d) of %d |"
              % (label, n, sb, rep, tc, rb, rb / sb if sb else 0, lo, ltc, la))


if __name__ == "__main__":
    main()
