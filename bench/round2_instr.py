#!/usr/bin/env python3
"""round2_instr.py -- instructions per query of rbldnsd and dnsbld (callgrind).

    round2_instr.py [--sizes "100000 1000000 10000000"] [--datadir DIR]
                    [--bindir DIR] [--queries 20000] [--rate 2000] [--cache-sim]

A deterministic stand-in for "user CPU per query": /proc's user time is
tick-sampled and swings by tens of percent on a shared VM, and this VM has
no hardware counters, but the instructions a process executes per query
do not depend on the machine's load.  For each data size, on the same
gendata.py output (made if missing, as serve_bench.py does), each server
runs under `valgrind --tool=callgrind`, every thread counted:

  rbldnsd   Debian's, foreground, as serve_bench.py starts it (-u nobody)
  dnsbld    one worker (-w 1), its store loaded by dnsbl-loader beforehand
            (natively), DNSBLD_STORE_MAPSIZE 4 GiB (valgrind cannot map
            the default 64 GiB)

twice: run A answers the first --queries lines of the data's queries.txt,
sent once by dnsperf at --rate qps (valgrind is slow); run B starts the
same way, answers the same single probe, and idles as long as A's load
took.  Instructions per query = (Ir of A - Ir of B) / queries answered:
start-up, data loading, the probe, idle timers and shutdown cancel out.
(callgrind_control, which would switch counting on after start-up instead,
hung the servers on this VM: its vgdb could not interrupt them while they
wait in a system call.)  For dnsbld, the UDP thread alone is reported too
(udp_thread_main inclusive, callgrind_annotate).  --cache-sim adds
callgrind's simulated D1 and last-level data-cache misses per query
(a model: no TLB, no prefetcher; the last level is sized from the CPU
the VM reports, and dnsbld's store pages are first read during run A,
where rbldnsd's data was touched while loading, so its last-level misses
include those first reads).

Prints per size: the queries answered (dnsperf's "Queries completed", and
the server's own count), the response codes, instructions per query of
each server and the ratio dnsbld/rbldnsd.  Loopback only, ports --port
and the next (5970, 5971); every wait is bounded; servers are stopped and temporary files
removed on exit.  Needs valgrind, dnsperf, rbldnsd; run as root.
"""
import argparse
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import serve_bench as sb  # noqa: E402

MAPSIZE = 4 << 30


class Rbldnsd(sb.Rbldnsd):
    ready = "started ("   # its stderr line once the zones are loaded


class Dnsbld(sb.Dnsbld):
    ready = "serving "

    def command(self, data, cpus="0"):
        return super().command(data, cpus) + ["-w", "1"]


def callgrind(out, cache_sim):
    return ["valgrind", "--tool=callgrind", "--vgdb=no", "--callgrind-out-file=" + out,
            "--cache-sim=" + ("yes" if cache_sim else "no")]


def wait_ready(server, log, limit):
    """Until the server's log says it serves, then one probe answered."""
    t0 = time.monotonic()
    while time.monotonic() - t0 < limit:
        if server.proc.poll() is not None:
            with open(log, errors="replace") as f:
                raise RuntimeError("%s exited:\n%s" % (server.name, f.read()[-2000:]))
        with open(log, errors="replace") as f:
            if server.ready in f.read():
                break
        time.sleep(0.5)
    else:
        raise RuntimeError("%s not ready within %d s" % (server.name, limit))
    for _ in range(10):   # the first answer is slow: valgrind translates the code
        if sb.ask(server.port, "2.0.0.127.bl.bench", timeout=5) is not None:
            return time.monotonic() - t0
    raise RuntimeError("%s does not answer" % server.name)


def stop(server, limit=300):
    """SIGTERM and wait: callgrind writes its counts on the way out."""
    if server.proc and server.proc.poll() is None:
        server.proc.terminate()
        try:
            server.proc.wait(limit)
        except subprocess.TimeoutExpired:
            sb.log("%s did not exit in %d s" % (server.name, limit))
    server.stop()


def totals(path):
    """{event: count} of a callgrind output file, all threads."""
    events, tot = None, None
    with open(path) as f:
        for line in f:
            if line.startswith("events:"):
                events = line.split()[1:]
            elif line.startswith(("summary:", "totals:")):
                tot = [int(x) for x in line.split()[1:]]
    return dict(zip(events, tot))


def inclusive(path, func):
    """Inclusive Ir of one function (callgrind_annotate), 0 if absent."""
    out = subprocess.run(["callgrind_annotate", "--inclusive=yes", path],
                         capture_output=True, text=True, timeout=600).stdout
    for line in out.splitlines():
        m = re.match(r"\s*([\d,]+)\s.*\b%s\b" % func, line)
        if m:
            return int(m.group(1).replace(",", ""))
    return 0


def served(log):
    """The server's own count of queries answered, from its last stats line."""
    tot = None
    with open(log, errors="replace") as f:
        for line in f:
            m = re.search(r"stats for \d+secs?: tot=(\d+)", line)
            if m:
                tot = int(m.group(1))
    return tot


def one_run(server, data, work, queries, args, load, idle_s=0.0):
    """One callgrind run: (event totals, dnsperf's result or None, the
    server's count, udp_thread_main Ir, seconds of the load)."""
    tag = "%s.%s" % (server.name, "A" if load else "B")
    out = os.path.join(work, "cg." + tag)
    log = os.path.join(work, tag + ".log")
    # rbldnsd switches to nobody before callgrind writes: the file must be
    # its own already (callgrind reopens it then).
    open(out, "w").close()
    os.chown(out, 65534, 65534)
    server.wrap = callgrind(out, args.cache_sim)
    if isinstance(server, Dnsbld):
        server.wrap = ["env", "DNSBLD_STORE_MAPSIZE=%d" % MAPSIZE] + server.wrap
    # rbldnsd says it has started on stdout, dnsbld on stderr.
    server.proc = subprocess.Popen(server.command(data), stdout=open(log, "w"),
                                   stderr=subprocess.STDOUT)
    try:
        up = wait_ready(server, log, args.start_limit)
        time.sleep(1)
        res, load_s = None, idle_s
        if load:
            t0 = time.monotonic()
            res = sb.dnsperf(server.port, queries, args.queries // args.rate + 60,
                             rate=args.rate, passes=1)
            load_s = time.monotonic() - t0
        else:
            time.sleep(idle_s)
    finally:
        stop(server)
    ev = totals(out)
    udp = inclusive(out, "udp_thread_main") if isinstance(server, Dnsbld) else 0
    count = served(log)
    sb.log("  %s: ready in %.0f s, Ir %d, server count %s%s" % (
        tag, up, ev.get("Ir", 0), count,
        ", %s completed, %s lost" % (res.get("completed"), res.get("lost")) if res else ""))
    return ev, res, count, udp, load_s


def measure(server, data, work, queries, args):
    ev_a, res, count_a, udp_a, load_s = one_run(server, data, work, queries, args, True)
    ev_b, _, count_b, udp_b, _ = one_run(server, data, work, queries, args, False, load_s)
    n = res.get("completed", 0)
    r = {"completed": n, "lost": res.get("lost"), "rcodes": res.get("rcodes", "?"),
         "served": (count_a - count_b) if count_a is not None and count_b is not None else None,
         "ir_a": ev_a["Ir"], "ir_b": ev_b["Ir"]}
    if n:
        r["ir"] = (ev_a["Ir"] - ev_b["Ir"]) / n
        r["udp"] = (udp_a - udp_b) / n
        for k in ("D1mr", "D1mw", "DLmr", "DLmw", "Dr", "Dw"):
            if k in ev_a:
                r[k] = (ev_a[k] - ev_b[k]) / n
    return r


def table(size, rb, db, args):
    def f(v, fmt="%.0f"):
        return fmt % v if v is not None else "-"

    def ratio(a, b):   # none against a near-zero count
        return "%.2f" % (b / a) if a and a >= 0.05 and b is not None else "-"
    lines = ["", "### %d ip4set lines" % size, "",
             "| per answered query | rbldnsd | dnsbld | dnsbld/rbldnsd |",
             "|---|---:|---:|---:|",
             "| instructions, whole process | %s | %s | %s |" % (
                 f(rb.get("ir")), f(db.get("ir")), ratio(rb.get("ir"), db.get("ir"))),
             "|   dnsbld's UDP thread (udp_thread_main inclusive) | - | %s | %s |" % (
                 f(db.get("udp")), ratio(rb.get("ir"), db.get("udp")))]
    if args.cache_sim:
        for key, label in (("D1m", "D1 data misses (read + write)"),
                           ("DLm", "last-level data misses (read + write)")):
            a = rb.get(key + "r", 0) + rb.get(key + "w", 0) if key + "r" in rb else None
            b = db.get(key + "r", 0) + db.get(key + "w", 0) if key + "r" in db else None
            lines.append("| %s | %s | %s | %s |" % (label, f(a, "%.2f"), f(b, "%.2f"),
                                                    ratio(a, b)))
    lines.append("| queries completed (dnsperf) / counted by the server | %s / %s | %s / %s | |"
                 % (f(rb.get("completed")), f(rb.get("served")),
                    f(db.get("completed")), f(db.get("served"))))
    lines += ["", "Response codes: rbldnsd %s; dnsbld %s." % (rb.get("rcodes"),
                                                              db.get("rcodes"))]
    return "\n".join(lines)


def main():
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", default="100000 1000000 10000000", help="ip4set sizes")
    ap.add_argument("--datadir", help="gendata.py output per size (DIR/data-N), "
                    "reused if present, else made there (default: a temporary dir)")
    ap.add_argument("--bindir", default=os.path.join(sb.ROOT, "build", "bin"))
    ap.add_argument("--queries", type=int, default=20000,
                    help="the first N lines of queries.txt, sent once")
    ap.add_argument("--rate", type=int, default=2000, help="dnsperf -Q")
    ap.add_argument("--cache-sim", action="store_true",
                    help="also count simulated data-cache misses (slower start-up)")
    ap.add_argument("--only", choices=("rbldnsd", "dnsbld"))
    ap.add_argument("--port", type=int, default=5970, help="rbldnsd's; dnsbld's is the next")
    ap.add_argument("--start-limit", type=int, default=1800,
                    help="seconds a server may take to load under valgrind")
    args = ap.parse_args()
    for tool in ("valgrind", "callgrind_annotate", "dnsperf", "rbldnsd"):
        if not shutil.which(tool):
            sys.exit("round2_instr.py: %s is needed" % tool)
    work = tempfile.mkdtemp(prefix="dnsbld-instr.")
    os.chmod(work, 0o755)   # rbldnsd runs as nobody
    try:
        print("# instructions per query (callgrind) -- %s, %s" % (
            time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
            " ".join(sys.argv[1:]) or "defaults"), flush=True)
        for size in (int(s) for s in args.sizes.split()):
            data, _ = sb.bench_data(args.datadir or work, size)
            queries = os.path.join(work, "queries-%d.txt" % size)
            with open(os.path.join(data, "queries.txt")) as src, open(queries, "w") as dst:
                for i, line in enumerate(src):
                    if i == args.queries:
                        break
                    dst.write(line)
            servers = [Rbldnsd("rbldnsd", work, args.port),
                       Dnsbld("dnsbld", work, args.port + 1, args.bindir)]
            res = {}
            for s in servers:
                if args.only and s.name != args.only:
                    continue
                sb.log("%d lines: %s" % (size, s.name))
                s.prepare(data)
                res[s.name] = measure(s, data, work, queries, args)
            print(table(size, res.get("rbldnsd", {}), res.get("dnsbld", {}), args), flush=True)
    finally:
        for s in locals().get("servers", []):
            s.stop()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
