#!/usr/bin/env python3
# diffgen.py -- data and queries for the dnsbld-vs-rbldnsd differential test.
#
#   diffgen.py gen DIR SEED      writes feed files (every dataset type), the
#                                 zone list "zones.txt" (zone type file) and
#                                 "queries.txt" (NAME TYPE KIND)
#   diffgen.py compare QUERIES RBLDNSD_RESULTS DNSBLD_RESULTS
#                                 compares rcode + answer sets line by line,
#                                 allowing only the deliberate differences
#
# The data is random but seeded, and built from the forms rbldnsd documents
# (ranges, prefixes, exclusions, wildcards, `$` templates, $n variables,
# base templates, combined subzones), so both servers must agree on
# everything except what docs/SERVER.md lists as deliberate differences.
import ipaddress
import os
import random
import sys

ZONES = []      # (zone, type, file)
QUERIES = []    # (name, type, kind)


def add_q(name, kind, types=("A", "TXT", "ANY")):
    for t in types:
        QUERIES.append((name, t, kind))


def rev4(a, zone):
    return ".".join(reversed(str(a).split("."))) + "." + zone


def rev6(a, zone):
    h = ipaddress.IPv6Address(a).exploded.replace(":", "")
    return ".".join(reversed(h)) + "." + zone


def rand4(rng):
    # Anywhere but 127/8 (the RFC 5782 test points differ on purpose), 0/8
    # and multicast.
    while True:
        a = rng.randint(1, 223)
        if a != 127:
            return ipaddress.IPv4Address((a << 24) | rng.getrandbits(24))


def value(rng, i):
    r = rng.random()
    if r < 0.3:
        return ""                                   # the default
    if r < 0.5:
        return " :%d:own %d $ text" % (rng.randint(2, 20), i)
    if r < 0.6:
        return " :%d" % rng.randint(2, 20)            # default TXT
    if r < 0.7:
        return " :%d:" % rng.randint(2, 20)           # no TXT
    if r < 0.8:
        return " bare text $ and $0 and $$ and $9"    # TXT only
    return " :127.0.0.%d:x$y" % rng.randint(2, 20)


def header(zone, f):
    f.write("$SOA 600 ns.%s hostmaster.%s 17 600 300 86400 60\n" % (zone, zone))
    f.write("$NS 600 ns.%s\n" % zone)


def gen_ip4set(d, rng, zone, fname):
    with open(os.path.join(d, fname), "w") as f:
        header(zone, f)
        f.write("$TTL 1200\n$0 var-zero\n:127.0.0.2:default $ $0\n")
        for i in range(160):
            kind = rng.random()
            a = rand4(rng)
            o = str(a).split(".")
            if kind < 0.45:
                f.write("%s%s\n" % (a, value(rng, i)))
                add_q(rev4(a, zone), "listed")
                add_q(rev4(a + 1, zone), "near")
            elif kind < 0.6:
                f.write("%s.%s.%s%s\n" % (o[0], o[1], o[2], value(rng, i)))
                add_q("%s.%s.%s.%s" % (rng.randint(0, 255), o[2], o[1], o[0]) + "." + zone, "inrange")
                add_q("%s.%s.%s" % (o[2], o[1], o[0]) + "." + zone, "partial")
            elif kind < 0.7:
                f.write("%s.%s.%s.0/%d%s\n" % (o[0], o[1], o[2], rng.choice([25, 26, 28]), value(rng, i)))
                add_q("%s.%s.%s.%s" % (rng.randint(0, 127), o[2], o[1], o[0]) + "." + zone, "inrange")
                add_q("%s.%s.%s.%s" % (rng.randint(128, 255), o[2], o[1], o[0]) + "." + zone, "inrange")
            elif kind < 0.8:
                lo = rng.randint(0, 200)
                f.write("%s.%s.%s.%d-%d%s\n" % (o[0], o[1], o[2], lo, lo + rng.randint(1, 50), value(rng, i)))
                add_q("%d.%s.%s.%s" % (lo, o[2], o[1], o[0]) + "." + zone, "inrange")
                add_q("%d.%s.%s.%s" % (lo + 51, o[2], o[1], o[0]) + "." + zone, "near")
            elif kind < 0.85:
                f.write("%s.%s%s\n" % (o[0], o[1], value(rng, i)))
                add_q("%d.%d.%s.%s" % (rng.randint(0, 255), rng.randint(0, 255), o[1], o[0]) + "." + zone, "inrange")
                add_q("%s.%s" % (o[1], o[0]) + "." + zone, "partial")
            elif kind < 0.92:
                # Listed twice at the same level: all values answer.
                f.write("%s%s\n%s :%d:second $\n" % (a, value(rng, i), a, rng.randint(2, 9)))
                add_q(rev4(a, zone), "listed")
            else:
                # A /24 with a hole.
                f.write("%s.%s.%s.0/24 :3:net $\n!%s.%s.%s.%d\n" % (o[0], o[1], o[2], o[0], o[1], o[2], 7))
                add_q("7.%s.%s.%s.%s" % (o[2], o[1], o[0], zone), "excluded")
                add_q("8.%s.%s.%s.%s" % (o[2], o[1], o[0], zone), "inrange")
        for _ in range(40):
            add_q(rev4(rand4(rng), zone), "random")


def gen_ip4tset(d, rng, zone, fname):
    with open(os.path.join(d, fname), "w") as f:
        header(zone, f)
        f.write(":3:tset $ listed\n")
        for i in range(120):
            a = rand4(rng)
            f.write("%s\n" % a)
            add_q(rev4(a, zone), "listed")
            if i % 4 == 0:
                add_q(rev4(a + 1, zone), "near")


def gen_ip4trie(d, rng, zone, fname):
    with open(os.path.join(d, fname), "w") as f:
        header(zone, f)
        f.write("$TTL 900\n")
        for i in range(120):
            a = rand4(rng)
            plen = rng.choice([8, 12, 16, 20, 24, 28, 30, 32, 32, 32])
            net = ipaddress.IPv4Network("%s/%d" % (a, plen), strict=False)
            f.write("%s/%d%s\n" % (net.network_address, plen, value(rng, i)))
            add_q(rev4(net.network_address, zone), "listed")
            add_q(rev4(net.broadcast_address, zone), "listed")
            if plen < 32:
                inner = net.network_address + rng.randint(0, net.num_addresses - 1)
                if rng.random() < 0.3:
                    f.write("!%s/32\n" % inner)
                    add_q(rev4(inner, zone), "excluded")
                elif rng.random() < 0.3:
                    f.write("%s/32 :9:inner $\n" % inner)
                    add_q(rev4(inner, zone), "listed")
            add_q(rev4(net.broadcast_address + 1, zone), "near")


def rand6(rng):
    return ipaddress.IPv6Address((0x2001 << 112) | rng.getrandbits(112))


def gen_ip6trie(d, rng, zone, fname):
    with open(os.path.join(d, fname), "w") as f:
        header(zone, f)
        for i in range(100):
            a = rand6(rng)
            plen = rng.choice([32, 40, 48, 56, 64, 64, 96, 128, 128])
            net = ipaddress.IPv6Network("%s/%d" % (a, plen), strict=False)
            f.write("%s/%d%s\n" % (net.network_address.compressed, plen, value(rng, i)))
            add_q(rev6(net.network_address, zone), "listed")
            add_q(rev6(net.broadcast_address, zone), "listed")
            if plen < 128 and rng.random() < 0.3:
                inner = net.network_address + rng.getrandbits(min(128 - plen, 60))
                f.write("!%s\n" % inner.compressed)
                add_q(rev6(inner, zone), "excluded")
            add_q(rev6(net.broadcast_address + 1, zone), "near")
            nib = rev6(net.network_address, zone).split(".")
            add_q(".".join(nib[32 - plen // 4 + 1:]) if plen >= 8 else zone, "partial")
        for _ in range(30):
            add_q(rev6(rand6(rng), zone), "random")


def gen_ip6tset(d, rng, zone, fname):
    with open(os.path.join(d, fname), "w") as f:
        header(zone, f)
        f.write(":4:tset6 $\n")
        for i in range(80):
            a = rand6(rng)
            g = a.exploded.split(":")[:4]
            f.write("%s\n" % ":".join(g))
            host = ipaddress.IPv6Address(":".join(g) + "::" + "%x" % rng.randint(1, 65535))
            add_q(rev6(host, zone), "listed")
            if i % 5 == 0:
                f.write("!%s\n" % host.compressed)
                add_q(rev6(host, zone), "excluded")


def rand_label(rng):
    return "".join(rng.choice("abcdefghijklmnopqrstuvwxyz0123456789-") for _ in range(rng.randint(1, 10))).strip("-") or "x"


def gen_dnset(d, rng, zone, fname):
    with open(os.path.join(d, fname), "w") as f:
        header(zone, f)
        f.write(":2:dn $ listed\n")
        for i in range(150):
            base = "%s.%s.%s" % (rand_label(rng), rand_label(rng), rng.choice(["com", "net", "org"]))
            form = rng.random()
            if form < 0.4:
                f.write("%s%s\n" % (base, value(rng, i)))
                add_q(base + "." + zone, "listed")
                add_q("sub." + base + "." + zone, "near")
            elif form < 0.7:
                f.write("*.%s%s\n" % (base, value(rng, i)))
                add_q("x.y." + base + "." + zone, "listed")
                add_q(base + "." + zone, "wildbase")
                if rng.random() < 0.3:
                    f.write("!bad.%s\n" % base)
                    add_q("bad." + base + "." + zone, "excluded")
                    add_q("q.bad." + base + "." + zone, "listed")
            else:
                f.write(".%s%s\n" % (base, value(rng, i)))
                add_q(base + "." + zone, "listed")
                add_q("a.b." + base + "." + zone, "listed")
                if rng.random() < 0.3:
                    f.write("!*.no.%s\n" % base)
                    add_q("x.no." + base + "." + zone, "excluded")
            add_q(base.split(".", 1)[1] + "." + zone, "partial")
        for _ in range(30):
            add_q("%s.%s.%s" % (rand_label(rng), rand_label(rng), zone), "random")


def gen_generic(d, rng, zone, fname):
    with open(os.path.join(d, fname), "w") as f:
        header(zone, f)
        for i in range(60):
            name = "%s.%s" % (rand_label(rng), rand_label(rng))
            r = rng.random()
            if r < 0.4:
                f.write("%s A 127.0.0.%d\n" % (name, rng.randint(2, 250)))
                if rng.random() < 0.5:
                    f.write("%s 300 TXT \"text for %s\"\n" % (name, name))
            elif r < 0.7:
                f.write("%s TXT \"only text %d\"\n" % (name, i))
            else:
                f.write("%s MX %d mx%d.example.net.\n" % (name, rng.randint(1, 50), i))
                f.write("%s A 127.0.0.%d\n" % (name, rng.randint(2, 250)))
            add_q(name + "." + zone, "listed", ("A", "TXT", "ANY", "MX"))
            add_q(name.split(".", 1)[1] + "." + zone, "partial")
            add_q("no" + name + "." + zone, "random")


def gen_combined(d, rng, zone, fname):
    with open(os.path.join(d, fname), "w") as f:
        header(zone, f)
        f.write("$DATASET ip4set:sbl @\n")
        for i in range(50):
            a = rand4(rng)
            f.write("%s :2:sbl $\n" % a)
            add_q(rev4(a, zone), "listed")
            add_q(rev4(a, "xbl." + zone), "random")
        f.write("$DATASET ip4trie:xbl xbl\n")
        for i in range(50):
            a = rand4(rng)
            f.write("%s/32 :4:xbl $\n" % a)
            add_q(rev4(a, "xbl." + zone), "listed")
            add_q(rev4(a, zone), "random")
        f.write("$DATASET dnset:dbl dbl.sub\n")
        for i in range(40):
            base = "%s.com" % rand_label(rng)
            f.write("%s :5:dbl $\n" % base)
            add_q(base + ".dbl.sub." + zone, "listed")
            add_q(base + ".sub." + zone, "random")
    add_q("sub." + zone, "partial")


# The ends of the address spaces, written into the edge-*.t zones (one per
# address type) with exclusions and neighbours, so lookups at the first and
# last address are compared too.
EDGE_FILES = {
    "ip4set": "0.0.0.0/24 :2:low $\n!0.0.0.7\n255.255.0.0/16 :4:high $\n"
              "255.255.255.255 :3:top $\n",
    "ip4tset": ":3:tset $\n0.0.0.0\n255.255.255.255\n",
    "ip4trie": "0.0.0.0/32 :2:zero $\n255.255.255.0/24 :3:top $\n"
               "!255.255.255.255/32\n",
    "ip6trie": "::/128 :2:zero $\nffff:ffff:ffff:ffff::/64 :3:top $\n"
               "!ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff\n",
    "ip6tset": ":4:tset6 $\n0:0:0:0\nffff:ffff:ffff:ffff\n"
               "!ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff\n",
    "combined": "$DATASET ip4set:a @\n0.0.0.0 :2:a $\n255.255.255.255 :3:a $\n"
                "$DATASET ip4trie:x xbl\n0.0.0.0/32 :4:x $\n255.255.255.255/32 :5:x $\n"
                "$DATASET ip6trie:v v6\n::/128 :6:v $\n"
                "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff :7:v $\n",
}
EDGE4 = ("0.0.0.0", "0.0.0.1", "0.0.0.7", "0.0.0.255", "0.0.1.0", "255.255.0.0",
         "255.255.255.0", "255.255.255.254", "255.255.255.255", "255.254.255.255")
EDGE6 = ("::", "::1", "0:0:0:1::", "ffff:ffff:ffff:ffff::",
         "ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe",
         "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
         "ffff:ffff:ffff:fffe:ffff:ffff:ffff:ffff")
EDGE_TYPES = ("A", "TXT", "ANY", "MX")


def gen_edges(d, zones4, zones6):
    """The edge addresses in every address zone (the random ones list none
    of them), and the edge-*.t zones that list them.  A full address is a
    leaf, never an empty non-terminal, so rbldnsd's answer is required
    ("edge"); 0.0.0.0 in an IPv6 zone is not an address but the nibble
    prefix ::/16, above the ::ffff:7f00:2 test point (and ::), so an empty
    non-terminal ("prefix6")."""
    for typ, text in EDGE_FILES.items():
        zone = "edge-%s.t" % typ
        fname = "edge-%s.data" % typ
        with open(os.path.join(d, fname), "w") as f:
            header(zone, f)
            f.write(text)
        ZONES.append((zone, typ, fname))
        if typ == "combined":
            zones4 += [zone, "xbl." + zone]
            zones6.append("v6." + zone)
        elif typ.startswith("ip6"):
            zones6.append(zone)
        else:
            zones4.append(zone)
    for z in zones4:
        for a in EDGE4:
            add_q(rev4(ipaddress.IPv4Address(a), z), "edge", EDGE_TYPES)
        for a in ("0.0.0.0", "255.255.255.255"):
            # v4-mapped and 6to4 forms are answered from the IPv4 data.
            add_q(rev6(ipaddress.IPv6Address("::ffff:" + a), z), "edge", EDGE_TYPES)
            add_q(rev6(ipaddress.IPv6Address((0x2002 << 112) |
                                             (int(ipaddress.IPv4Address(a)) << 80)), z),
                  "edge", EDGE_TYPES)
        for a in ("::", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"):
            add_q(rev6(a, z), "edge", EDGE_TYPES)
    for z in zones6:
        for a in EDGE6:
            add_q(rev6(a, z), "edge", EDGE_TYPES)
        add_q("255.255.255.255." + z, "edge", EDGE_TYPES)
        add_q("0.0.0.0." + z, "prefix6", EDGE_TYPES)


def gen(d, seed):
    rng = random.Random(seed)
    specs = [("ip4set.t", "ip4set", gen_ip4set), ("ip4tset.t", "ip4tset", gen_ip4tset),
             ("ip4trie.t", "ip4trie", gen_ip4trie), ("ip6trie.t", "ip6trie", gen_ip6trie),
             ("ip6tset.t", "ip6tset", gen_ip6tset), ("dnset.t", "dnset", gen_dnset),
             ("generic.t", "generic", gen_generic), ("combined.t", "combined", gen_combined)]
    for zone, typ, fn in specs:
        fname = typ + ".data"
        fn(d, rng, zone, fname)
        ZONES.append((zone, typ, fname))
    # A zone that merges several datasets (answers are unions).
    for typ in ("ip4set", "ip4trie", "dnset"):
        ZONES.append(("multi.t", typ, typ + ".data"))
    base = [q for q in QUERIES if q[0].endswith(".ip4set.t") and q[2] in ("listed", "inrange")]
    for name, t, kind in base[:200]:
        QUERIES.append((name[:-len("ip4set.t")] + "multi.t", t, kind))
        if t == "A":
            # The same addresses in IPv6 forms: v4-mapped and 6to4.
            a = ipaddress.IPv4Address(".".join(reversed(name.split(".")[:4])))
            add_q(rev6(ipaddress.IPv6Address("::ffff:" + str(a)), "ip4set.t"), "mapped")
            add_q(rev6(ipaddress.IPv6Address((0x2002 << 112) | (int(a) << 80)), "ip4set.t"), "6to4")
    for name, t, kind in [q for q in QUERIES if q[0].endswith(".dnset.t")][:120]:
        QUERIES.append((name[:-len("dnset.t")] + "multi.t", t, kind))
    # Odd forms: none of these may be answered from IP data.
    for name in ("256.1.1.1.ip4set.t", "1.2.3.ip4set.t", "x.1.2.3.4.ip4set.t",
                 "01.02.03.004.ip4set.t", "1.2.3.4.5.ip4set.t", "a.b.c.d.ip4set.t"):
        add_q(name, "odd")
    # RFC 5782 test points (deliberately forced by dnsbld).
    for z in ("ip4set.t", "ip4trie.t", "multi.t"):
        add_q("2.0.0.127." + z, "testpoint")
        add_q("1.0.0.127." + z, "testpoint")
    for z in ("ip6trie.t",):
        add_q(rev6("::ffff:7f00:2", z), "testpoint")
        add_q(rev6("::ffff:7f00:1", z), "testpoint")
    add_q("test.dnset.t", "testpoint")
    add_q("invalid.dnset.t", "testpoint")
    gen_edges(d, ["ip4set.t", "ip4tset.t", "ip4trie.t", "combined.t", "xbl.combined.t",
                  "multi.t"], ["ip6trie.t", "ip6tset.t"])
    # Apex records.
    for zone, _, _ in ZONES:
        add_q(zone, "apex", ("SOA", "NS"))
    with open(os.path.join(d, "zones.txt"), "w") as f:
        for z in ZONES:
            f.write("%s %s %s\n" % z)
    with open(os.path.join(d, "queries.txt"), "w") as f:
        for q in QUERIES:
            f.write("%s %s %s\n" % q)


def parse_result(line):
    parts = line.rstrip("\n").split(" ", 3)
    return parts[2], (parts[3] if len(parts) > 3 else "")


def compare(qfile, rbfile, dbfile):
    """Same rcode and answer set everywhere, except these deliberate
    differences (docs/SERVER.md):
      ent        a partial name with data below (an address prefix, a parent
                 domain, the base of a `*.d` wildcard): rbldnsd NXDOMAIN,
                 dnsbld NOERROR/NODATA (empty non-terminals, RFC 8020/9156);
                 required for "prefix6" queries, allowed for "partial" and
                 "wildbase" ones ("edge" ones, full addresses, must match);
      testpoint  RFC 5782 test points forced: 127.0.0.2 / ::ffff:7f00:2 /
                 test listed, 127.0.0.1 / ::ffff:7f00:1 / invalid never;
    Everything else must match exactly."""
    kinds = [l.split()[2] for l in open(qfile) if l.strip()]
    rb = open(rbfile).read().splitlines()
    db = open(dbfile).read().splitlines()
    if not (len(kinds) == len(rb) == len(db)):
        print("FAIL: result counts differ: %d queries, %d rbldnsd, %d dnsbld" % (len(kinds), len(rb), len(db)))
        return 1
    same = ent = tp = 0
    bad = []
    for kind, r, d in zip(kinds, rb, db):
        rr, ra = parse_result(r)
        dr, da = parse_result(d)
        if "NO-REPLY" in (rr, dr):
            bad.append("no reply: %s || %s" % (r, d))
        elif kind == "prefix6" and (dr, da) != ("NOERROR", ""):
            bad.append("[prefix6] not an empty non-terminal: dnsbld: %s" % d)
        elif (rr, ra) == (dr, da):
            same += 1
        elif kind in ("partial", "wildbase", "prefix6") and rr == "NXDOMAIN" and dr == "NOERROR" and da == "":
            ent += 1
        elif kind == "testpoint":
            # dnsbld must hold the test point whatever the data says.
            name = r.split()[0]
            qt = r.split()[1]
            listed = name.startswith(("2.0.0.127.", "2.0.0.0.0.0.f.7.f.f.f.f.", "test."))
            if listed and dr == "NOERROR" and (qt != "A" or "A 127.0.0.2" in da):
                tp += 1
            elif not listed and dr == "NXDOMAIN":
                tp += 1
            else:
                bad.append("[testpoint] dnsbld: %s" % d)
        else:
            bad.append("[%s] rbldnsd: %s\n      dnsbld:  %s" % (kind, r, d))
    print("compared %d queries (%d at the address edges): %d identical, %d empty "
          "non-terminals (deliberate), %d test points (deliberate), %d differences"
          % (len(kinds), kinds.count("edge") + kinds.count("prefix6"), same, ent, tp,
             len(bad)))
    for b in bad[:40]:
        print("  DIFF " + b)
    return 1 if bad else 0


if __name__ == "__main__":
    if sys.argv[1] == "gen":
        gen(sys.argv[2], int(sys.argv[3]))
    else:
        sys.exit(compare(sys.argv[2], sys.argv[3], sys.argv[4]))
