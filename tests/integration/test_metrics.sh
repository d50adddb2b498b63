#!/bin/bash
# test_metrics.sh -- dnsbld's Prometheus endpoint (`metrics: ADDR:PORT`)
# and its JSON query log (`query_log_format: json`).
#
# A real dnsbld gets a known set of queries (UDP and TCP, listed, unlisted,
# NXDOMAIN, REFUSED, an apex SOA), then GET /metrics must count exactly
# those, per transport, query type, rcode, result and zone, and list the
# stored datasets; the counters stay monotonic across a USR2 reset of the
# rbldnsd stats; any other path is 404.  Every query is also a JSON line
# in the query log, with the fields rbldnsd's line has.  The loader's
# `watch -m FILE` keeps a node_exporter textfile: a load, a failed load,
# spam-trap hits and listings, and the store's size show up there.
set -u
. "$SRCDIR/tests/integration/server_lib.sh"
srv_workdir metrics
srv_pick_port 5910 5919
PORT_DNS=$PORT
srv_pick_port 5920 5929
PORT_HTTP=$PORT
srv_pick_port 5930 5939
PORT_TRAP=$PORT
cd "$WORK" || exit 1
printf '192.0.2.1 :2:spam\n' >spam.ip4set
cat >m.yaml <<EOC
store: store
listen: ["127.0.0.1:$PORT_DNS"]
metrics: "127.0.0.1:$PORT_HTTP"
workers: 2
query_log: queries.json
query_log_format: json
query_log_unbuffered: true
datasets:
  spam: {type: ip4set, files: spam.ip4set, max_errors: 1}
  traps: {type: trap, threshold: 2, allow_special: false, listen: $PORT_TRAP}
zones:
  bl.test: {datasets: [spam, traps]}
EOC
"$BIN/dnsbl-loader" -c m.yaml load >load.log 2>&1 || { cat load.log; exit 1; }
srv_start m.yaml $PORT_DNS
# srv_start asked one SOA over UDP already.
$DNSQ $PORT_DNS 1.2.0.192.bl.test TXT >/dev/null          # listed
$DNSQ $PORT_DNS 1.2.0.192.bl.test A --tcp >/dev/null       # listed, TCP
$DNSQ $PORT_DNS 9.9.9.9.bl.test A >/dev/null               # NXDOMAIN
$DNSQ $PORT_DNS 2.0.0.192.not.served A >/dev/null          # REFUSED

# scrape [PATH]: the body (or "HTTP CODE" for an error).
scrape() {
	python3 - "$PORT_HTTP" "${1:-/metrics}" <<'PY'
import sys, urllib.request, urllib.error
try:
    with urllib.request.urlopen("http://127.0.0.1:%s%s" % (sys.argv[1], sys.argv[2]), timeout=5) as r:
        print(r.headers.get("Content-Type"))
        sys.stdout.write(r.read().decode())
except urllib.error.HTTPError as e:
    print("HTTP %d" % e.code)
PY
}
m=$(scrape)
check "content type" "$m" '^text/plain; version=0\.0\.4'
check "UDP replies" "$m" '^dnsbld_queries_total\{transport="udp"\} 4$'
check "TCP replies" "$m" '^dnsbld_queries_total\{transport="tcp"\} 1$'
check "by type: A" "$m" '^dnsbld_queries_by_qtype_total\{qtype="A"\} 3$'
check "by type: TXT" "$m" '^dnsbld_queries_by_qtype_total\{qtype="TXT"\} 1$'
check "by type: SOA" "$m" '^dnsbld_queries_by_qtype_total\{qtype="SOA"\} 1$'
check "rcode NOERROR" "$m" '^dnsbld_responses_total\{rcode="NOERROR"\} 3$'
check "rcode NXDOMAIN" "$m" '^dnsbld_responses_total\{rcode="NXDOMAIN"\} 1$'
check "rcode REFUSED" "$m" '^dnsbld_responses_total\{rcode="REFUSED"\} 1$'
check "listed" "$m" '^dnsbld_answers_total\{result="listed"\} 2$'
check "unlisted" "$m" '^dnsbld_answers_total\{result="unlisted"\} 1$'
check "per zone" "$m" '^dnsbld_zone_queries_total\{zone="bl\.test",result="noerror"\} 3$'
check "per zone NXDOMAIN" "$m" '^dnsbld_zone_queries_total\{zone="bl\.test",result="nxdomain"\} 1$'
check "dataset entries" "$m" '^dnsbld_dataset_entries\{dataset="spam",type="ip4set"\} 1$'
check "dataset serial" "$m" '^dnsbld_dataset_serial\{dataset="spam",type="ip4set"\} [1-9][0-9]+$'
check "HELP and TYPE lines" "$m" '^# TYPE dnsbld_queries_total counter$'
kill -USR2 "$SRV_PID"
sleep 0.3
$DNSQ $PORT_DNS 1.2.0.192.bl.test TXT >/dev/null
m=$(scrape)
check "monotonic across USR2" "$m" '^dnsbld_zone_queries_total\{zone="bl\.test",result="noerror"\} 4$'
check "listed after USR2" "$m" '^dnsbld_answers_total\{result="listed"\} 3$'
check "another path" "$(scrape /other)" '^HTTP 404$'

out=$(python3 - queries.json <<'PY'
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1])]
keys = {"time", "client", "qname", "qtype", "qclass", "rcode", "answers", "size"}
print("lines=%d" % len(lines))
print("keys=%s" % all(set(l) == keys for l in lines))
for l in lines:
    print("%s %s %s %s %d %s" % (l["client"], l["qname"], l["qtype"], l["rcode"], l["answers"], l["size"] > 0))
PY
)
check "query log: one JSON object per reply" "$out" '^lines=6$'
check "query log: the same fields in every line" "$out" '^keys=True$'
check "query log: a listed TXT" "$out" '^127\.0\.0\.1 1\.2\.0\.192\.bl\.test TXT NOERROR 1 True$'
check "query log: NXDOMAIN" "$out" '^127\.0\.0\.1 9\.9\.9\.9\.bl\.test A NXDOMAIN 0 True$'

# A port taken by another server: the start fails with the reason.
cat >busy.yaml <<EOC
store: store
listen: ["127.0.0.1:$((PORT_DNS + 1))"]
metrics: "127.0.0.1:$PORT_HTTP"
datasets: {spam: {type: ip4set, files: spam.ip4set}}
zones: {bl.test: {datasets: [spam]}}
EOC
out=$("$BIN/dnsbld" -c busy.yaml 2>&1)
check_eq "metrics port in use: exit status 1" "$?" 1
check "metrics port in use: says so" "$out" "busy\.yaml:3: metrics: cannot listen on 127\.0\.0\.1 port $PORT_HTTP"
# The loader's textfile.
"$BIN/dnsbl-loader" -c m.yaml -m "$WORK/loader.prom" watch >watch.log 2>&1 &
W_PID=$!
SRV_PIDS+=("$W_PID")
wait_prom() {   # wait_prom REGEX: until loader.prom has a matching line (10 s)
	for _ in $(seq 100); do
		grep -qE "$1" loader.prom 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}
wait_prom '^dnsbl_loader_dataset_loads_total\{dataset="spam"\} 1$'
p=$(cat loader.prom 2>/dev/null)
check "loader: the first load" "$p" '^dnsbl_loader_dataset_loads_total\{dataset="spam"\} 1$'
check "loader: its lines" "$p" '^dnsbl_loader_dataset_lines\{dataset="spam"\} 1$'
check "loader: ok" "$p" '^dnsbl_loader_dataset_last_attempt_ok\{dataset="spam"\} 1$'
check "loader: store size" "$p" '^dnsbl_loader_store_file_bytes [1-9][0-9]*$'
check "loader: HELP lines" "$p" '^# TYPE dnsbl_loader_dataset_failures_total counter$'
# Two bad lines (max_errors 1): the load fails, the last good data stays.
printf 'not an address\nnor this\n' >bad.tmp
mv bad.tmp spam.ip4set
wait_prom '^dnsbl_loader_dataset_failures_total\{dataset="spam"\} 1$'
p=$(cat loader.prom 2>/dev/null)
check "loader: the failure is counted" "$p" '^dnsbl_loader_dataset_failures_total\{dataset="spam"\} 1$'
check "loader: the last attempt failed" "$p" '^dnsbl_loader_dataset_last_attempt_ok\{dataset="spam"\} 0$'
check "loader: the last good load is kept" "$p" '^dnsbl_loader_dataset_lines\{dataset="spam"\} 1$'
printf '192.0.2.1 :2:spam\n192.0.2.9 :2:more\n' >good.tmp
mv good.tmp spam.ip4set
wait_prom '^dnsbl_loader_dataset_lines\{dataset="spam"\} 2$'
p=$(cat loader.prom 2>/dev/null)
check "loader: the change is counted" "$p" '^dnsbl_loader_dataset_loads_total\{dataset="spam"\} [2-9]$'
check "loader: the new line count" "$p" '^dnsbl_loader_dataset_lines\{dataset="spam"\} 2$'
# Trap hits over the watch's TCP listener: two list 127.0.0.9, one is junk.
python3 - "$PORT_TRAP" <<'PY'
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=5)
s.sendall(b"127.0.0.9 trap=a\n127.0.0.9 trap=b\nnot a hit\n")
s.close()
PY
wait_prom '^dnsbl_loader_trap_listed_total\{dataset="traps"\} 1$'
p=$(cat loader.prom 2>/dev/null)
check "loader: trap hits" "$p" '^dnsbl_loader_trap_hits_total\{dataset="traps"\} 2$'
check "loader: trap listings" "$p" '^dnsbl_loader_trap_listed_total\{dataset="traps"\} 1$'
check "loader: a malformed hit line" "$p" '^dnsbl_loader_trap_malformed_total\{dataset="traps"\} 1$'
check "loader: trap HELP lines" "$p" '^# TYPE dnsbl_loader_trap_hits_total counter$'
check_eq "the listing is served" "$(dig +short @127.0.0.1 -p "$PORT_DNS" 9.0.0.127.bl.test)" 127.0.0.2
check "loader: no temporary file left" "$(ls)" '^loader\.prom$'
check_not "loader: no temporary file left" "$(ls)" 'loader\.prom\.tmp'
srv_report
