#!/usr/bin/env python3
# watch_load.py -- queries dnsbld non-stop while its feed is updated, and
# judges every answer against the feed versions it could have come from.
#
#   watch_load.py init FEED N SEED QUERIES   writes version 0 of the feed
#                                            (N addresses) and a dnsperf
#                                            query file
#   watch_load.py run PORT FEED N SEED SECONDS
#
# `run` rebuilds version 0 from the seed, then for about SECONDS keeps up to
# 16 UDP queries in flight while it updates the feed in a cycle: a full
# rewrite with 1% of the addresses changed by rename, the same in place, a
# corrupted file (past max_errors), a deleted file, a re-created one.  Each
# good version k+1 has a canary address; the next update starts only after
# the canary is answered (plus 100 ms), and the SOA serial must have grown.
# An answer is right if some version between the one current when the
# query was sent and the newest written by its reply agrees with it (listed
# with 127.0.0.2, or NXDOMAIN); bad versions are never allowed.  Prints the
# counts and exits 1 on any wrong or unanswered query or an update that was
# not served within 10 s.  Stdlib only; loopback only; bounded in time.
import os
import random
import select
import socket
import struct
import sys
import time

ZONE = "bl.test"
INFLIGHT = 16
TIMEOUT = 2.0


def ip_text(a):
    return "%d.%d.%d.%d" % (a >> 24, (a >> 16) & 255, (a >> 8) & 255, a & 255)


def qname(a):
    return "%d.%d.%d.%d.%s" % (a & 255, (a >> 8) & 255, (a >> 16) & 255,
                               a >> 24, ZONE)


def rand_addr(rng):
    return (10 << 24) | rng.getrandbits(24)


def version0(n, seed):
    rng = random.Random(seed)
    v = set()
    while len(v) < n:
        v.add(rand_addr(rng))
    return v, rng


def feed_text(v):
    return ":127.0.0.2:listed $\n" + "".join(ip_text(a) + "\n" for a in sorted(v))


def write_rename(path, text):
    tmp = os.path.join(os.path.dirname(path), "." + os.path.basename(path) + ".tmp")
    with open(tmp, "w") as f:
        f.write(text)
    os.rename(tmp, path)


def write_inplace(path, text):
    with open(path, "w") as f:
        f.write(text)


def encode_name(name):
    out = b""
    for label in name.split("."):
        out += bytes([len(label)]) + label.encode()
    return out + b"\0"


def skip_name(p, off):
    while True:
        n = p[off]
        if n >= 0xC0:
            return off + 2
        if n == 0:
            return off + 1
        off += n + 1


def parse(p):
    """(id, rcode, [A values as text], soa serial or None)"""
    qid, flags, qd, an = struct.unpack(">HHHH", p[:8])
    off = 12
    for _ in range(qd):
        off = skip_name(p, off) + 4
    vals, serial = [], None
    for _ in range(an):
        off = skip_name(p, off)
        t, _c, _ttl, rdlen = struct.unpack(">HHIH", p[off:off + 10])
        off += 10
        if t == 1 and rdlen == 4:
            vals.append(".".join(str(b) for b in p[off:off + 4]))
        if t == 6:
            r = skip_name(p, skip_name(p, off))
            serial = struct.unpack(">I", p[r:r + 4])[0]
        off += rdlen
    return qid, flags & 15, vals, serial


def soa_serial(port):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(1.0)
    try:
        for _ in range(3):
            q = struct.pack(">HHHHHH", 4242, 0x0100, 1, 0, 0, 0) + \
                encode_name(ZONE) + struct.pack(">HH", 6, 1)
            s.sendto(q, ("127.0.0.1", port))
            try:
                return parse(s.recv(4096))[3]
            except socket.timeout:
                continue
    finally:
        s.close()
    return None


def cmd_init(feed, n, seed, queries):
    v, rng = version0(n, seed)
    write_rename(feed, feed_text(v))
    members = sorted(v)
    with open(queries, "w") as f:
        for _ in range(20000):
            a = rng.choice(members) if rng.random() < 0.5 else rand_addr(rng)
            f.write("%s A\n" % qname(a))
    return 0


def cmd_run(port, feed, n, seed, seconds):
    v0, rng = version0(n, seed)
    versions = [v0]           # good versions, in order
    lo = hi = 0               # versions the server may serve now
    stable = sorted(v0)
    hot = []                  # addresses that change somewhere
    never = [rand_addr(rng) | 0 for _ in range(2000)]
    never = [a for a in never if a not in v0]
    stats = {"sent": 0, "right": 0, "wrong": 0, "unanswered": 0,
             "servfail": 0, "updates": 0, "bad_updates": 0,
             "unserved_updates": 0, "serial_not_increasing": 0}
    flip_times = []
    wrong_samples = []

    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.setblocking(False)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
    outstanding = {}          # qid -> (addr, sent, lo at send)
    next_id = random.Random(seed + 1).randrange(65536)

    actions = ["rename", "inplace", "corrupt", "rename", "delete",
               "recreate", "inplace", "rename"]
    step = 0
    canary = None             # (addr, version index, time written)
    pending_bad = None        # (time to finish, extra address)
    settle_until = None
    serial = soa_serial(port)
    if serial is None:
        print("watch_load: no SOA answer at start")
        return 1
    start = time.monotonic()
    end = start + seconds

    def next_good():
        cur = versions[-1]
        k = max(1, n // 100)
        gone = set(rng.sample(sorted(cur), k))
        new = set()
        while len(new) < k:
            a = rand_addr(rng)
            if a not in cur:
                new.add(a)
        hot.extend(gone)
        hot.extend(new)
        return (cur - gone) | new, min(new)

    def judge(addr, lo_sent, rcode, vals):
        allowed = versions[lo_sent:hi + 1]
        if rcode == 3:
            ok = any(addr not in v for v in allowed)
        elif rcode == 0 and vals:
            ok = vals == ["127.0.0.2"] and any(addr in v for v in allowed)
        else:
            stats["servfail" if rcode == 2 else "wrong"] += 1
            if len(wrong_samples) < 5:
                wrong_samples.append("%s rcode %d %s" % (ip_text(addr), rcode, vals))
            return
        if ok:
            stats["right"] += 1
        else:
            stats["wrong"] += 1
            if len(wrong_samples) < 5:
                wrong_samples.append("%s rcode %d %s allowed versions %d-%d" % (
                    ip_text(addr), rcode, vals, lo_sent, hi))

    while True:
        now = time.monotonic()
        idle = canary is None and pending_bad is None and settle_until is None
        if idle and (now >= end and stats["updates"] >= 4):
            break
        if now > end + 30:
            print("watch_load: gave up waiting for the last update")
            stats["unserved_updates"] += 1
            break
        # Start the next update when the previous one is settled.
        if idle:
            act = actions[step % len(actions)]
            step += 1
            if act in ("corrupt", "delete"):
                extra = None
                if act == "corrupt":
                    extra = rand_addr(rng)
                    while any(extra in v for v in versions):
                        extra = rand_addr(rng)
                    bad = feed_text(versions[-1]) + ip_text(extra) + "\n" + \
                        "".join("not-an-address-%d\n" % i for i in range(10))
                    write_rename(feed, bad)
                    never.append(extra)
                else:
                    os.unlink(feed)
                stats["bad_updates"] += 1
                pending_bad = (now + 0.8, extra)
            else:
                nv, can = next_good()
                versions.append(nv)
                hi = len(versions) - 1
                text = feed_text(nv)
                if act == "inplace":
                    write_inplace(feed, text)
                else:   # rename, recreate (the file is gone)
                    write_rename(feed, text)
                canary = (can, hi, time.monotonic())
                stats["updates"] += 1
        if pending_bad and now >= pending_bad[0]:
            pending_bad = None
        if settle_until and now >= settle_until:
            settle_until = None
            lo = hi
        # Keep INFLIGHT queries outstanding.
        while len(outstanding) < INFLIGHT:
            r = rng.random()
            if canary and stats["sent"] % 8 == 0:
                addr = canary[0]
            elif pending_bad and pending_bad[1] and stats["sent"] % 8 == 4:
                addr = pending_bad[1]   # must never be listed
            elif r < 0.45 and hot:
                addr = rng.choice(hot)
            elif r < 0.8:
                addr = rng.choice(stable)
            else:
                addr = rng.choice(never)
            next_id = (next_id + 1) & 0xFFFF
            while next_id in outstanding:
                next_id = (next_id + 1) & 0xFFFF
            pkt = struct.pack(">HHHHHH", next_id, 0x0100, 1, 0, 0, 0) + \
                encode_name(qname(addr)) + struct.pack(">HH", 1, 1)
            try:
                sock.sendto(pkt, ("127.0.0.1", port))
            except BlockingIOError:
                break
            outstanding[next_id] = (addr, time.monotonic(), lo)
            stats["sent"] += 1
        r, _, _ = select.select([sock], [], [], 0.05)
        while r:
            try:
                p = sock.recv(4096)
            except BlockingIOError:
                break
            qid, rcode, vals, _ = parse(p)
            q = outstanding.pop(qid, None)
            if q is None:
                continue
            addr, _sent, lo_sent = q
            judge(addr, lo_sent, rcode, vals)
            if canary and addr == canary[0] and rcode == 0 and vals:
                flip_times.append(time.monotonic() - canary[2])
                canary = None
                settle_until = time.monotonic() + 0.1
                s = soa_serial(port)
                if s is None or s <= serial:
                    stats["serial_not_increasing"] += 1
                    wrong_samples.append("SOA serial %s after %s, update %d (%s)" % (
                        s, serial, stats["updates"], actions[(step - 1) % len(actions)]))
                serial = s if s is not None else serial
        now = time.monotonic()
        for qid in [k for k, q in outstanding.items() if now - q[1] > TIMEOUT]:
            del outstanding[qid]
            stats["unanswered"] += 1
        if canary and now - canary[2] > 10:
            stats["unserved_updates"] += 1
            canary = None
            settle_until = now
    # Collect the stragglers.
    deadline = time.monotonic() + TIMEOUT
    while outstanding and time.monotonic() < deadline:
        r, _, _ = select.select([sock], [], [], 0.1)
        if r:
            p = sock.recv(4096)
            qid, rcode, vals, _ = parse(p)
            q = outstanding.pop(qid, None)
            if q:
                judge(q[0], q[2], rcode, vals)
    stats["unanswered"] += len(outstanding)
    elapsed = time.monotonic() - start
    print("queries %d in %.1f s (%.0f/s): right %d, wrong %d, servfail %d, "
          "unanswered %d" % (stats["sent"], elapsed, stats["sent"] / elapsed,
                             stats["right"], stats["wrong"], stats["servfail"],
                             stats["unanswered"]))
    print("updates %d served (%d bad ones kept out), unserved %d, serial "
          "not increasing %d" % (stats["updates"], stats["bad_updates"],
                                 stats["unserved_updates"],
                                 stats["serial_not_increasing"]))
    if flip_times:
        print("update landed -> served: min %.3f s, max %.3f s" % (
            min(flip_times), max(flip_times)))
    for w in wrong_samples:
        print("  wrong: " + w)
    bad = stats["wrong"] + stats["servfail"] + stats["unanswered"] + \
        stats["unserved_updates"] + stats["serial_not_increasing"]
    return 1 if bad else 0


def main():
    a = sys.argv[1:]
    if len(a) == 5 and a[0] == "init":
        return cmd_init(a[1], int(a[2]), int(a[3]), a[4])
    if len(a) == 6 and a[0] == "run":
        return cmd_run(int(a[1]), a[2], int(a[3]), int(a[4]), float(a[5]))
    print(__doc__ if __doc__ else "usage: see the header", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
