#!/usr/bin/env bash
# fuzz.sh -- fuzz one target of tests/fuzz for longer than CI does.
#
# Usage: scripts/fuzz.sh TARGET [SECONDS]   (default 600 s)
#        scripts/fuzz.sh list               the targets
# Builds build-fuzz/ (clang, -DDNSBLD_FUZZ=ON) if needed, replays the
# target's regressions, then fuzzes from its seeds (tests/fuzz/corpus/TARGET)
# and from what earlier runs found, which is kept in
# build-fuzz/fuzz-corpus/TARGET.  A crash, leak or sanitizer report stops
# the run; its input is written to build-fuzz/fuzz-artifacts/TARGET/ and the
# exit status is non-zero.  Extra libFuzzer options: FUZZ_ARGS="-jobs=2 ...".
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
command -v clang-14 >/dev/null || {
	echo "fuzz.sh: clang-14 is missing (scripts/deps.sh installs it)" >&2
	exit 1
}
CC=clang-14 BUILD_TARGETS=fuzz bash scripts/build.sh "$dir" -DDNSBLD_FUZZ=ON \
	-DCMAKE_C_COMPILER=clang-14

corpus="$dir/fuzz-corpus/$name"
artifacts="$dir/fuzz-artifacts/$name"
mkdir -p "$corpus" "$artifacts" "$dir/tmp"
max_len=16384
[[ "$name" == fuzz_feed_* ]] && max_len=98304
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0:halt_on_error=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
shopt -s nullglob
regress=("tests/fuzz/regressions/$name"/*)
if ((${#regress[@]})); then
	echo "fuzz.sh: $name: replaying ${#regress[@]} regression input(s)" >&2
	"$dir/fuzz/$name" -close_fd_mask=3 "${regress[@]}"
fi
echo "fuzz.sh: $name for $seconds s; corpus $corpus" >&2
# shellcheck disable=SC2086  # FUZZ_ARGS: a space-separated list on purpose
TMPDIR="$dir/tmp" "$dir/fuzz/$name" -max_total_time="$seconds" \
	-timeout=10 -rss_limit_mb=2048 -max_len="$max_len" -close_fd_mask=3 \
	-print_final_stats=1 -artifact_prefix="$artifacts/" ${FUZZ_ARGS:-} \
	"$corpus" "tests/fuzz/corpus/$name"
