#!/usr/bin/env python3
"""tcp_flood.py -- UDP throughput while TCP is flooded with idle and slow
connections.

Two uses:

  flood   holds --idle connections that send nothing and --slow ones that
          send a query's first bytes and then one byte every --trickle
          seconds (a slowloris), from --sources addresses of 127.0.0.0/8
          (127.0.100.1 ...); whatever the server closes is reopened, at
          most --reopen a second.  Ends after --duration seconds and prints
          how many connections it opened, held at the end, and saw closed.

    python3 bench/tcp_flood.py flood --port 5390 [--idle 1000] [--slow 500]
        [--sources 100] [--duration 20]

  bench   starts dnsbld (bench/serve_bench.py's setup and data from
          bench/gendata.py, one worker pinned to core 0) and measures UDP
          queries a second with dnsperf (pinned to core 1, no rate limit)
          alternately without and with the flood, --repeat times each, and
          prints the medians side by side, plus the server's TCP counters.

    python3 bench/tcp_flood.py bench --bin build/bin [--size 100000]
        [--duration 8] [--repeat 3] [--idle 1000] [--slow 500]
        [--tcp-max-clients 256]

Everything runs on loopback and is bounded in time.
"""
import argparse
import os
import re
import selectors
import socket
import statistics
import struct
import subprocess
import sys
import tempfile
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)


def query_frame(qid):
    name = b"".join(bytes([len(l)]) + l for l in b"2.0.0.127.bl.bench".split(b".")) + b"\0"
    q = struct.pack(">HHHHHH", qid, 0x0100, 1, 0, 0, 0) + name + struct.pack(">HH", 1, 1)
    return struct.pack(">H", len(q)) + q


def flood(port, idle, slow, sources, duration, trickle, reopen, out=sys.stdout):
    sel = selectors.DefaultSelector()
    frame = query_frame(0x4242)
    conns = {}          # socket -> [kind, bytes sent, next send time]
    want = [("idle", i) for i in range(idle)] + [("slow", i) for i in range(slow)]
    opened = closed = failed = 0
    end = time.monotonic() + duration
    budget, tick = 0.0, time.monotonic()

    def open_one(kind, i):
        nonlocal opened, failed
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setblocking(False)
        src = "127.0.100.%d" % (1 + i % sources) if sources <= 254 else \
              "127.0.%d.%d" % (100 + (i % sources) // 254, 1 + (i % sources) % 254)
        try:
            s.bind((src, 0))
            s.connect_ex(("127.0.0.1", port))
        except OSError:
            s.close()
            failed += 1
            return
        opened += 1
        conns[s] = [kind, 0, time.monotonic(), i]
        sel.register(s, selectors.EVENT_READ)

    pending = list(want)
    while time.monotonic() < end:
        now = time.monotonic()
        budget = min(budget + (now - tick) * reopen, reopen)
        tick = now
        while pending and (budget >= 1 or opened < len(want)):
            kind, i = pending.pop()
            open_one(kind, i)
            if opened > len(want):
                budget -= 1
        for key, _ in sel.select(timeout=0.05):
            s = key.fileobj
            try:
                data = s.recv(4096)
            except (BlockingIOError, InterruptedError):
                continue
            except OSError:
                data = b""
            if not data:
                kind, _sent, _t, i = conns.pop(s)
                sel.unregister(s)
                s.close()
                closed += 1
                pending.append((kind, i))
        for s, st in list(conns.items()):
            if st[0] == "slow" and now >= st[2]:
                n = 5 if st[1] == 0 else 1
                try:
                    s.send(frame[st[1]:st[1] + n])
                    st[1] = (st[1] + n) % len(frame)
                except (BlockingIOError, OSError):
                    pass
                st[2] = now + trickle
    held = len(conns)
    for s in conns:
        s.close()
    print("flood: opened %d, closed by the server %d, held at the end %d, "
          "connect errors %d" % (opened, closed, held, failed), file=out)
    return {"opened": opened, "closed": closed, "held": held}


def bench(args):
    import serve_bench as sb
    work = tempfile.mkdtemp(prefix="tcp_flood.")
    data = args.datadir or os.path.join(work, "data")
    if not os.path.exists(os.path.join(data, "queries.txt")):
        os.makedirs(data, exist_ok=True)
        subprocess.run([sys.executable, os.path.join(HERE, "gendata.py"), data,
                        "--ip4", str(args.size)], check=True, stdout=subprocess.DEVNULL)
    s = sb.Dnsbld("dnsbld", work, args.port, os.path.abspath(args.bin))
    s.prepare(data)
    with open(s.cfg, "a") as f:
        f.write("workers: 1\nmetrics: \"127.0.0.1:%d\"\ntcp_max_clients: %d\n"
                % (args.port + 1, args.tcp_max_clients))
    queries = os.path.join(data, "queries.txt")
    res = {"none": [], "flood": []}
    try:
        s.start(data, cpus="0")
        sb.wait_answer(s.port, time.monotonic(), limit=30)
        for r in range(args.repeat):
            for mode in ("none", "flood"):
                fl = None
                if mode == "flood":
                    # At nice 19 beside dnsperf: what the flood costs
                    # dnsperf's core would otherwise count against the server.
                    fl = subprocess.Popen(sb.pin("1") + ["nice", "-n", "19", sys.executable, __file__, "flood",
                                          "--port", str(args.port), "--idle", str(args.idle),
                                          "--slow", str(args.slow), "--sources", str(args.sources),
                                          "--duration", str(args.duration + 6)],
                                          stdout=subprocess.PIPE, text=True)
                    time.sleep(3)        # connections up, caps reached
                d = sb.dnsperf(args.port, queries, args.duration)
                if fl:
                    sb.log(fl.communicate(timeout=60)[0].strip())
                res[mode].append(d.get("qps", 0.0))
                sb.log("run %d %s: %.0f qps, %d lost" % (r + 1, mode, d.get("qps", 0.0),
                                                      d.get("lost", -1)))
        m = urllib.request.urlopen("http://127.0.0.1:%d/metrics" % (args.port + 1),
                                   timeout=5).read().decode()
        tcp = " ".join(re.findall(r"^dnsbld_tcp_\S+ \d+$", m, re.M))
    finally:
        s.stop()
    a, b = statistics.median(res["none"]), statistics.median(res["flood"])
    print("UDP qps, median of %d (dnsperf %d s, %d lines, 1 worker):" % (args.repeat, args.duration, args.size))
    print("  no TCP flood:  %.0f" % a)
    print("  TCP flood:     %.0f  (%d idle + %d slowloris connections from %d addresses, "
          "tcp_max_clients %d; %.2f of no flood)"
          % (b, args.idle, args.slow, args.sources, args.tcp_max_clients, b / a if a else 0))
    print("  server: %s" % tcp)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    f = sub.add_parser("flood")
    f.add_argument("--port", type=int, required=True)
    b = sub.add_parser("bench")
    b.add_argument("--bin", required=True, help="dnsbld's bin directory")
    b.add_argument("--size", type=int, default=100000, help="ip4set lines")
    b.add_argument("--repeat", type=int, default=3)
    b.add_argument("--datadir")
    b.add_argument("--port", type=int, default=5390)
    b.add_argument("--tcp-max-clients", type=int, default=256,
                   help="the server's tcp_max_clients (per client: its default, 16)")
    for p in (f, b):
        p.add_argument("--idle", type=int, default=1000)
        p.add_argument("--slow", type=int, default=500)
        p.add_argument("--sources", type=int, default=100)
        p.add_argument("--duration", type=int, default=8 if p is b else 20)
    f.add_argument("--trickle", type=float, default=0.5, help="seconds between slow bytes")
    f.add_argument("--reopen", type=float, default=500, help="reopened connections a second, at most")
    args = ap.parse_args()
    if args.cmd == "flood":
        flood(args.port, args.idle, args.slow, args.sources, args.duration,
              args.trickle, args.reopen)
    else:
        bench(args)


if __name__ == "__main__":
    main()
