#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# test_replay.sh - `discontig replay` (tools/cmd_replay.c, tools/sim/: memblock_log.c,
# trace.c) on the real Linux 6.1 boot logs of shared/data/bootlogs and on
# damaged copies of them, and on traces.
#
#  1. Every log replays on the tree backend with every logged request
#     matched exactly (or failed as logged), and the replay counts as many
#     requests as a grep of the log's request lines.
#  2. The same holds with LF line ends, timestamps stripped, firmware
#     noise and binary garbage before the kernel, and another log's
#     non-memblock lines shuffled in.
#  3. Damaged input never crashes: cut in the middle of a line, lines
#     deleted at random (seeded), an empty file, a file with no memblock
#     lines, binary garbage. Exit status is 0, 1 or 2, never a signal;
#     a rejection is one line on stderr naming a line number. A NUL byte
#     anywhere rejects the input at its line (test_cli.sh has the rest
#     of the bad inputs: malformed lines, overlong lines, /dev/zero).
#  4. Traces: a handwritten one replays identically, a wrong recorded
#     address is found at its line (exit 1), a corrupt line is rejected
#     (exit 2), and a trace recorded by `discontig boot --trace` replays
#     identically on the backend it was recorded with.
#
# Environment (set by ctest): DC_TOOL, DC_SHARED_DIR, DC_BACKENDS.
set -u
# under DC_SANITIZE a sanitizer report must not pass for exit status 1
export ASAN_OPTIONS=${ASAN_OPTIONS:-exitcode=99}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-exitcode=98}

T=${DC_TOOL:?DC_TOOL must name the discontig binary}
LOGS=${DC_SHARED_DIR:?DC_SHARED_DIR must name shared/}/data/bootlogs
BACKENDS=${DC_BACKENDS:-tree}
BACKENDS=${BACKENDS//;/ }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0
checks=0

fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
ok() { checks=$((checks + 1)); }

# value of an integer key in compact JSON (first occurrence)
jnum() { grep -o "\"$1\":[0-9]*" <<<"$2" | head -1 | cut -d: -f2; }

# request lines of a log, counted independently of the parser
count_requests() {
	grep -a -c -E 'memblock_(alloc_try_nid|alloc_try_nid_raw|alloc_exact_nid_raw|phys_alloc_range): [0-9]+ bytes' "$1"
}

# expect_matched FILE LABEL EXPECTED_REQUESTS: exit 0, nothing missed
expect_matched() {
	local f=$1 label=$2 want=$3 out rc req mat mis fal
	out=$("$T" replay --json --backend tree "$f" 2>"$tmp/err")
	rc=$?
	if [ $rc -ne 0 ]; then
		fail "$label: exit $rc: $(head -c 300 "$tmp/err") $(head -c 300 <<<"$out")"
		return
	fi
	req=$(jnum requests "$out"); mat=$(jnum matched "$out")
	mis=$(jnum missed "$out"); fal=$(jnum failed_as_logged "$out")
	if [ "$req" != "$want" ]; then
		fail "$label: replay counted $req requests, the log has $want"
	elif [ "$mis" != 0 ] || [ $((mat + fal)) -ne "$req" ]; then
		fail "$label: $mat matched, $mis missed, $fal failed of $req"
	else
		ok
	fi
}

# robust FILE LABEL: no crash; a rejection is one line with a line number
robust() {
	local f=$1 label=$2 rc n
	"$T" replay "$f" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	if [ $rc -gt 2 ]; then
		fail "$label: exit status $rc (signal or crash): $(head -c 300 "$tmp/err")"
		return
	fi
	if [ $rc -eq 2 ]; then
		n=$(wc -l <"$tmp/err")
		if [ "$n" -ne 1 ]; then
			fail "$label: rejection is $n lines: $(head -c 300 "$tmp/err")"
			return
		fi
		if ! grep -q -E '^discontig: .*(line [0-9]+|empty file)' "$tmp/err"; then
			fail "$label: rejection without a line number: $(cat "$tmp/err")"
			return
		fi
	fi
	ok
}

# expect_reject FILE LABEL PATTERN: exit 2, one line matching PATTERN
expect_reject() {
	local f=$1 label=$2 pat=$3 rc
	"$T" replay "$f" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	if [ $rc -ne 2 ] || [ "$(wc -l <"$tmp/err")" -ne 1 ] ||
	   ! grep -q -E "$pat" "$tmp/err"; then
		fail "$label: want exit 2 and /$pat/, got $rc: $(head -c 300 "$tmp/err")"
	else
		ok
	fi
}

logs=("$LOGS"/*.log)
[ -e "${logs[0]}" ] || { echo "no logs in $LOGS"; exit 1; }

# lines that carry no memblock, node or command line information: noise
grep -a -v -E 'memblock|MEMBLOCK|memory\[|reserved\[|\.cnt|[Nn]ode|NODE|NUMA|SRAT|[Cc]ommand line' \
	"$LOGS/pc-n16.log" | tr -d '\r' >"$tmp/noise"
# binary, deterministic; without NUL bytes, which reject the input
head -c 8192 "$T" | tr -d '\000' >"$tmp/garbage"

# ---- 1 and 2: every log, intact and reformatted ---------------------------
for f in "${logs[@]}"; do
	b=$(basename "$f" .log)
	want=$(count_requests "$f")
	expect_matched "$f" "$b" "$want"

	tr -d '\r' <"$f" >"$tmp/$b.lf"
	expect_matched "$tmp/$b.lf" "$b (LF)" "$want"

	sed -E 's/^(.*)\[ *[0-9]+\.[0-9]+\] ?/\1/' "$f" >"$tmp/$b.nots"
	expect_matched "$tmp/$b.nots" "$b (no timestamps, CRLF)" "$want"
	sed -E 's/^(.*)\[ *[0-9]+\.[0-9]+\] ?/\1/' "$tmp/$b.lf" >"$tmp/$b.nots.lf"
	expect_matched "$tmp/$b.nots.lf" "$b (no timestamps, LF)" "$want"

	{ cat "$tmp/garbage"; printf '\n\033[2J\033c'; cat "$f"; } >"$tmp/$b.garbage"
	expect_matched "$tmp/$b.garbage" "$b (binary garbage first)" "$want"

	# another log's noise, one noise line after every third line
	awk -v seed=7 'BEGIN { srand(seed) }
		NR == FNR { noise[n++] = $0; next }
		{ print; if (FNR % 3 == 0) print noise[int(rand() * n)] }' \
		"$tmp/noise" "$tmp/$b.lf" >"$tmp/$b.noisy"
	expect_matched "$tmp/$b.noisy" "$b (noise shuffled in)" "$want"

	# no trailing newline: the last line is cut, nothing else changes
	head -c -2 "$f" >"$tmp/$b.cut"
	robust "$tmp/$b.cut" "$b (last newline cut)"
done

# ---- 3: damaged input ------------------------------------------------------
for f in "${logs[@]}"; do
	b=$(basename "$f" .log)
	size=$(stat -c %s "$f")
	for k in 1 2 3 5 8 13 21 34 55 89; do
		head -c $((size * k / 100 + 17)) "$f" >"$tmp/$b.cut$k"
		robust "$tmp/$b.cut$k" "$b cut at $k%"
	done
	for seed in 1 2 3; do
		awk -v seed=$seed 'BEGIN { srand(seed) } rand() >= 0.05' "$f" \
			>"$tmp/$b.del$seed"
		robust "$tmp/$b.del$seed" "$b with 5% of lines deleted (seed $seed)"
	done
	# NUL bytes and invalid UTF-8 inside memblock lines
	sed -E '40,$ s/(memblock_[a-z_]*)/\1\x00\xff/' "$f" >"$tmp/$b.nul"
	robust "$tmp/$b.nul" "$b with NUL bytes in lines"
done

printf 'memblock_add: [0x0-0xfff]\n\000\n' >"$tmp/nul"
expect_reject "$tmp/nul" "a NUL byte" 'line 2: NUL byte'
: >"$tmp/empty"
expect_reject "$tmp/empty" "empty file" 'empty file'
grep -a -v -i memblock "${logs[0]}" >"$tmp/nomemblock"
expect_reject "$tmp/nomemblock" "no memblock lines" 'line [0-9]+: .*no memblock'
cp "$tmp/noise" "$tmp/noise.log"
expect_reject "$tmp/noise.log" "noise only" 'line [0-9]+'
grep -a -v 'MEMBLOCK configuration' "${logs[0]}" >"$tmp/nodump"
expect_reject "$tmp/nodump" "no MEMBLOCK configuration dump" 'line [0-9]+: .*MEMBLOCK configuration'
head -c 300000 /dev/urandom >"$tmp/urandom"
robust "$tmp/urandom" "random bytes"
for bin in /bin/ls /bin/sh; do
	[ -r "$bin" ] && robust "$bin" "binary $bin"
done
"$T" replay --backend no-such-backend "${logs[0]}" >/dev/null 2>"$tmp/err"
[ $? -eq 2 ] && ok || fail "unknown backend: not exit 2"
"$T" replay "$tmp/does-not-exist" >/dev/null 2>"$tmp/err"
[ $? -eq 2 ] && ok || fail "missing file: not exit 2"

# every log on every other backend: placement may differ (documented
# differences, metadata steals); it must not crash
for be in $BACKENDS; do
	[ "$be" = tree ] && continue
	"$T" replay --backend "$be" "${logs[@]}" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	[ $rc -le 1 ] && ok || fail "logs on $be: exit $rc: $(head -c 300 "$tmp/err")"
done

# several files at once: one JSON document, one entry per file
out=$("$T" replay --json "${logs[@]}")
[ "$(grep -o '"file":' <<<"$out" | wc -l)" -eq ${#logs[@]} ] && ok ||
	fail "--json with ${#logs[@]} files: wrong number of entries"

# ---- 4: traces ---------------------------------------------------------------
cat >"$tmp/hand.trace" <<'EOF'
# discontig trace v1
# two nodes of 1 MiB; results are those of the tree backend
init page_shift=12 backend=tree pool=0x100000 flags=top_down = 0
add nid=0 base=0x100000 size=0x100000 = 0
add nid=1 base=0x200000 size=0x100000 = 0
add nid=1 base=0x280000 size=0x1000 = DC_EEXIST
distance from=0 to=1 d=21 = 0
reserve base=0x100000 size=0x1000 = 0
finalize = 0
alloc size=0x1000 align=0x1000 min=0x0 max=0x0 nid=0 flags=top_down|exact = 0 addr=0x1ff000
alloc size=0x1000 align=0x1000 min=0x0 max=0x0 nid=1 flags=bottom_up = 0 addr=0x200000
alloc size=0x200000 align=0x40 min=0x0 max=0x0 nid=-1 flags=0 = DC_ENOMEM
free base=0x1ff000 size=0x1000 = 0
free base=0x1ff000 size=0x1000 = DC_ENOENT
EOF
out=$("$T" replay --json "$tmp/hand.trace" 2>"$tmp/err")
rc=$?
if [ $rc -eq 0 ] && [ "$(jnum matched "$out")" = 2 ] &&
   [ "$(jnum failed_as_logged "$out")" = 1 ] && [ "$(jnum calls "$out")" = 12 ]; then
	ok
else
	fail "handwritten trace: exit $rc: $out $(cat "$tmp/err")"
fi
sed 's/addr=0x1ff000/addr=0x1fe000/' "$tmp/hand.trace" >"$tmp/wrong.trace"
"$T" replay "$tmp/wrong.trace" >"$tmp/out" 2>&1
rc=$?
[ $rc -eq 1 ] && grep -q 'line 10: alloc' "$tmp/out" && ok ||
	fail "wrong recorded address: exit $rc, $(cat "$tmp/out")"
sed 's/^distance .*/distance from=0 = 0/' "$tmp/hand.trace" >"$tmp/corrupt.trace"
expect_reject "$tmp/corrupt.trace" "corrupt trace line" 'line 7: not a trace line'
head -c 300 "$tmp/hand.trace" >"$tmp/cut.trace"
robust "$tmp/cut.trace" "trace cut in a line"
for be in $BACKENDS; do
	"$T" replay --backend "$be" "$tmp/hand.trace" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	[ $rc -le 1 ] && ok || fail "handwritten trace on $be: exit $rc"
done

# recorded by `discontig boot --trace`: identical on the recording backend
SYN='pack:2 [numa(memory=1GiB)] core:2 pu:1'
for be in $BACKENDS; do
	tr="$tmp/boot-$be.trace"
	if ! "$T" boot --backend "$be" --synthetic "$SYN" --trace "$tr" \
		>/dev/null 2>"$tmp/err"; then
		fail "boot --trace on $be: $(head -c 300 "$tmp/err")"
		continue
	fi
	out=$("$T" replay --json "$tr" 2>"$tmp/err")
	rc=$?
	if [ $rc -ne 0 ] || [ "$(jnum missed "$out")" != 0 ] ||
	   [ "$(jnum call_differences "$out")" != 0 ] ||
	   [ "$(jnum calls "$out")" = 0 ]; then
		fail "boot trace on $be does not replay identically: exit $rc: $(head -c 400 <<<"$out") $(head -c 300 "$tmp/err")"
	else
		ok
	fi
	# on the other backends: differences are reported, never a crash
	for other in $BACKENDS; do
		[ "$other" = "$be" ] && continue
		"$T" replay --backend "$other" "$tr" >"$tmp/out" 2>"$tmp/err"
		rc=$?
		[ $rc -le 1 ] && ok ||
			fail "boot trace of $be on $other: exit $rc: $(head -c 300 "$tmp/err")"
	done
done

echo "test_replay: $checks checks passed, $failures failed"
[ $failures -eq 0 ]
