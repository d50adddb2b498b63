#!/usr/bin/env bash
# build.sh -- configure and build dnsbld into a build directory.
#
# One place that knows how the project is built, so the example runner, the
# test runner and CI build the same way.
# Usage: scripts/build.sh [BUILD_DIR [extra cmake args...]]   (default: build)
# Env: BUILD_TARGETS="a b" builds only those targets (default: everything).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dir="${1:-build}"
shift || true
[[ "$dir" == /* ]] || dir="$root/$dir"

echo "build.sh: building in $dir $*" >&2
cmake -S "$root" -B "$dir" "$@" >/dev/null
if [[ -n "${BUILD_TARGETS:-}" ]]; then
	# shellcheck disable=SC2086  # a space-separated list on purpose
	cmake --build "$dir" -j "$(nproc)" --target $BUILD_TARGETS
else
	cmake --build "$dir" -j "$(nproc)"
fi
