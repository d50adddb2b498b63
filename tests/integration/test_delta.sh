#!/usr/bin/env bash
# test_delta.sh -- an update of a one-file ip4set read from the lines that
# changed stores and answers exactly what a full load of the new file does,
# and the loader takes that path only where it may.
#
# One store S follows a feed through eight versions, each renamed in (as
# rsync does) and loaded with `dnsbl-loader load`; after each, the version
# is also loaded into a fresh store F.  The two must agree on the loader's
# summary and warnings, on the stored records (incr_gen.py norm: value ids
# resolved, overlays merged), on `dnsbl-ctl export`, and on every answer
# (A and TXT with TTLs) of a dnsbld on each, for every address of every
# version plus misses.  The versions: lines taken away and added, values
# changed, exclusions added and taken away, an address listed again with
# the same or another value and a duplicate taken away (whose answer the
# store keeps only merged); the same again; a version written in place
# into the loaded file (its old bytes are gone: a full parse); the default
# `:` line changed (a full parse); a small change after that full load; a
# bad line added (its warning shown with its line number); a change after
# a version with a bad line (a full parse); a gzip file (a full parse).
# Then `dnsbl-ctl drop` forgets what was kept.
# Ports 6440-6459.
set -u
. "$SRCDIR/tests/integration/server_lib.sh"
. "$SRCDIR/tests/integration/delta_lib.sh"

delta_setup delta

# The versions v1..v9 of the feed, and queries.txt for every address.
python3 - "$WORK" "$SEED" <<'PY'
import random, sys
work, seed = sys.argv[1], int(sys.argv[2])
rng = random.Random(seed)
def addr():
    return "%d.%d.%d.%d" % (rng.randrange(1, 224), rng.randrange(256),
                            rng.randrange(256), rng.randrange(256))
def entry():
    k = rng.random()
    if k < 0.60:
        return addr()
    if k < 0.70:
        return addr() + " :%d:own text %d for $" % (rng.randrange(2, 9), rng.randrange(99))
    if k < 0.78:
        return "!" + addr()
    if k < 0.86:
        a = addr().rsplit(".", 1)[0]
        return a + ".0/24"
    if k < 0.92:
        a = addr().rsplit(".", 1)[0]
        lo = rng.randrange(250)
        return "%s.%d-%s.%d" % (a, lo, a, lo + rng.randrange(1, 6))
    return addr() + " :4"
head = ["$TTL 300", "$SOA 300 ns.bl.test. hm.bl.test. 0 600 300 86400 300",
        ":127.0.0.2:Listed, see http://bl.test/$"]
body = [entry() for _ in range(3000)]
# An address listed twice with the same value, twice with two values.
for _ in range(20):
    body.insert(rng.randrange(len(body)), body[rng.randrange(len(body))])
for _ in range(20):
    a = addr()
    body.insert(rng.randrange(len(body)), a)
    body.insert(rng.randrange(len(body)), a + " :7:other $")

def edit(body, n):
    b = list(body)
    for _ in range(n):
        k = rng.random()
        i = rng.randrange(len(b))
        if k < 0.3:
            del b[i]
        elif k < 0.55:
            b.insert(i, entry())
        elif k < 0.7:   # listed again, with the same or another value
            ip = b[rng.randrange(len(b))].split()[0].lstrip("!")
            if "/" in ip or "-" in ip:
                ip = addr()
            b.insert(i, ip + rng.choice(["", " :5:again $", " :2"]))
        elif k < 0.8:   # a value changed
            b[i] = b[i].split()[0] + " :6:changed $"
        elif k < 0.9:   # listed, then excluded
            b.insert(i, "!" + b[rng.randrange(len(b))].split()[0].lstrip("!"))
        else:
            b[i] = entry()
    return b

versions = {}
v = body
versions[1] = head + v
v = edit(v, 150); versions[2] = head + v
v = edit(v, 150); versions[3] = head + v
v = edit(v, 150); versions[4] = head + v
versions[5] = head[:2] + [":127.0.0.3:Other default $"] + v
v = edit(v, 100); versions[6] = head[:2] + [":127.0.0.3:Other default $"] + v
bad = list(v); bad.insert(len(bad) // 2, "10.20.30.400"); versions[7] = head[:2] + [":127.0.0.3:Other default $"] + bad
v = edit(bad, 100); versions[8] = head[:2] + [":127.0.0.3:Other default $"] + v
v = edit(v, 100); versions[9] = head[:2] + [":127.0.0.3:Other default $"] + v
ips = set()
for n, lines in versions.items():
    with open("%s/v%d" % (work, n), "w") as f:
        f.write("\n".join(lines) + "\n")
    for l in lines:
        k = l.split()[0].lstrip("!") if l.strip() else ""
        if not k or k[0] in "$:":
            continue
        for part in k.replace("/", "-").split("-"):
            if part.count(".") == 3:
                ips.add(part)
for _ in range(200):
    ips.add(addr())
with open(work + "/queries.txt", "w") as f:
    for ip in sorted(ips):
        q = ".".join(reversed(ip.split("."))) + ".bl.test"
        f.write(q + " A\n" + q + " TXT\n")
PY
gzip -9 -n -c "$WORK/v9" >"$WORK/v9.gz"

# config DIR PORT
srv_pick_port 6440 6449; PS=$PORT
srv_pick_port 6450 6459; PF=$PORT
config "$WORK/s" "$PS"
export DNSBLD_OVERLAY_MIN=0   # the overlay path, as big feeds take it

cp "$WORK/v1" "$WORK/s/feed/bl.ip4set"
"$LOADER" -c "$WORK/s/c.yaml" load >"$WORK/s.out1" 2>&1
check_eq "v1: load exit status" "$?" 0
check "v1: kept for the next update" "$(ls "$WORK/s/store/delta" 2>&1)" "bl.state"
srv_start "$WORK/s/c.yaml" "$PS"
step 2 rename delta
step 3 rename delta
step 4 inplace full
step 5 rename full
step 6 rename delta
step 7 rename delta
check "v7: the bad line's warning" "$(cat "$WORK/s.err7")" \
	"bl.ip4set:[0-9]+: invalid address"
step 8 rename full
step 9 rename full
# The answers moved: the test saw the updates.
check_not "the answers changed from v2 to v8" \
	"$(cmp "$WORK/s.ans2" "$WORK/s.ans8" && echo same)" "same"
# A gzip file is not kept; a plain one again is, and a drop forgets it.
check_eq "v9: gzip, nothing kept" "$(ls "$WORK/s/store/delta" | grep -c '^bl\.')" 0
cp "$WORK/v8" "$WORK/s/feed/.new"
mv "$WORK/s/feed/.new" "$WORK/s/feed/bl.ip4set"
"$LOADER" -c "$WORK/s/c.yaml" load >/dev/null 2>&1
check "v8 again: kept" "$(ls "$WORK/s/store/delta")" "bl.state"
"$CTL" -c "$WORK/s/c.yaml" drop bl >/dev/null 2>&1
check_eq "drop: exit status" "$?" 0
check_eq "drop: nothing kept" "$(ls "$WORK/s/store/delta" | grep -c '^bl\.')" 0
srv_report
