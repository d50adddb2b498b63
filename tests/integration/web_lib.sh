# web_lib.sh -- helpers the dnsbl-web tests source (after server_lib.sh).
#
# web_start CONFIG PORT: runs dnsbl-web, waits (at most 10 s) until its
# page answers; sets WEB_PID and WEB_URL.
# http METHOD PATH [--body TEXT] [--type CT] [--token T] [--header H]:
# one request with curl; sets status and body.
# jget PATH...: the values at PATHs (a.0.b) of the last body, one a line
# (jq: strings raw, the rest as compact JSON, "null" if absent).

web_start() {
	"$BIN/dnsbl-web" -c "$1" >"$WORK/web.log" 2>&1 &
	WEB_PID=$!
	SRV_PIDS+=("$WEB_PID")
	WEB_URL="http://127.0.0.1:$2"
	for _ in $(seq 100); do
		if [ "$(curl -s -o /dev/null -w '%{http_code}' "$WEB_URL/")" = 200 ]; then
			return 0
		fi
		kill -0 "$WEB_PID" 2>/dev/null || break
		sleep 0.1
	done
	echo "dnsbl-web did not start:"; cat "$WORK/web.log"
	exit 1
}

http() {
	local m=$1 p=$2 type=application/json
	local args=(-s -g -X "$m" -o "$WORK/http.body" -w '%{http_code}' --max-time 10)
	shift 2
	while [ $# -gt 0 ]; do
		case $1 in
		--body) args+=(--data-binary "$2") ;;
		--type) type=$2 ;;
		--token) args+=(-H "Authorization: Bearer $2") ;;
		--header) args+=(-H "$2") ;;
		esac
		shift 2
	done
	status=$(curl "${args[@]}" -H "Content-Type: $type" "$WEB_URL$p")
	body=$(cat "$WORK/http.body")
}

jget() {
	local p
	for p in "$@"; do
		jq -rc "$(sed -E 's/\.([0-9]+)/[\1]/g; s/^/./' <<<"$p")" <<<"$body" 2>/dev/null ||
			echo "NOT JSON"
	done
}

# web_stop: stops dnsbl-web (TERM) and checks that it exited 0 and its
# log holds no sanitizer report (the ASan build's leaks show at exit).
web_stop() {
	local rc
	kill -TERM "$WEB_PID"
	wait "$WEB_PID"
	rc=$?
	check_eq "dnsbl-web stops on TERM with status 0" "$rc" 0
	check_not "dnsbl-web: no sanitizer report" "$(cat "$WORK/web.log")" \
		"Sanitizer|runtime error"
}
