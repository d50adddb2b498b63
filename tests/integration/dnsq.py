#!/usr/bin/env python3
# dnsq.py -- a small stdlib-only DNS client for the integration tests.
#
# dig and kdig refuse to send some packets (wrong QDCOUNT, odd opcodes,
# truncated or looping names) and hide bytes we want to check, so the tests
# that need raw control use this instead.  It also runs thousands of queries
# quickly for the differential test (--bulk).
#
#   dnsq.py PORT NAME [TYPE] [--tcp] [--edns SIZE] [--ednsver N] [--do]
#           [--flags HEX] [--opcode N] [--class N] [--qdcount N] [--server IP]
#           [--source IP]                 (send from this local address)
#   dnsq.py PORT --raw HEX [--tcp]        send these bytes as the query
#   dnsq.py PORT --bulk FILE [--tcp]      "NAME TYPE" per line -> one result
#                                         line per query (rcode + answers)
#           [--ttl]                       ...with each record's TTL, and the
#                                         authority section (a SOA's serial
#                                         shown as S: it is when the store
#                                         was written, not what it holds)
#
# Output: the reply in a stable line format (see show()); "NO REPLY" when
# nothing came back within the timeout.
import argparse
import random
import select
import socket
import struct
import sys
import time

TYPES = {"A": 1, "NS": 2, "CNAME": 5, "SOA": 6, "PTR": 12, "MX": 15,
         "TXT": 16, "AAAA": 28, "SRV": 33, "OPT": 41, "DS": 43, "IXFR": 251,
         "AXFR": 252, "MAILB": 253, "ANY": 255, "CAA": 257}
TYPENAMES = {v: k for k, v in TYPES.items()}
RCODES = ["NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP", "REFUSED"]
CLASSES = {1: "IN", 3: "CH", 255: "ANY"}


def qtype_num(t):
    t = t.upper()
    if t in TYPES:
        return TYPES[t]
    if t.startswith("TYPE"):
        return int(t[4:])
    raise SystemExit("unknown type " + t)


def encode_name(name):
    out = b""
    for label in name.rstrip(".").split("."):
        if label:
            b = label.encode()
            out += bytes([len(b)]) + b
    return out + b"\0"


def build_query(name, qtype, qid=None, flags=0x0100, opcode=0, qclass=1,
                qdcount=1, edns=None, ednsver=0, do=False):
    qid = random.randint(0, 65535) if qid is None else qid
    flags = (flags & ~0x7800) | (opcode << 11)
    arcount = 1 if edns is not None else 0
    pkt = struct.pack(">HHHHHH", qid, flags, qdcount, 0, 0, arcount)
    for _ in range(max(qdcount, 1) if qdcount else 0):
        pkt += encode_name(name) + struct.pack(">HH", qtype, qclass)
    if edns is not None:
        pkt += b"\0" + struct.pack(">HHBBHH", 41, edns, 0, ednsver,
                                   0x8000 if do else 0, 0)
    return pkt


def read_name(pkt, pos):
    labels, jumps, end = [], 0, None
    while True:
        ln = pkt[pos]
        if ln & 0xC0 == 0xC0:
            if end is None:
                end = pos + 2
            pos = ((ln & 0x3F) << 8) | pkt[pos + 1]
            jumps += 1
            if jumps > 50:
                raise ValueError("pointer loop")
            continue
        if ln == 0:
            return (".".join(labels) + "."), (end if end is not None else pos + 1)
        labels.append(pkt[pos + 1:pos + 1 + ln].decode("latin-1"))
        pos += 1 + ln


def rdata_text(pkt, rtype, pos, rdlen):
    rd = pkt[pos:pos + rdlen]
    if rtype == 1 and rdlen == 4:
        return socket.inet_ntop(socket.AF_INET, rd)
    if rtype == 16:
        out, i = [], 0
        while i < len(rd):
            n = rd[i]
            out.append('"' + rd[i + 1:i + 1 + n].decode("latin-1") + '"')
            i += 1 + n
        return " ".join(out)
    if rtype in (2, 5, 12):
        return read_name(pkt, pos)[0]
    if rtype == 15:
        return "%d %s" % (struct.unpack(">H", rd[:2])[0], read_name(pkt, pos + 2)[0])
    if rtype == 6:
        m, p = read_name(pkt, pos)
        r, p = read_name(pkt, p)
        return "%s %s %d %d %d %d %d" % ((m, r) + struct.unpack(">IIIII", pkt[p:p + 20]))
    return "\\# %d %s" % (rdlen, rd.hex())


def parse(pkt):
    """Returns a dict describing the reply."""
    qid, flags, qd, an, ns, ar = struct.unpack(">HHHHHH", pkt[:12])
    r = {"id": qid, "flags": flags, "qd": qd, "an": an, "ns": ns, "ar": ar,
         "rcode": flags & 0xF, "opcode": (flags >> 11) & 0xF, "question": [],
         "answer": [], "authority": [], "additional": [], "opt": None,
         "len": len(pkt)}
    pos = 12
    for _ in range(qd):
        name, pos = read_name(pkt, pos)
        t, c = struct.unpack(">HH", pkt[pos:pos + 4])
        pos += 4
        r["question"].append((name, c, t))
    for sec, count in (("answer", an), ("authority", ns), ("additional", ar)):
        for _ in range(count):
            name, pos = read_name(pkt, pos)
            t, c, ttl, rdlen = struct.unpack(">HHIH", pkt[pos:pos + 10])
            pos += 10
            if t == 41:
                r["opt"] = {"size": c, "rcode_hi": ttl >> 24,
                            "version": (ttl >> 16) & 0xFF,
                            "flags": ttl & 0xFFFF, "rdlen": rdlen}
            else:
                r[sec].append((name, ttl, c, t, rdata_text(pkt, t, pos, rdlen)))
            pos += rdlen
    r["trailing"] = len(pkt) - pos
    return r


def flag_names(flags):
    names = [("qr", 0x8000), ("aa", 0x0400), ("tc", 0x0200), ("rd", 0x0100),
             ("ra", 0x0080), ("z", 0x0040), ("ad", 0x0020), ("cd", 0x0010)]
    return ",".join(n for n, b in names if flags & b) or "-"


def rcode_name(r):
    code = r["rcode"]
    if r["opt"]:
        code |= r["opt"]["rcode_hi"] << 4
    if code == 16:
        return "BADVERS"
    return RCODES[code] if code < len(RCODES) else "RCODE%d" % code


def show(r):
    print("rcode=%s opcode=%d flags=%s qd=%d an=%d ns=%d ar=%d len=%d" % (
        rcode_name(r), r["opcode"], flag_names(r["flags"]), r["qd"], r["an"],
        r["ns"], r["ar"], r["len"]))
    for name, c, t in r["question"]:
        print("q: %s %s %s" % (name, CLASSES.get(c, str(c)), TYPENAMES.get(t, "TYPE%d" % t)))
    for sec, tag in (("answer", "an"), ("authority", "ns"), ("additional", "ar")):
        for name, ttl, c, t, data in r[sec]:
            print("%s: %s %d %s %s %s" % (tag, name, ttl, CLASSES.get(c, str(c)),
                                          TYPENAMES.get(t, "TYPE%d" % t), data))
    if r["opt"]:
        o = r["opt"]
        print("opt: size=%d version=%d do=%d flags=%04x rdlen=%d" % (
            o["size"], o["version"], 1 if o["flags"] & 0x8000 else 0,
            o["flags"], o["rdlen"]))


def exchange(server, port, pkt, tcp, timeout=2.0, source=None):
    fam = socket.AF_INET6 if ":" in server else socket.AF_INET
    if tcp:
        s = socket.socket(fam, socket.SOCK_STREAM)
        s.settimeout(timeout)
        if source:
            s.bind((source, 0))
        try:
            s.connect((server, port))
            s.sendall(struct.pack(">H", len(pkt)) + pkt)
            hdr = recv_exact(s, 2)
            if hdr is None:
                return None
            return recv_exact(s, struct.unpack(">H", hdr)[0])
        except (socket.timeout, ConnectionError):
            return None
        finally:
            s.close()
    s = socket.socket(fam, socket.SOCK_DGRAM)
    s.settimeout(timeout)
    if source:
        s.bind((source, 0))
    try:
        s.sendto(pkt, (server, port))
        return s.recv(65535)
    except socket.timeout:
        return None
    finally:
        s.close()


def recv_exact(s, n):
    buf = b""
    while len(buf) < n:
        chunk = s.recv(n - len(buf))
        if not chunk:
            return None
        buf += chunk
    return buf


def result_line(name, qtype, r, ttl=False):
    """One canonical line: the rcode and the sorted answer set; with `ttl`,
    each record's TTL and then the sorted authority set (SOA serial as S)."""
    if r is None:
        return "%s %s NO-REPLY" % (name, qtype)

    def rrs(sec):
        out = []
        for _, rttl, _, t, data in r[sec]:
            if t == 6 and ttl:
                # The serial is the 5th field from the end (a name may
                # hold any byte, a space or a CR too).
                f = data.rsplit(" ", 5)
                data = " ".join(f[:1] + ["S"] + f[2:])
            out.append(("%d " % rttl if ttl else "") + "%s %s" % (
                TYPENAMES.get(t, "TYPE%d" % t), data))
        return " | ".join(sorted(out))
    line = "%s %s %s %s" % (name, qtype, rcode_name(r), rrs("answer"))
    return line + (" || " + rrs("authority") if ttl else "")


def bulk(server, port, path, tcp, ttl=False):
    """Sends every query of `path` over UDP, up to 64 in flight, with
    retries, and prints one result line per query in input order."""
    queries = []
    with open(path) as f:
        for line in f:
            parts = line.split()
            if len(parts) >= 2:
                queries.append((parts[0], parts[1].upper()))
    results = [None] * len(queries)
    fam = socket.AF_INET6 if ":" in server else socket.AF_INET
    s = socket.socket(fam, socket.SOCK_DGRAM)
    s.setblocking(False)
    pending = {}          # id -> (index, sent_at, tries)
    nxt = 0
    deadline = time.time() + 120
    while (nxt < len(queries) or pending) and time.time() < deadline:
        while nxt < len(queries) and len(pending) < 64:
            qid = nxt & 0xFFFF
            name, t = queries[nxt]
            s.sendto(build_query(name, qtype_num(t), qid=qid), (server, port))
            pending[qid] = (nxt, time.time(), 1)
            nxt += 1
        ready, _, _ = select.select([s], [], [], 0.2)
        if ready:
            while True:
                try:
                    pkt = s.recv(65535)
                except BlockingIOError:
                    break
                qid = struct.unpack(">H", pkt[:2])[0]
                if qid in pending:
                    idx = pending.pop(qid)[0]
                    results[idx] = parse(pkt)
        now = time.time()
        for qid, (idx, sent, tries) in list(pending.items()):
            if now - sent > 1.0:
                if tries >= 3:
                    pending.pop(qid)
                    continue
                name, t = queries[idx]
                s.sendto(build_query(name, qtype_num(t), qid=qid), (server, port))
                pending[qid] = (idx, now, tries + 1)
    for (name, t), r in zip(queries, results):
        print(result_line(name, t, r, ttl))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("port", type=int)
    ap.add_argument("name", nargs="?")
    ap.add_argument("type", nargs="?", default="A")
    ap.add_argument("--server", default="127.0.0.1")
    ap.add_argument("--source")
    ap.add_argument("--tcp", action="store_true")
    ap.add_argument("--edns", type=int)
    ap.add_argument("--ednsver", type=int, default=0)
    ap.add_argument("--do", action="store_true")
    ap.add_argument("--flags", default="0100")
    ap.add_argument("--opcode", type=int, default=0)
    ap.add_argument("--class", dest="qclass", type=int, default=1)
    ap.add_argument("--qdcount", type=int, default=1)
    ap.add_argument("--raw")
    ap.add_argument("--bulk")
    ap.add_argument("--ttl", action="store_true")
    ap.add_argument("--timeout", type=float, default=2.0)
    a = ap.parse_args()
    if a.bulk:
        bulk(a.server, a.port, a.bulk, a.tcp, a.ttl)
        return
    if a.raw is not None:
        pkt = bytes.fromhex(a.raw)
    else:
        pkt = build_query(a.name, qtype_num(a.type), flags=int(a.flags, 16),
                          opcode=a.opcode, qclass=a.qclass, qdcount=a.qdcount,
                          edns=a.edns, ednsver=a.ednsver, do=a.do)
    reply = exchange(a.server, a.port, pkt, a.tcp, a.timeout, a.source)
    if reply is None:
        print("NO REPLY")
        return
    r = parse(reply)
    if r["id"] != struct.unpack(">H", pkt[:2])[0]:
        print("ID MISMATCH")
    show(r)


if __name__ == "__main__":
    main()
