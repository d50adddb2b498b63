#!/bin/bash
# test_rrl.sh -- response rate limiting (`rate_limit:`) per client prefix
# over UDP: a burst past the rate gets that many replies, the rest limited,
# every `slip`th limited one an empty TC=1 reply and the others dropped;
# clients of one /24 share a budget, another /24 and ::1 have their own;
# large (TXT) replies spend the budget faster than small ones (cost by
# bytes); a zone's own rate (0: unlimited; slip 1: every limited reply is
# TC) wins over the global one; TCP is never limited; the counters in
# /metrics equal what the clients saw; config errors name file:line.
#
# Clients send from 127.0.x.y source addresses and from ::1.
set -u
. "$SRCDIR/tests/integration/server_lib.sh"
srv_workdir rrl
srv_pick_port 5960 5969
PD=$PORT
srv_pick_port 5970 5979
PM=$PORT
cd "$WORK" || exit 1
long=$(python3 -c 'print("x" * 250)')
printf '192.0.2.1 :2:%s\n' "$long" >spam.ip4set
cat >cfg.yaml <<EOT
store: store
listen: ["127.0.0.1:$PD", "[::1]:$PD"]
metrics: "127.0.0.1:$PM"
workers: 1
rate_limit: {responses_per_second: 10, slip: 2, cost_bytes: 100}
datasets: {spam: {type: ip4set, files: [spam.ip4set]}}
zones:
  bl.test: {datasets: [spam]}
  free.test: {datasets: [spam], rate_limit: {responses_per_second: 0}}
  strict.test: {datasets: [spam], rate_limit: {responses_per_second: 3, slip: 1}}
EOT
"$BIN/dnsbl-loader" -q -c cfg.yaml load || { echo "loader failed"; exit 1; }
# srv_start's probe comes from 127.0.0.1, kept apart from the prefixes below.
srv_start cfg.yaml $PD

out=$(python3 - "$PD" "$PM" "$SRCDIR/tests/integration" <<'PY'
import re, select, socket, struct, sys, time, urllib.request
sys.path.insert(0, sys.argv[3])
import dnsq
port, mport = int(sys.argv[1]), int(sys.argv[2])

def burst(senders, name, qtype=1, n=60):
    """Sends n queries from each source address of `senders`, interleaved,
    as fast as possible; returns (full, tc, none) reply counts."""
    socks = []
    for src in senders:
        fam = socket.AF_INET6 if ":" in src else socket.AF_INET
        s = socket.socket(fam, socket.SOCK_DGRAM)
        s.bind((src, 0))
        s.setblocking(False)
        socks.append(s)
    for i in range(n):
        for k, s in enumerate(socks):
            dst = "::1" if s.family == socket.AF_INET6 else "127.0.0.1"
            s.sendto(dnsq.build_query(name, qtype, qid=k * 1000 + i), (dst, port))
    full = tc = 0
    end = time.time() + 0.7
    while time.time() < end:
        r, _, _ = select.select(socks, [], [], 0.05)
        for s in r:
            try:
                pkt = s.recv(4096)
            except BlockingIOError:
                continue
            p = dnsq.parse(pkt)
            if p["flags"] & 0x0200:
                tc += 1
                if p["an"] or p["ns"] or p["ar"] or p["qd"] != 1:
                    print("bad TC reply an=%d ns=%d ar=%d qd=%d" % (p["an"], p["ns"], p["ar"], p["qd"]))
            else:
                full += 1
    for s in socks:
        s.close()
    return full, tc, n * len(senders) - full - tc

def metrics():
    m = urllib.request.urlopen("http://127.0.0.1:%d/metrics" % mport, timeout=5).read().decode()
    return {a: int(re.search(r'^dnsbld_rate_limited_total\{action="%s"\} (\d+)$' % a, m, re.M).group(1))
            for a in ("slip", "drop")}

L = "1.2.0.192.%s"
seen = {"tc": 0, "none": 0}
def run(tag, senders, zone, qtype=1, n=60):
    full, tc, none = burst(senders, L % zone, qtype, n)
    seen["tc"] += tc
    seen["none"] += none
    print("%s full=%d tc=%d none=%d" % (tag, full, tc, none))
    time.sleep(1.1)      # the next burst starts on a fresh budget
    return full, tc, none

full, tc, none = run("one", ["127.0.1.5"], "bl.test")
print("one-slip %s" % ("ok" if abs(tc - none) <= 1 else "off"))
full, _, _ = run("same24", ["127.0.2.5", "127.0.2.6"], "bl.test")
print("same24 %s" % ("shared" if full <= 20 else "separate"))
full, _, _ = run("other24", ["127.0.3.5", "127.0.4.5"], "bl.test")
print("other24 %s" % ("separate" if full >= 20 else "shared"))
full, _, _ = run("v6", ["::1", "127.0.5.5"], "bl.test")
print("v6 %s" % ("separate" if full >= 20 else "shared"))
a_full, _, _ = run("small", ["127.0.6.5"], "bl.test", 1)
t_full, _, _ = run("large", ["127.0.7.5"], "bl.test", 16)
print("cost %s" % ("by-bytes" if t_full * 2 < a_full else "flat"))
run("free", ["127.0.8.5"], "free.test")
run("strict", ["127.0.9.5"], "strict.test")
# TCP right after a UDP burst of the same client: never limited.
_, tc, none = burst(["127.0.10.5"], L % "bl.test")
seen["tc"] += tc
seen["none"] += none
r = dnsq.exchange("127.0.0.1", port, dnsq.build_query(L % "bl.test", 16), True, 2.0, "127.0.10.5")
print("tcp %s" % ("full" if r and dnsq.parse(r)["an"] == 1 else "limited"))
time.sleep(0.2)
m = metrics()
print("metrics slip=%d drop=%d seen tc=%d none=%d" % (m["slip"], m["drop"], seen["tc"], seen["none"]))
print("metrics %s" % ("match" if m["slip"] == seen["tc"] and m["drop"] == seen["none"] else "differ"))
PY
)
check "a burst: the rate's replies (10, or 20 across a second)" "$out" \
	'^one full=(1[0-9]|20) tc=[0-9]+ none=[0-9]+$'
check "slip 2: half the limited replies are TC, half dropped" "$out" '^one-slip ok$'
check_not "a TC reply is empty, with the question" "$out" '^bad TC reply'
check "one /24: a shared budget" "$out" '^same24 shared$'
check "two /24s: a budget each" "$out" '^other24 separate$'
check "IPv6 ::1: a budget of its own" "$out" '^v6 separate$'
check "large TXT replies cost more than A replies" "$out" '^cost by-bytes$'
check "a zone with rate 0: never limited" "$out" '^free full=60 tc=0 none=0$'
check "a zone's own rate and slip 1: every limited reply is TC" "$out" \
	'^strict full=[3-6] tc=5[4-7] none=0$'
check "TCP is never limited" "$out" '^tcp full$'
check "metrics count what the clients saw" "$out" '^metrics match$'
[ "$FAILS" -gt 0 ] && echo "$out"

# Config errors name the file, the line and the reason.
head='store: store
datasets: {spam: {type: ip4set, files: [spam.ip4set]}}'
srv_config_fails "$head
rate_limit: {responses_per_second: 10, buckets: 1000}
zones: {bl.test: {datasets: [spam]}}" \
	'bad\.yaml:3: rate_limit\.buckets: 1000 is not a power of two'
srv_config_fails "$head
zones: {bl.test: {datasets: [spam], rate_limit: {ipv4_prefix: 16}}}" \
	'bad\.yaml:3: zones\.bl\.test\.rate_limit\.ipv4_prefix: unknown key'
srv_config_fails "$head
rate_limit: {responses_per_second: 10, slip: -1}
zones: {bl.test: {datasets: [spam]}}" \
	'bad\.yaml:3: rate_limit\.slip: "-1" is not a number'
srv_report
