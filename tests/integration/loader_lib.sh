# loader_lib.sh -- shared by the dnsbl-loader integration tests: a private
# temp dir ($T), check counters and the closing "N passed, N failed" line,
# and run_loader, which runs the real loader and keeps rc, out and err.
# Source it after `set -euo pipefail`; needs BIN, TEST_TMPDIR (from ctest).
# Usage: . loader_lib.sh NAME   (NAME names the temp dir)

BIN="$(cd "${BIN:?BIN not set}" && pwd)"
TEST_TMPDIR="${TEST_TMPDIR:-/tmp}"
mkdir -p "$TEST_TMPDIR"
T="$(mktemp -d "$TEST_TMPDIR/$1.XXXXXX")"
trap 'rm -rf "$T"' EXIT
LOADER="$BIN/dnsbl-loader"

passed=0
failed=0
ok() { passed=$((passed + 1)); }
bad() {
	failed=$((failed + 1))
	echo "FAILED: $*" >&2
}
# expect_eq WHAT GOT WANT
expect_eq() { if [[ "$2" == "$3" ]]; then ok; else bad "$1: got '$2', want '$3'"; fi; }
# expect_match WHAT TEXT REGEX (extended, multi-line text)
expect_match() {
	if grep -Eq -- "$3" <<<"$2"; then ok; else bad "$1: no /$3/ in:"$'\n'"$2"; fi
}
expect_no_match() {
	if grep -Eq -- "$3" <<<"$2"; then bad "$1: unexpected /$3/ in:"$'\n'"$2"; else ok; fi
}
# run_loader ARGS...: sets rc, out, err
run_loader() {
	set +e
	"$LOADER" "$@" >"$T/out" 2>"$T/err"
	rc=$?
	set -e
	out="$(cat "$T/out")"
	err="$(cat "$T/err")"
}
# report: the closing line; the exit status says whether all passed
report() {
	echo "$passed passed, $failed failed"
	((failed == 0))
}
