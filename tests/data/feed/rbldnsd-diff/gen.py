# gen.py -- random rbldnsd feed lines in every key form, plus the addresses
# around each key's edges to query.  Usage: gen.py TYPE SEED OUTDIR
import ipaddress
import random
import sys

kind, seed, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
random.seed(seed)
lines, qs = [], set()


def val():
    return " :%d" % random.randint(2, 9) if random.random() < 0.75 else ""


def edges(na, size, bits):
    for d in (0, size - 1, size, -1, size // 2, 255, 256):
        qs.add(str(ipaddress.ip_address((na + d) % (1 << bits))))


for _ in range(300):
    ex = "!" if random.random() < 0.12 else ""
    if kind == "ip6trie":
        a = (0x20010db8 << 96) | (random.getrandbits(24) << random.choice([64, 80, 96, 104]))
        p = random.choice([32, 40, 48, 56, 64, 72, 80, 96, 104, 112, 127, 128])
        net = ipaddress.ip_network((a, p), strict=False)
        k = random.random()
        if k < 0.5:
            s = net.network_address.compressed + "/%d" % p
        elif k < 0.7 and p % 16 == 0:
            s = ":".join(net.network_address.exploded.split(":")[:p // 16])
        elif k < 0.9:
            s = net.network_address.exploded + "/%d" % p
        else:
            s = str(ipaddress.ip_address(a)) + "/%d" % p
        edges(int(net.network_address), net.num_addresses, 128)
    else:
        a = (random.choice([10, 127, 192]) << 24) | (random.getrandbits(20) << random.choice([0, 4, 8]))
        k = random.random()
        if kind == "ip4set" and k < 0.3:
            b = min(a + random.choice([1, 5, 255, 256, 300, 1000, 65535, 65536, 200000]), 0xffffffff)
            o = str(ipaddress.ip_address(a)).split(".")
            if random.random() < 0.5:
                s = str(ipaddress.ip_address(a)) + "-" + str(ipaddress.ip_address(b))
            else:
                n = random.choice([2, 3, 4])
                hi = min(255, int(o[n - 1]) + random.randint(0, 40))
                s = ".".join(o[:n]) + "-" + str(hi)
            edges(a, b - a + 1, 32)
        else:
            p = random.choice([8, 12, 16, 20, 23, 24, 25, 28, 31, 32] + ([0] if kind != "ip4set" else []))
            net = ipaddress.ip_network((a, p), strict=False)
            r = random.random()
            if r < 0.6:
                s = str(net.network_address) + "/%d" % p
            elif r < 0.8 and p in (16, 24, 32):
                s = ".".join(str(net.network_address).split(".")[:p // 8])
            else:
                s = str(ipaddress.ip_address(a)) + "/%d" % p   # maybe host bits
            edges(int(net.network_address), net.num_addresses, 32)
    lines.append(ex + s + val())
open(out + "/data", "w").write("\n".join(lines) + "\n")
open(out + "/queries", "w").write("\n".join(sorted(qs)) + "\n")
