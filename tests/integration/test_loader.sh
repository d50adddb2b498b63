#!/usr/bin/env bash
# test_loader.sh -- dnsbl-loader end to end: real files into a real store.
#
# Loads rbldnsd-format files with the real loader into a temporary store and
# checks what it says (summary lines, file:line warnings, exit status) and
# what the store then holds (`dnsbl-ctl show`): bad lines skipped, a
# missing file or too many bad lines failing only that dataset and leaving
# its stored version untouched, unchanged re-loads, gzip and CRLF files.
# No network.  Env (from ctest): BIN, SRCDIR, TEST_TMPDIR.
# shellcheck disable=SC2016  # literal `$` lines of rbldnsd data, on purpose
set -euo pipefail

. "$(dirname "${BASH_SOURCE[0]}")/loader_lib.sh" loader
# show, zones, drop, compact are dnsbl-ctl's (the loader keeps aliases).
CTL="$BIN/dnsbl-ctl"
# run_ctl ARGS...: as run_loader, for dnsbl-ctl
run_ctl() { LOADER="$CTL" run_loader "$@"; }
# show_field DATASET FIELD: the value of "  FIELD  value" in `show DATASET`
show_field() {
	"$CTL" -c "$T/c.yaml" show "$1" | awk -v f="$2" '$1 == f { $1 = ""; sub(/^ +/, ""); print; exit }'
}

mkdir -p "$T/data"
cd "$T"

# ---- data files -----------------------------------------------------------
cat >data/good.ip4set <<'DATA'
# a good ip4set
$SOA 3600 ns1.bl.test. hostmaster.bl.test. 0 3600 900 604800 300
$NS 1800 ns1.bl.test. ns2.bl.test.
$TTL 3600
$TIMESTAMP 2020:01:02
:127.0.0.2:Listed: $
192.0.2.1
192.0.2.2 :3:Own text
198.51.100.7
DATA
# Lines 2, 4 and 6 are bad; the others load.
printf '192.0.2.10\n300.1.1.1\n192.0.2.11\n10.0.0.1/8\n192.0.2.12\n1.2.3.4:0:zero\n192.0.2.13\n' >data/bad.ip4set
# A last line without a newline still loads.
printf '192.0.2.1\n192.0.2.2' >data/tail.ip4set
cat >data/six.ip6trie <<'DATA'
2001:db8::/32
2001:db8:1::1 :4:v6 host
!2001:db8:2::/48
DATA
cat >data/names.dnset <<'DATA'
spam.test
*.wild.test
.both.test :5:both
!clean.both.test
DATA
# The same three addresses as a gzip file (detected by magic, not by name).
printf '192.0.2.1\n192.0.2.2\n192.0.2.3\n' | gzip -c >data/packed.ip4set
# CRLF: a CR is not whitespace to rbldnsd, so bare keys followed by CR are
# bad lines, while the CR of a value line stays in the TXT.
printf '192.0.2.1\r\n192.0.2.2\r\n192.0.2.3 :2:text\r\n' >data/crlf.ip4set
printf '192.0.2.1\n192.0.2.2\n' >data/strict.ip4set

cat >c.yaml <<'YAML'
store: var/store
datasets:
  good: {type: ip4set, files: [data/good.ip4set]}
  bad: {type: ip4set, files: data/bad.ip4set}
  six: {type: ip6trie, files: data/six.ip6trie}
  names: {type: dnset, files: data/names.dnset}
  packed: {type: ip4set, files: data/packed.ip4set}
  crlf: {type: ip4set, files: data/crlf.ip4set}
  strict: {type: ip4set, files: data/strict.ip4set, max_errors: 1}
  tail: {type: ip4set, files: data/tail.ip4set}
zones:
  bl.test: {datasets: [good, bad, packed, crlf, strict]}
  v6.test: {datasets: six}
  dbl.test: {datasets: names}
YAML

# ---- first load: everything ----------------------------------------------
run_loader -c c.yaml load
expect_eq "first load exit status" "$rc" 0
expect_eq "one summary line per dataset" "$(grep -c . <<<"$out")" 8
for ds in good bad six names packed crlf strict tail; do
	expect_match "summary of $ds" "$out" "^$ds: [a-z0-9]+, [0-9]+ lines, [0-9]+ entries, [0-9]+ warnings; records \+[0-9]+ -[0-9]+ =[0-9]+; [0-9.]+ s \(parse [0-9.]+ s, write [0-9.]+ s\)$"
done
expect_match "good: type, lines, entries" "$out" "^good: ip4set, 9 lines, 3 entries, 0 warnings; records \+[1-9][0-9]* -0 =0;"
expect_match "bad: the 4 good lines load" "$out" "^bad: ip4set, 7 lines, 4 entries, 3 warnings;"
expect_match "bad line 2 reported" "$err" "data/bad\.ip4set:2: .+"
expect_match "bad line 4 reported" "$err" "data/bad\.ip4set:4: .+"
expect_match "bad line 6 reported" "$err" "data/bad\.ip4set:6: .+"
expect_no_match "good lines not reported" "$err" "data/bad\.ip4set:[1357]:"
expect_no_match "good file has no warning" "$err" "good\.ip4set"
expect_match "gzip file loads" "$out" "^packed: ip4set, 3 lines, 3 entries, 0 warnings;"
expect_match "CRLF: bare keys rejected, value line loads" "$out" "^crlf: ip4set, 3 lines, 1 entries, 2 warnings;"
expect_match "CRLF line 1 reported" "$err" "data/crlf\.ip4set:1: "
expect_match "six loads" "$out" "^six: ip6trie, 3 lines, [0-9]+ entries, 0 warnings;"
expect_match "last line without newline loads" "$out" "^tail: ip4set, 2 lines, 2 entries, "
expect_match "names loads" "$out" "^names: dnset, 4 lines, [0-9]+ entries, 0 warnings;"

# ---- show ----------------------------------------------------------------
run_ctl -c c.yaml show
expect_eq "show exit status" "$rc" 0
expect_match "show: store line" "$out" "^store $T/var/store, generation [0-9]+$"
for ds in good bad six names packed crlf strict; do
	expect_match "show lists $ds" "$out" "^dataset $ds \((ip4set|ip6trie|dnset)\)$"
done
expect_eq "show: good entries" "$(show_field good entries)" 3
expect_match "show: good source identity" "$(show_field good source)" \
	"^$T/data/good\.ip4set size $(stat -c %s data/good.ip4set) mtime [0-9-]+ [0-9:]+ UTC xxh64 [0-9a-f]{16}$"
# The content hash is the one xxhsum prints, so an operator can check it.
if command -v xxhsum >/dev/null; then
	expect_eq "show: good hash is xxhsum's" "$(show_field good source | sed 's/.* xxh64 //')" \
		"$(xxhsum -H1 data/good.ip4set | cut -d' ' -f1)"
else
	echo "test_loader: no xxhsum here (scripts/deps.sh test): hash not compared" >&2
fi
expect_eq "show: good \$SOA" "$(show_field good '$SOA')" \
	"3600 ns1.bl.test. hostmaster.bl.test. 0 3600 900 604800 300"
expect_eq "show: good \$NS" "$(show_field good '$NS')" "1800 ns1.bl.test. ns2.bl.test."
expect_eq "show: good \$TTL" "$(show_field good '$TTL')" 3600
expect_match "show: good \$TIMESTAMP" "$(show_field good '$TIMESTAMP')" "^2020-01-02 00:00:00 UTC"
serial_good="$(show_field good serial)"
expect_match "show: serial is a unix time" "$serial_good" "^[0-9]{9,10}$"
show_all="$out"
run_loader -c c.yaml show
expect_eq "dnsbl-loader show, an alias: the same" "$out" "$show_all"
expect_eq "dnsbl-loader show, an alias: says where it went" "$err" \
	"dnsbl-loader: \`show\` has moved: the command is \`dnsbl-ctl show\` now"
run_ctl -c c.yaml show six
expect_eq "show one dataset: exit" "$rc" 0
expect_eq "show one dataset: only it" "$(grep -c '^dataset ' <<<"$out")" 1

# ---- re-load of unchanged files changes nothing ---------------------------
show_before="$("$CTL" -c c.yaml show good six names)"
sleep 1.1   # a changed commit would get a new serial (unix time)
run_loader -c c.yaml load good six names
expect_eq "unchanged reload exit" "$rc" 0
expect_match "unchanged good: nothing added or removed" "$out" "^good: ip4set, 9 lines, 3 entries, 0 warnings; records \+0 -0 =[1-9][0-9]*;"
expect_match "unchanged six: nothing added or removed" "$out" "^six: .* records \+0 -0 =[1-9][0-9]*;"
expect_match "unchanged names: nothing added or removed" "$out" "^names: .* records \+0 -0 =[1-9][0-9]*;"
expect_eq "unchanged reload: serials and sources unchanged" \
	"$("$CTL" -c c.yaml show good six names | grep -Ev '^ +loaded ')" \
	"$(grep -Ev '^ +loaded ' <<<"$show_before")"

# ---- a changed file: the diff --------------------------------------------
printf '192.0.2.1\n192.0.2.2\n192.0.2.4\n' | gzip -c >data/packed.ip4set
run_loader -c c.yaml load packed
expect_eq "changed gzip reload exit" "$rc" 0
expect_match "changed: something added and removed, rest unchanged" "$out" "^packed: ip4set, 3 lines, 3 entries, 0 warnings; records \+[1-9][0-9]* -[1-9][0-9]* =[1-9][0-9]*;"

# ---- -C: gzip is an error, nothing changes --------------------------------
packed_before="$("$CTL" -c c.yaml show packed)"
run_loader -C -c c.yaml load packed
expect_eq "-C with a gzip file: exit 1" "$rc" 1
expect_match "-C: the error names the file" "$err" "packed\.ip4set"
expect_eq "-C: stored dataset untouched" "$("$CTL" -c c.yaml show packed)" "$packed_before"

# ---- a missing file fails that dataset only -------------------------------
good_before="$("$CTL" -c c.yaml show good)"
mv data/good.ip4set data/good.moved
printf '192.0.2.99\n' >>data/strict.ip4set
run_loader -c c.yaml load
expect_eq "missing file: exit 1" "$rc" 1
expect_match "missing file: named with the reason" "$err" "good\.ip4set.*(No such file|not found|cannot open)"
expect_match "missing file: says the stored version is kept" "$err" "^dnsbl-loader: good: FAILED \(c\.yaml:3\): .*; the stored version is unchanged$"
expect_match "missing file: the count of failures" "$err" "^dnsbl-loader: 1 dataset failed$"
expect_no_match "missing file: no summary for it" "$out" "^good:"
expect_match "missing file: other datasets still load" "$out" "^strict: ip4set, 3 lines, 3 entries, 0 warnings;"
expect_eq "missing file: stored good untouched" "$("$CTL" -c c.yaml show good)" "$good_before"
mv data/good.moved data/good.ip4set

# ---- too many bad lines: the load is aborted, the store untouched ---------
strict_before="$("$CTL" -c c.yaml show strict)"
printf '192.0.2.1\nbad-one\n192.0.2.5\nbad-two\n192.0.2.6\n' >data/strict.ip4set
run_loader -c c.yaml load strict
expect_eq "max_errors overflow: exit 1" "$rc" 1
expect_match "max_errors overflow: reason" "$err" "strict: FAILED .*(too many|errors)"
expect_match "max_errors overflow: bad line reported" "$err" "strict\.ip4set:2: "
expect_eq "max_errors overflow: stored strict untouched" "$("$CTL" -c c.yaml show strict)" "$strict_before"
expect_eq "max_errors overflow: still 3 entries" "$(show_field strict entries)" 3
# Exactly max_errors bad lines is still fine.
printf '192.0.2.1\nbad-one\n192.0.2.5\n' >data/strict.ip4set
run_loader -c c.yaml load strict
expect_eq "max_errors reached but not passed: exit 0" "$rc" 0
expect_match "max_errors reached: loads" "$out" "^strict: ip4set, 3 lines, 2 entries, 1 warnings;"

# ---- -e: host bits accepted -----------------------------------------------
run_loader -e -c c.yaml load bad
expect_eq "-e: exit 0" "$rc" 0
expect_match "-e: 10.0.0.1/8 now loads" "$out" "^bad: ip4set, 7 lines, 5 entries, 2 warnings;"

# ---- -q and -w -------------------------------------------------------------
run_loader -q -c c.yaml load bad
expect_eq "-q: exit 0" "$rc" 0
expect_eq "-q: no summary" "$out" ""
expect_match "-q: warnings still shown" "$err" "bad\.ip4set:2: "
run_loader -w 1 -c c.yaml load bad
expect_eq "-w 1: one warning printed" "$(grep -c 'bad\.ip4set:[0-9]*: ' <<<"$err")" 1

# ---- combined, generic and acl datasets; show prints combined sections -----
cat >data/zen.combined <<'DATA'
$SOA 3600 ns1.zen.test. hm.zen.test. 0 3600 900 604800 300
$DATASET ip4set:sbl sbl @
:127.0.0.2:SBL $
192.0.2.1
192.0.2.2
$DATASET dnset:dbl dbl
spam.test
DATA
printf '@ A 127.0.0.1\nwww 300 TXT "hello"\nmx MX 10 mail.example.\n' >data/g.generic
printf '127.0.0.0/8 :pass\n0/0 :refuse\n' >data/a.acl
# A data line before the first $DATASET is fatal in rbldnsd: the dataset
# fails as a whole.
printf '192.0.2.9\n$DATASET ip4set x\n192.0.2.1\n' >data/broken.combined
cat >c2.yaml <<'YAML'
store: var/store2
datasets:
  zen: {type: combined, files: data/zen.combined}
  gen: {type: generic, files: data/g.generic}
  clients: {type: acl, files: data/a.acl}
  broken: {type: combined, files: data/broken.combined}
zones:
  zen.test: {datasets: [zen, gen], acl: clients}
YAML
run_loader -c c2.yaml load
expect_eq "combined/generic/acl with a broken combined: exit 1" "$rc" 1
expect_match "combined loads" "$out" "^zen: combined, 7 lines, [0-9]+ entries, 0 warnings;"
expect_match "generic loads" "$out" "^gen: generic, 3 lines, 3 entries, 0 warnings;"
expect_match "acl loads" "$out" "^clients: acl, 2 lines, 2 entries, 0 warnings;"
expect_match "broken combined fails with file:line" "$err" "^dnsbl-loader: broken: FAILED \(c2\.yaml:6\): .*broken\.combined:1: "
run_ctl -c c2.yaml show
expect_match "show: combined section sbl" "$out" "^  \\\$DATASET   ip4set:sbl sbl @$"
expect_match "show: combined section dbl" "$out" "^  \\\$DATASET   dnset:dbl dbl$"
expect_match "show: a section's own entries" "$out" "^      entries    2$"
expect_match "show: broken not loaded" "$out" "^dataset broken \(combined\): not loaded$"

# ---- a dataset removed from the config stays until dropped ------------------
grep -v '^  clients:' c2.yaml | sed 's/, acl: clients//' >c3.yaml
run_ctl -c c3.yaml show
expect_match "show: a stored dataset the config lost" "$out" "^dataset clients \(acl\) \[not in the config\]$"
run_ctl -c c3.yaml drop clients
expect_eq "drop: exit 0" "$rc" 0
expect_eq "drop: says so" "$out" "clients: dropped"
run_ctl -c c3.yaml show
expect_no_match "drop: gone from show" "$out" "clients"
expect_match "drop: the others stay" "$out" "^dataset zen \(combined\)$"
run_ctl -c c3.yaml drop clients
expect_eq "drop of an absent dataset: exit 1" "$rc" 1
expect_match "drop of an absent dataset: says so" "$err" "clients: not in the store"
run_ctl -c c3.yaml drop
expect_eq "drop without names: exit 2" "$rc" 2

# ---- several files as one dataset; a dataset whose type changes ------------
printf 'a.test\n' >data/d1.dnset
printf ':3:second file\nb.test\nc.test\n' >data/d2.dnset
printf 'store: var/store2\ndatasets:\n  zen: {type: dnset, files: [data/d1.dnset, data/d2.dnset]}\n' >c4.yaml
run_loader -c c4.yaml load
expect_eq "two files, and zen changes type: exit 0" "$rc" 0
expect_match "two files: lines and entries of both" "$out" "^zen: dnset, 4 lines, 3 entries, 0 warnings;"
run_ctl -c c4.yaml show zen
expect_match "show: the new type" "$out" "^dataset zen \(dnset\)$"
expect_eq "show: one source line per file" "$(grep -c '^  source ' <<<"$out")" 2
expect_match "show: the second file" "$out" "^  source     $T/data/d2\.dnset size $(stat -c %s data/d2.dnset) "
expect_no_match "show: no combined sections left" "$out" "DATASET"

# ---- the store is not corrupted by all of the above ------------------------
if command -v mdb_stat >/dev/null; then
	for st in var/store var/store2; do
		if mdb_stat -a "$st/current" >/dev/null 2>&1; then ok; else bad "mdb_stat cannot read $st/current"; fi
	done
fi

report
