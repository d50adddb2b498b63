#!/usr/bin/env bash
# fuzz.sh -- fuzz one target of tests/fuzz for longer than CI does.
#
# Usage: scripts/fuzz.sh TARGET [SECONDS]   (default 600 s)
#        scripts/fuzz.sh list               the targets
# Builds build-fuzz/ (clang, -DDNSBLD_FUZZ=ON) if needed, replays the
# target's regressions, then fuzzes from its seeds (tests/fuzz/corpus/TARGET)
# and from what earlier runs found, kept in build-fuzz/fuzz-runs/TARGET/
# corpus.  A crash, leak or sanitizer report stops the run with a non-zero
# exit status and leaves its input in build-fuzz/fuzz-runs/TARGET/.
# Extra libFuzzer options: FUZZ_ARGS="-jobs=2 ...".
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
dir="$root/build-fuzz"

# Every target has a seed directory named for it.
targets() {
	ls tests/fuzz/corpus
}

case "${1:-}" in
"" | -h | --help)
	sed -n '3,11p' "$0" | sed 's/^# \{0,1\}//'
	exit 2
	;;
list)
	targets
	exit 0
	;;
esac
name="$1"
seconds="${2:-600}"
if ! targets | grep -qx "$name"; then
	echo "fuzz.sh: unknown target '$name' (scripts/fuzz.sh list)" >&2
	exit 2
fi

bash scripts/deps.sh fuzz
BUILD_TARGETS=fuzz bash scripts/build.sh "$dir" -DDNSBLD_FUZZ=ON \
	-DCMAKE_C_COMPILER=clang-14
mkdir -p "$dir/tmp"
SRCDIR="$root" TMPDIR="$dir/tmp" FUZZ_WORK="$dir/fuzz-runs/$name" \
	bash tests/fuzz/run_target.sh "$dir/fuzz/$name" "$name" "$seconds"
