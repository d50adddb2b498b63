#!/usr/bin/env python3
"""round2_space.py -- successive 1% updates while dnsbld answers.

    round2_space.py CONFIG LOADER FEED PORT ROUNDS FRACTION STORE

dnsbld is already answering on PORT from the store of CONFIG, whose
dataset bl reads FEED.  Each round changes FRACTION of FEED's lines
(gendata.py --mutate, a new seed each round, in a copy beside FEED that is
then renamed over it, as rsync does) and runs `dnsbl-loader load bl` under
proc_peak.py.  Meanwhile a probe asks the zone's SOA every 5 ms and counts
the questions left without an answer for 1 s.  Prints key=value lines: the
loader's median wall time, user+sys CPU, peak RSS and peak private memory
(RssAnon) per update, the
unanswered probes, and the store's peak: the largest data.mdb the loader
reported before compacting, and the most the STORE directory held (all its
instances: the server lets go of a replaced one when idle) right after a
load returned.
"""
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import serve_bench as sb  # noqa: E402


class Prober(threading.Thread):
    """Asks bl.bench SOA every 5 ms, one question at a time."""

    def __init__(self, port):
        super().__init__(daemon=True)
        self.port, self.sent, self.unanswered = port, 0, 0
        self.done = threading.Event()

    def run(self):
        while not self.done.is_set():
            self.sent += 1
            if sb.ask(self.port, "bl.bench", qtype=6, timeout=1.0) is None:
                self.unanswered += 1
            time.sleep(0.005)


def main():
    cfg, loader, feed, port = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    rounds, fraction, store = int(sys.argv[5]), sys.argv[6], sys.argv[7]
    side = os.path.join(os.path.dirname(feed), ".round2-space")
    os.makedirs(side, exist_ok=True)
    # serve_bench's way of sizing a store: every file of every instance.
    sized = sb.Dnsbld("dnsbld", os.path.dirname(store), port, "")
    sized.store = store
    prober = Prober(port)
    prober.start()
    walls, cpus, rsss, anons, before_mb, dir_bytes = [], [], [], [], [0.0], []
    try:
        for k in range(rounds):
            mine = os.path.join(side, os.path.basename(feed))
            shutil.copyfile(feed, mine)
            subprocess.run([sys.executable, os.path.join(HERE, "gendata.py"), side,
                            "--mutate", fraction, "--seed", str(300 + k)], check=True)
            os.chmod(mine, 0o644)
            os.rename(mine, feed)
            timing = os.path.join(os.path.dirname(store), "space.time")
            out = subprocess.run([sys.executable, os.path.join(HERE, "proc_peak.py"), "-o",
                                  timing, "--", loader, "-c", cfg, "load", "bl"],
                                 capture_output=True, text=True, timeout=900)
            if out.returncode != 0:
                raise RuntimeError("dnsbl-loader failed: %s" % out.stderr)
            dir_bytes.append(sized.store_bytes())
            before_mb += [float(x) for x in re.findall(r"compacted into v\d+, ([0-9.]+) MB",
                                                       out.stdout + out.stderr)]
            with open(timing) as f:
                wall, user, system, rss, anon = f.read().split()[1:]
            walls.append(float(wall))
            cpus.append(float(user) + float(system))
            rsss.append(int(rss))
            anons.append(int(anon))
            sb.log("  round %d: %s s wall, %.2f s CPU, max RSS %s KiB (private %s KiB); %s" % (
                k + 1, wall, cpus[-1], rss, anon, out.stdout.strip()))
        time.sleep(2)   # dnsbld lets go of a replaced store instance when idle
    finally:
        prober.done.set()
        prober.join(5)
        shutil.rmtree(side, ignore_errors=True)
    print("upd_wall_s=%.2f" % statistics.median(walls))
    print("upd_cpu_s=%.2f" % statistics.median(cpus))
    print("upd_maxrss_kib=%d" % statistics.median(rsss))
    print("upd_maxrss_max_kib=%d" % max(rsss))
    print("upd_rssanon_kib=%d" % statistics.median(anons))
    print("upd_rssanon_max_kib=%d" % max(anons))
    print("space_peak_compact_bytes=%d" % (max(before_mb) * 1e6))
    print("space_peak_dir_bytes=%d" % max(dir_bytes))
    print("space_probes=%d" % prober.sent)
    print("space_unanswered=%d" % prober.unanswered)


if __name__ == "__main__":
    main()
