#!/usr/bin/env bash
# deps.sh -- install the Debian packages dnsbld needs to build and test.
#
# Idempotent: asks dpkg what is already installed and runs apt-get (with a
# single `apt-get update` first) only when something is missing, so a
# prepared machine starts instantly and a fresh Debian 12 one gets set up.
# Usage: scripts/deps.sh [build|test|all]   (default: all)
set -euo pipefail

BUILD_PKGS=(cmake gcc libc6-dev make pkg-config libevent-dev liblmdb-dev libc-ares-dev
	libyaml-dev zlib1g-dev)
# systemd (systemd-analyze verify), man-db and groff-base: test_install.sh
# checks the installed units and man pages.
TEST_PKGS=(bind9-dnsutils knot-dnsutils rbldnsd dnsperf python3 lmdb-utils
	procps iproute2 systemd man-db groff-base)

case "${1:-all}" in
build) want=("${BUILD_PKGS[@]}") ;;
test | all) want=("${BUILD_PKGS[@]}" "${TEST_PKGS[@]}") ;;
*)
	echo "usage: $0 [build|test|all]" >&2
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
apt-get update -q
apt-get install -y -q --no-install-recommends "${missing[@]}"
# Debian starts rbldnsd's packaged service on install; the tests run their
# own instances on loopback, so the system one is not wanted.
if [[ " ${missing[*]} " == *" rbldnsd "* ]] && command -v systemctl >/dev/null; then
	systemctl disable --now rbldnsd >/dev/null 2>&1 || true
fi
