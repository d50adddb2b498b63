#!/usr/bin/env python3
"""geo_bench.py -- a country table against an ip4set of the same ranges.

Generates N disjoint IPv4 ranges (default 500,000; /24-aligned, 1-4 /24s
each, random gaps and countries, in shuffled order, as the free
IP-to-country downloads look) and writes them twice: as a `country` table
(`start,end,CC`) and as an rbldnsd ip4set (`start-end :127.0.x.y:CC`, the
same answers).  Then, alternating the two so that a drift of the machine
hits both alike:

  load    `dnsbl-loader load` of each into an empty store (wall seconds,
          median of --runs), and the store's size;
  serve   one dnsbld serving both zones (pinned to core 0), dnsperf (core
          1) asking addresses inside the ranges for --duration seconds per
          run: queries per second, median of --runs.

It prints the medians and the country/ip4set ratios.  Only loopback; every
run is bounded in time (dnsperf -l, subprocess timeouts).

  python3 bench/geo_bench.py --bin build/bin [--ranges 500000] [--runs 3]
"""
import argparse
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time

CCS = ["CN", "RU", "DE", "US", "FR", "BR", "JP", "NL", "IN", "GB", "IT",
       "KR", "PL", "SE", "CA", "AU"]


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def pin(core):
    return ["taskset", "-c", core] if shutil.which("taskset") else []


def ip(v):
    return "%d.%d.%d.%d" % (v >> 24, (v >> 16) & 255, (v >> 8) & 255, v & 255)


def generate(d, n, seed):
    rnd = random.Random(seed)
    # n ranges of 1-4 /24s with gaps, over the /24s of 1/8-126/8 and
    # 128/8-223/8 (unit k: the k-th /24 of those).
    count = (222 << 16)
    step = count // n
    if step < 5:
        sys.exit("too many ranges for the address space")

    def unit(k):
        u = (1 << 16) + k
        return u + (1 << 16) if u >= (127 << 16) else u
    ranges = []
    for i in range(n):
        s = unit(i * step)
        e = unit(i * step + rnd.randint(1, 4) - 1)
        ranges.append((s << 8, (e << 8) | 255, rnd.choice(CCS)))
    rnd.shuffle(ranges)
    with open(os.path.join(d, "geo.csv"), "w") as f:
        f.write("start,end,country\n")
        for s, e, cc in ranges:
            f.write("%s,%s,%s\n" % (ip(s), ip(e), cc))
    with open(os.path.join(d, "geo.ip4set"), "w") as f:
        for s, e, cc in ranges:
            f.write("%s-%s :127.0.%d.%d:%s\n" % (ip(s), ip(e), ord(cc[0]),
                                                 ord(cc[1]), cc))
    with open(os.path.join(d, "q-country.txt"), "w") as fc, \
            open(os.path.join(d, "q-ip4set.txt"), "w") as fi:
        for _ in range(200000):
            s, e, _cc = ranges[rnd.randrange(n)]
            v = rnd.randint(s, e)
            name = ".".join(reversed(ip(v).split(".")))
            fc.write("%s.country.bench A\n" % name)
            fi.write("%s.ip4set.bench A\n" % name)
    return ranges


def free_port():
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def config(d, port, store):
    path = os.path.join(d, "bench-%s.yaml" % os.path.basename(store))
    with open(path, "w") as f:
        f.write("store: %s\nlisten: [\"127.0.0.1:%d\"]\nworkers: 1\n"
                "datasets:\n"
                "  country: {type: country, files: [geo.csv]}\n"
                "  ip4set: {type: ip4set, files: [geo.ip4set]}\n"
                "zones:\n"
                "  country.bench: {datasets: [country]}\n"
                "  ip4set.bench: {datasets: [ip4set]}\n" % (store, port))
    return path


def du(path):
    total = 0
    for root, _dirs, files in os.walk(path):
        for name in files:
            total += os.path.getsize(os.path.join(root, name))
    return total


def load_once(binp, d, dataset, run):
    store = os.path.join(d, "store-%s-%d" % (dataset, run))
    cfg = config(d, 1, store)
    t = time.monotonic()
    r = subprocess.run([os.path.join(binp, "dnsbl-loader"), "-q", "-c", cfg,
                        "load", dataset], capture_output=True, text=True,
                       timeout=600)
    wall = time.monotonic() - t
    if r.returncode != 0:
        sys.exit("load of %s failed: %s" % (dataset, r.stderr))
    size = du(store)
    shutil.rmtree(store)
    return wall, size


def dnsperf(port, queries, seconds):
    cmd = pin("1") + ["dnsperf", "-s", "127.0.0.1", "-p", str(port), "-d",
                      queries, "-l", str(seconds), "-c", "8", "-q", "400",
                      "-t", "2"]
    try:
        out = subprocess.run(cmd, capture_output=True, text=True,
                             timeout=seconds + 30).stdout
    except subprocess.TimeoutExpired:
        return None
    for line in out.splitlines():
        line = line.strip()
        if line.startswith("Queries per second:"):
            return float(line.split()[3])
    return None


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--bin", default="build/bin")
    ap.add_argument("--ranges", type=int, default=500000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--duration", type=int, default=5,
                    help="seconds per dnsperf run")
    ap.add_argument("--seed", type=int, default=500)
    ap.add_argument("--keep", action="store_true")
    a = ap.parse_args()
    binp = os.path.abspath(a.bin)
    if not shutil.which("dnsperf"):
        sys.exit("dnsperf is not installed (apt-get install dnsperf)")
    d = tempfile.mkdtemp(prefix="geo_bench.")
    try:
        log("generating %d ranges in %s" % (a.ranges, d))
        generate(d, a.ranges, a.seed)
        res = {"country": {"load": [], "size": [], "qps": []},
               "ip4set": {"load": [], "size": [], "qps": []}}
        for run in range(a.runs):
            for ds in ("country", "ip4set"):
                wall, size = load_once(binp, d, ds, run)
                res[ds]["load"].append(wall)
                res[ds]["size"].append(size)
                log("load %s run %d: %.2f s, store %.1f MB" % (
                    ds, run + 1, wall, size / 1e6))
        port = free_port()
        store = os.path.join(d, "store")
        cfg = config(d, port, store)
        r = subprocess.run([os.path.join(binp, "dnsbl-loader"), "-q", "-c",
                            cfg, "load"], capture_output=True, text=True,
                           timeout=600)
        if r.returncode != 0:
            sys.exit("load failed: %s" % r.stderr)
        srv = subprocess.Popen(pin("0") + [os.path.join(binp, "dnsbld"), "-c",
                                           cfg, "-n", "-w", "1"],
                               stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
        try:
            time.sleep(1)
            for ds in ("country", "ip4set"):   # warm the page cache
                dnsperf(port, os.path.join(d, "q-%s.txt" % ds), 1)
            for run in range(a.runs):
                for ds in ("country", "ip4set"):
                    q = dnsperf(port, os.path.join(d, "q-%s.txt" % ds),
                                a.duration)
                    if q:
                        res[ds]["qps"].append(q)
                    log("serve %s run %d: %s qps" % (ds, run + 1, q))
        finally:
            srv.terminate()
            try:
                srv.wait(timeout=10)
            except subprocess.TimeoutExpired:
                srv.kill()
        med = {ds: {k: statistics.median(v) if v else float("nan")
                    for k, v in res[ds].items()} for ds in res}
        print("%d ranges, median of %d runs" % (a.ranges, a.runs))
        print("%-22s %12s %12s %8s" % ("", "country", "ip4set", "ratio"))
        for key, label, fmt in (("load", "load (s)", "%.2f"),
                                ("size", "store (MB)", "%.1f"),
                                ("qps", "serve (qps)", "%.0f")):
            c, i = med["country"][key], med["ip4set"][key]
            if key == "size":
                c, i = c / 1e6, i / 1e6
            print("%-22s %12s %12s %8.2f" % (label, fmt % c, fmt % i,
                                              c / i if i else float("nan")))
    finally:
        if not a.keep:
            shutil.rmtree(d, ignore_errors=True)


if __name__ == "__main__":
    main()
