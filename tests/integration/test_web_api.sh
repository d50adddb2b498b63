#!/usr/bin/env bash
# test_web_api.sh -- dnsbl-web's HTTP API over real HTTP, against a store
# the real dnsbl-loader fills and a running dnsbld that serves it.
#  - lookups: listed and unlisted IPv4, IPv6, domains (a wildcard), a
#    spam-trap listing with its counters, hand edits with their time;
#    bad input is a 400 with a JSON message;
#  - writes: no token, an unknown token and a token without the right are
#    refused (401, 403) and change nothing; edits of manual datasets and
#    delistings are answered by dnsbld at once, with the token's name in
#    the history; file-fed datasets are refused;
#  - removal requests: recorded (dnsbl-ctl requests, GET /api/v1/requests),
#    delisted at once where the dataset says self_delist, limited per
#    client and per address;
#  - the API's rate limit per client (429 with Retry-After), stats, and
#    nothing of the store's internals (paths, users) in any reply.
# Ports 6200-6219.
set -u
. "$SRCDIR/tests/integration/server_lib.sh"
. "$SRCDIR/tests/integration/web_lib.sh"

srv_workdir webapi
srv_pick_port 6200 6209
DNS_PORT=$PORT
srv_pick_port 6210 6219
HTTP_PORT=$PORT
CTL="$BIN/dnsbl-ctl"
LOADER="$BIN/dnsbl-loader"
OPS=ops-0123456789abcdef
READER=reader-0123456789abcdef
EDITOR=editor-0123456789abcdef

cd "$WORK" || exit 1
mkdir feeds
printf ':2:spam $\n10.0.0.1\n10.0.0.0/24\n' >feeds/spam.ip4set
printf ':2:v6 spam\n2001:db8:1::/48\n' >feeds/spam6.ip6trie
printf ':2:bad domain $\n.bad.example\nevil.example\n' >feeds/dbl.dnset
cat >c.yaml <<YAML
store: $WORK/store
listen: ["127.0.0.1:$DNS_PORT"]
datasets:
  spam: {type: ip4set, files: feeds/spam.ip4set}
  spam6: {type: ip6trie, files: feeds/spam6.ip6trie}
  dbl: {type: dnset, files: feeds/dbl.dnset}
  hand: {type: ip4set, manual: true}
  handdn: {type: dnset, manual: true, self_delist: true}
  traps: {type: trap, threshold: 2, self_delist: true}
zones:
  bl.test:
    datasets: [spam, spam6, hand, traps]
    codes: {127.0.0.2: spam source, 127.0.0.3: listed by hand}
  dbl.test: {datasets: [dbl, handdn]}
web:
  listen: "127.0.0.1:$HTTP_PORT"
  rate_limit: 100
  requests_per_client: 3
  requests_per_address: 2
  trust_proxy: true
  tokens:
    ops: {token: $OPS, rights: [read, edit, delist]}
    reader: {token: $READER, rights: [read]}
    editor: {token: $EDITOR, rights: [edit]}
YAML

q() {
	local r
	r=$($DNSQ "$DNS_PORT" "$1" "${2:-A}")
	echo "$(sed -n 's/^rcode=\([A-Z]*\).*/\1/p' <<<"$r") $(awk '$1 == "an:" { $1 = $2 = $3 = $4 = $5 = ""; sub(/^ +/, ""); print }' <<<"$r" | sort | tr '\n' ' ')" | sed 's/ *$//'
}
ask() { q "$(awk -F. '{print $4"."$3"."$2"."$1}' <<<"$1").bl.test" "${2:-A}"; }

# ---- the config's web: keys ---------------------------------------------------
sed 's/rights: \[read\]}/rights: [read, write]}/' c.yaml >bad.yaml
"$BIN/dnsbl-web" -c bad.yaml >bad.out 2>&1
check_eq "an unknown right: exit 2" "$?" 2
check "an unknown right: file:line and why" "$(cat bad.out)" 'bad.yaml:[0-9]+: web.tokens.reader.rights: unknown right "write"'
sed "s/token: $EDITOR/token: short/" c.yaml >bad.yaml
"$BIN/dnsbl-web" -c bad.yaml >bad.out 2>&1
check "a short token is refused" "$(cat bad.out)" 'web.tokens.editor.token: too short'
sed 's/  dbl: {type: dnset, files: feeds\/dbl.dnset}/  dbl: {type: dnset, files: feeds\/dbl.dnset, self_delist: true}/' c.yaml >bad.yaml
"$BIN/dnsbl-web" -c bad.yaml >bad.out 2>&1
check "self_delist needs a manual dataset" "$(cat bad.out)" 'datasets.dbl: self_delist needs a manual dataset'

"$LOADER" -c c.yaml load >load.out 2>&1 || { cat load.out; exit 1; }
printf '11.1.1.1\n11.1.1.1 trap=t2\n11.1.1.2\n11.1.1.2\n11.1.1.3\n' |
	"$LOADER" -c c.yaml hits traps >hits.out 2>&1 || { cat hits.out; exit 1; }
srv_start c.yaml "$DNS_PORT"
web_start c.yaml "$HTTP_PORT"
check "listens where web.listen says" "$(cat web.log)" "listening on 127.0.0.1 port $HTTP_PORT"
"$BIN/dnsbl-web" -c c.yaml >twice.out 2>&1
check_eq "a second dnsbl-web on the same port: exit 1" "$?" 1
check "a second dnsbl-web: says where and why" "$(cat twice.out)" "c.yaml:[0-9]+: web.listen: cannot listen on 127.0.0.1 port $HTTP_PORT"
"$BIN/dnsbl-web" -c c.yaml --colour >twice.out 2>&1
check_eq "an unknown argument: exit 2" "$?" 2

# ---- lookups ----------------------------------------------------------------------
http GET /api/v1/lookup/10.0.0.1
check_eq "listed IPv4: 200" "$status" 200
check_eq "listed IPv4: listed, the zone, the entry, TXT as served" \
	"$(jget listed zones.0.zone zones.0.listed datasets.0.dataset datasets.0.entry datasets.0.answers.0.a datasets.0.answers.0.txt datasets.0.source | tr '\n' '|')" \
	"true|bl.test|true|spam|10.0.0.1/32|127.0.0.2|spam 10.0.0.1|feed|"
check_eq "listed IPv4: the zone's name for the code" "$(jq -r '.zones[0].codes["127.0.0.2"]' <<<"$body")" "spam source"
check_eq "listed IPv4: dbl.test does not list it" "$(jget zones.1.zone zones.1.listed | tr '\n' '|')" "dbl.test|false|"
http GET /api/v1/lookup/10.0.0.77
check_eq "covered by a /24: the entry that decided" "$(jget datasets.0.entry)" "10.0.0.0/24"
http GET /api/v1/lookup/192.0.2.55
check_eq "unlisted IPv4: 200, not listed, no dataset" "$status $(jget listed datasets zones.0.listed | tr '\n' ' ')" "200 false [] false "
http GET /api/v1/lookup/2001:db8:1::5
check_eq "IPv6: listed by spam6" "$(jget kind listed datasets.0.dataset datasets.0.entry datasets.0.answers.0.txt | tr '\n' '|')" \
	"ipv6|true|spam6|2001:db8:1::/48|v6 spam|"
http GET /api/v1/lookup/2001:DB8:2::5
check_eq "IPv6 unlisted (normalised)" "$(jget query listed | tr '\n' '|')" "2001:db8:2::5|false|"
http GET /api/v1/lookup/www.Bad.Example
check_eq "a domain under a .domain entry" "$(jget kind query listed zones.1.zone zones.1.listed datasets.0.entry datasets.0.answers.0.txt | tr '\n' '|')" \
	"domain|www.bad.example|true|dbl.test|true|*.bad.example|bad domain bad.example|"
http GET /api/v1/lookup/good.example
check_eq "an unlisted domain" "$(jget listed)" "false"
http GET /api/v1/lookup/11.1.1.1
check_eq "a trap listing: counters, since, until" \
	"$(jget datasets.0.source datasets.0.trap.hits datasets.0.trap.times_listed | tr '\n' '|')" "spam traps|2|1|"
check "a trap listing: since" "$(jget datasets.0.since datasets.0.until)" '^20[0-9-]+T[0-9:]+Z$'
http GET /api/v1/lookup/11.1.1.3
check_eq "one trap hit: not listed, but counted" "$(jget listed datasets.0.listed datasets.0.trap.hits | tr '\n' '|')" "false|false|1|"
http GET "/api/v1/lookup/[10.0.0.1]"
check_eq "[address] as in a mail log" "$(jget query listed | tr '\n' '|')" "10.0.0.1|true|"
for bad in 'not an address' 999.1.1.1 '10.0.0.0/24' 'a..b' 'nodot' "$(printf 'x%.0s' $(seq 300)).com"; do
	http GET "/api/v1/lookup/$(jq -rn --arg s "$bad" '$s|@uri')"
	check_eq "bad item \"${bad:0:20}\": 400" "$status" 400
	check "bad item \"${bad:0:20}\": a JSON message" "$(jget error)" "is not (an IP address or )?a domain name"
done
http GET /api/v1/nothing
check_eq "an unknown API path: 404 JSON" "$status $(jget status)" "404 404"
http POST /api/v1/lookup/10.0.0.1 --body '{}'
check_eq "a wrong method: 405" "$status" 405
http GET /api/v1/stats
check_eq "stats: 200" "$status" 200
check_eq "stats: datasets and zones" "$(jget datasets.0.dataset zones.0.zone | tr '\n' '|')" "dbl|bl.test|"
check_not "stats: no store path" "$body" "$WORK"

# ---- writes: refused without the right -----------------------------------------------
E='{"entry": "192.0.2.0/24 :3:listed by hand", "reason": "ticket 7"}'
http POST /api/v1/datasets/hand/entries --body "$E"
check_eq "edit without a token: 401" "$status" 401
check "edit without a token: says so" "$(jget error)" "bearer token"
http POST /api/v1/datasets/hand/entries --body "$E" --token wrong-token-0123456789
check_eq "edit with an unknown token: 401" "$status $(jget error)" "401 unknown token"
http POST /api/v1/datasets/hand/entries --body "$E" --token "$READER"
check_eq "edit with a read-only token: 403" "$status $(jget error)" "403 token reader lacks the edit right"
http POST /api/v1/delist --body '{"address": "11.1.1.1", "reason": "x"}' --token "$EDITOR"
check_eq "delist with an edit-only token: 403" "$status" 403
http GET /api/v1/requests --token "$EDITOR"
check_eq "requests with an edit-only token: 403" "$status" 403
check_eq "refused writes change nothing" "$(ask 192.0.2.1)" "NXDOMAIN"

# ---- edits, served at once ---------------------------------------------------------------
http POST /api/v1/datasets/hand/entries --body "$E" --token "$EDITOR"
check_eq "add: 201, changed" "$status $(jget changed entries)" "201 true
1"
check_eq "add: dnsbld answers at once" "$(ask 192.0.2.1)" "NOERROR 127.0.0.3"
check_eq "add: TXT as served" "$(ask 192.0.2.1 TXT)" 'NOERROR "listed by hand"'
http GET /api/v1/lookup/192.0.2.1
check_eq "lookup: the hand entry and since when" "$(jget datasets.0.dataset datasets.0.source | tr '\n' '|')" "hand|by hand|"
check "lookup: since" "$(jget datasets.0.since)" '^20[0-9-]+T[0-9:]+Z$'
check_not "lookup: no user in the reply" "$body" '"user"|editor'
http POST /api/v1/datasets/hand/entries --body '{"entry": "198.51.100.7", "for": "2h"}' --token "$OPS"
check "add for 2h: until" "$(jget until)" '^20[0-9-]+T[0-9:]+Z$'
check_eq "add for 2h: answered" "$(ask 198.51.100.7)" "NOERROR 127.0.0.2"
http DELETE /api/v1/datasets/hand/entries --body '{"entry": "192.0.2.0/24", "reason": "fixed"}' --token "$EDITOR"
check_eq "del: 200" "$status $(jget action)" "200 deleted"
check_eq "del: dnsbld answers at once" "$(ask 192.0.2.1)" "NXDOMAIN"
http DELETE /api/v1/datasets/hand/entries --body '{"entry": "192.0.2.0/24"}' --token "$EDITOR"
check_eq "del of what is not there: 404" "$status" 404
http POST /api/v1/datasets/handdn/entries --body '{"entry": "spammer.example :4:by hand"}' --token "$EDITOR"
check_eq "add a domain: 201" "$status" 201
check_eq "add a domain: answered" "$(q spammer.example.dbl.test)" "NOERROR 127.0.0.4"
http POST /api/v1/datasets/spam/entries --body '{"entry": "192.0.2.9"}' --token "$EDITOR"
check_eq "edit of a file-fed dataset: 409" "$status" 409
check_not "409: no file path" "$body" "feeds/"
http POST /api/v1/datasets/nope/entries --body '{"entry": "192.0.2.9"}' --token "$EDITOR"
check_eq "an unknown dataset: 404" "$status" 404
http POST /api/v1/datasets/hand/entries --body '{"entry": "10.0.0.0/40"}' --token "$EDITOR"
check_eq "a bad entry: 400 with the parser's reason" "$status $(jget error)" '400 bad ip4set entry: invalid address "10.0.0.0/40"'
http POST /api/v1/datasets/hand/entries --body '{"entry": 1' --token "$EDITOR"
check_eq "bad JSON: 400" "$status" 400
check "bad JSON: why" "$(jget error)" "bad JSON body"
http POST /api/v1/datasets/hand/entries --body '{"entry": "192.0.2.9", "colour": "red"}' --token "$EDITOR"
check_eq "an unknown member: 400" "$status $(jget error)" '400 unknown member "colour"'
http POST /api/v1/datasets/hand/entries --body 'entry=192.0.2.9' --type application/x-www-form-urlencoded --token "$EDITOR"
check_eq "not JSON: 415" "$status" 415
"$CTL" -c c.yaml history hand >hist.out
check "history: the token's name as who, the reason" "$(cat hist.out)" "add +hand +192.0.2.0/24 :3:listed by hand +by editor +reason: ticket 7"
check "history: del by the token" "$(cat hist.out)" "del +hand +192.0.2.0/24 +by editor +reason: fixed"

# ---- delisting -------------------------------------------------------------------------
check_eq "a trap listing is served" "$(ask 11.1.1.2)" "NOERROR 127.0.0.2"
http POST /api/v1/delist --body '{"address": "11.1.1.2", "reason": "ticket 9", "for": "1d"}' --token "$OPS"
check_eq "delist: 200, delisted" "$status $(jget delisted datasets.0.dataset)" "200 true
traps"
check_eq "delist: dnsbld answers at once" "$(ask 11.1.1.2)" "NXDOMAIN"
check "delist: history by the token" "$("$CTL" -c c.yaml history traps)" "del +traps +11.1.1.2 .*by ops +reason: ticket 9"
http POST /api/v1/delist --body '{"address": "example.com", "reason": "x"}' --token "$OPS"
check_eq "delist of a name: 400" "$status" 400
http POST /api/v1/delist --body '{"address": "11.1.1.2"}' --token "$OPS"
check_eq "delist without a reason: 400" "$status $(jget error)" '400 "reason" is required'

# ---- removal requests -------------------------------------------------------------------
check_eq "before: 11.1.1.1 listed by the traps" "$(ask 11.1.1.1)" "NOERROR 127.0.0.2"
http POST /api/v1/requests --body '{"item": "11.1.1.1", "contact": "admin@mail.example", "message": "closed the open relay"}'
check_eq "request, self_delist dataset: delisted at once" "$status $(jget status delisted.0)" "201 delisted
traps"
check_eq "request: dnsbld answers at once" "$(ask 11.1.1.1)" "NXDOMAIN"
http POST /api/v1/requests --body '{"item": "10.0.0.1", "message": "we fixed it"}' --header "X-Forwarded-For: 203.0.113.5"
check_eq "request, file-fed listing: pending" "$status $(jget status)" "201 pending"
check_eq "pending: still listed" "$(ask 10.0.0.1)" "NOERROR 127.0.0.2"
http POST /api/v1/requests --body '{"item": "spammer.example", "message": "not us"}' --header "X-Forwarded-For: 203.0.113.6"
check_eq "request for a domain in a self_delist dataset" "$status $(jget status delisted.0)" "201 delisted
handdn"
check_eq "the domain is gone at once" "$(q spammer.example.dbl.test)" "NXDOMAIN"
"$CTL" -c c.yaml requests >req.out 2>&1
check "dnsbl-ctl requests: the first, delisted" "$(cat req.out)" "#1  11.1.1.1  from 127.0.0.1  contact admin@mail.example  delisted at once from traps"
check "dnsbl-ctl requests: the pending one, with the proxied client" "$(cat req.out)" "#2  10.0.0.1  from 203.0.113.5  pending"
check "dnsbl-ctl requests: the message" "$(cat req.out)" "message: we fixed it"
"$CTL" -c c.yaml requests --pending >req.out 2>&1
check_not "requests --pending: no delisted one" "$(cat req.out)" "#1 "
http GET /api/v1/requests --token "$READER"
check_eq "GET requests (read): newest first" "$status $(jget requests.0.id requests.2.item requests.2.outcome | tr '\n' '|')" \
	"200 3|11.1.1.1|delisted at once from traps|"
http GET /api/v1/requests
check_eq "GET requests without a token: 401" "$status" 401
http POST /api/v1/requests --body '{"item": "10.0.0.1"}'
check_eq "a request without a message: 400" "$status" 400
http POST /api/v1/requests --body '{"item": "10.0.0.1", "message": "x", "contact": "nobody"}'
check_eq "a request with a bad contact: 400" "$status" 400
# Per address: 2 a day (10.0.0.1 had one).
http POST /api/v1/requests --body '{"item": "10.0.0.1", "message": "again"}' --header "X-Forwarded-For: 203.0.113.7"
check_eq "second request for the address: taken" "$status" 201
http POST /api/v1/requests --body '{"item": "10.0.0.1", "message": "and again"}' --header "X-Forwarded-For: 203.0.113.8"
check_eq "third request for the address: 429" "$status" 429
check "per address: says why" "$(jget error)" "10.0.0.1 has had 2 removal requests today"
# Per client: 3 a day.
for i in 1 2 3 4; do
	http POST /api/v1/requests --body "{\"item\": \"10.0.0.$((100 + i))\", \"message\": \"m\"}" --header "X-Forwarded-For: 198.51.100.99"
	codes="${codes:-}$status "
done
check_eq "per client: the fourth a day is refused" "$codes" "201 201 201 429 "

# ---- the rate limit ------------------------------------------------------------------------
# 130 requests at once from one client: the first 100 (the bucket) pass,
# then 429s with Retry-After (one more passes each 0.6 s: a slow run gets
# a few more 200s, never fewer).
rl=$(python3 - "$WEB_URL" <<'PY'
import sys, urllib.request, urllib.error
codes, retry = [], None
for i in range(130):
    req = urllib.request.Request(sys.argv[1] + "/api/v1/lookup/10.0.0.1",
                                 headers={"X-Forwarded-For": "192.0.2.200"})
    try:
        codes.append(urllib.request.urlopen(req, timeout=5).status)
    except urllib.error.HTTPError as e:
        codes.append(e.code)
        retry = e.headers.get("Retry-After")
print(codes[:100].count(200), codes.count(429) > 0, retry,
      set(codes) <= {200, 429})
PY
)
check_eq "rate limit: 100 a minute per client, then 429 with Retry-After" "$rl" "100 True 1 True"
http GET /api/v1/lookup/10.0.0.1
check_eq "another client is not limited" "$status" 200
http GET /nothing.html
check_eq "an unknown page: 404" "$status" 404
http GET /
check "the page: /" "$body" "<title>Blocklist lookup</title>"
kill -0 "$WEB_PID" 2>/dev/null
check_eq "dnsbl-web still runs" "$?" 0
web_stop
srv_report
