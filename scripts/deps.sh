#!/usr/bin/env bash
# deps.sh -- install the Debian packages dnsbld needs to build and test.
#
# Idempotent: asks dpkg what is already installed and runs apt-get (with a
# single `apt-get update` first) only when something is missing, so a
# prepared machine starts instantly and a fresh Debian 12 one gets set up.
# Usage: scripts/deps.sh [build|test|fuzz|all]   (default: all)
set -euo pipefail

BUILD_PKGS=(cmake gcc libc6-dev make pkg-config libevent-dev liblmdb-dev libc-ares-dev
	libyaml-dev zlib1g-dev)
# systemd (systemd-analyze verify), man-db and groff-base: test_install.sh
# checks the installed units and man pages.  unbound and postfix:
# test_e2e_unbound.sh and test_e2e_postfix.sh run their own instances of them
# (util-linux's unshare makes the private network namespace they run in).
# nsd and knot: test_xfr.sh runs them as secondaries of dnsbld.
# curl and jq: test_web_api.sh's HTTP client; chromium and chromium-driver:
# test_web_browser.sh drives the page in a headless browser (WebDriver).
# xxhash: test_loader.sh checks the stored source hash against xxhsum's.
TEST_PKGS=(bind9-dnsutils knot-dnsutils rbldnsd dnsperf python3 lmdb-utils
	procps iproute2 systemd man-db groff-base unbound postfix util-linux
	nsd knot curl jq chromium chromium-driver xxhash)
# clang and its sanitizer and libFuzzer runtimes: the fuzz targets of
# tests/fuzz (build-fuzz, scripts/fuzz.sh).
FUZZ_PKGS=(clang-14 libclang-rt-14-dev)
# Packages whose Debian install starts a system service the tests do not
# want (they run their own instances on loopback): disabled and stopped
# right after the install.
SERVICE_PKGS=(rbldnsd unbound postfix nsd knot)

case "${1:-all}" in
build) want=("${BUILD_PKGS[@]}") ;;
test | all) want=("${BUILD_PKGS[@]}" "${TEST_PKGS[@]}" "${FUZZ_PKGS[@]}") ;;
fuzz) want=("${BUILD_PKGS[@]}" "${FUZZ_PKGS[@]}") ;;
*)
	echo "usage: $0 [build|test|fuzz|all]" >&2
	exit 2
	;;
esac

missing=()
for pkg in "${want[@]}"; do
	status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
	[[ "$status" == "install ok installed" ]] || missing+=("$pkg")
done

if ((${#missing[@]} == 0)); then
	exit 0
fi

echo "deps.sh: installing: ${missing[*]}" >&2
if [[ $(id -u) -ne 0 ]]; then
	echo "deps.sh: missing packages and not root; run as root or:" >&2
	echo "  sudo apt-get install -y ${missing[*]}" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
# postfix asks which kind of mail system to set up: none (the tests write
# their own main.cf in a private config directory).
if [[ " ${missing[*]} " == *" postfix "* ]]; then
	printf '%s\n' 'postfix postfix/main_mailer_type select No configuration' \
		'postfix postfix/mailname string localhost' | debconf-set-selections
fi
# No service may start during the install: where no policy-rc.d says so
# already (a container's usually does), one answering 101 ("action
# forbidden") stands in for the install and is removed after it.
policy=/usr/sbin/policy-rc.d
own_policy=0
if [[ ! -e "$policy" ]]; then
	printf '#!/bin/sh\n# deps.sh: no service starts while packages install\nexit 101\n' >"$policy"
	chmod 755 "$policy"
	own_policy=1
	trap 'rm -f "$policy"' EXIT
fi
apt-get update -q
apt-get install -y -q --no-install-recommends "${missing[@]}"
if ((own_policy)); then
	rm -f "$policy"
	trap - EXIT
fi
# Debian enables (and, on a running systemd, starts) the packaged services
# of rbldnsd, unbound and postfix; the tests run their own instances, so the
# system ones are disabled and stopped.
for svc in "${SERVICE_PKGS[@]}"; do
	[[ " ${missing[*]} " == *" $svc "* ]] || continue
	if command -v systemctl >/dev/null; then
		systemctl disable "$svc" >/dev/null 2>&1 || true
		if [[ -d /run/systemd/system ]]; then
			systemctl stop "$svc" >/dev/null 2>&1 || true
		fi
	fi
	if [[ ! -d /run/systemd/system && -x "/etc/init.d/$svc" ]]; then
		"/etc/init.d/$svc" stop >/dev/null 2>&1 || true
	fi
done
# Nothing of theirs may be left on the machine's DNS or SMTP port.
if command -v ss >/dev/null; then
	left=$(ss -Hltnup 2>/dev/null | awk '$5 ~ /:(25|53)$/' | grep -E '"(unbound|master|rbldnsd|nsd|knotd)"' || true)
	if [[ -n "$left" ]]; then
		echo "deps.sh: warning: a packaged service still listens on port 25 or 53:" >&2
		echo "$left" >&2
	fi
fi
