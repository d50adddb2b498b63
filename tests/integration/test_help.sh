#!/bin/bash
# test_help.sh -- every program answers --help, and bad values are errors.
#
# A new user's first command: `PROGRAM --help` exits 0 and prints its usage
# on standard output; dnsbld's help tells its two command lines apart (the
# same letters mean different things in each).  Option values are checked
# whole: `-w 4x` is an error naming the option, not 4 workers.
set -u
. "$SRCDIR/tests/integration/server_lib.sh"
srv_workdir help
cd "$WORK" || exit 1

for prog in dnsbld dnsbl-loader dnsbl-query dnsbl-ctl dnsbl-web; do
	if [ ! -x "$BIN/$prog" ]; then
		FAILS=$((FAILS + 1))
		echo "FAIL: $prog is not built"
		continue
	fi
	for opt in --help -h; do
		out=$("$BIN/$prog" $opt 2>err.txt)
		check_eq "$prog $opt: exit status 0" "$?" 0
		check "$prog $opt: usage on standard output" "$out" '[Uu]sage'
		check_eq "$prog $opt: nothing on standard error" "$(cat err.txt)" ""
	done
done

help=$("$BIN/dnsbld" --help)
check "dnsbld --help: the YAML command line" "$help" '^usage: dnsbld -c FILE'
check "dnsbld --help: rbldnsd's command line" "$help" 'dnsbld \[rbldnsd options\] ZONE:TYPE:FILE'
check "dnsbld --help: says the letters differ" "$help" '-c is the check'
check_not "dnsbld --help: no NS records promised for -a/-A" "$help" 'AUTH section (from|in every)'
check "dnsbld --help: the signals" "$help" 'USR1'
check "dnsbld --help in rbldnsd mode too" "$("$BIN/dnsbld" -n -b 127.0.0.1/1 --help x:ip4set:f)" '^usage: dnsbld -c FILE'

cat >c.yaml <<'EOC'
listen: ["127.0.0.1:1"]
datasets: {d: {type: ip4set, files: /dev/null}}
zones: {z.test: {datasets: [d]}}
EOC
out=$("$BIN/dnsbld" -c c.yaml -w 4x 2>&1)
check_eq "dnsbld -w 4x: exit status 2" "$?" 2
check "dnsbld -w 4x: names the option" "$out" '-w 4x: want a number'
out=$("$BIN/dnsbld" -c c.yaml -w 0 2>&1)
check_eq "dnsbld -w 0: exit status 2" "$?" 2
out=$("$BIN/dnsbld" -n -b 127.0.0.1/1 -c 1x z.test:ip4set:/dev/null 2>&1)
check_eq "rbldnsd mode -c 1x: exit status 1" "$?" 1
check "rbldnsd mode -c 1x: rbldnsd's message" "$out" "invalid check interval \(-c\) value .1x'"
out=$("$BIN/dnsbld" -n -b 127.0.0.1/65536 z.test:ip4set:/dev/null 2>&1)
check_eq "rbldnsd mode, port 65536: exit status 1" "$?" 1
check "rbldnsd mode, port 65536: an error naming it" "$out" '65536'
out=$("$BIN/dnsbl-loader" -c c.yaml -w 4x load 2>&1)
check_eq "dnsbl-loader -w 4x: exit status 2" "$?" 2
out=$("$BIN/dnsbld" --no-such-option 2>&1)
check_eq "dnsbld --no-such-option: exit status 2" "$?" 2
check "dnsbld --no-such-option: points at --help" "$out" 'dnsbld --help'
srv_report
