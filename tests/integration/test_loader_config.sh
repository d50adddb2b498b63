#!/usr/bin/env bash
# test_loader_config.sh -- dnsbl-loader's command line and config errors.
#
# Bad configs and bad usage must exit 2 with a message naming file:line and
# the key, before the store is opened or touched; `check` validates a
# config including its data files; the example config of the README loads.
# No network.  Env (from ctest): BIN, SRCDIR, TEST_TMPDIR.
set -euo pipefail

SRCDIR="$(cd "${SRCDIR:?SRCDIR not set}" && pwd)"
. "$(dirname "${BASH_SOURCE[0]}")/loader_lib.sh" loadercfg
# bad_config NAME YAML REGEX: the config must be refused with exit 2, a
# message matching REGEX, and no store created.
bad_config() {
	printf '%s' "$2" >"$T/c.yaml"
	rm -rf "${T:?}/var"
	run_loader -c "$T/c.yaml" load
	expect_eq "$1: exit 2" "$rc" 2
	expect_match "$1: message" "$err" "^dnsbl-loader: $T/c\.yaml:$3"
	if [[ -e "$T/var" ]]; then bad "$1: store created"; else ok; fi
}

cd "$T"
printf '192.0.2.1\n' >a.ip4set

# ---- usage ---------------------------------------------------------------
run_loader -h
expect_eq "-h: exit 0" "$rc" 0
expect_match "-h: usage on stdout" "$out" "^usage: dnsbl-loader -c FILE"
expect_match "-h: lists load" "$out" "^  load "
expect_match "-h: lists watch" "$out" "^  watch "
expect_match "-h: show and the others moved" "$out" "show, zones, drop, compact: moved to dnsbl-ctl"
run_loader load
expect_eq "no -c: exit 2" "$rc" 2
expect_match "no -c: says so" "$err" "-c FILE is required"
run_loader -c c.yaml
expect_eq "no command: exit 2" "$rc" 2
run_loader -c c.yaml frobnicate
expect_eq "unknown command: exit 2" "$rc" 2
expect_match "unknown command: named" "$err" "unknown command \"frobnicate\""
run_loader -x -c c.yaml load
expect_eq "unknown option: exit 2" "$rc" 2
run_loader -w many -c c.yaml load
expect_eq "bad -w: exit 2" "$rc" 2
run_loader -c "$T/none.yaml" load
expect_eq "missing config: exit 2" "$rc" 2
expect_match "missing config: named" "$err" "none\.yaml: No such file or directory"

# ---- bad configs: file:line: key: reason, exit 2, store untouched ----------
bad_config "unknown top key" $'datasets:\n  a: {type: ip4set, files: a.ip4set}\nlisten_on: x\n' \
	"3: listen_on: unknown key"
bad_config "unknown dataset key" $'datasets:\n  a:\n    type: ip4set\n    file: a.ip4set\n' \
	"4: datasets\.a\.file: unknown key"
bad_config "unknown type" $'datasets:\n  a: {type: ip4sett, files: a.ip4set}\n' \
	"2: datasets\.a\.type: unknown dataset type \"ip4sett\""
bad_config "files as a map" $'datasets:\n  a:\n    type: ip4set\n    files: {x: a.ip4set}\n' \
	"4: datasets\.a\.files: expected a list, found a map"
bad_config "bad port" $'listen: ["127.0.0.1:70000"]\ndatasets:\n  a: {type: ip4set, files: a.ip4set}\n' \
	"1: listen: \"127\.0\.0\.1:70000\": bad port"
bad_config "undefined dataset" $'datasets:\n  a: {type: ip4set, files: a.ip4set}\nzones:\n  bl.test:\n    datasets: [a, b]\n' \
	"5: zones\.bl\.test\.datasets: no dataset named \"b\""
bad_config "duplicate dataset" $'datasets:\n  a: {type: ip4set, files: a.ip4set}\n  a: {type: dnset, files: a.ip4set}\n' \
	"3: datasets\.a: duplicate key \(first on line 2\)"
bad_config "YAML syntax" $'datasets:\n  a: {type: ip4set, files: [a.ip4set}\n' \
	"2:[0-9]+: YAML syntax error: "

# ---- a missing data file: check says where, load fails only that dataset ----
printf 'store: var/store\ndatasets:\n  a: {type: ip4set, files: a.ip4set}\n  gone: {type: ip4set, files: [a.ip4set, nothere.ip4set]}\n' >c.yaml
run_loader -c c.yaml check
expect_eq "check with a missing file: exit 2" "$rc" 2
expect_match "check: file:line: key: path: reason" "$err" \
	"^dnsbl-loader: c\.yaml:4: datasets\.gone\.files: $T/nothere\.ip4set: No such file or directory$"
run_loader -c c.yaml load
expect_eq "load with a missing file: exit 1" "$rc" 1
expect_match "load: the other dataset loads" "$out" "^a: ip4set, 1 lines, 1 entries, 0 warnings;"
expect_match "load: the missing one fails" "$err" "^dnsbl-loader: gone: FAILED \(c\.yaml:4\): .*nothere\.ip4set"
run_loader -c c.yaml show gone
expect_match "show: the failed dataset is not loaded" "$out" "^dataset gone \(ip4set\): not loaded$"
expect_match "show: an alias that says where it went" "$err" "^dnsbl-loader: \`show\` has moved: the command is \`dnsbl-ctl show\` now$"
run_loader -c c.yaml load nope
expect_eq "unknown dataset argument: exit 2" "$rc" 2
expect_match "unknown dataset argument: named" "$err" "no dataset named \"nope\""
run_loader -c c.yaml show nope
expect_eq "show unknown dataset: exit 2" "$rc" 2

# ---- show before any load ----------------------------------------------------
printf 'store: fresh/store\ndatasets:\n  a: {type: ip4set, files: a.ip4set}\n' >f.yaml
run_loader -c f.yaml show
expect_eq "show without a store: exit 1" "$rc" 1
expect_match "show without a store: says so" "$err" "fresh/store: No such file or directory"

# ---- the README's example config is valid and loads -------------------------
run_loader -c "$SRCDIR/zones/example.yaml" check
expect_eq "zones/example.yaml passes check" "$rc" 0
# A copy, so the test's store stays out of the source tree.
cp -r "$SRCDIR/zones" "$T/zones"
rm -rf "$T/zones/var"
sed -i "s|^store: .*|store: $T/example-store|" "$T/zones/example.yaml"
run_loader -c "$T/zones/example.yaml" load
expect_eq "example zones load without error" "$rc" 0
expect_eq "example zones load without warnings" "$err" ""
expect_eq "example: one line per dataset" "$(grep -c . <<<"$out")" 5
expect_match "example: the manual dataset is not loaded" "$out" "^handlist: ip4set, manual, 0 entries: not loaded"
run_loader -c "$T/zones/example.yaml" show
expect_match "example: spam has its \$SOA" "$out" "^  \\\$SOA +3600 ns1\.example\.org\. hostmaster\.example\.org\. 0 "

report
