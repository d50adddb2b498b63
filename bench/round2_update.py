#!/usr/bin/env python3
"""round2_update.py -- feed file renamed in -> new answers, for one server.

Called by bench/round2.sh with a server already answering on PORT from
FEED.  VERSIONS are files to rename over FEED in turn, as rsync does (a
copy beside FEED, then rename(2)); version k lists the canary address
CANARY[k], which the version before it does not.  For each version it
copies the file in, starts dnsperf (serve_bench.dnsperf: pinned to core 1,
bounded by -l) at --qps unless --qps 0, for a window that covers the flip
(--load-seconds, or more: twice the slowest flip seen or --expect, plus
3 s), waits a second, then runs
tests/integration/watch_flip.py, which renames, optionally sends SIGHUP,
and polls the canary until it is answered.  Prints, as key=value lines on
stdout, the median seconds from rename to the new answer and the median
queries dnsperf lost per flip, and how many flips still ended after their
window (their losses are then undercounted); every flip goes to stderr.
"""
import argparse
import os
import shutil
import statistics
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import serve_bench as sb  # noqa: E402  (dnsperf, ask, log)

FLIP = os.path.join(os.path.dirname(HERE), "tests", "integration", "watch_flip.py")


def rev4(addr):
    return ".".join(reversed(addr.split(".")))


def flip(args, version, canary, window):
    """One rename under a dnsperf run of `window` seconds; returns
    (seconds to the new answer, queries lost)."""
    name = "%s.bl.bench" % rev4(canary)
    a = sb.ask(args.port, name, timeout=1.0)
    if a is not None and a[0] == 0 and a[1] > 0:
        raise RuntimeError("canary %s already listed before the rename" % canary)
    tmp = os.path.join(os.path.dirname(args.feed), ".%s.round2" % os.path.basename(args.feed))
    shutil.copyfile(version, tmp)
    os.chmod(tmp, 0o644)
    perf = {}
    load = None
    if args.qps:
        load = threading.Thread(target=lambda: perf.update(
            sb.dnsperf(args.port, args.queries, window, rate=args.qps)))
        load.start()
    time.sleep(1)   # the load running, the copy's own events settled
    cmd = [sys.executable, FLIP, str(args.port), tmp, args.feed, name, str(args.pid)]
    if args.hup:
        cmd += ["--hup", str(args.pid)]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=90).stdout
    try:
        secs = float(out.split("rename -> served:")[1].split()[0])
    except (IndexError, ValueError):
        raise RuntimeError("the new answer never came: %s" % out.strip())
    if load:
        load.join(window + 40)
    lost = perf.get("lost", -1) if args.qps else 0
    sb.log("  %s: %.3f s to the new answer, %d queries lost (%s)" % (
        os.path.basename(version), secs, lost, out.strip()))
    time.sleep(args.settle)
    return secs, lost


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--pid", type=int, required=True, help="the server (RSS, --hup)")
    ap.add_argument("--feed", required=True, help="the file the server reads")
    ap.add_argument("--queries", required=True, help="dnsperf input")
    ap.add_argument("--qps", type=int, default=50000, help="0: no query load")
    ap.add_argument("--load-seconds", type=int, default=10, help="dnsperf -l per flip")
    ap.add_argument("--expect", type=float, default=0.0,
                    help="seconds a flip is expected to take (sizes the dnsperf window)")
    ap.add_argument("--hup", action="store_true", help="SIGHUP the server after the rename")
    ap.add_argument("--settle", type=float, default=1.0, help="seconds after each flip")
    ap.add_argument("--key", required=True, help="prefix of the printed keys")
    ap.add_argument("--baseline", action="store_true",
                    help="first a dnsperf run with no update: the losses without one")
    ap.add_argument("flips", nargs="+", metavar="VERSION:CANARY")
    args = ap.parse_args()
    if args.baseline and args.qps:
        res = sb.dnsperf(args.port, args.queries, args.load_seconds, rate=args.qps)
        print("%s_baseline_lost=%d" % (args.key, res.get("lost", -1)))
        sb.log("  no update, %d s at %d qps: %d queries lost" % (
            args.load_seconds, args.qps, res.get("lost", -1)))
    secs, lost, short, windows = [], [], 0, []
    expect = args.expect
    for spec in args.flips:
        version, canary = spec.rsplit(":", 1)
        window = max(args.load_seconds, int(2 * expect + 3.999))
        s, n = flip(args, version, canary, window)
        secs.append(s)
        lost.append(n)
        windows.append(window)
        expect = max(expect, s)
        if args.qps and s > window - 1:
            short += 1
            sb.log("  (that flip ended after dnsperf's %d s window)" % window)
    print("%s_s=%.3f" % (args.key, statistics.median(secs)))
    print("%s_lost=%d" % (args.key, statistics.median(lost)))
    print("%s_window=%d" % (args.key, max(windows)))
    print("%s_short=%d" % (args.key, short))
    print("%s_all=%s" % (args.key, ",".join("%.2f/%d" % x for x in zip(secs, lost))))


if __name__ == "__main__":
    main()
