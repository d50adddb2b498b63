#!/usr/bin/env python3
"""trap_bench.py -- spam-trap hits end to end: socket to served listing.

Starts the real `dnsbl-loader watch` and `dnsbld` on loopback in a temp
dir with one trap dataset (threshold 3 in 1 h), then measures:

  * ingest: HITS hit lines over SENDERS distinct IPv4 senders (each sender
    hit HITS/SENDERS times, so every one of them is listed), written as
    fast as the kernel takes them over CONNS connections (half to the UNIX
    socket, half to the TCP port), then 3 hits of a sentinel sender; the
    clock stops when dnsbld serves the sentinel's listing.  Batches are
    committed in order, so by then every hit before it is committed, and
    every listing is served.  Rate = hits / (first byte .. sentinel served).
  * delay: a sender gets 2 hits, then the 3rd, and the clock runs from
    sending the 3rd until dnsbld answers its A query (polled every 2 ms),
    ROUNDS times on an idle loader; median and max.

With --rdns the dataset has `rdns: true` and its resolver is a UDP
socket on loopback that never answers, so every lookup runs into
rdns_timeout (2 s) while the hits stream in: ingestion must not wait for
the lookups (512 in flight at most; the others are looked up on a later
hit).

Usage: python3 bench/trap_bench.py [--bin build/bin] [--hits 1000000]
       [--senders 200000] [--conns 2] [--rounds 20] [--runs 3] [--rdns]
Bounded: everything is on loopback and every wait has a timeout.
"""
import argparse
import os
import shutil
import socket
import statistics
import struct
import subprocess
import sys
import tempfile
import threading
import time


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def a_query(port, name, qid=0x1234):
    """1 if dnsbld answers an A record for `name`, else 0."""
    q = struct.pack(">HHHHHH", qid, 0x0100, 1, 0, 0, 0)
    for label in name.split("."):
        q += bytes([len(label)]) + label.encode()
    q += b"\0" + struct.pack(">HH", 1, 1)
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(0.5)
    try:
        s.sendto(q, ("127.0.0.1", port))
        r = s.recv(512)
    except OSError:
        return 0
    finally:
        s.close()
    return 1 if struct.unpack(">H", r[6:8])[0] > 0 else 0


def rname(ip):
    return ".".join(reversed(ip.split("."))) + ".traps.bench"


def wait_listed(port, ip, timeout, poll=0.002):
    end = time.monotonic() + timeout
    name = rname(ip)
    while time.monotonic() < end:
        if a_query(port, name):
            return time.monotonic()
        time.sleep(poll)
    return None


def sender_ip(i):
    # 11.0.0.0/8 onwards: no special-use range.
    return "%d.%d.%d.%d" % (11 + (i >> 24), (i >> 16) & 255, (i >> 8) & 255,
                            i & 255)


def send_lines(kind, where, data):
    if kind == "unix":
        s = socket.socket(socket.AF_UNIX)
        s.connect(where)
    else:
        s = socket.create_connection(("127.0.0.1", where))
    s.sendall(data)
    s.close()


class Rig:
    def __init__(self, binp, tmp, rdns=False):
        self.tmp = tmp
        rdns_keys = ""
        if rdns:
            # Bound and never read: queries vanish, as to a dead resolver.
            self.swallow = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            self.swallow.bind(("127.0.0.1", 0))
            rdns_keys = ("    rdns: true\n    rdns_timeout: 2s\n"
                         "    resolver: \"127.0.0.1:%d\"\n"
                         % self.swallow.getsockname()[1])
        self.dns = free_port()
        self.hit = free_port()
        self.sock = os.path.join(tmp, "hits.sock")
        cfg = os.path.join(tmp, "bench.yaml")
        with open(cfg, "w") as f:
            f.write("store: store\nlisten: [\"127.0.0.1:%d\"]\n"
                    "workers: 1\n"
                    "datasets:\n  traps:\n    type: trap\n    threshold: 3\n"
                    "    window: 1h\n    expire: 1d\n    socket: hits.sock\n"
                    "    listen: %d\n%szones:\n  traps.bench: {datasets: [traps]}\n"
                    % (self.dns, self.hit, rdns_keys))
        self.log = open(os.path.join(tmp, "watch.log"), "w")
        self.loader = subprocess.Popen(
            [os.path.join(binp, "dnsbl-loader"), "-c", cfg, "-q", "watch"],
            stdout=self.log, stderr=self.log)
        end = time.monotonic() + 10
        while not os.path.exists(self.sock) and time.monotonic() < end:
            time.sleep(0.02)
        self.server = subprocess.Popen(
            [os.path.join(binp, "dnsbld"), "-c", cfg],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        end = time.monotonic() + 10
        while time.monotonic() < end:
            if a_query(self.dns, "2.0.0.127.traps.bench"):
                break
            time.sleep(0.02)
        else:
            raise SystemExit("dnsbld did not start")

    def stop(self):
        for p in (self.loader, self.server):
            p.terminate()
            try:
                p.wait(10)
            except subprocess.TimeoutExpired:
                p.kill()
        self.log.close()


def ingest(rig, hits, senders, conns, base):
    per = hits // senders
    chunks = [[] for _ in range(conns)]
    for rep in range(per):
        for i in range(senders):
            chunks[i % conns].append(sender_ip(base + i))
    datas = [("\n".join(c) + "\n").encode() for c in chunks]
    sentinel = sender_ip(base + senders + 1)
    t0 = time.monotonic()
    threads = []
    for k, data in enumerate(datas):
        kind, where = ("unix", rig.sock) if k % 2 == 0 else ("tcp", rig.hit)
        t = threading.Thread(target=send_lines, args=(kind, where, data))
        t.start()
        threads.append(t)
    for t in threads:
        t.join()
    t_sent = time.monotonic()
    send_lines("unix", rig.sock, ("%s\n" % sentinel).encode() * 3)
    t_end = wait_listed(rig.dns, sentinel, 120)
    if t_end is None:
        raise SystemExit("the sentinel was never listed")
    # Spot-check: listings made from the flood are served.
    ok = sum(a_query(rig.dns, rname(sender_ip(base + i)))
             for i in range(0, senders, max(1, senders // 50)))
    return (per * senders) / (t_end - t0), t_sent - t0, t_end - t0, ok


def delay(rig, rounds, base):
    out = []
    for r in range(rounds):
        ip = sender_ip(base + r)
        send_lines("unix", rig.sock, ("%s\n%s\n" % (ip, ip)).encode())
        time.sleep(0.3)
        t0 = time.monotonic()
        send_lines("unix", rig.sock, ("%s\n" % ip).encode())
        t1 = wait_listed(rig.dns, ip, 5)
        if t1 is None:
            raise SystemExit("%s was never listed" % ip)
        out.append((t1 - t0) * 1000)
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", default="build/bin")
    ap.add_argument("--hits", type=int, default=1000000)
    ap.add_argument("--senders", type=int, default=200000)
    ap.add_argument("--conns", type=int, default=2)
    ap.add_argument("--rounds", type=int, default=20)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--rdns", action="store_true",
                    help="rdns: true, asking a resolver that never answers")
    a = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix="trap_bench.")
    rig = Rig(a.bin, tmp, a.rdns)
    try:
        rates = []
        for run in range(a.runs):
            rate, sent, total, ok = ingest(rig, a.hits, a.senders, a.conns,
                                           (run + 1) << 22)
            rates.append(rate)
            print("ingest run %d: %d hits, %d senders listed: sent in %.2f s, "
                  "served after %.2f s: %.0f hits/s (spot check %d/%d served)"
                  % (run + 1, a.hits // a.senders * a.senders, a.senders,
                     sent, total, rate, ok, len(range(0, a.senders,
                                                      max(1, a.senders // 50)))))
            sys.stdout.flush()
        d = delay(rig, a.rounds, 200 << 22)
        print("ingest median: %.0f hits/s (target >= 200000)"
              % statistics.median(rates))
        print("threshold hit -> listing served: median %.1f ms, max %.1f ms "
              "over %d rounds (target <= 200 ms)"
              % (statistics.median(d), max(d), len(d)))
        st = os.path.join(tmp, "store")
        size = sum(os.path.getsize(os.path.join(dp, f))
                   for dp, _, fs in os.walk(st) for f in fs)
        print("store: %.1f MB after %d listed senders"
              % (size / 1e6, a.runs * a.senders + a.rounds + a.runs))
    finally:
        rig.stop()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
