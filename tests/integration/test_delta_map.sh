#!/usr/bin/env bash
# test_delta_map.sh -- an update read from the changed lines of a dense
# ip4set remakes the interval map around each change exactly as a full
# load derives it.
#
# The feed lists addresses of eight /24s, so its prefixes (an ip4set
# keeps /32, /24, /16 and /8: other CIDRs are cut into those) nest and
# touch: single addresses next to each other, most of them listed once,
# /24s holding them, small CIDRs and ranges, exclusions of addresses and
# of CIDRs, values that differ, and an enclosing /16 and /8 that come and go.  One store S follows it
# through twelve versions, each a few percent of lines changed and renamed
# in; after each, the version is also loaded into a fresh store F.  The
# update must take the changed-lines path, and the two must agree
# (delta_lib.sh's step) on the loader's summary and warnings, on the
# stored records (incr_gen.py norm: the interval map record for record,
# overlays merged) and `dnsbl-ctl export`, and on the answers (A and TXT)
# of a dnsbld on each for every address of the eight /24s and a few
# beside them; `dnsbl-ctl check` must find S consistent.
# Ports 6460-6479.
set -u
. "$SRCDIR/tests/integration/server_lib.sh"
. "$SRCDIR/tests/integration/delta_lib.sh"

delta_setup delta_map

python3 - "$WORK" "$SEED" <<'PY'
import random, sys
work, seed = sys.argv[1], int(sys.argv[2])
rng = random.Random(seed)
HOT = [0, 1, 2, 3, 100, 101, 200, 255]   # third octets of 10.1.x.y
def ip(n):
    return "10.1.%d.%d" % (HOT[n >> 8], n & 255)
def addr():
    return ip(rng.randrange(2048))
def cidr():
    plen = rng.choice([31, 30, 29, 28, 24, 24, 24, 23])
    size = 1 << (32 - plen)
    return "%s/%d" % (ip(rng.randrange(2048) // size * size), plen)
def entry():
    k = rng.random()
    if k < 0.55:
        return addr()
    if k < 0.63:
        return addr() + " :%d:own %d $" % (rng.randrange(2, 6), rng.randrange(9))
    if k < 0.71:
        return "!" + addr()
    if k < 0.74:
        return "!" + cidr()
    if k < 0.90:
        return cidr() + rng.choice(["", "", " :3", " :7:net $"])
    n = rng.randrange(2048)
    last = n & 255
    return "%s-%d" % (ip(n), min(255, last + rng.randrange(1, 4)))
head = ["$TTL 300", "$SOA 300 ns.bl.test. hm.bl.test. 0 600 300 86400 300",
        ":127.0.0.2:Listed, see http://bl.test/$"]
body = [entry() for _ in range(700)]
def edit(body, n):
    b = list(body)
    for _ in range(n):
        k = rng.random()
        i = rng.randrange(len(b))
        if k < 0.35:
            del b[i]
        elif k < 0.75:
            b.insert(i, entry())
        elif k < 0.85:
            b[i] = b[i].split()[0] + " :6:changed $"
        else:
            b[i] = entry()
    return b
enclosing = "10.1.0.0/16 :9:enclosing $"
wide = "10.0.0.0/8 :8"
v = body
for n in range(1, 14):
    if n > 1:
        v = edit(v, rng.randrange(5, 30))
    if n in (3, 8):
        v.insert(rng.randrange(len(v)), enclosing)
    if n in (7, 13):
        v = [l for l in v if l != enclosing]
    if n == 5:
        v.insert(rng.randrange(len(v)), wide)
    if n == 11:
        v = [l for l in v if l != wide]
    with open("%s/v%d" % (work, n), "w") as f:
        f.write("\n".join(head + v) + "\n")
with open(work + "/queries.txt", "w") as f:
    addrs = ["10.0.255.255", "10.1.4.0", "10.1.99.255", "10.2.0.0"]
    addrs += [ip(n) for n in range(2048)]
    for a in addrs:
        q = ".".join(reversed(a.split("."))) + ".bl.test"
        f.write(q + " A\n" + q + " TXT\n")
PY

srv_pick_port 6460 6469; PS=$PORT
srv_pick_port 6470 6479; PF=$PORT
config "$WORK/s" "$PS"
export DNSBLD_OVERLAY_MIN=0   # the overlay path, as big feeds take it

cp "$WORK/v1" "$WORK/s/feed/bl.ip4set"
"$LOADER" -c "$WORK/s/c.yaml" load >"$WORK/s.out1" 2>&1
check_eq "v1: load exit status" "$?" 0
srv_start "$WORK/s/c.yaml" "$PS"
for n in 2 3 4 5 6 7 8 9 10 11 12 13; do
	step "$n" rename delta
done
check_not "the answers changed from v2 to v13" \
	"$(cmp "$WORK/s.ans2" "$WORK/s.ans13" && echo same)" "same"
srv_report
