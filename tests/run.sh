#!/usr/bin/env bash
# run.sh -- build and run every test: a normal build and an ASan+UBSan build.
#
# The README's second set-up command and what CI runs.  Installs what is
# missing, builds build/ (RelWithDebInfo) and build-asan/ (with
# -DDNSBLD_SANITIZE=ON), runs ctest in both, and exits non-zero if anything
# failed to build or any test failed in either.
# Then builds the libFuzzer targets in build-fuzz/ (clang) and runs each for
# a bounded time (tests/fuzz).
# Environment: DNSBLD_SKIP_ASAN=1 skips the ASan+UBSan build,
# DNSBLD_SKIP_FUZZ=1 the fuzz targets.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

bash scripts/deps.sh all

# Sanitizers: stop at the first report, with a stack; leaks count as errors.
export ASAN_OPTIONS="${ASAN_OPTIONS:-abort_on_error=0:halt_on_error=1:detect_leaks=1:strict_string_checks=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"

failed=()
total_passed=0
total_failed=0
run_suite() {
	local dir="$1" summary
	shift
	echo "==== $dir: build" >&2
	if ! bash scripts/build.sh "$dir" "$@"; then
		failed+=("$dir (build)")
		total_failed=$((total_failed + 1))
		return
	fi
	echo "==== $dir: ctest" >&2
	if ! (cd "$dir" && ctest --output-on-failure --timeout 900 2>&1 | tee ctest.log); then
		failed+=("$dir (tests)")
	fi
	# "87% tests passed, 2 tests failed out of 15"
	summary=$(grep -Eo '[0-9]+ tests failed out of [0-9]+' "$dir/ctest.log" | tail -1 || true)
	if [[ "$summary" =~ ^([0-9]+)\ tests\ failed\ out\ of\ ([0-9]+)$ ]]; then
		total_failed=$((total_failed + BASH_REMATCH[1]))
		total_passed=$((total_passed + BASH_REMATCH[2] - BASH_REMATCH[1]))
	else
		failed+=("$dir (no ctest summary)")
		total_failed=$((total_failed + 1))
	fi
}

run_suite build -DDNSBLD_SANITIZE=OFF
if [[ "${DNSBLD_SKIP_ASAN:-0}" != 1 ]]; then
	run_suite build-asan -DDNSBLD_SANITIZE=ON
fi
# The libFuzzer targets (tests/fuzz), built with clang in build-fuzz/: each
# replays its regressions and fuzzes for 20 s, two at a time.
if [[ "${DNSBLD_SKIP_FUZZ:-0}" != 1 ]]; then
	BUILD_TARGETS=fuzz CTEST_PARALLEL_LEVEL=2 run_suite build-fuzz \
		-DDNSBLD_FUZZ=ON -DCMAKE_C_COMPILER=clang-14
fi

if ((${#failed[@]})); then
	echo "run.sh: FAILED: ${failed[*]}" >&2
else
	echo "run.sh: all builds and tests passed" >&2
fi
# One closing line for both builds (a failed build counts as one failure).
echo "$total_passed passed, $total_failed failed"
((${#failed[@]} == 0))
