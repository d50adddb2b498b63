#!/bin/bash
# test_server_dualstack.sh -- a dual-stack [::] listener: IPv4 clients arrive
# as ::ffff:a.b.c.d and must still match IPv4 acl entries (rbldnsd's bug),
# with `$` the plain IPv4 text, and replies leave from the right address.
#
# Listening on [::] means every address, so the test re-runs itself in a
# private network namespace (unshare -n) whose only interface is loopback:
# nothing outside can reach it, and port 5490 cannot clash with anything.
# Skipped (exit 77) where namespaces are not available (not root).
set -u
. "$SRCDIR/tests/integration/server_lib.sh"
srv_in_netns "$0"
PORT=5490
srv_workdir server_dualstack
cd "$WORK" || exit 1

cat >spam.ip4set <<'EOT'
1.2.3.4 :2:spam $
EOT
cat >clients.acl <<'EOT'
127.0.0.2 :refuse
127.0.0.3 :ignore
127.0.0.5 :7:always $
EOT
cat >cfg.yaml <<EOT
store: store
listen: ["[::]:$PORT"]
datasets:
  spam: {type: ip4set, files: [spam.ip4set]}
  clients: {type: acl, files: [clients.acl]}
zones:
  bl.test: {datasets: [spam], acl: clients}
EOT
"$BIN/dnsbl-loader" -q -c cfg.yaml load || { echo "loader failed"; exit 1; }
srv_start cfg.yaml $PORT

dg() { dig -p $PORT +norec +time=2 +tries=1 "$@"; }
out=$(dg @127.0.0.1 +short 4.3.2.1.bl.test TXT)
check "IPv4 client on the dual-stack socket" "$out" '^"spam 1\.2\.3\.4"$'
out=$(dg @::1 +short 4.3.2.1.bl.test TXT)
check "IPv6 client on the dual-stack socket" "$out" '^"spam 1\.2\.3\.4"$'
out=$(dg @127.0.0.1 -b 127.0.0.2 4.3.2.1.bl.test A)
check "::ffff:127.0.0.2 matches the IPv4 acl entry (refuse)" "$out" 'status: REFUSED'
out=$(dg @127.0.0.1 -b 127.0.0.2 +tcp 4.3.2.1.bl.test A)
check "the same over TCP" "$out" 'status: REFUSED'
out=$(dg @127.0.0.1 -b 127.0.0.3 4.3.2.1.bl.test A)
check "::ffff:127.0.0.3 ignored" "$out" 'timed out|no servers could be reached'
out=$(dg @127.0.0.1 -b 127.0.0.5 +short 9.9.9.9.bl.test TXT)
check "always listed, \$ = the IPv4 text of the client" "$out" '^"always 127\.0\.0\.5"$'
# Replies to a client of 127.0.0.9 sent to 127.0.0.7 come from 127.0.0.7.
out=$(dg @127.0.0.7 -b 127.0.0.9 +short 4.3.2.1.bl.test A)
check "reply from the address the query was sent to" "$out" '^127\.0\.0\.2$'
kill -TERM "$SRV_PID"
wait "$SRV_PID"
check_eq "exit status 0" "$?" 0
srv_report
