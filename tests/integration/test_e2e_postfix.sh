#!/bin/bash
# test_e2e_postfix.sh -- Debian's Postfix rejecting listed clients through
# Unbound and dnsbld ("End to end with real software").
#
# In private namespaces (e2e/e2e_lib.sh: only `lo`, /etc/resolv.conf saying
# `nameserver 127.0.0.1` inside them only) the test runs the real dnsbld,
# an Unbound of its own on 127.0.0.1:53 (stub zone to dnsbld, strict QNAME
# minimisation) and a private Postfix instance on 127.0.0.1 that looks the
# zone up through the system resolver:
#   * smtpd with `reject_rbl_client bl.dnsbl.test`: a client connecting from
#     127.0.0.2 (the RFC 5782 test point) is rejected at RCPT with the zone's
#     TXT in the reply; one from 127.0.0.1 is accepted; 127.0.0.3, accepted,
#     is rejected on its next connection once `dnsbl-ctl add` has listed it
#     by hand, 127.0.0.4 once a feed edit has been loaded, and 127.0.0.6
#     once two spam-trap hits have listed it (each after the SOA minimum,
#     2 s, for which Unbound caches the earlier NXDOMAIN);
#   * postscreen with `postscreen_dnsbl_sites = bl.dnsbl.test*2`, action
#     enforce: 127.0.0.2 rejected, 127.0.0.1 handed to smtpd and accepted,
#     127.0.0.5 rejected after a `dnsbl-ctl add` (postscreen remembers a
#     client that passed for at least a minute, so the address is new).
# The SMTP client is Python's smtplib (e2e/smtp_probe.py), bound to the
# client address; 127.0.0.0/8 is all local on Linux.
set -u
. "$SRCDIR/tests/integration/e2e/e2e_lib.sh"
e2e_need unshare ip ss unbound unbound-checkconf dig postfix postconf
e2e_enter "$0"
srv_workdir e2e-postfix
srv_pick_port 5480 5489
cd "$WORK" || exit 1
ZONE=bl.dnsbl.test
NEG=2 # the SOA minimum: how long Unbound may cache an NXDOMAIN
SMTPD=2525
PSCREEN=2526

# ---- dnsbld -------------------------------------------------------------------
cat >spam.ip4set <<'EOF'
192.0.2.1 :2:spam $
EOF
chmod 644 spam.ip4set
cat >cfg.yaml <<EOF
store: store
listen: ["127.0.0.1:$PORT"]
datasets:
  spam: {type: ip4set, files: [spam.ip4set]}
  handlist: {type: ip4set, manual: true}
  traps: {type: trap, threshold: 2, window: 1h, expire: 1d, allow_special: false,
          txt: "\$ hit our spam traps \${hits} times"}
zones:
  $ZONE:
    datasets: [spam, handlist, traps]
    ttl: 300
    soa: {mname: ns.dnsbl.test, rname: hostmaster@dnsbl.test, ttl: 1h, minimum: $NEG}
server:
  workers: 1
EOF
"$BIN/dnsbl-loader" -q -c cfg.yaml load || { echo "loader failed"; exit 1; }
srv_start cfg.yaml "$PORT"

# ---- Unbound, and the system resolver through it ------------------------------
unbound_conf unbound.conf yes "$PORT" "$ZONE"
unbound_start unbound.conf
check "the namespace's resolv.conf names the test's unbound" "$(cat /etc/resolv.conf)" '^nameserver 127\.0\.0\.1$'
out=$(python3 -c 'import socket;print(socket.gethostbyname("2.0.0.127.'$ZONE'"))' 2>&1)
check "libc resolves the test point through unbound and dnsbld" "$out" '^127\.0\.0\.2$'
TXT2=$(dig @127.0.0.1 -p "$PORT" +norec +short 2.0.0.127.$ZONE TXT | tr -d '"')
check "dnsbld's TXT for 127.0.0.2" "$TXT2" '.'

# ---- Postfix ------------------------------------------------------------------
postfix_conf "$WORK/postfix" "$ZONE" "$SMTPD" "$PSCREEN"
out=$(postfix -c "$WORK/postfix" check 2>&1)
check_eq "postfix check: no complaint about the private config" "$out" ""
postfix_start "$WORK/postfix" "$SMTPD" "$PSCREEN"

probe() { # probe PORT SOURCE: one SMTP session, one line per step
	timeout 60 python3 "$SRCDIR/tests/integration/e2e/smtp_probe.py" "$1" --source "$2"
}
# shellcheck disable=SC2001  # one sed for the whole class
re() { sed 's/[]*.^$+?(){}|[\\]/\\&/g' <<<"$1"; } # a literal as a regex
rejected() { # rejected DESC PORT SOURCE REPLY_REGEX
	local out
	out=$(probe "$2" "$3")
	check "$1: RCPT rejected" "$out" "^rcpt $4"
}
accepted() { # accepted DESC PORT SOURCE
	local out
	out=$(probe "$2" "$3")
	check "$1: greeted" "$out" '^connect 220 '
	check "$1: RCPT accepted" "$out" '^rcpt 250 '
}
smtpd_reply() { # what reject_rbl_client answers, as a regex
	echo "554 5\.7\.1 Service unavailable; Client host \[$(re "$1")\] blocked using $(re "$ZONE"); $(re "$2")$"
}
ps_reply() { # what postscreen answers, as a regex
	echo "550 5\.7\.1 Service unavailable; client \[$(re "$1")\] blocked using $(re "$ZONE")$"
}

# smtpd, reject_rbl_client
rejected "smtpd: 127.0.0.2 (test point)" $SMTPD 127.0.0.2 "$(smtpd_reply 127.0.0.2 "$TXT2")"
accepted "smtpd: 127.0.0.1 (never listed)" $SMTPD 127.0.0.1
accepted "smtpd: 127.0.0.3 before it is listed" $SMTPD 127.0.0.3
"$BIN/dnsbl-ctl" -q -c cfg.yaml add handlist 127.0.0.3 ':2:listed by hand, see https://dnsbl.test/$' \
	--reason "e2e postfix" || { FAILS=$((FAILS + 1)); echo "FAIL: dnsbl-ctl add handlist 127.0.0.3"; }
sleep $((NEG + 1)) # Unbound's cached NXDOMAIN expires
rejected "smtpd: 127.0.0.3 after dnsbl-ctl add" $SMTPD 127.0.0.3 \
	"$(smtpd_reply 127.0.0.3 "listed by hand, see https://dnsbl.test/127.0.0.3")"
accepted "smtpd: 127.0.0.4 before the feed lists it" $SMTPD 127.0.0.4
echo '127.0.0.4 :2:listed by the feed: $' >>spam.ip4set
"$BIN/dnsbl-loader" -q -c cfg.yaml load spam || { FAILS=$((FAILS + 1)); echo "FAIL: dnsbl-loader load spam"; }
sleep $((NEG + 1))
rejected "smtpd: 127.0.0.4 after a feed edit" $SMTPD 127.0.0.4 \
	"$(smtpd_reply 127.0.0.4 "listed by the feed: 127.0.0.4")"
accepted "smtpd: 127.0.0.6 before the traps list it" $SMTPD 127.0.0.6
printf '127.0.0.6 trap=spamtrap1\n127.0.0.6 trap=spamtrap2\n' |
	"$BIN/dnsbl-loader" -q -c cfg.yaml hits traps ||
	{ FAILS=$((FAILS + 1)); echo "FAIL: dnsbl-loader hits traps"; }
sleep $((NEG + 1))
rejected "smtpd: 127.0.0.6 after two trap hits" $SMTPD 127.0.0.6 \
	"$(smtpd_reply 127.0.0.6 "127.0.0.6 hit our spam traps 2 times")"
accepted "smtpd: 127.0.0.1 still accepted" $SMTPD 127.0.0.1

# postscreen, postscreen_dnsbl_sites
rejected "postscreen: 127.0.0.2 (test point)" $PSCREEN 127.0.0.2 "$(ps_reply 127.0.0.2)"
accepted "postscreen: 127.0.0.1 passed to smtpd" $PSCREEN 127.0.0.1
"$BIN/dnsbl-ctl" -q -c cfg.yaml add handlist 127.0.0.5 --reason "e2e postscreen" ||
	{ FAILS=$((FAILS + 1)); echo "FAIL: dnsbl-ctl add handlist 127.0.0.5"; }
rejected "postscreen: 127.0.0.5 after dnsbl-ctl add" $PSCREEN 127.0.0.5 "$(ps_reply 127.0.0.5)"

# what Postfix logged
log=$(cat postfix.log 2>/dev/null)
check "log: smtpd's reject names the zone" "$log" \
	"NOQUEUE: reject: RCPT from unknown\[127\.0\.0\.2\]: 554 5\.7\.1 Service unavailable; Client host \[127\.0\.0\.2\] blocked using $(re "$ZONE")"
check "log: postscreen ranked 127.0.0.2" "$log" 'postscreen\[[0-9]+\]: DNSBL rank [0-9]+ for \[127\.0\.0\.2\]'
check "log: postscreen passed 127.0.0.1" "$log" 'postscreen\[[0-9]+\]: PASS NEW \[127\.0\.0\.1\]'
check_not "log: no DNS lookup failed" "$log" 'temporary failure|DNS problem|dnsblog.*(warning|error)'

postfix -c "$WORK/postfix" stop >/dev/null 2>&1
if [ "$FAILS" -ne 0 ]; then
	echo "---- postfix.log"; tail -60 postfix.log
	echo "---- unbound.log"; tail -20 unbound.log
fi
srv_report
