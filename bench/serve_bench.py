#!/usr/bin/env python3
"""serve_bench.py -- dnsbld against Debian's rbldnsd, same data, same load.

For each data size it generates deterministic data (bench/gendata.py), then
runs rbldnsd and dnsbld on loopback, the servers pinned to one core and
dnsperf to the other.  Both servers are up at the same time (an idle one only
sleeps) and every load figure is taken from each in turn, repeat after
repeat, so a shared machine's changing background load hits both alike.
It measures for each:

  peak qps          dnsperf with no rate limit (it saturates near one core)
  CPU us/query      server utime+stime / answered queries at fixed rates
                    (--cpu-rate, several allowed), also split into user and
                    kernel time, and the capacity that projects to on one
                    core (1 s / CPU per query)
  p50 / p99 ms      latency at a fixed, moderate rate (dnsperf -v), the
                    medians over --latency-repeat runs (more than the other
                    figures: one host hiccup in one of three runs moved a
                    p99 by 3x here)
  anon RSS          private memory (RssAnon), after the load
  store size        dnsbld's LMDB files (allocated blocks), fresh and after
                    --updates successive 1% updates (the loader compacts
                    after each); rbldnsd keeps its data in RSS instead
  start-up ms       exec to the first answer (dnsbld's store is already
                    loaded by dnsbl-loader, timed separately as "load s")
  update ms         1% of the ip4set rewritten (rsync style, rename over) to
                    the new answer being served (median of --updates); the
                    update command's own end (dnsbld: the loader, with its
                    compaction); lost queries during them

and prints a table with the dnsbld/rbldnsd ratio of each figure.  A third
column, "UDP floor", is bench/udp_floor.c under the same load: an echo with
dnsbld's batched I/O and no DNS work, i.e. the kernel's share of the CPU
per query that no UDP server on this machine can go below.  Every
load is bounded in time (dnsperf -l) and targets 127.0.0.1 only.  The
medians of --repeat runs are reported: these machines are shared and noisy.
dnsbld runs with its default worker count, which is the number of cores it
may use: one here, as it is pinned like rbldnsd.  --datadir keeps the
generated data (per size) for the next run: 10M lines take minutes to make.
"""
import argparse
import os
import random
import shutil
import signal
import socket
import statistics
import struct
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
CLK_TCK = os.sysconf("SC_CLK_TCK")


NICE = 0   # --nice: every server and dnsperf run at this niceness


def pin(cpus):
    """Command prefix: pinned to `cpus`, at the benchmark's niceness (a
    shared machine's other jobs then disturb both servers less)."""
    return (["nice", "-n", str(NICE)] if NICE else []) + ["taskset", "-c", cpus]


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def dns_query(name, qtype=1, qid=None):
    qid = random.getrandbits(16) if qid is None else qid
    wire = b"".join(bytes([len(l)]) + l.encode() for l in name.split(".") if l) + b"\0"
    return struct.pack("!HHHHHH", qid, 0x0100, 1, 0, 0, 0) + wire + struct.pack("!HH", qtype, 1)


def ask(port, name, qtype=1, timeout=0.05):
    """Returns (rcode, ancount) of one UDP query, or None without answer."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.settimeout(timeout)
        q = dns_query(name, qtype)
        s.sendto(q, ("127.0.0.1", port))
        try:
            r, _ = s.recvfrom(4096)
        except OSError:
            return None
        if len(r) < 12 or r[:2] != q[:2]:
            return None
        return r[3] & 15, struct.unpack("!H", r[6:8])[0]


def wait_answer(port, t0, limit=120.0):
    """Polls until the server answers; returns seconds since t0."""
    while time.monotonic() - t0 < limit:
        if ask(port, "2.0.0.127.bl.bench", timeout=0.002) is not None:
            return time.monotonic() - t0
    raise RuntimeError("server did not answer within %.0f s" % limit)


def cpu_times(pid):
    """(user, system) CPU seconds of a process, all its threads."""
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return int(fields[11]) / CLK_TCK, int(fields[12]) / CLK_TCK


def rss_anon_kib(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("RssAnon:"):
                return int(line.split()[1])
    return 0


def dnsperf(port, queries, seconds, rate=None, verbose=False, passes=None):
    """passes: stop after that many runs through the query file (or at
    `seconds`, whichever comes first)."""
    cmd = pin("1") + ["dnsperf", "-s", "127.0.0.1", "-p", str(port),
           "-d", queries, "-l", str(seconds), "-c", "8", "-q", "400", "-t", "2"]
    if rate:
        cmd += ["-Q", str(rate)]
    if passes:
        cmd += ["-n", str(passes)]
    if verbose:
        cmd += ["-v"]
    res = {"lat": []}
    try:
        out = subprocess.run(cmd, capture_output=True, text=True,
                             timeout=seconds + 30).stdout
    except subprocess.TimeoutExpired:
        log("dnsperf on port %d did not end in time: run ignored" % port)
        return res
    for line in out.splitlines():
        line = line.strip()
        if line.startswith("> ") and verbose:
            try:   # "> RCODE name TYPE seconds"; timed-out queries have none
                res["lat"].append(float(line.rsplit(" ", 1)[1]))
            except ValueError:
                pass
        elif line.startswith("Queries completed:"):
            res["completed"] = int(line.split()[2])
        elif line.startswith("Queries lost:"):
            res["lost"] = int(line.split()[2])
        elif line.startswith("Queries per second:"):
            res["qps"] = float(line.split()[3])
        elif line.startswith("Run time (s):"):
            res["run_s"] = float(line.split()[3])
        elif line.startswith("Response codes:"):
            res["rcodes"] = line.split(":", 1)[1].strip()
    return res


def percentile(values, p):
    if not values:
        return float("nan")
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * p))]


class Server:
    """One server under test: start, pid, stop, and how it takes updates."""
    has_data = True
    wrap = []   # run the server under this (e.g. valgrind), after the pinning

    def __init__(self, name, workdir, port):
        self.name, self.workdir, self.port = name, workdir, port
        self.proc = None

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None


class Rbldnsd(Server):
    def command(self, data, cpus="0"):
        return pin(cpus) + self.wrap + ["rbldnsd", "-n",
                "-b", "127.0.0.1/%d" % self.port, "-u", "nobody", "-c", "0",
                "bl.bench:ip4set:%s/bl.ip4set" % data,
                "v6.bench:ip6trie:%s/v6.ip6trie" % data,
                "dbl.bench:dnset:%s/dbl.dnset" % data]

    def prepare(self, data):
        return {}

    def start(self, data, cpus="0"):
        self.proc = subprocess.Popen(self.command(data, cpus), stdout=subprocess.DEVNULL,
                                     stderr=open(os.path.join(self.workdir, "rbldnsd.log"), "w"))

    def store_bytes(self):
        return 0

    def apply_update(self, data):
        # rbldnsd polls every -c seconds; a HUP makes it re-check right away,
        # which is the best case for it.
        self.proc.send_signal(signal.SIGHUP)


class Dnsbld(Server):
    def __init__(self, name, workdir, port, bindir):
        super().__init__(name, workdir, port)
        self.bindir = bindir
        self.cfg = os.path.join(workdir, "bench.yaml")
        self.store = os.path.join(workdir, "store")
        self.watcher = None

    def write_config(self, data):
        with open(self.cfg, "w") as f:
            f.write("store: %s\n" % self.store)
            f.write("listen: [\"127.0.0.1:%d\"]\n" % self.port)
            f.write("datasets:\n")
            f.write("  bl: {type: ip4set, files: [%s/bl.ip4set]}\n" % data)
            f.write("  v6: {type: ip6trie, files: [%s/v6.ip6trie]}\n" % data)
            f.write("  dbl: {type: dnset, files: [%s/dbl.dnset]}\n" % data)
            f.write("zones:\n")
            f.write("  bl.bench: {datasets: [bl]}\n")
            f.write("  v6.bench: {datasets: [v6]}\n")
            f.write("  dbl.bench: {datasets: [dbl]}\n")

    def prepare(self, data):
        shutil.rmtree(self.store, ignore_errors=True)
        self.write_config(data)
        t0 = time.monotonic()
        subprocess.run([os.path.join(self.bindir, "dnsbl-loader"), "-c", self.cfg, "load"],
                       check=True, stdout=subprocess.DEVNULL)
        return {"load_s": time.monotonic() - t0}

    def command(self, data, cpus="0"):
        # Default workers: one per core it may use (1 pinned, 2 on 0,1).
        return pin(cpus) + self.wrap + [os.path.join(self.bindir, "dnsbld"), "-c", self.cfg]

    def start(self, data, cpus="0"):
        self.proc = subprocess.Popen(
            self.command(data, cpus),
            stdout=subprocess.DEVNULL,
            stderr=open(os.path.join(self.workdir, "dnsbld.log"), "w"))

    def store_bytes(self):
        # Every instance directory (after a compaction only the current
        # one is left) and the files in them.
        total = 0
        for top, _dirs, files in os.walk(self.store):
            for f in files:
                total += os.stat(os.path.join(top, f)).st_blocks * 512
        return total

    def apply_update(self, data):
        # The loader writes only the diff, in one transaction; the running
        # server sees it on its next batch.  Then the loader compacts the
        # store (a 1% change touches most pages), which the server follows.
        return subprocess.Popen(
            [os.path.join(self.bindir, "dnsbl-loader"), "-c", self.cfg, "load", "bl"],
            stdout=subprocess.DEVNULL)


class Floor(Server):
    """bench/udp_floor.c: echoes queries with the same batched I/O as
    dnsbld and does nothing else, so its CPU per query is the kernel's
    share that every UDP server pays."""

    has_data = False

    def __init__(self, name, workdir, port):
        super().__init__(name, workdir, port)
        self.binary = os.path.join(workdir, "udp_floor")

    def prepare(self, data):
        return {}

    def available(self):
        if not os.path.exists(self.binary):
            cc = shutil.which("cc") or shutil.which("gcc")
            if not cc:
                return False
            subprocess.run([cc, "-O2", "-o", self.binary,
                            os.path.join(HERE, "udp_floor.c")], check=True)
        return True

    def start(self, data, cpus="0"):
        self.proc = subprocess.Popen(pin(cpus) + [self.binary, str(self.port)])


def rev4(text):
    return ".".join(reversed(text.split(".")))


def cpu_run(server, data, args, rate):
    """One fixed-rate run: (CPU us/query, user, kernel, qps answered)."""
    u0, s0 = cpu_times(server.proc.pid)
    res = dnsperf(server.port, os.path.join(data, "queries.txt"), args.duration, rate=rate)
    u1, s1 = cpu_times(server.proc.pid)
    n = max(1, res.get("completed", 0))
    return ((u1 - u0 + s1 - s0) / n * 1e6, (u1 - u0) / n * 1e6, (s1 - s0) / n * 1e6,
            res.get("qps", 0), res.get("lost", 0))


def measure_update(server, data, args, r):
    """args.updates successive 1% updates under a steady load: time to the
    new answer (median), losses, memory and store size after the last."""
    snapshot = os.path.join(data, "bl.ip4set.orig")
    shutil.copyfile(os.path.join(data, "bl.ip4set"), snapshot)
    times, applies, lost = [], [], 0
    try:
        for k in range(args.updates):
            # A new seed each time: every update changes another 1%.
            subprocess.run([sys.executable, os.path.join(HERE, "gendata.py"), data,
                            "--mutate", "0.01", "--seed", str(100 + k)], check=True)
            with open(os.path.join(data, "changes.txt")) as f:
                changes = dict(line.split() for line in f)
            added = "%s.bl.bench" % rev4(changes["added"])
            load = subprocess.Popen(
                pin("1") + ["dnsperf", "-s", "127.0.0.1", "-p", str(server.port),
                            "-d", os.path.join(data, "queries.txt"), "-l", "6",
                            "-Q", str(args.update_rate), "-t", "2"],
                stdout=subprocess.PIPE, text=True)
            time.sleep(1)
            t0 = time.monotonic()
            loader = server.apply_update(data)
            while time.monotonic() - t0 < 60:
                a = ask(server.port, added, timeout=0.01)
                if a is not None and a[0] == 0 and a[1] > 0:
                    break
            times.append((time.monotonic() - t0) * 1000)
            if loader is not None:   # its whole run, compaction included
                loader.wait(timeout=120)
            applies.append((time.monotonic() - t0) * 1000)
            out = load.communicate(timeout=60)[0]
            lost += next((int(l.split()[2]) for l in out.splitlines()
                          if l.strip().startswith("Queries lost:")), -1)
        time.sleep(1.5)   # a server lets go of a replaced store file when idle
        r["update_ms"] = statistics.median(times)
        r["apply_ms"] = statistics.median(applies)
        r["update_lost"] = lost
        r["rss_after_kib"] = rss_anon_kib(server.proc.pid)
        r["store_after_bytes"] = server.store_bytes()
    finally:
        os.replace(snapshot, os.path.join(data, "bl.ip4set"))


def measure_all(servers, data, args):
    """Every figure of every server.  All servers run at once on core 0
    (an idle one only sleeps) and each load figure is measured in turn,
    server after server, repeat after repeat, so the drift of a shared
    machine's background load hits them all alike."""
    res = {s.name: {} for s in servers}
    queries = os.path.join(data, "queries.txt")
    try:
        for s in servers:
            log("starting %s" % s.name)
            res[s.name].update(s.prepare(data))
            t0 = time.monotonic()
            s.start(data)
            res[s.name]["startup_ms"] = wait_answer(s.port, t0) * 1000
        time.sleep(0.5)
        log("peak qps")
        peaks = {s.name: [] for s in servers}
        for _ in range(args.repeat):
            for s in servers:
                u0, s0 = cpu_times(s.proc.pid)
                run = dnsperf(s.port, queries, args.duration)
                u1, s1 = cpu_times(s.proc.pid)
                if run.get("qps") and run.get("run_s"):
                    # How much of its core the server needed to keep up.
                    share = (u1 - u0 + s1 - s0) / run["run_s"] * 100
                    peaks[s.name].append((run["qps"], share))
        for s in servers:
            if peaks[s.name]:
                q = statistics.median(x[0] for x in peaks[s.name])
                res[s.name]["peak_qps"] = q
                res[s.name]["peak_cpu_pct"] = min(
                    peaks[s.name], key=lambda x: abs(x[0] - q))[1]
        for rate in args.cpu_rates:
            log("CPU per query at %d qps" % rate)
            runs = {s.name: [] for s in servers}
            for _ in range(args.repeat):
                for s in servers:
                    runs[s.name].append(cpu_run(s, data, args, rate))
            for s in servers:
                med = statistics.median([x[0] for x in runs[s.name]])
                tot, usr, sys_, qps, lost = min(runs[s.name],
                                                key=lambda x: abs(x[0] - med))
                r = res[s.name]
                r["cpu_us@%d" % rate], r["cpu_user_us@%d" % rate] = tot, usr
                r["cpu_sys_us@%d" % rate], r["cpu_qps@%d" % rate] = sys_, qps
                r["cpu_lost@%d" % rate] = lost
                r["capacity@%d" % rate] = 1e6 / tot if tot else None
        log("latency at %d qps" % args.latency_rate)
        lats = {s.name: [] for s in servers}
        for _ in range(args.latency_repeat):
            for s in servers:
                lat = dnsperf(s.port, queries, args.duration, rate=args.latency_rate,
                              verbose=True)["lat"]
                if lat:
                    lats[s.name].append((percentile(lat, 0.50) * 1000,
                                         percentile(lat, 0.99) * 1000))
        for s in servers:
            if lats[s.name]:   # medians over the runs
                res[s.name]["p50_ms"] = statistics.median(x[0] for x in lats[s.name])
                res[s.name]["p99_ms"] = statistics.median(x[1] for x in lats[s.name])
        for s in servers:
            if s.has_data:
                res[s.name]["rss_kib"] = rss_anon_kib(s.proc.pid)
                res[s.name]["store_bytes"] = s.store_bytes()
                log("1%% update, %s" % s.name)
                measure_update(s, data, args, res[s.name])
    finally:
        for s in servers:
            s.stop()
    # All cores: the server may run on both (dnsbld then starts a worker
    # per core; rbldnsd has one thread), dnsperf still on core 1.
    for s in servers:
        if not s.has_data:
            continue
        log("peak qps on all cores, %s" % s.name)
        try:
            t0 = time.monotonic()
            s.start(data, cpus="0,1")
            wait_answer(s.port, t0)
            time.sleep(0.5)
            res[s.name]["peak_all_qps"] = dnsperf(s.port, queries, args.duration)["qps"]
        finally:
            s.stop()
    return res


def bench_data(base, size):
    """gendata.py's output for `size` ip4set lines under base/data-SIZE,
    made unless already there, readable by rbldnsd's user: (the directory,
    seconds taken to make it or None)."""
    data = os.path.join(base, "data-%d" % size)
    gen_s = None
    if not os.path.exists(os.path.join(data, "queries.txt")):
        log("generating %d lines in %s" % (size, data))
        t0 = time.monotonic()
        subprocess.run([sys.executable, os.path.join(HERE, "gendata.py"), data,
                        "--ip4", str(size)], check=True)
        gen_s = time.monotonic() - t0
        log("generated in %.1f s" % gen_s)
    os.chmod(base, 0o755)
    for f in os.listdir(data):
        os.chmod(os.path.join(data, f), 0o644)
    os.chmod(data, 0o755)
    return data, gen_s


def rows(args):
    """(key, label, format) of every table row, in order."""
    out = [("peak_qps", "peak qps (1 core, dnsperf-bound)", "%.0f"),
           ("peak_cpu_pct", "  server CPU at that rate, % of its core", "%.0f"),
           ("peak_all_qps", "peak qps, server on all cores (dnsperf shares one)", "%.0f")]
    for rate in args.cpu_rates:
        k = "%dk" % (rate // 1000)
        out += [("cpu_qps@%d" % rate, "qps answered @ %s offered" % k, "%.0f"),
                ("cpu_lost@%d" % rate, "  queries lost (of %d s worth)" % args.duration,
                 "%.0f"),
                ("cpu_us@%d" % rate, "server CPU us/query @ %s" % k, "%.2f"),
                ("cpu_user_us@%d" % rate, "  of which user us/query", "%.2f"),
                ("cpu_sys_us@%d" % rate, "  of which kernel us/query", "%.2f"),
                ("capacity@%d" % rate, "capacity projected from CPU @ %s, qps/core" % k,
                 "%.0f")]
    lat = "%dk" % (args.latency_rate // 1000)
    out += [("p50_ms", "latency p50 ms @ %s" % lat, "%.3f"),
            ("p99_ms", "latency p99 ms @ %s" % lat, "%.3f"),
            ("rss_kib", "private memory (RssAnon) KiB", "%.0f"),
            ("rss_after_kib", "private memory after update KiB", "%.0f"),
            ("store_bytes", "store size bytes (rbldnsd: its RssAnon)", "%.0f"),
            ("store_after_bytes", "store size after the 1% updates bytes", "%.0f"),
            ("startup_ms", "start-up to first answer ms", "%.1f"),
            ("update_ms", "1% update to new answer ms (median)", "%.1f"),
            ("apply_ms", "  update command done (dnsbld: loader incl. compaction) ms",
             "%.1f"),
            ("update_lost", "queries lost during update", "%.0f")]
    return out


def table(size, rb, db, args, fl=None):
    fl = fl or {}
    lines = ["", "### %d ip4set lines" % size, "",
             "| figure | rbldnsd | dnsbld | dnsbld/rbldnsd | UDP floor |",
             "|---|---:|---:|---:|---:|"]
    for key, label, fmt in rows(args):
        f = fl.get(key)
        a, b = rb.get(key), db.get(key)
        if key.startswith("store") and not a:
            # rbldnsd holds its data in private memory instead.
            rss = rb.get("rss_kib" if key == "store_bytes" else "rss_after_kib")
            a = rss * 1024 if rss else None
        ratio = "%.2f" % (b / a) if a and b is not None else "-"
        lines.append("| %s | %s | %s | %s | %s |" % (
            label, fmt % a if a is not None else "-", fmt % b if b is not None else "-",
            ratio, fmt % f if f is not None else ""))
    if "load_s" in db:
        lines.append("| dnsbl-loader full load s | - | %.2f | - | |" % db["load_s"])
    if "gen_s" in db:
        lines.append("| data generation s (gendata.py) | %.1f | | | |" % db["gen_s"])
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", default="1000000", help="ip4set sizes, e.g. '100000 1000000 10000000'")
    ap.add_argument("--duration", type=int, default=10, help="seconds per dnsperf run")
    ap.add_argument("--repeat", type=int, default=3, help="runs per figure (median)")
    ap.add_argument("--cpu-rate", default="50000 100000",
                    help="offered rates for the CPU figures, e.g. '50000 100000'")
    ap.add_argument("--latency-rate", type=int, default=20000)
    ap.add_argument("--latency-repeat", type=int, default=8,
                    help="runs per latency figure (median)")
    ap.add_argument("--update-rate", type=int, default=50000)
    ap.add_argument("--updates", type=int, default=3,
                    help="successive 1%% updates (store size is after the last)")
    ap.add_argument("--bindir", default=os.path.join(ROOT, "build", "bin"))
    ap.add_argument("--only", choices=("rbldnsd", "dnsbld"))
    ap.add_argument("--datadir", help="keep generated data here (reused if present)")
    ap.add_argument("--nice", type=int, default=-10,
                    help="niceness of the servers and dnsperf when run as root (0: leave)")
    ap.add_argument("--no-floor", action="store_true",
                    help="skip the UDP floor (bench/udp_floor.c, needs a C compiler)")
    args = ap.parse_args()
    args.cpu_rates = [int(x) for x in args.cpu_rate.split()]
    global NICE
    NICE = args.nice if os.geteuid() == 0 else 0

    work = tempfile.mkdtemp(prefix="dnsbld-bench.")
    os.chmod(work, 0o755)   # rbldnsd runs as nobody and must read the data
    try:
        print("# dnsbld vs rbldnsd -- %s, %d cores, nice %d, %s" % (
            time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), os.cpu_count(), NICE,
            " ".join(sys.argv[1:]) or "defaults"))
        for size in (int(s) for s in args.sizes.split()):
            data, gen_s = bench_data(args.datadir or work, size)
            servers = [Rbldnsd("rbldnsd", work, 5391),
                       Dnsbld("dnsbld", work, 5392, args.bindir)]
            servers = [x for x in servers if not args.only or x.name == args.only]
            fsrv = Floor("floor", work, 5393)
            if not args.only and not args.no_floor and fsrv.available():
                servers.append(fsrv)
            t0 = time.monotonic()
            results = measure_all(servers, data, args)
            log("measured in %.0f s" % (time.monotonic() - t0))
            floor = results.get("floor", {})
            if gen_s is not None:
                results.setdefault("dnsbld", {})["gen_s"] = gen_s
            print(table(size, results.get("rbldnsd", {}), results.get("dnsbld", {}), args,
                        floor), flush=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
