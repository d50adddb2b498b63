#!/usr/bin/env python3
"""proc_peak.py -- run a command; its time, peak RSS and peak private memory.

    proc_peak.py -o FILE -- COMMAND [ARG ...]

Writes one line to FILE, "TIME wall user sys maxrss_kib rssanon_kib": the
first four as /usr/bin/time -f "TIME %e %U %S %M" gives them (wall seconds,
user and system CPU seconds, the kernel's peak resident set in KiB), then
the largest RssAnon seen in /proc/PID/status, read every 10 ms: the
process's private memory, without the pages of files it maps (a store's
pages are in the page cache the server reads from too).  The command's
output goes where this program's goes; its exit status is this one's.
"""
import os
import resource
import subprocess
import sys
import time


def rss_anon(pid):
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith("RssAnon:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def main():
    args = sys.argv[1:]
    if len(args) < 4 or args[0] != "-o" or args[2] != "--":
        sys.exit("usage: proc_peak.py -o FILE -- COMMAND [ARG ...]")
    out, cmd = args[1], args[3:]
    t0 = time.monotonic()
    child = subprocess.Popen(cmd)
    peak = 0
    while True:
        pid, status, ru = os.wait4(child.pid, os.WNOHANG)
        if pid:
            break
        peak = max(peak, rss_anon(child.pid))
        time.sleep(0.01)
    wall = time.monotonic() - t0
    with open(out, "w") as f:
        f.write("TIME %.2f %.2f %.2f %d %d\n" % (wall, ru.ru_utime, ru.ru_stime,
                                                 ru.ru_maxrss, peak))
    code = os.waitstatus_to_exitcode(status)
    sys.exit(code if code >= 0 else 128 - code)


if __name__ == "__main__":
    main()
