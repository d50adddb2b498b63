#!/usr/bin/env python3
"""ab_dnsbld.py -- two dnsbld builds side by side: CPU per query at a fixed rate.

For changes on the query path that must cost nothing measurable (the
per-thread metrics counters, for instance): both builds serve the same
store (loaded once with A's loader), pinned to core 0 with one worker,
and get the same dnsperf load from core 1, alternating A, B, A, B... so
a shared machine's noise falls on both alike.  Prints each build's median
CPU microseconds per answered query (user + kernel, from /proc) and B/A.

    python3 bench/ab_dnsbld.py --a OLD/bin --b build/bin [--size 100000]
        [--rate 30000] [--duration 5] [--pairs 7] [--datadir DIR]
        [--a-config YAML] [--b-config YAML]

--a-config / --b-config add top-level lines to that side's config, so one
build can be compared with itself under two settings, e.g.
--b-config 'rate_limit: {responses_per_second: 1000000}'.

Load only on 127.0.0.1, every run bounded in time (dnsperf -l).
"""
import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import serve_bench as sb  # noqa: E402  (the shared pieces)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--a", required=True, help="bin directory of build A")
    ap.add_argument("--b", required=True, help="bin directory of build B")
    ap.add_argument("--size", type=int, default=100000, help="ip4set lines")
    ap.add_argument("--rate", type=int, default=30000, help="queries per second")
    ap.add_argument("--duration", type=int, default=5, help="seconds per run")
    ap.add_argument("--pairs", type=int, default=7, help="A/B pairs (median)")
    ap.add_argument("--datadir", help="keep generated data here (reused)")
    ap.add_argument("--port", type=int, default=5390)
    ap.add_argument("--a-config", default="", help="extra config lines for A")
    ap.add_argument("--b-config", default="", help="extra config lines for B")
    args = ap.parse_args()

    work = tempfile.mkdtemp(prefix="ab_dnsbld.")
    data = args.datadir or os.path.join(work, "data")
    if not os.path.exists(os.path.join(data, "queries.txt")):
        os.makedirs(data, exist_ok=True)
        subprocess.run([sys.executable, os.path.join(os.path.dirname(__file__), "gendata.py"),
                        data, "--ip4", str(args.size)], check=True, stdout=subprocess.DEVNULL)
    servers = {}
    try:
        for name, bindir in (("A", args.a), ("B", args.b)):
            d = os.path.join(work, name)
            os.makedirs(d)
            s = sb.Dnsbld(name, d, args.port, os.path.abspath(bindir))
            s.prepare(data)
            with open(s.cfg, "a") as f:
                f.write("workers: 1\n")
                extra = args.a_config if name == "A" else args.b_config
                if extra:
                    f.write(extra + "\n")
            servers[name] = s
        cpu = {"A": [], "B": []}
        for i in range(args.pairs):
            for name in ("A", "B") if i % 2 == 0 else ("B", "A"):
                s = servers[name]
                s.start(data, cpus="0")
                sb.wait_answer(s.port, time.monotonic(), limit=30)
                us, _user, _kern, qps, lost = sb.cpu_run(s, data, args, args.rate)
                s.stop()
                cpu[name].append(us)
                sb.log("pair %d %s: %.2f us/query at %.0f qps, %d lost" % (i + 1, name, us, qps, lost))
        a, b = statistics.median(cpu["A"]), statistics.median(cpu["B"])
        print("CPU us/query at %d qps, %d lines, median of %d: A %.2f  B %.2f  B/A %.3f"
              % (args.rate, args.size, args.pairs, a, b, b / a))
    finally:
        for s in servers.values():
            s.stop()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
