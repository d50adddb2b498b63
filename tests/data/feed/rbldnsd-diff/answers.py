# answers.py -- turn `dig +noall +answer` output back into "addr: A..." lines
# for the queried addresses.  Usage: answers.py FAMILY DIGOUT QUERIES
import collections
import ipaddress
import sys

six = sys.argv[1] == "6"
got = collections.defaultdict(set)
for line in open(sys.argv[2]):
    p = line.split()
    if len(p) >= 5 and p[3] == "A":
        labels = p[0].rstrip(".").split(".")
        if six:
            ip = str(ipaddress.ip_address(int("".join(reversed(labels[:32])), 16)))
        else:
            ip = ".".join(reversed(labels[:4]))
        got[ip].add(p[4])
for q in open(sys.argv[3]):
    q = q.strip()
    a = sorted(got.get(q, ()), key=lambda x: tuple(map(int, x.split("."))))
    print(q + ":" + "".join(" " + x for x in a))
