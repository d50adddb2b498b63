#!/usr/bin/env python3
"""round2_rbldnsd.py -- start rbldnsd on one ip4set and time its start-up.

    round2_rbldnsd.py PORT FILE PIDFILE LOGFILE [CHECK_SECONDS]

Starts rbldnsd (-n, as nobody, -c CHECK_SECONDS, default 1) serving FILE as
bl.bench on 127.0.0.1:PORT, left running (its pid in PIDFILE), and prints as
key=value lines: seconds from exec to its first answer (serve_bench's
wait_answer: queries wait in the socket buffer while it loads), the CPU it
used to get there (user+sys), and its VmRSS and RssAnon then, in KiB.
"""
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import serve_bench as sb  # noqa: E402


def status_kib(pid, field):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


def main():
    port, data, pidfile, logfile = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
    check = sys.argv[5] if len(sys.argv) > 5 else "1"
    t0 = time.monotonic()
    proc = subprocess.Popen(["rbldnsd", "-n", "-b", "127.0.0.1/%d" % port, "-u", "nobody",
                             "-c", check, "bl.bench:ip4set:" + data],
                            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                            stderr=open(logfile, "w"), start_new_session=True)
    with open(pidfile, "w") as f:
        f.write("%d\n" % proc.pid)
    startup = sb.wait_answer(port, t0, limit=120)
    user, system = sb.cpu_times(proc.pid)
    print("startup_s=%.3f" % startup)
    print("startup_cpu_s=%.2f" % (user + system))
    print("vmrss_kib=%d" % status_kib(proc.pid, "VmRSS"))
    print("rssanon_kib=%d" % status_kib(proc.pid, "RssAnon"))
    print("pid=%d" % proc.pid)


if __name__ == "__main__":
    main()
