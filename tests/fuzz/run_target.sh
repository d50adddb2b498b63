#!/usr/bin/env bash
# run_target.sh -- one fuzz run: replay the regressions, then fuzz a while.
#
# Usage: run_target.sh BINARY NAME SECONDS
# Replays every file of tests/fuzz/regressions/NAME/ (each once: a crash,
# leak or sanitizer report fails the run), then fuzzes for SECONDS from the
# seeds of tests/fuzz/corpus/NAME/.  New inputs go to WORK/corpus, never
# into the source tree; a crash leaves its input in WORK as crash-* (the log
# names it), to be added to the regressions once fixed.  The fuzz ctests
# (WORK is a fresh TEST_TMPDIR/fuzz/NAME) and scripts/fuzz.sh (a WORK kept
# from run to run) both run this.
# Env: SRCDIR (the source tree), TEST_TMPDIR, FUZZ_WORK (WORK, kept as it
# is when given), FUZZ_ARGS (more libFuzzer options).
set -euo pipefail
bin="$1" name="$2" seconds="$3"
src="${SRCDIR:?}/tests/fuzz"
if [[ -n "${FUZZ_WORK:-}" ]]; then
	work="$FUZZ_WORK"
else
	work="${TEST_TMPDIR:-/tmp}/fuzz/$name"
	rm -rf "$work"
fi
mkdir -p "$work/corpus"

# Leaks are reports too; a slow input (a loop that never ends) fails after
# 10 s.  -close_fd_mask=3 keeps the parsers' own warnings out of the log
# (sanitizer reports still show).  Feed inputs may exceed rbldnsd's 32 KiB
# line cut; the others stay small.
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0:halt_on_error=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
max_len=16384
[[ "$name" == fuzz_feed_* ]] && max_len=98304
common=(-timeout=10 -rss_limit_mb=2048 -max_len=$max_len -close_fd_mask=3)

shopt -s nullglob
regress=("$src/regressions/$name"/*)
if ((${#regress[@]})); then
	echo "run_target: $name: replaying ${#regress[@]} regression input(s)"
	"$bin" "${common[@]}" "${regress[@]}"
fi

seeds=()
[[ -d "$src/corpus/$name" ]] && seeds=("$src/corpus/$name")
echo "run_target: $name: fuzzing for $seconds s (corpus $work/corpus)"
# shellcheck disable=SC2086  # FUZZ_ARGS: a space-separated list on purpose
"$bin" "${common[@]}" -max_total_time="$seconds" -print_final_stats=1 \
	-artifact_prefix="$work/" ${FUZZ_ARGS:-} "$work/corpus" "${seeds[@]}"
