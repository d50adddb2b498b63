#!/usr/bin/env python3
# incr_gen.py -- two versions of seeded random feeds, and a store's records in
# a normal form, for the incremental-update test (test_incremental.sh).
#
#   incr_gen.py gen DIR SEED   writes version A of every feed in DIR/a/ and
#                              version B in DIR/b/ (same file names), and:
#                              DIR/config.txt   "NAME TYPE ZONE FILE..." per dataset
#                              DIR/changed.txt  "NAME FILE" per file B changes
#                              DIR/cases.txt    what each dataset's B changed
#                              DIR/visible.txt  the zones whose answers B must
#                                               change (not those B only
#                                               reordered or duplicated lines
#                                               in: that may change nothing)
#                              DIR/queries.txt  "QNAME TYPE" (A and TXT) for
#                                               every key of A and B, each
#                                               range's edges and neighbours,
#                                               and random misses
#   incr_gen.py norm STOREDIR  the stored records (`mdb_dump -a`) with every
#                              dataset id replaced by its name and every value
#                              id by the value, sorted: two stores holding the
#                              same data print the same text, whatever order
#                              they were written in.  A dataset's overlay in
#                              the address tables (records added under key
#                              dsid|OVL_ADD, base records taken away under
#                              dsid|OVL_DEL) is merged in: its records are
#                              (base minus taken away) plus added, what a full
#                              load stores under dsid; an overlay that breaks
#                              the layout's rules prints a BROKEN line
#   incr_gen.py overlay STOREDIR  "NAME TABLE +ADDED -TAKEN" per overlay in
#                              the store, then "overlay records: N"
#
# B is A changed the ways feeds change between two downloads: lines added,
# removed, duplicated and reordered, values changed, a default `:A:TXT` line
# early in the file changed (so every later line's value changes), `$` lines
# ($TTL, $n, $SOA, $NS) changed, `$` lines added among the data ($TTL, $n,
# $=, $MAXRANGE4), combined sections swapped or added, the file cut in the
# middle of a line, gzip, CRLF; and the smallest updates: one line added,
# removed or changed, one digit changed (the same size), every entry
# removed or added to an empty file.  The data is drawn from the forms
# rbldnsd documents for each type.
import gzip
import ipaddress
import os
import random
import subprocess
import sys

QUERIES = []      # query names in order, deduplicated at the end


# ---- values ------------------------------------------------------------------

def value(rng, i):
    """What follows a key: nothing (the default) or one of the value forms."""
    r = rng.random()
    if r < 0.4:
        return ""
    if r < 0.55:                 # an A of its own: 127.1.x.y
        return " :127.1.%d.%d:own %d $" % (i // 250 % 250, i % 250 + 1, i)
    if r < 0.65:
        return " :%d" % rng.randint(2, 30)
    if r < 0.72:
        return " :%d:" % rng.randint(2, 30)
    if r < 0.82:
        return " bare text %d $0 $$ $1" % i
    return " :127.0.0.%d:v%d $ $2" % (rng.randint(2, 30), rng.randint(0, 9))


def default_line(rng):
    r = rng.random()
    if r < 0.6:
        return ":127.0.0.%d:default %d $ $0" % (rng.randint(2, 30),
                                               rng.randint(0, 999))
    if r < 0.8:
        return ":%d" % rng.randint(2, 30)
    return ":%d:dflt%d" % (rng.randint(2, 30), rng.randint(0, 99))


def header(rng, zone, ttl=True, vars_=True):
    lines = ["$SOA %d ns1.%s. hm.%s. %d 600 300 86400 %d" % (
        rng.choice((600, 900, 3600)), zone, zone, rng.randint(1, 99),
        rng.choice((60, 120, 300))),
        "$NS %d ns1.%s. ns2.%s." % (rng.choice((600, 1800)), zone, zone)]
    if ttl:
        lines.append("$TTL %d" % rng.choice((300, 1200, 3600)))
    if vars_:
        lines += ["$0 zero-%d" % rng.randint(0, 99),
                  "$1 one-%d" % rng.randint(0, 99)]
        if rng.random() < 0.5:
            lines.append("$2 two-%d" % rng.randint(0, 99))
    return lines


# ---- queries -------------------------------------------------------------------

def q_name(name, zones):
    for z in zones:
        QUERIES.append("%s.%s" % (name, z) if name else z)


def rev4(v):
    return ".".join(reversed(str(ipaddress.IPv4Address(v)).split(".")))


def rev6(v):
    return ".".join(reversed(ipaddress.IPv6Address(v).exploded.replace(":", "")))


def q_range(rng, family, lo, hi, zones):
    """A range's edges, their neighbours and a point inside."""
    top = (1 << (32 if family == 4 else 128)) - 1
    rev = rev4 if family == 4 else rev6
    pts = {lo, hi}
    if lo > 0:
        pts.add(lo - 1)
    if hi < top:
        pts.add(hi + 1)
    if hi - lo > 1:
        pts.add(rng.randint(lo + 1, hi - 1))
    for p in sorted(pts):
        q_name(rev(p), zones)


# ---- IPv4 ----------------------------------------------------------------------

class Space4:
    """A few /16s, so entries overlap, nest and sit next to each other."""

    def __init__(self, rng):
        self.rng = rng
        self.nets = [(rng.choice((10, 44, 81, 172, 203)) << 24) |
                     (rng.randint(0, 255) << 16) for _ in range(2)]

    def addr(self):
        r = self.rng
        return r.choice(self.nets) | (r.randint(0, 5) << 8) | r.randint(0, 255)


def ip4(v):
    return str(ipaddress.IPv4Address(v))


def ip4set_key(rng, sp, zones):
    """One ip4set key in one of its forms; its query points registered."""
    r = rng.random()
    a = sp.addr()
    if r < 0.45:
        q_range(rng, 4, a, a, zones)
        return ip4(a)
    if r < 0.58:
        plen = rng.choice((24, 25, 26, 28, 29, 30, 31))
        lo = a & ~((1 << (32 - plen)) - 1) & 0xFFFFFFFF
        q_range(rng, 4, lo, lo + (1 << (32 - plen)) - 1, zones)
        return "%s/%d" % (ip4(lo), plen)
    if r < 0.63:
        lo = a & 0xFFFFFF00
        q_range(rng, 4, lo, lo + 255, zones)
        return ".".join(ip4(lo).split(".")[:3])          # a.b.c
    if r < 0.65:
        lo = a & 0xFFFF0000
        q_range(rng, 4, lo, lo + 0xFFFF, zones)
        return "%s/%d" % (ip4(lo), 16) if rng.random() < 0.5 else \
            ".".join(ip4(lo).split(".")[:2])              # a.b
    if r < 0.77:
        hi = min(a + rng.randint(1, 600), 0xFFFFFFFF)
        q_range(rng, 4, a, hi, zones)
        return "%s-%s" % (ip4(a), ip4(hi))
    if r < 0.83:
        hi = (a & ~255) | rng.randint(a & 255, 255)
        q_range(rng, 4, a, hi, zones)
        return "%s-%d" % (ip4(a), hi & 255)               # a.b.c.d-e
    if r < 0.95:
        q_range(rng, 4, a, a, zones)
        return "!" + ip4(a)
    lo = a & 0xFFFFFFF0
    q_range(rng, 4, lo, lo + 15, zones)
    return "!%s/28" % ip4(lo)


def ip4trie_key(rng, sp, zones):
    r = rng.random()
    a = sp.addr()
    if r < 0.5:
        q_range(rng, 4, a, a, zones)
        key = ip4(a)
    else:
        plen = rng.choice((16, 20, 22, 24, 26, 28, 30, 31, 32))
        lo = a & ~((1 << (32 - plen)) - 1) & 0xFFFFFFFF
        q_range(rng, 4, lo, lo + (1 << (32 - plen)) - 1, zones)
        key = "%s/%d" % (ip4(lo), plen)
    return ("!" + key) if rng.random() < 0.12 else key


def ip4tset_key(rng, sp, zones):
    a = sp.addr()
    q_range(rng, 4, a, a, zones)
    return ip4(a)


# ---- IPv6 ----------------------------------------------------------------------

class Space6:
    """One /48: /64s side by side, prefixes nested in each other."""

    def __init__(self, rng):
        self.rng = rng
        self.base = (0x20010db8 << 96) | (rng.randint(0, 0xffff) << 80)

    def addr(self):
        r = self.rng
        return self.base | (r.randint(0, 400) << 64) | (r.randint(0, 3) << 56) | \
            r.choice((r.randint(0, 300), r.getrandbits(56)))


def ip6(v):
    return str(ipaddress.IPv6Address(v))


def groups(v, n):
    return ":".join("%x" % ((v >> (112 - 16 * i)) & 0xffff) for i in range(n))


def ip6trie_key(rng, sp, zones):
    r = rng.random()
    a = sp.addr()
    if r < 0.45:
        q_range(rng, 6, a, a, zones)
        key = ip6(a) if "::" in ip6(a) else groups(a, 8)
    elif r < 0.65:
        lo = a & ~((1 << 64) - 1)
        q_range(rng, 6, lo, lo + (1 << 64) - 1, zones)
        key = groups(lo, 4)                          # 4 groups: a /64
    else:
        plen = rng.choice((48, 56, 60, 64, 96, 120, 124, 127))
        lo = a & ~((1 << (128 - plen)) - 1)
        q_range(rng, 6, lo, lo + (1 << (128 - plen)) - 1, zones)
        key = "%s/%d" % (ip6(lo), plen)
    return ("!" + key) if rng.random() < 0.12 else key


def ip6tset_key(rng, sp, zones):
    a = sp.addr()
    if rng.random() < 0.85:
        lo = a & ~((1 << 64) - 1)
        q_range(rng, 6, lo, lo + (1 << 64) - 1, zones)
        return groups(lo, 4)
    q_range(rng, 6, a, a, zones)                     # exclusions: /128s
    return "!" + ip6(a)


# ---- names ---------------------------------------------------------------------

def dnset_key(rng, sp, zones):
    base = "d%d.example" % rng.randint(0, 7)
    name = "%s%d.%s" % (rng.choice(("host", "mail", "Spam", "x")),
                        rng.randint(0, 60), base)
    r = rng.random()
    for n in (name, "a." + name, "b.a." + name, name.split(".", 1)[1],
              "miss%d.%s" % (rng.randint(0, 999), base)):
        q_name(n.lower(), zones)
    if r < 0.5:
        key = name
    elif r < 0.7:
        key = "*." + name
    elif r < 0.85:
        key = "." + name
    elif r < 0.9:
        key = "*." + base
    else:
        key = "." + base
    if rng.random() < 0.12:
        key = "!" + (rng.choice(("", "*.", ".")) + "a." + name
                     if rng.random() < 0.5 else key)
    return key


# ---- feeds: sections of lines ------------------------------------------------------

class Section:
    """The `$` lines at its head (a $DATASET line first, in combined) and
    the data lines: keys and default `:A:TXT` lines."""

    def __init__(self, head, keyfn, zones, tset=False):
        self.head, self.data, self.keyfn, self.zones = head, [], keyfn, zones
        self.tset = tset

    def entry(self, rng, sp, i):
        key = self.keyfn(rng, sp, self.zones)
        if self.tset or key.startswith("!"):
            return key
        return key + value(rng, i)


def fill(rng, sec, sp, n):
    """n entries with a default line first and a few more on the way."""
    sec.data.append(default_line(rng))
    for i in range(n):
        if i and rng.random() < 0.02:
            sec.data.append(default_line(rng))
        sec.data.append(sec.entry(rng, sp, i))


class Feed:
    def __init__(self, sections, sp):
        self.sections, self.sp = sections, sp
        self.crlf = False       # every line ends in CR LF
        self.gzip = False
        self.cut = None         # keep this fraction of the bytes

    def copy(self):
        f = Feed([], self.sp)
        for s in self.sections:
            c = Section(list(s.head), s.keyfn, s.zones, s.tset)
            c.data = list(s.data)
            f.sections.append(c)
        f.crlf, f.gzip, f.cut = self.crlf, self.gzip, self.cut
        return f

    def encode(self):
        """The file's bytes."""
        lines = []
        for s in self.sections:
            lines += s.head + s.data
        eol = "\r\n" if self.crlf else "\n"
        b = "".join(l + eol for l in lines).encode("latin-1")
        if self.cut is not None:
            # In the middle of a line, never just after a newline.
            n = int(len(b) * self.cut)
            while n > 1 and b[n - 1:n] in (b"\n", b"\r"):
                n -= 1
            b = b[:n]
        if self.gzip:
            b = gzip.compress(b, mtime=0)
        return b


# ---- B from A ------------------------------------------------------------------

def data_sections(f):
    return [s for s in f.sections if s.keyfn]


def m_add(rng, f):
    for _ in range(rng.randint(1, 25)):
        s = rng.choice(data_sections(f))
        s.data.insert(rng.randint(1, len(s.data)), s.entry(rng, f.sp, 9000))


def m_delete(rng, f):
    for _ in range(rng.randint(1, 25)):
        s = rng.choice(data_sections(f))
        if len(s.data) > 2:
            del s.data[rng.randint(1, len(s.data) - 1)]


def m_value(rng, f):
    """1 to 20 data lines get another value: at least one, so the change
    shows (lines that take no value are passed over, not counted)."""
    want, done = rng.randint(1, 20), 0
    for _ in range(200):
        if done == want:
            break
        s = rng.choice(data_sections(f))
        i = rng.randint(1, len(s.data) - 1)
        line = s.data[i]
        if s.tset or line.startswith(("!", ":", "$")):
            continue
        s.data[i] = line.split(" ", 1)[0] + value(rng, 7000 + i)
        done += 1


def m_default(rng, f):
    """The first default line (early in the file) changes, so every line
    after it that takes the default changes value."""
    s = data_sections(f)[0]
    s.data[0] = default_line(rng)
    while len(s.data) > 1 and s.data[1].startswith(":"):
        del s.data[1]            # it would hide the change


def m_dollar(rng, f):
    """$TTL, $n, $SOA and $NS lines change."""
    head = f.sections[0].head
    for i, l in enumerate(head):
        w = l.split()
        if w[0] == "$TTL":
            head[i] = "$TTL %d" % rng.choice((60, 600, 7200))
        elif w[0] == "$0":
            head[i] = "$0 zero-changed-%d" % rng.randint(0, 99)
        elif w[0] == "$SOA" and rng.random() < 0.7:
            w[4] = str(int(w[4]) + 1)
            w[8] = str(rng.choice((30, 90, 600)))
            head[i] = " ".join(w)
        elif w[0] == "$NS" and rng.random() < 0.7:
            head[i] = "$NS %s ns3.changed.test." % w[1]
    if rng.random() < 0.5:
        head.append("$3 three-new")


def m_late(rng, f):
    """`$` lines among the data: the last $TTL and the first $n and $=
    hold for the whole dataset, lines above them too; $MAXRANGE4 drops the
    wide entries after it."""
    s = rng.choice(data_sections(f))
    lines = ["$TTL %d" % rng.choice((45, 900)),
             "$%d late-%d" % (rng.randint(0, 9), rng.randint(0, 99)),
             "$= late [$]"]
    if s.keyfn in (ip4set_key, ip4trie_key):
        lines.append("$MAXRANGE4 /%d" % rng.choice((20, 24, 26)))
    for line in rng.sample(lines, rng.randint(1, len(lines))):
        s.data.insert(rng.randint(1, len(s.data)), line)


def m_reorder(rng, f):
    s = rng.choice(data_sections(f))
    body = s.data[1:]
    if rng.random() < 0.5:
        rng.shuffle(body)                  # everything (defaults too)
    else:
        i = rng.randint(0, len(body) - 1)  # a block moved
        j = rng.randint(i, min(len(body), i + 80))
        block = body[i:j]
        del body[i:j]
        k = rng.randint(0, len(body))
        body[k:k] = block
    s.data[1:] = body


def m_duplicate(rng, f):
    for _ in range(rng.randint(1, 15)):
        s = rng.choice(data_sections(f))
        line = rng.choice(s.data[1:])
        where = rng.randint(1, len(s.data))
        s.data.insert(where, line)


def single_key(v6, a):
    if not v6:
        return ip4(a)
    return ip6(a) if "::" in ip6(a) else groups(a, 8)


def exclusions(keys, v6):
    """The (first, last) addresses the exclusions among `keys` cover."""
    out = []
    for k in keys:
        if not k.startswith("!"):
            continue
        k = k[1:]
        if v6 and "/" not in k and "::" not in k and k.count(":") < 7:
            k = "%s::/%d" % (k, 16 * (k.count(":") + 1))   # a:b:c:d
        net = ipaddress.ip_network(k, strict=False)
        out.append((int(net.network_address), int(net.broadcast_address)))
    return out


def own_singles(s, v6):
    """The keys of section `s`, and the indexes of its lines that list one
    address, the only line for it, with a value no other line has and no
    exclusion over it."""
    keys = [l.split(" ", 1)[0] for l in s.data]
    vals = [l[len(k):] for l, k in zip(s.data, keys)]
    ex = exclusions(keys, v6)
    return keys, [i for i, l in enumerate(s.data)
                  if i > 0 and keys[i] and keys[i][0].isalnum() and
                  "/" not in keys[i] and "-" not in keys[i] and
                  ("::" in keys[i] or keys[i].count(":") == 7 if v6
                   else keys[i].count(".") == 3) and
                  keys.count(keys[i]) == 1 and "own" in l and
                  vals.count(vals[i]) == 1 and
                  not any(lo <= int(ipaddress.ip_address(keys[i])) <= hi
                          for lo, hi in ex)]


def m_samesize(rng, f):
    """One digit of one value changed: the file keeps its size (and the
    test gives every version the same mtime), so only its bytes tell."""
    s = data_sections(f)[0]
    _, single = own_singles(s, isinstance(f.sp, Space6))
    if not single:
        m_one(rng, f)
        return
    i = rng.choice(single)
    key, val = s.data[i].split(" ", 1)
    d = val.index(":own") - 1                     # the last digit of the A
    val = val[:d] + ("8" if val[d] == "9" else str(int(val[d]) + 1)) + val[d + 1:]
    s.data[i] = key + " " + val


def m_one(rng, f):
    """One address line added, removed or given another value: the
    smallest update, a few records written rather than a rewrite.  The
    line is the only one for its address and has a value of its own, so
    the change shows in the answers."""
    s = data_sections(f)[0]
    v6 = isinstance(f.sp, Space6)
    keys, single = own_singles(s, v6)
    r = rng.random()
    ex = exclusions(keys, v6)
    fresh = [a for a in (f.sp.addr() for _ in range(200))
             if single_key(v6, a) not in keys and
             not any(lo <= a <= hi for lo, hi in ex)]
    if r < 0.35 or not single:
        a = fresh[0] if fresh else f.sp.addr()
        q_range(rng, 6 if v6 else 4, a, a, s.zones)
        s.data.insert(rng.randint(1, len(s.data)),
                      single_key(v6, a) + " :%d:one" % rng.randint(31, 40))
    elif r < 0.7 and single:
        del s.data[rng.choice(single)]
    else:
        i = rng.choice(single)
        s.data[i] = keys[i] + " :%d:one" % rng.randint(31, 40)


def m_sections(rng, f):
    """combined: the sections swap places (so a section's position, which
    names it in the store, changes type), or a new one is added."""
    if rng.random() < 0.5:
        f.sections[1], f.sections[2] = f.sections[2], f.sections[1]
        return
    zone = f.sections[0].zones[0]
    new = Section(["$DATASET ip4trie:extra extra"], ip4trie_key,
                  ["extra." + zone])
    fill(rng, new, Space4(rng), 40)
    f.sections.append(new)


def m_empty(rng, f):
    """Every entry gone (the test swaps A and B half the time, so an
    empty dataset fills up)."""
    for s in data_sections(f):
        del s.data[1:]


def m_cut(rng, f):
    f.cut = rng.uniform(0.7, 0.99)


def m_crlf(rng, f):
    f.crlf = not f.crlf


def m_gzip(rng, f):
    f.gzip = not f.gzip


MUTATIONS = {"add": m_add, "delete": m_delete, "value": m_value,
             "default": m_default, "dollar": m_dollar, "late": m_late,
             "reorder": m_reorder,
             "duplicate": m_duplicate, "one": m_one, "samesize": m_samesize,
             "sections": m_sections, "empty": m_empty,
             "cut": m_cut, "crlf": m_crlf,
             "gzip": m_gzip}
COMMON = ("add", "delete", "value", "default", "dollar", "late", "reorder",
          "duplicate")


def version_b(rng, a, forced):
    b = a.copy()
    if forced in (("one",), ("samesize",), ("empty",)):
        MUTATIONS[forced[0]](rng, b)
        return b, list(forced)
    names = list(forced) + [m for m in COMMON if rng.random() < 0.4]
    if rng.random() < 0.1:
        names.append("cut")
    if "default" in names:       # last: nothing may hide it after
        names = [m for m in names if m != "default"] + ["default"]
    done = []
    for m in names:
        if m not in done:
            MUTATIONS[m](rng, b)
            done.append(m)
    return b, done


# ---- the cases -------------------------------------------------------------------

def one_section_feed(rng, zone, keyfn, sp, n, tset=False, vars_=True):
    s = Section(header(rng, zone, vars_=vars_), keyfn, [zone], tset)
    if rng.random() < 0.3 and not tset and vars_:
        s.head.append("$= base [$] $0")
    fill(rng, s, sp, n)
    return Feed([s], sp)


def combined_feed(rng, zone, sp4, n):
    top = Section(header(rng, zone, vars_=False), None, [zone])
    sbl = Section(["$DATASET ip4set:sbl sbl @"], ip4set_key,
                  ["sbl." + zone, zone])
    fill(rng, sbl, sp4, n)
    dbl = Section(["$DATASET dnset:dbl dbl", "$0 in-dbl"], dnset_key,
                  ["dbl." + zone])
    fill(rng, dbl, None, n // 2)
    return Feed([top, sbl, dbl], sp4)


def gen(d, seed):
    rng = random.Random(seed)
    os.makedirs(os.path.join(d, "a"), exist_ok=True)
    os.makedirs(os.path.join(d, "b"), exist_ok=True)
    n = rng.randint(120, 220)
    sp4, sp6 = Space4(rng), Space6(rng)
    # name, type, [(file, feed A, forced mutations or None: unchanged)]
    cases = [
        ("v4", "ip4set", [("v4.data", one_section_feed(
            rng, "v4.t", ip4set_key, sp4, n), ("default", "dollar", "late"))]),
        ("v4order", "ip4set", [("v4order.data", one_section_feed(
            rng, "v4order.t", ip4set_key, Space4(rng), n),
            ("reorder", "duplicate"))]),
        ("v4cut", "ip4set", [("v4cut.data", one_section_feed(
            rng, "v4cut.t", ip4set_key, Space4(rng), n), ("cut", "add"))]),
        ("v4gz", "ip4set", [("v4gz.data.gz", one_section_feed(
            rng, "v4gz.t", ip4set_key, Space4(rng), n), ("value",))]),
        ("v4crlf", "ip4set", [("v4crlf.data", one_section_feed(
            rng, "v4crlf.t", ip4set_key, Space4(rng), n), ("crlf",))]),
        ("v4one", "ip4set", [("v4one.data", one_section_feed(
            rng, "v4one.t", ip4set_key, Space4(rng), n), ("one",))]),
        ("v4same", "ip4set", [("v4same.data", one_section_feed(
            rng, "v4same.t", ip4set_key, Space4(rng), n), ("samesize",))]),
        ("v4empty", "ip4set", [("v4empty.data", one_section_feed(
            rng, "v4empty.t", ip4set_key, Space4(rng), n // 4), ("empty",))]),
        ("v4trie", "ip4trie", [("v4trie.data", one_section_feed(
            rng, "v4trie.t", ip4trie_key, Space4(rng), n),
            ("reorder", "duplicate"))]),
        ("v4tset", "ip4tset", [("v4tset.data", one_section_feed(
            rng, "v4tset.t", ip4tset_key, Space4(rng), n, tset=True),
            ("default",))]),
        ("v6", "ip6trie", [("v6.data", one_section_feed(
            rng, "v6.t", ip6trie_key, sp6, n), ("default",))]),
        ("v6one", "ip6trie", [("v6one.data", one_section_feed(
            rng, "v6one.t", ip6trie_key, Space6(rng), n), ("one",))]),
        ("v6tset", "ip6tset", [("v6tset.data", one_section_feed(
            rng, "v6tset.t", ip6tset_key, Space6(rng), n, tset=True),
            ("add", "delete"))]),
        ("dn", "dnset", [("dn.data", one_section_feed(
            rng, "dn.t", dnset_key, None, n), ("default",))]),
        ("zen", "combined", [("zen.data", combined_feed(
            rng, "zen.t", Space4(rng), n), ("value", "sections"))]),
    ]
    # Two files read as one stream; only one of them changes.
    sp = Space4(rng)
    two = [("two1.data", one_section_feed(rng, "two.t", ip4set_key, sp, n // 2),
            None),
           ("two2.data", one_section_feed(rng, "two.t", ip4set_key, sp, n // 2,
                                          vars_=False), None)]
    k = rng.randint(0, 1)
    two[k] = (two[k][0], two[k][1], ("value", "default"))
    cases.append(("two", "ip4set", two))

    for name, typ, files in cases:
        for fname, feed, _ in files:
            if fname.endswith(".gz"):
                feed.gzip = True
            if name == "v4crlf" and rng.random() < 0.5:
                feed.crlf = True             # A in CRLF, B in LF
    with open(os.path.join(d, "config.txt"), "w") as cfg, \
            open(os.path.join(d, "changed.txt"), "w") as chg, \
            open(os.path.join(d, "cases.txt"), "w") as log, \
            open(os.path.join(d, "visible.txt"), "w") as vis:
        for name, typ, files in cases:
            zone = name + ".t"
            muts = set()
            cfg.write("%s %s %s %s\n" % (name, typ, zone,
                                         " ".join(f for f, _, _ in files)))
            for fname, a, forced in files:
                fb, done = (a, []) if forced is None else \
                    version_b(rng, a, forced)
                if "empty" in done and rng.random() < 0.5:
                    a, fb, done = fb, a, ["filled"]
                ba, bb = a.encode(), fb.encode()
                with open(os.path.join(d, "a", fname), "wb") as f:
                    f.write(ba)
                with open(os.path.join(d, "b", fname), "wb") as f:
                    f.write(bb)
                if ba != bb:
                    chg.write("%s %s\n" % (name, fname))
                log.write("%s %s: %s\n" % (name, fname,
                                           ",".join(done) or "unchanged"))
                muts |= set(done)
            if muts - {"reorder", "duplicate"}:
                vis.write(zone + "\n")
            # Random misses and the zone's apex.
            q_name("", [zone])
            if typ in ("ip4set", "ip4trie", "ip4tset", "combined"):
                for _ in range(20):
                    q_name(rev4(rng.getrandbits(32)), [zone])
            if typ in ("ip6trie", "ip6tset"):
                for _ in range(20):
                    q_name(rev6(rng.getrandbits(128)), [zone])
            q_name("nothing.here", [zone])
    seen = set()
    with open(os.path.join(d, "queries.txt"), "w") as f:
        for qn in QUERIES:
            if qn not in seen:
                seen.add(qn)
                f.write("%s A\n%s TXT\n" % (qn, qn))


# ---- norm: the store's records in a normal form ---------------------------------------

def mdb_dump(store):
    """{table: [(key bytes, data bytes)]} from `mdb_dump -a`."""
    out = subprocess.run(["mdb_dump", "-a", store], check=True,
                         capture_output=True, text=True).stdout
    tables, name, rows, pend = {}, None, None, None
    for line in out.splitlines():
        if line.startswith("database="):
            name, rows, pend = line[9:], [], None
            tables[name] = rows
        elif line == "DATA=END":
            name = None
        elif name is not None and line.startswith(" "):
            b = bytes.fromhex(line[1:])
            if pend is None:
                pend = b
            else:
                rows.append((pend, b))
                pend = None
    return tables


# The address tables' overlay keys (store_layout.h): dsid | bit.
OVL_ADD = 0x80000000
OVL_DEL = 0x40000000
ADDR_TABLES = ("src4", "src6", "ip4", "ip6")


def split_overlay(rows):
    """{dsid: (base, added, taken away)} of one address table's rows, each
    a set of records."""
    out = {}
    for k, v in rows:
        key = int.from_bytes(k, "big")
        dsid = key & ~(OVL_ADD | OVL_DEL)
        part = 1 if key & OVL_ADD else 2 if key & OVL_DEL else 0
        out.setdefault(dsid, (set(), set(), set()))[part].add(v)
    return out


def effective(t, broken):
    """The address tables as a full load stores them: each dataset's
    overlay merged into its base, under key dsid.  Breaks of the layout's
    rules (added records also in the base, taken-away ones not in it, both
    bits set) go to `broken`."""
    for tab in ADDR_TABLES:
        rows = []
        for dsid, (base, add, dele) in sorted(split_overlay(t.get(tab, [])).items()):
            if add & base:
                broken.append("BROKEN %s %x: %d added records already in "
                              "the base" % (tab, dsid, len(add & base)))
            if dele - base:
                broken.append("BROKEN %s %x: %d taken-away records not in "
                              "the base" % (tab, dsid, len(dele - base)))
            k = dsid.to_bytes(4, "big")
            rows += [(k, v) for v in sorted((base - dele) | add)]
        if tab in t:
            t[tab] = rows


def norm(store):
    t = mdb_dump(store)
    broken = []
    effective(t, broken)
    be = lambda b: int.from_bytes(b, "big")
    dsname = {be(v[:4]): k.decode("latin-1") for k, v in t.get("names", [])}
    values = {be(k): v for k, v in t.get("values", [])}

    def val(ref):
        if ref == 0:
            return "excluded"
        v = values.get(ref)
        if v is None:
            return "MISSING-%x" % ref
        if v[0] == 1:
            return "{" + ", ".join(val(be(v[i:i + 4]))
                                   for i in range(1, len(v), 4)) + "}"
        a = ipaddress.IPv4Address(be(v[2:6]))
        txt = repr(v[7:].decode("latin-1")) if v[6] else "-"
        return "%d:%s:%s" % (v[1], a, txt)

    out = []
    for tab, alen in (("src4", 4), ("src6", 16)):
        for k, v in t.get(tab, []):
            addr = ipaddress.ip_address(v[:alen])
            out.append("%s %s %s/%d %s" % (dsname.get(be(k), k.hex()), tab,
                                           addr, v[alen], val(be(v[alen + 1:]))))
    for tab, alen in (("ip4", 4), ("ip6", 16)):
        for k, v in t.get(tab, []):
            out.append("%s %s %s-%s %s" % (
                dsname.get(be(k), k.hex()), tab,
                ipaddress.ip_address(v[alen:2 * alen]),
                ipaddress.ip_address(v[:alen]), val(be(v[2 * alen:]))))
    for k, v in t.get("dn", []):
        tag = k[-1]
        data = val(be(v)) if tag in (0, 1) else v.hex()
        out.append("%s dn %s %d %s" % (dsname.get(be(k[:4]), k[:4].hex()),
                                       k[4:-1].hex(), tag, data))
    for tab in ("history", "expiry", "trap", "request"):
        out.append("%s: %d records" % (tab, len(t.get(tab, []))))
    out.append("datasets: " + " ".join(sorted(dsname.values())))
    out += broken
    for line in sorted(out):
        print(line)


def overlay(store):
    t = mdb_dump(store)
    dsname = {int.from_bytes(v[:4], "big"): k.decode("latin-1")
              for k, v in t.get("names", [])}
    total = 0
    for tab in ADDR_TABLES:
        for dsid, (_, add, dele) in sorted(split_overlay(t.get(tab, [])).items()):
            if add or dele:
                print("%s %s +%d -%d" % (dsname.get(dsid, "%x" % dsid), tab,
                                         len(add), len(dele)))
                total += len(add) + len(dele)
    print("overlay records: %d" % total)


def main():
    if len(sys.argv) == 4 and sys.argv[1] == "gen":
        gen(sys.argv[2], int(sys.argv[3]))
    elif len(sys.argv) == 3 and sys.argv[1] == "norm":
        norm(sys.argv[2])
    elif len(sys.argv) == 3 and sys.argv[1] == "overlay":
        overlay(sys.argv[2])
    else:
        sys.exit("usage: incr_gen.py gen DIR SEED | norm STOREDIR | "
                 "overlay STOREDIR")


if __name__ == "__main__":
    main()
