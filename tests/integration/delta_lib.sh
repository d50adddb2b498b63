# delta_lib.sh -- the steps test_delta.sh and test_delta_map.sh take: a
# version of a feed loaded into store S as an update, checked against a
# fresh full load of it into store F.  Sourced after server_lib.sh;
# delta_setup sets WORK, LOADER, CTL, GEN and SEED, the test sets PS and
# PF (S's and F's ports).  Version N is $WORK/vN, or $WORK/vN.gz when that
# exists; $WORK/queries.txt is what both servers are asked.

# delta_setup NAME: the work directory and the tools; SEED from
# DELTA_SEED, else a new one (printed, to rerun the same versions).
delta_setup() {
	srv_workdir "$1"
	LOADER="$BIN/dnsbl-loader"
	CTL="$BIN/dnsbl-ctl"
	GEN="python3 $SRCDIR/tests/integration/incr_gen.py"
	SEED=${DELTA_SEED:-$((($(date +%s) + $$) % 100000))}
	echo "seed $SEED (rerun with DELTA_SEED=$SEED)"
}

# config DIR PORT: a store in DIR serving feed DIR/feed/bl.ip4set.
config() {
	mkdir -p "$1/feed"
	cat >"$1/c.yaml" <<EOF
store: $1/store
listen: ["127.0.0.1:$2"]
datasets:
  bl: {type: ip4set, files: [$1/feed/bl.ip4set], max_shrink: 0}
zones:
  bl.test: {datasets: [bl]}
EOF
}

# stored DIR: what a store holds, whoever wrote it and when.
stored() {
	$GEN norm "$1/store/current"
	"$CTL" -c "$1/c.yaml" export bl | sed 1d
}

# step N HOW PATH: version N into S (HOW: rename or inplace), checked
# against a fresh full load; PATH: delta or full, the path S must take.
step() {
	local n=$1 how=$2 want=$3 src="$WORK/v$1" f="$WORK/f$1"
	[ -f "$WORK/v$1.gz" ] && src="$WORK/v$1.gz"
	if [ "$how" = inplace ]; then
		# Same inode, same size class, the old mtime kept.
		local mt
		mt=$(stat -c %Y "$WORK/s/feed/bl.ip4set")
		cat "$src" >"$WORK/s/feed/bl.ip4set"
		touch -d "@$mt" "$WORK/s/feed/bl.ip4set"
	else
		cp "$src" "$WORK/s/feed/.new"
		mv "$WORK/s/feed/.new" "$WORK/s/feed/bl.ip4set"
	fi
	"$LOADER" -c "$WORK/s/c.yaml" load >"$WORK/s.out$n" 2>"$WORK/s.err$n"
	check_eq "v$n: load exit status" "$?" 0
	if [ "$want" = delta ]; then
		check "v$n: read from the changed lines" "$(cat "$WORK/s.out$n")" \
			"parse [0-9.]+ s of lines -[0-9]+ \+[0-9]+,"
	else
		check_not "v$n: parsed whole" "$(cat "$WORK/s.out$n")" "of lines"
	fi
	config "$f" "$PF"
	cp "$src" "$f/feed/bl.ip4set"
	"$LOADER" -c "$f/c.yaml" load >"$WORK/f.out$n" 2>"$WORK/f.err$n"
	check_eq "v$n: full load exit status" "$?" 0
	sed 's/;.*//' "$WORK/s.out$n" >"$WORK/s.sum$n"
	sed 's/;.*//' "$WORK/f.out$n" >"$WORK/f.sum$n"
	check_same "v$n: summaries" "$WORK/s.sum$n" "$WORK/f.sum$n"
	sed "s|$WORK/s/||" "$WORK/s.err$n" >"$WORK/s.warn$n"
	sed "s|$f/||" "$WORK/f.err$n" >"$WORK/f.warn$n"
	check_same "v$n: warnings" "$WORK/s.warn$n" "$WORK/f.warn$n"
	stored "$WORK/s" >"$WORK/s.stored$n"
	stored "$f" >"$WORK/f.stored$n"
	check_same "v$n: stored" "$WORK/s.stored$n" "$WORK/f.stored$n"
	check "v$n: check" "$("$CTL" -c "$WORK/s/c.yaml" check 2>&1)" ": ok: "
	srv_start "$f/c.yaml" "$PF"
	local fpid=$SRV_PID
	$DNSQ "$PS" --bulk "$WORK/queries.txt" --ttl >"$WORK/s.ans$n"
	$DNSQ "$PF" --bulk "$WORK/queries.txt" --ttl >"$WORK/f.ans$n"
	kill -TERM "$fpid"
	wait "$fpid" 2>/dev/null
	check_same "v$n: answers" "$WORK/s.ans$n" "$WORK/f.ans$n"
}
