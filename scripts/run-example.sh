#!/usr/bin/env bash
# run-example.sh -- build dnsbld and serve the example zones in the foreground.
#
# The README's first set-up command: installs what is missing, builds into
# build/, loads zones/example.yaml into its store with dnsbl-loader, shows
# what was loaded (dnsbl-ctl show), then runs dnsbld on 127.0.0.1:5353 and
# [::1]:5353 until Ctrl-C.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

config="${1:-zones/example.yaml}"

bash scripts/deps.sh build
# Only the programs: a broken test file must not stop the example.
targets="dnsbl-loader dnsbl-ctl dnsbld"
BUILD_TARGETS="$targets" bash scripts/build.sh build

echo "run-example.sh: loading $config" >&2
build/bin/dnsbl-loader -c "$config" load
build/bin/dnsbl-ctl -c "$config" show

echo "run-example.sh: starting dnsbld (Ctrl-C stops it); try:" >&2
echo "  dig @127.0.0.1 -p 5353 2.0.0.127.bl.example.org TXT" >&2
exec build/bin/dnsbld -c "$config"
