#!/bin/bash
# test_traps_tail.sh -- trap datasets fed by a log file `dnsbl-loader
# watch` follows (`tail:`), end to end.
#
# A real dnsbld answers a zone of two trap datasets: one tails a mail log
# with the Postfix preset (NOQUEUE rejects and accepted mail by queue id,
# to trap addresses and an @domain), one tails a log with a regular
# expression.  Checked: config errors named by file:line, old lines are
# not replayed, new ones list at once, other recipients and other lines
# are not hits, a hit with a bad address is named FILE:LINE and never
# applied, a partial line waits for its newline, a logrotate by rename
# (the old file read to its end, the new one from its start) and a
# copytruncate are followed.  Every wait is bounded.
set -u
. "$SRCDIR/tests/integration/server_lib.sh"
srv_workdir traps_tail
srv_pick_port 5970 5979
DNS_PORT=$PORT
cd "$WORK" || exit 1

T0=1800000000
# Lines before the loader starts: never replayed.
cat >mail.log <<'EOF'
Jan 15 08:00:00 mx postfix/smtpd[1]: NOQUEUE: reject: RCPT from old[12.0.0.1]: 550 5.1.1 <trap@example.org>: Recipient address rejected; from=<a@b> to=<trap@example.org> proto=ESMTP helo=<h>
EOF
: >app.log
cat >tail.yaml <<EOF
store: store
listen: ["127.0.0.1:$DNS_PORT"]
datasets:
  mailtraps:
    type: trap
    threshold: 1
    code: 127.0.0.5
    tail: {file: mail.log, preset: postfix, recipients: [trap@example.org, "@traps.example.org"]}
  apptraps:
    type: trap
    threshold: 1
    code: 127.0.0.6
    tail: {file: app.log, regex: "client=([0-9a-z.:]+) trap=([a-z0-9]+)", trap_group: 2}
zones:
  traps.test: {datasets: [mailtraps, apptraps]}
EOF

LOADER="$BIN/dnsbl-loader"
rname() { echo "$1" | awk -F. '{print $4"."$3"."$2"."$1".traps.test"}'; }
q() { $DNSQ "$DNS_PORT" "$(rname "$1")" A; }
# wait_code ADDRESS CODE: up to 5 s for the listing to be served.
wait_code() {
	for _ in $(seq 100); do
		q "$1" | grep -q "IN A $2" && return 0
		sleep 0.05
	done
	return 1
}
expect_code() { wait_code "$2" "$3"; check "$1" "$(q "$2")" "IN A ${3//./\\.}"; }
expect_unlisted() { check "$1" "$(q "$2")" "rcode=NXDOMAIN"; }
# wait_log PATTERN: up to 5 s for the loader to say it.
wait_log() {
	for _ in $(seq 100); do
		grep -qE "$1" watch.log && return 0
		sleep 0.05
	done
	return 1
}

# ---- config errors name file:line ------------------------------------------
cat >bad.yaml <<'EOF'
store: store
datasets:
  t:
    type: trap
    tail: {file: x.log, regex: "client=(["}
zones:
  t.test: {datasets: [t]}
EOF
check "a bad regex is named by file:line" "$("$LOADER" -c bad.yaml load 2>&1)" \
	"bad\.yaml:5: datasets\.t\.tail: regex: "
sed -i 's/regex: "client=(\["/preset: postfix/' bad.yaml
check "the preset needs recipients" "$("$LOADER" -c bad.yaml load 2>&1)" \
	"bad\.yaml:5: .*preset postfix needs recipients"
sed -i 's/preset: postfix/regex: "x", colour: red/' bad.yaml
check "an unknown tail key is refused" "$("$LOADER" -c bad.yaml load 2>&1)" \
	"bad\.yaml:5: datasets\.t\.tail\.colour: unknown key"

"$LOADER" -c tail.yaml load >load.out 2>&1 || { cat load.out; exit 1; }
srv_start tail.yaml "$DNS_PORT"
DNSBL_LOADER_NOW=$T0 "$LOADER" -c tail.yaml watch >watch.log 2>&1 &
WATCH_PID=$!
SRV_PIDS+=("$WATCH_PID")
wait_log "hits on the log .*app\.log" || { echo "watch did not start:"; cat watch.log; exit 1; }
check "watch says it follows the log" "$(cat watch.log)" "mailtraps: hits on the log .*mail\.log"

# ---- the Postfix preset ----------------------------------------------------
cat >>mail.log <<'EOF'
Jan 15 08:00:01 mx postfix/smtpd[2]: connect from unknown[12.0.0.2]
Jan 15 08:00:01 mx postfix/smtpd[2]: NOQUEUE: reject: RCPT from unknown[12.0.0.2]: 550 5.1.1 <user@example.org>: Recipient address rejected; from=<a@b> to=<user@example.org> proto=ESMTP helo=<h>
Jan 15 08:00:02 mx postfix/smtpd[2]: NOQUEUE: reject: RCPT from unknown[12.0.0.3]: 550 5.1.1 <TRAP@Example.org>: Recipient address rejected; from=<a@b> to=<TRAP@Example.org> proto=ESMTP helo=<h>
Jan 15 08:00:03 mx postfix/smtpd[3]: 4F00AB12C: client=relay.test[12.0.0.4]
Jan 15 08:00:03 mx postfix/qmgr[4]: 4F00AB12C: from=<s@x.test>, size=300, nrcpt=1 (queue active)
Jan 15 08:00:03 mx postfix/virtual[5]: 4F00AB12C: to=<spam@traps.example.org>, relay=virtual, delay=0.1, status=sent (delivered)
Jan 15 08:00:04 mx postfix/smtpd[2]: NOQUEUE: reject: RCPT from unknown[12.0.0.999]: 550 x; from=<a@b> to=<trap@example.org> proto=ESMTP helo=<h>
EOF
expect_code "a NOQUEUE reject to a trap lists (case-insensitive)" 12.0.0.3 127.0.0.5
expect_code "accepted mail to an @domain trap lists its queue id's client" 12.0.0.4 127.0.0.5
expect_unlisted "old lines are not replayed" 12.0.0.1
expect_unlisted "another recipient is no hit" 12.0.0.2
wait_log "mail\.log:8: not an IPv4"
check "a hit with a bad address is named FILE:LINE" "$(cat watch.log)" "mail\.log:8: not an IPv4 or IPv6 address"
wait_log "log: 7 lines, 3 hits, 4 not hits"
check "lines that are no hits are counted apart" "$(cat watch.log)" \
	"mailtraps: 2 hits, 2 listed, 0 extended, 0 allowed, 1 malformed so far; log: 7 lines, 3 hits, 4 not hits"

# A partial line waits for its newline.
printf 'Jan 15 08:00:05 mx postfix/smtpd[2]: NOQUEUE: reject: RCPT from u[12.0.0.5]: 550 x; from=<a@b> to=<trap@exa' >>mail.log
sleep 1.5
expect_unlisted "a partial line waits" 12.0.0.5
printf 'mple.org> proto=ESMTP helo=<h>\n' >>mail.log
expect_code "...and is read with its newline" 12.0.0.5 127.0.0.5

# ---- logrotate by rename: the new file is read from its start --------------
mv mail.log mail.log.1
echo 'Jan 15 08:01:00 mx postfix/smtpd[2]: NOQUEUE: reject: RCPT from u[12.0.1.1]: 550 x; from=<a@b> to=<trap@example.org> proto=ESMTP' >>mail.log.1
expect_code "the renamed file is read to its end" 12.0.1.1 127.0.0.5
echo 'Jan 15 08:01:01 mx postfix/smtpd[2]: NOQUEUE: reject: RCPT from u[12.0.1.2]: 550 x; from=<a@b> to=<trap@example.org> proto=ESMTP' >mail.log
expect_code "after a rename the new file is followed" 12.0.1.2 127.0.0.5
echo 'Jan 15 08:01:02 mx postfix/smtpd[2]: NOQUEUE: reject: RCPT from u[12.0.1.3]: 550 x; from=<a@b> to=<trap@example.org> proto=ESMTP' >>mail.log
expect_code "...and appended to" 12.0.1.3 127.0.0.5

# ---- the regex tail, and copytruncate --------------------------------------
printf 'noise\nclient=12.0.2.1 trap=a1\nclient=12.0.2.2\nclient=zz.0.0.1 trap=b\n' >>app.log
expect_code "a regex match lists" 12.0.2.1 127.0.0.6
expect_unlisted "a line the regex does not match is no hit" 12.0.2.2
wait_log "app\.log:4: not an IPv4" && ok=yes || ok=no
check_eq "a bad address of a regex match is named FILE:LINE" "$ok" yes
cp app.log app.log.1 && : >app.log
printf 'client=12.0.2.3 trap=c\n' >>app.log
expect_code "after copytruncate the file is read from 0" 12.0.2.3 127.0.0.6

kill -TERM "$WATCH_PID"
wait "$WATCH_PID"
check_eq "watch ends with status 0" "$?" 0
srv_report
