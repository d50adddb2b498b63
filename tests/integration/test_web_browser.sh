#!/usr/bin/env bash
# test_web_browser.sh -- dnsbl-web's page in a real browser.
#
# Debian's headless Chromium, driven over W3C WebDriver by chromedriver
# from webdriver.py (Python's standard library only), opens the page of a
# running dnsbl-web over a store the real loader filled and a running
# dnsbld serves; it looks up a listed address (a spam-trap listing), an
# unlisted one and a domain, sends a removal request, and this checks the
# words a person reads at each step.  Screenshots of every step are kept
# in the build folder (web-screenshots/).
# Ports 6220-6239.
set -u
. "$SRCDIR/tests/integration/server_lib.sh"
. "$SRCDIR/tests/integration/web_lib.sh"

for tool in chromium chromedriver; do
	if ! command -v "$tool" >/dev/null; then
		echo "SKIP: $tool is not installed (scripts/deps.sh test)"
		exit 77
	fi
done
srv_workdir webbrowser
srv_pick_port 6220 6229
DNS_PORT=$PORT
srv_pick_port 6230 6239
HTTP_PORT=$PORT
SHOTS=$(cd "$TEST_TMPDIR/.." && pwd)/web-screenshots
rm -rf "$SHOTS"

cd "$WORK" || exit 1
mkdir feeds
printf ':2:Listed for spam, see https://bl.example.org/\n192.0.2.0/24\n' >feeds/spam.ip4set
printf ':2:Spam domain $\n.spam.example\n' >feeds/dbl.dnset
cat >c.yaml <<YAML
store: $WORK/store
listen: ["127.0.0.1:$DNS_PORT"]
datasets:
  spam: {type: ip4set, files: feeds/spam.ip4set}
  dbl: {type: dnset, files: feeds/dbl.dnset}
  traps: {type: trap, threshold: 3, self_delist: true}
zones:
  bl.example.org: {datasets: [traps, spam]}
  dbl.example.org: {datasets: [dbl]}
web:
  listen: "127.0.0.1:$HTTP_PORT"
YAML
"$BIN/dnsbl-loader" -c c.yaml load >load.out 2>&1 || { cat load.out; exit 1; }
NOW=$(date +%s)
for ago in 18000 9000 7200 7200 7200; do
	echo "11.22.33.44 time=$((NOW - ago))"
done | "$BIN/dnsbl-loader" -c c.yaml hits traps >hits.out 2>&1 || { cat hits.out; exit 1; }
srv_start c.yaml "$DNS_PORT"
web_start c.yaml "$HTTP_PORT"
before=$($DNSQ "$DNS_PORT" 44.33.22.11.bl.example.org A)
check "dnsbld lists the trap sender" "$before" "127\.0\.0\.2"

WD_PROFILE="$WORK/profile" timeout 120 python3 "$SRCDIR/tests/integration/webdriver.py" \
	"$WEB_URL/" "$SHOTS" 11.22.33.44 11.22.33.44 198.51.100.20 www.spam.example \
	>wd.out 2>wd.err
check_eq "the browser session ran" "$?" 0
out=$(cat wd.out)
[ -s wd.err ] && sed 's/^/webdriver: /' wd.err | head -20

step() { awk -v s="STEP $1" '$0 == s {on = 1; next} /^STEP / {on = 0} on' <<<"$out"; }
check "the page: its title and search box" "$(step page)" "^Blocklist lookup$"
check "the page: says what it is for" "$(step page)" "Enter an IP address"
listed=$(step "lookup 11.22.33.44")
check "a trap listing: listed in plain words" "$listed" "^11\.22\.33\.44 is listed in 1 zone\.$"
check "a trap listing: since when, the hits, the last one" "$listed" \
	"^Listed in bl\.example\.org since 20[0-9-]+ [0-9:]+ UTC: 5 spam-trap hits, last one 2 hours ago; ends 20[0-9-]+ [0-9:]+ UTC\.$"
check "a trap listing: the reason as served" "$listed" "^Reason given: 11\.22\.33\.44 is listed: it sent mail to our spam traps$"
check "a trap listing: the other zone does not list it" "$listed" "^Not listed in dbl\.example\.org\.$"
check_eq "a listed address: the removal form is shown" "$(grep -c '^STEP removal-form-shown True' <<<"$out")" 2
unlisted=$(step "lookup 198.51.100.20")
check "an unlisted address" "$unlisted" "^198\.51\.100\.20 is not listed in any of our zones\.$"
check "an unlisted address: per zone" "$unlisted" "^Not listed in bl\.example\.org\.$"
domain=$(step "lookup www.spam.example")
check "a domain: listed in the domain zone" "$domain" "^Listed in dbl\.example\.org\.$"
check "a domain: its reason" "$domain" "^Reason given: Spam domain spam\.example$"
req=$(step "request 11.22.33.44")
check "the removal request: done at once" "$req" "^Done: 11\.22\.33\.44 was removed from traps at once \(request #1\)\.$"
after=$(step "after-request 11.22.33.44")
check "looked up again: no longer listed" "$after" "^11\.22\.33\.44 is not listed in any of our zones\.$"
check "dnsbld no longer lists it" "$($DNSQ "$DNS_PORT" 44.33.22.11.bl.example.org A)" "rcode=NXDOMAIN"
"$BIN/dnsbl-ctl" -c c.yaml requests >req.out 2>&1
check "dnsbl-ctl requests has it" "$(cat req.out)" "#1  11\.22\.33\.44  from 127\.0\.0\.1  contact postmaster@mail\.example  delisted at once from traps"
for f in 0-page 1-lookup-11.22.33.44 2-lookup-198.51.100.20 3-lookup-www.spam.example 4-request 5-after; do
	if [ "$(head -c 8 "$SHOTS/$f.png" 2>/dev/null | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ]; then
		PASSES=$((PASSES + 1))
	else
		FAILS=$((FAILS + 1))
		echo "FAIL: no screenshot $SHOTS/$f.png"
	fi
done
[ "$FAILS" -eq 0 ] || { echo "webdriver output:"; sed 's/^/    | /' wd.out; }
web_stop
srv_report
