#!/usr/bin/env bash
# test_incremental.sh -- updating a store from version A of the feeds to
# version B stores exactly what a full load of B into a fresh store does.
#
# incr_gen.py writes, per seed, version A and B of 15 feeds (ip4set in
# every key form, ip4trie, ip4tset, ip6trie, ip6tset, dnset, combined, a
# two-file ip4set of which one file changes), B being A with lines added,
# removed, duplicated and reordered, values changed, a default `:A:TXT`
# line early in the file changed, `$` lines changed or added, combined
# sections swapped or added, the file cut in the middle of a line, gzip,
# CRLF, or just one line or one digit changed.  Every copy of every file
# has the same mtime, so only the bytes tell A from B.
# Three stores end up holding B:
#   full  B loaded into a fresh store (`dnsbl-loader load`);
#   load  A loaded, then B's files renamed in and `dnsbl-loader load` again;
#   watch A loaded by `dnsbl-loader watch`, then B's files renamed in while
#         it (and a dnsbld on the store) runs.
# load and watch run with DNSBLD_OVERLAY_MIN=0, so a small change of even
# these small datasets is written as an overlay beside the records (the
# path big feeds take); incr_gen.py norm merges it, so the records must
# still equal the full load's, and each of the two stores must hold an
# overlay somewhere, or the test would not see that path at all.
# They must agree on the loader's summary of each dataset, on the stored
# records (incr_gen.py norm: mdb_dump with value ids resolved), on
# `dnsbl-ctl export`, `show` and `check`, and on every
# answer (A and TXT, with TTLs and the authority section) for every key of
# A and B, each range's edges and their neighbours, and random misses.
# The answers before the update must differ from those after in every
# zone (but where B only reordered or duplicated lines), so the test sees
# the change it checks.
# Seeds: 1 and two new ones per run, printed; rerun one with
# INCR_SEEDS="N ..." ctest -R test_incremental.  Ports 6400-6429.
set -u
. "$SRCDIR/tests/integration/server_lib.sh"

srv_workdir incremental
LOADER="$BIN/dnsbl-loader"
CTL="$BIN/dnsbl-ctl"
GEN="python3 $SRCDIR/tests/integration/incr_gen.py"
SEEDS=${INCR_SEEDS:-"1 $((($(date +%s) + $$) % 100000)) $((RANDOM * 7 + 2))"}
MTIME=@1700000000   # every copy of a file the same mtime, so `show` compares

# config DIR PORT: DIR/c.yaml serving DIR/feeds as $G/config.txt says.
config() {
	{
		echo "store: $1/store"
		echo "listen: [\"127.0.0.1:$2\"]"
		echo "datasets:"
		while read -r name type zone files; do
			list=$(sed "s|\([^ ]*\)|$1/feeds/\1|g; s| |, |g" <<<"$files")
			echo "  $name: {type: $type, files: [$list], max_shrink: 0}"
		done <"$G/config.txt"
		echo "zones:"
		while read -r name type zone files; do
			echo "  $zone: {datasets: [$name]}"
		done <"$G/config.txt"
	} >"$1/c.yaml"
}

# start_store NAME VERSION PORT: $G/NAME with version VERSION's feeds.
start_store() {
	mkdir -p "$G/$1/feeds"
	cp -p "$G/$2"/* "$G/$1/feeds/"
	config "$G/$1" "$3"
}

# rename_b_in NAME: B's changed files renamed over A's, as rsync does.
rename_b_in() {
	while read -r _ file; do
		cp -p "$G/b/$file" "$G/$1/feeds/.$file.tmp"
		mv "$G/$1/feeds/.$file.tmp" "$G/$1/feeds/$file"
	done <"$G/changed.txt"
}

# summaries FILE: "NAME: type, N lines, N entries, N warnings" per dataset
# (watch's lines start with the time).
summaries() { sed -n 's/^[-0-9T:]*Z //; s/^\([a-z0-9]*: [a-z0-9]*, [0-9]* lines, [^;]*\);.*/\1/p' "$1" | sort; }

# ask PORT: every query's answer (rcode, records with TTLs, authority).
ask() { $DNSQ "$1" --bulk "$G/queries.txt" --ttl; }

# stored NAME: what a store holds, in forms that do not depend on how or
# when it was written (ids, serials, times and its directory left out).
stored() {
	local c="$G/$1/c.yaml" name
	echo "== records"
	$GEN norm "$G/$1/store/current"
	while read -r name _; do
		echo "== export $name"
		"$CTL" -c "$c" export "$name" | sed 1d
		echo "== show $name"
		"$CTL" -c "$c" show "$name" | grep -Ev '^ +(serial|loaded) ' |
			sed "s|$G/$1/||g"
	done <"$G/config.txt"
}

# ---- one seed ------------------------------------------------------------------
run_seed() {
	G=$WORK/seed$seed
	$GEN gen "$G" "$seed" || { FAILS=$((FAILS + 1)); echo "FAIL: gen $seed"; return; }
	touch -d "$MTIME" "$G"/a/* "$G"/b/*
	sed 's/^/    /' "$G/cases.txt"
	local pw pf pi nq pids=()
	srv_pick_port 6400 6409; pw=$PORT
	srv_pick_port 6410 6419; pf=$PORT
	srv_pick_port 6420 6429; pi=$PORT
	nq=$(wc -l <"$G/queries.txt")

	# full: B into a fresh store.
	start_store full b "$pf"
	"$LOADER" -c "$G/full/c.yaml" load >"$G/full.out" 2>"$G/full.err"
	check_eq "seed $seed: full load exit status" "$?" 0

	# load: A, then B renamed in and loaded again.
	start_store load a "$pi"
	DNSBLD_OVERLAY_MIN=0 "$LOADER" -c "$G/load/c.yaml" load >"$G/loadA.out" 2>"$G/loadA.err"
	check_eq "seed $seed: load of A exit status" "$?" 0
	rename_b_in load
	DNSBLD_OVERLAY_MIN=0 "$LOADER" -c "$G/load/c.yaml" load >"$G/load.out" 2>"$G/load.err"
	check_eq "seed $seed: load of B over A exit status" "$?" 0
	check "seed $seed: the update over A is a diff" "$(cat "$G/load.out")" \
		"records \+[1-9][0-9]* -[1-9][0-9]* =[1-9][0-9]*;"

	# watch: A by the watching loader, a server on it, then B renamed in.
	start_store watch a "$pw"
	DNSBLD_OVERLAY_MIN=0 "$LOADER" -c "$G/watch/c.yaml" -d 100 -i 0 watch >"$G/watch.out" 2>"$G/watch.err" &
	local wpid=$!
	SRV_PIDS+=("$wpid")
	for _ in $(seq 100); do
		grep -q '^watching ' "$G/watch.out" && break
		sleep 0.1
	done
	check "seed $seed: watch: loaded A" "$(cat "$G/watch.out")" "^watching "
	srv_start "$G/watch/c.yaml" "$pw"
	pids+=("$SRV_PID")
	ask "$pw" >"$G/answers.A"
	local mark want got
	mark=$(wc -l <"$G/watch.out")
	rename_b_in watch
	want=$(cut -d' ' -f1 "$G/changed.txt" | sort -u | tr '\n' ' ')
	for _ in $(seq 200); do
		got=$(tail -n +"$((mark + 1))" "$G/watch.out" | summaries - | cut -d: -f1 | sort -u | tr '\n' ' ')
		[ "$got" = "$want" ] && break
		sleep 0.1
	done
	check_eq "seed $seed: watch: the changed datasets reloaded" "$got" "$want"
	check_not "seed $seed: watch: no failure" "$(cat "$G/watch.err")" "FAILED"
	ask "$pw" >"$G/answers.watch"
	tail -n +"$((mark + 1))" "$G/watch.out" >"$G/watch.B.out"
	kill -TERM "$wpid"
	wait "$wpid"
	check_eq "seed $seed: watch: exit status after SIGTERM" "$?" 0

	srv_start "$G/full/c.yaml" "$pf"
	pids+=("$SRV_PID")
	srv_start "$G/load/c.yaml" "$pi"
	pids+=("$SRV_PID")
	ask "$pf" >"$G/answers.full"
	ask "$pi" >"$G/answers.load"

	# The loader read B the same way each time.
	summaries "$G/full.out" >"$G/sum.full"
	summaries "$G/load.out" >"$G/sum.load"
	summaries "$G/watch.B.out" | sort -u >"$G/sum.watch"
	check_same "loader summaries, full vs load (seed $seed)" "$G/sum.full" "$G/sum.load"
	grep -F -f "$G/sum.watch" "$G/sum.full" >"$G/sum.full.changed"
	check_same "loader summaries, full vs watch (seed $seed)" "$G/sum.full.changed" "$G/sum.watch"
	sed "s|$G/full/||" "$G/full.err" >"$G/warnings.full"
	sed "s|$G/load/||" "$G/load.err" >"$G/warnings.load"
	check_same "loader warnings, full vs load (seed $seed)" "$G/warnings.full" "$G/warnings.load"

	# What is stored.
	for s in full load watch; do
		check "seed $seed: check $s" "$("$CTL" -c "$G/$s/c.yaml" check 2>&1)" ": ok: "
		stored "$s" >"$G/stored.$s"
	done
	check_same "stored, full vs load (seed $seed)" "$G/stored.full" "$G/stored.load"
	check_same "stored, full vs watch (seed $seed)" "$G/stored.full" "$G/stored.watch"
	# The updated stores took the overlay path (the full load never does).
	for s in full load watch; do
		$GEN overlay "$G/$s/store/current" >"$G/overlay.$s"
	done
	check "seed $seed: no overlay in the full load" "$(cat "$G/overlay.full")" \
		"^overlay records: 0$"
	for s in load watch; do
		check "seed $seed: $s: the update wrote an overlay" \
			"$(cat "$G/overlay.$s")" "^overlay records: [1-9]"
	done
	echo "seed $seed: overlays after the update: load $(tr '\n' ' ' <"$G/overlay.load")"
	echo "seed $seed: overlays after the update: watch $(tr '\n' ' ' <"$G/overlay.watch")"

	# Every answer.
	check_eq "seed $seed: every query answered" \
		"$(grep -c ' NO-REPLY$\| SERVFAIL ' "$G/answers.full")" 0
	check_same "answers, full vs load ($nq queries) (seed $seed)" "$G/answers.full" "$G/answers.load"
	check_same "answers, full vs watch ($nq queries) (seed $seed)" "$G/answers.full" "$G/answers.watch"
	local zone changed listed
	while read -r _ _ zone _; do
		changed=$(paste -d'\n' "$G/answers.A" "$G/answers.full" |
			awk -v z="$zone" 'NR % 2 { a = $0; next }
				($1 == z || substr($1, length($1) - length(z)) == "." z) && a != $0 { n++ }
				END { print n + 0 }')
		listed=$(awk -v z="$zone" '($1 == z || substr($1, length($1) - length(z)) == "." z) &&
			$3 == "NOERROR" && $4 != "||" { n++ } END { print n + 0 }' "$G/answers.A" "$G/answers.full")
		# Only reordered or duplicated lines may change no answer.
		if [ "$listed" -gt 0 ] && { [ "$changed" -gt 0 ] ||
			! grep -qx "$zone" "$G/visible.txt"; }; then
			PASSES=$((PASSES + 1))
		else
			FAILS=$((FAILS + 1))
			echo "FAIL: seed $seed: zone $zone: $changed answers changed by the update, $listed listed before and after"
		fi
	done <"$G/config.txt"
	echo "seed $seed: $nq queries, $(grep -c . "$G/changed.txt") files changed," \
		"$(paste -d'\n' "$G/answers.A" "$G/answers.full" | awk 'NR % 2 { a = $0; next } a != $0 { n++ } END { print n + 0 }') answers changed"

	for pid in "${pids[@]}"; do
		kill -TERM "$pid"
		wait "$pid" 2>/dev/null
		check_eq "seed $seed: dnsbld: exit status after SIGTERM" "$?" 0
	done
}

for seed in $SEEDS; do
	echo "seed $seed (INCR_SEEDS=$seed to rerun it):"
	run_seed
done
srv_report
