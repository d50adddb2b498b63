#!/usr/bin/env python3
"""gendata.py -- deterministic benchmark data and dnsperf query mixes.

Writes, into OUTDIR:
  bl.ip4set     N lines: mostly single IPv4 addresses, some CIDRs and ranges,
                exclusions, a shared default value and some per-line values
  v6.ip6trie    IPv6 prefixes (/128, /64, /48) with a few exclusions
  dbl.dnset     domains, with `*.d` and `.d` wildcards and exclusions
  queries.txt   dnsperf input: listed and unlisted IPv4, TXT, IPv6, domains
  changes.txt   the addresses that change in the 1% update (see --mutate)

The same seed and size always give the same bytes, so two servers (or two
runs) are fed exactly the same data and load.  Python's stdlib only.
"""
import argparse
import ipaddress
import os
import random

ZONE4, ZONE6, ZONED = "bl.bench", "v6.bench", "dbl.bench"


def rand_ip4(rng):
    # Keep clear of 0/8, 127/8 and multicast so every address is "normal".
    while True:
        a = rng.getrandbits(32)
        if 1 <= (a >> 24) < 224 and (a >> 24) != 127:
            return a


def ip4_text(a):
    return "%d.%d.%d.%d" % (a >> 24, (a >> 16) & 255, (a >> 8) & 255, a & 255)


def ip4_rev(a):
    return "%d.%d.%d.%d" % (a & 255, (a >> 8) & 255, (a >> 16) & 255, a >> 24)


def nibbles(addr6):
    return ".".join(reversed(addr6.exploded.replace(":", "")))


def gen_ip4set(rng, n, path):
    """Returns (listed sample, lines written)."""
    listed = []
    with open(path, "w") as f:
        f.write("$SOA 3600 ns.bl.bench. hostmaster.bl.bench. 0 600 300 86400 300\n")
        f.write("$NS 3600 ns.bl.bench.\n")
        f.write("$TTL 2100\n")
        f.write(":127.0.0.2:Listed in bl.bench, see https://bl.bench/lookup?ip=$\n")
        for i in range(n):
            r = rng.random()
            a = rand_ip4(rng)
            if r < 0.005:                      # CIDR blocks
                plen = rng.choice((16, 20, 24, 24, 24, 28))
                a &= (0xffffffff << (32 - plen)) & 0xffffffff
                f.write("%s/%d :3:Block $\n" % (ip4_text(a), plen))
            elif r < 0.008:                    # ranges, rbldnsd style
                a &= 0xffffff00
                f.write("%s-%d\n" % (ip4_text(a), rng.randrange(1, 255)))
            elif r < 0.013:                    # exclusions
                f.write("!%s\n" % ip4_text(a))
                continue
            elif r < 0.11:                     # own value
                f.write("%s :%d:Own text %d for $\n" % (ip4_text(a), rng.randrange(2, 12), i))
            else:
                f.write("%s\n" % ip4_text(a))
            if len(listed) < 200000 and rng.random() < 0.5:
                listed.append(a)
    return listed


def gen_ip6trie(rng, n, path):
    listed = []
    with open(path, "w") as f:
        f.write(":127.0.0.2:IPv6 listed: $\n")
        for _ in range(n):
            r = rng.random()
            hi = (0x2001 << 112) | (rng.getrandbits(96) << 16)
            if r < 0.6:
                a = ipaddress.IPv6Address(hi | rng.getrandbits(16))
                f.write("%s\n" % a.compressed)
                listed.append(a)
            elif r < 0.9:
                net = ipaddress.IPv6Network((hi >> 64 << 64, 64))
                f.write("%s\n" % net.compressed)
                listed.append(ipaddress.IPv6Address(int(net.network_address) | rng.getrandbits(64)))
            elif r < 0.98:
                net = ipaddress.IPv6Network((hi >> 80 << 80, 48))
                f.write("%s\n" % net.compressed)
            else:
                f.write("!%s\n" % ipaddress.IPv6Address(hi | 1).compressed)
    return listed


def rand_label(rng):
    return "".join(rng.choice("abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(rng.randrange(4, 14)))


def gen_dnset(rng, n, path):
    listed = []
    tlds = ("com", "net", "org", "info", "biz", "ru", "cn", "xyz")
    with open(path, "w") as f:
        f.write(":127.0.1.2:Domain $ is listed\n")
        for _ in range(n):
            d = "%s.%s" % (rand_label(rng), rng.choice(tlds))
            r = rng.random()
            if r < 0.8:
                f.write("%s\n" % d)
                listed.append(d)
            elif r < 0.9:
                f.write("*.%s\n" % d)
                listed.append("%s.%s" % (rand_label(rng), d))
            elif r < 0.98:
                f.write(".%s\n" % d)
                listed.append(d)
            else:
                f.write("!%s\n" % d)
    return listed


def gen_queries(rng, count, ip4, ip6, dn, path):
    """The query mix: 45% listed IPv4 A, 30% unlisted IPv4 A, 10% listed
    IPv4 TXT, 8% IPv6 A, 7% domain A."""
    with open(path, "w") as f:
        for _ in range(count):
            r = rng.random()
            if r < 0.45:
                f.write("%s.%s A\n" % (ip4_rev(rng.choice(ip4)), ZONE4))
            elif r < 0.75:
                f.write("%s.%s A\n" % (ip4_rev(rand_ip4(rng)), ZONE4))
            elif r < 0.85:
                f.write("%s.%s TXT\n" % (ip4_rev(rng.choice(ip4)), ZONE4))
            elif r < 0.93:
                if rng.random() < 0.5 and ip6:
                    a = rng.choice(ip6)
                else:
                    a = ipaddress.IPv6Address((0x2001 << 112) | rng.getrandbits(112))
                f.write("%s.%s A\n" % (nibbles(a), ZONE6))
            else:
                d = rng.choice(dn) if rng.random() < 0.6 else "%s.com" % rand_label(rng)
                f.write("%s.%s A\n" % (d, ZONED))


def mutate(path, fraction, seed, changes_path):
    """Rewrites the ip4set in place-by-rename with `fraction` of its single
    address lines replaced by new addresses; records one removed and one
    added address so the caller can watch the answer flip."""
    rng = random.Random(seed)
    with open(path) as f:
        lines = f.readlines()
    singles = [i for i, l in enumerate(lines) if l[0].isdigit() and "/" not in l
               and "-" not in l and ":" not in l]
    picked = rng.sample(singles, max(1, int(len(singles) * fraction)))
    removed = lines[picked[0]].strip()
    for i in picked:
        lines[i] = "%s\n" % ip4_text(rand_ip4(rng))
    added = lines[picked[0]].strip()
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        f.writelines(lines)
    os.rename(tmp, path)
    with open(changes_path, "w") as f:
        f.write("removed %s\nadded %s\n" % (removed, added))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("outdir")
    ap.add_argument("--ip4", type=int, default=1000000, help="ip4set lines")
    ap.add_argument("--ip6", type=int, default=50000, help="ip6trie lines")
    ap.add_argument("--dn", type=int, default=100000, help="dnset lines")
    ap.add_argument("--queries", type=int, default=500000)
    ap.add_argument("--seed", type=int, default=5782)
    ap.add_argument("--mutate", type=float, metavar="FRACTION",
                    help="only rewrite OUTDIR/bl.ip4set with FRACTION of it changed")
    args = ap.parse_args()
    os.makedirs(args.outdir, exist_ok=True)
    if args.mutate is not None:
        mutate(os.path.join(args.outdir, "bl.ip4set"), args.mutate, args.seed + 1,
               os.path.join(args.outdir, "changes.txt"))
        return
    rng = random.Random(args.seed)
    ip4 = gen_ip4set(rng, args.ip4, os.path.join(args.outdir, "bl.ip4set"))
    ip6 = gen_ip6trie(rng, args.ip6, os.path.join(args.outdir, "v6.ip6trie"))
    dn = gen_dnset(rng, args.dn, os.path.join(args.outdir, "dbl.dnset"))
    gen_queries(rng, args.queries, ip4, ip6, dn, os.path.join(args.outdir, "queries.txt"))


if __name__ == "__main__":
    main()
