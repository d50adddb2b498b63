#!/usr/bin/env python3
"""round2_cpu.py -- CPU per query of rbldnsd, dnsbld and the UDP floor.

    round2_cpu.py WORKDIR DATADIR BINDIR PORT0 RATES DURATION REPEAT

The first round's method, taken from serve_bench.py rather than copied:
DATADIR is gendata.py's output (ip4set, ip6trie, dnset and the query mix);
the three servers (ports PORT0..PORT0+2) all run at once pinned to core 0,
dnsperf on core 1 at each fixed rate in RATES ("50000 100000"), DURATION
seconds per run, and each run is taken from every server in turn, REPEAT
times.  Prints key=value lines: the median total, user and kernel
microseconds of CPU per answered query of each server at each rate, and
the median rate answered (below RATE when dnsperf could not keep up: a
busy machine).
"""
import argparse
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import serve_bench as sb  # noqa: E402


def main():
    work, data, bindir, port0 = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    rates = [int(r) for r in sys.argv[5].split()]
    args = argparse.Namespace(duration=int(sys.argv[6]))
    repeat = int(sys.argv[7])
    # As serve_bench.py run as root: servers and dnsperf at nice -10.
    sb.NICE = -10 if os.geteuid() == 0 else 0
    floor = sb.Floor("floor", work, port0 + 2)
    servers = [sb.Rbldnsd("rbldnsd", work, port0), sb.Dnsbld("dnsbld", work, port0 + 1, bindir)]
    if floor.available():
        servers.append(floor)
    try:
        for s in servers:
            s.prepare(data)
            t0 = time.monotonic()
            s.start(data)
            sb.wait_answer(s.port, t0)
        time.sleep(0.5)
        for rate in rates:
            runs = {s.name: [] for s in servers}
            for k in range(repeat):
                for s in servers:
                    tot, usr, ker, qps, lost = sb.cpu_run(s, data, args, rate)
                    runs[s.name].append((tot, usr, ker, qps))
                    sb.log("  %s @ %d qps, run %d: %.2f us/query (user %.2f, kernel %.2f), "
                           "%.0f qps answered, %d lost" % (s.name, rate, k + 1, tot, usr,
                                                           ker, qps, lost))
            for s in servers:
                for i, what in enumerate(("total", "user", "kernel", "qps")):
                    print("cpu_%s_%s_%d=%.2f" % (s.name, what, rate,
                                                 statistics.median(x[i] for x in runs[s.name])))
    finally:
        for s in servers:
            s.stop()


if __name__ == "__main__":
    main()
