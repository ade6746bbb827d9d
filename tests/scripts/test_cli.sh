#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# test_cli.sh - the command line policy of every subcommand (tools/cli.h)
# on bad input, as a new user would meet it. Each case asserts the exit
# status (2 usage/input/output, 1 a failed check), that stderr is exactly
# one line "discontig: ..." naming the input at fault, and that nothing
# crashed (under the sanitizers a report exits 99/98, never 0..2).
#
#  1. usage: unknown options and subcommands, missing and empty values,
#     values given to flags, help, --version, -- and -;
#  2. outputs: /dev/full on stdout and as a file, two outputs on stdout,
#     an output and the report on stdout;
#  3. replay inputs: /dev/zero (file and stdin), NUL bytes, an overlong
#     line, a directory, a missing file; each malformed memblock line
#     (bad address, end below base, negative and overflowing sizes) is
#     counted in `ignored` with its line (exit 1, 0 with --lenient); a log
#     cut just after a request or inside its answer says "log ends here";
#  4. boot: a node the layout drops (warning, --strict exit 2, notes in
#     text, JSON and SVG), failed mandatory allocations (exit 1), a
#     machine larger than the host's address space, --svg - and
#     --trace - piped into replay -;
#  5. bench: bad values, missing boot logs, a write error on --svg.
#
# Environment (set by ctest): DC_TOOL, DC_SHARED_DIR.
set -u
export ASAN_OPTIONS=${ASAN_OPTIONS:-exitcode=99}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-exitcode=98}
T=${DC_TOOL:?DC_TOOL must name the discontig binary}
case $T in /*) ;; *) T=$PWD/$T ;; esac
SH=${DC_SHARED_DIR:?DC_SHARED_DIR must name shared/}
LOG=$SH/data/bootlogs/q35-n2-8g.log
IA64=$SH/data/hwloc/128ia64-17n4s2c.xml
SYN='pack:2 [numa(memory=1GiB)] core:2 pu:1'
. "$(dirname "$0")/lib.sh"

# expect RC WHAT -- ARGS...: exit RC; for RC 2 stderr is one line
# "discontig: ..." containing WHAT; stdin is /dev/null unless $IN is set.
expect() {
	local want=$1 what=$2 rc lines
	shift 3
	"$T" "$@" <"${IN:-/dev/null}" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	lines=$(wc -l <"$tmp/err")
	if [ $rc -ne "$want" ]; then
		bad "$*: exit $rc, want $want: $(head -c 300 "$tmp/err")"
	elif [ "$want" = 2 ] && { [ "$lines" -ne 1 ] || ! grep -q '^discontig: ' "$tmp/err" ||
				  ! grep -qF -- "$what" "$tmp/err"; }; then
		bad "$*: stderr is not one line naming '$what': $(head -c 300 "$tmp/err")"
	else
		ok
	fi
}

# ---- 1. usage ----------------------------------------------------------------
expect 2 nosuch -- nosuch
expect 2 nosuch -- help nosuch
expect 2 --frobnicate -- boot --frobnicate
expect 2 --frobnicate -- --frobnicate
expect 2 --backend -- boot --backend
expect 2 heap -- boot --backend=heap
expect 2 heap -- boot --backend heap
expect 2 --svg -- boot --svg=
expect 2 --json -- boot --json=yes
expect 2 --initrd -- boot --initrd lots
expect 2 --crashkernel -- boot --crashkernel=-5
expect 2 extra -- boot extra
expect 2 --layout -- boot --layout=moon
expect 2 --xml -- boot --xml --json
expect 2 --bogus -- topo --bogus
expect 2 --strict -- topo --strict=yes
expect 2 replay -- replay
expect 2 --mismatches -- replay --mismatches x "$LOG"
expect 2 heap -- replay --backend=heap "$LOG"
expect 2 stdin -- replay - -
expect 2 --bogus -- replay --bogus "$LOG"
expect 2 --reps -- bench --reps 2
expect 2 --reps -- bench --reps=65
expect 2 --n -- bench --n 0
expect 2 nosuch -- bench --scenario nosuch
expect 2 --n -- bench --scenario replay --n 5
expect 2 heap -- bench --backends heap --scenario small
expect 2 /nonexistent -- bench --logs /nonexistent
expect 2 --bogus -- bench --bogus
expect 0 "" -- --version
expect 0 "" -- help
for s in boot topo replay bench; do
	expect 0 "" -- help $s
	grep -q "usage: discontig $s" "$tmp/out" && ok || bad "help $s: no usage"
	"$T" $s --help | cmp -s - "$tmp/out" && ok || bad "help $s differs from $s --help"
	grep -qE 'LAYOUTS\.md|shared/data/bootlogs/README' "$tmp/out" &&
		bad "help $s points outside the repository" || ok
done
"$T" --version | grep -qE '^discontig [0-9]+\.[0-9]+' && ok || bad "--version"
# --opt=value and --opt value are the same
a=$("$T" topo --synthetic "$SYN" --layout=flat --json)
b=$("$T" topo --synthetic="$SYN" --layout flat --json)
[ "$a" = "$b" ] && ok || bad "--opt=value and --opt value differ"
# -- ends the options: a file named like an option
printf 'x\n' >"$tmp/--json"
(cd "$tmp" && IN=/dev/null "$T" replay -- --json >/dev/null 2>"$tmp/err"); rc=$?
[ $rc -eq 2 ] && grep -q -- '--json: line' "$tmp/err" && ok || bad "replay -- --json: exit $rc: $(cat "$tmp/err")"

# ---- 2. outputs ----------------------------------------------------------------
full() {	# ARGS...: stdout on a full disk is exit 2 with the reason
	"$T" "$@" >/dev/full 2>"$tmp/err"; rc=$?
	[ $rc -eq 2 ] && [ "$(wc -l <"$tmp/err")" -eq 1 ] &&
		grep -q 'stdout: write error: No space left on device' "$tmp/err" && ok ||
		bad "$* >/dev/full: exit $rc: $(head -c 200 "$tmp/err")"
}
full topo --synthetic="$SYN"
full topo --synthetic "$SYN" --json
full --version
full help
full help boot
full replay "$LOG"
full replay --json "$LOG"
"$T" boot --synthetic "$SYN" >/dev/full 2>"$tmp/err"; rc=$?
[ $rc -eq 2 ] && grep -q 'No space left' "$tmp/err" && ok || bad "boot >/dev/full: exit $rc"
expect 2 /dev/full -- boot --synthetic "$SYN" --svg /dev/full
expect 2 /dev/full -- topo --synthetic "$SYN" --svg=/dev/full
expect 2 /dev/full -- boot --synthetic "$SYN" --trace /dev/full
expect 2 "$tmp/no/dir/map.svg" -- boot --synthetic "$SYN" --svg "$tmp/no/dir/map.svg"
expect 2 --trace -- boot --synthetic "$SYN" --svg - --trace -
expect 2 --svg -- boot --synthetic "$SYN" --svg - --json
expect 2 --svg -- topo --synthetic "$SYN" --svg - --json
expect 2 --svg -- bench --scenario small --svg - --json

# ---- 3. replay inputs ----------------------------------------------------------
expect 2 "/dev/zero: line 1: NUL byte" -- replay /dev/zero
IN=/dev/zero expect 2 "stdin: line 1: NUL byte" -- replay -
IN=/dev/zero expect 2 "line 1: NUL byte" -- replay --json -
expect 2 "$tmp: read error" -- replay "$tmp"
expect 2 "$tmp/missing.log: cannot open" -- replay "$tmp/missing.log"
{ printf 'hello\n'; head -c 70000 /dev/zero | tr '\0' x; printf '\n'; } >"$tmp/long.log"
expect 2 "long.log: line 2: line longer than 64 KiB" -- replay "$tmp/long.log"
printf 'a\nb\nmemblock_reserve: [0x0-0x1]\n\000' >"$tmp/nul.log"
expect 2 "nul.log: line 4: NUL byte" -- replay "$tmp/nul.log"
IN=$LOG expect 0 "" -- replay -
grep -q '^stdin: log on tree' "$tmp/out" && ok || bad "replay - names its input stdin"

# a malformed memblock line, inserted after the first request's answer
req=$(grep -an 'memblock_alloc_try_nid:' "$LOG" | head -1 | cut -d: -f1)
at=$((req + 1))
malformed() {	# label, the line
	local f=$tmp/mal.log n
	{ head -n "$at" "$LOG"; printf '[    0.100000] %s\r\n' "$2"; tail -n +"$((at + 1))" "$LOG"; } >"$f"
	n=$((at + 1))
	"$T" replay --json "$f" >"$tmp/out" 2>"$tmp/err"; rc=$?
	if [ $rc -eq 1 ] && [ ! -s "$tmp/err" ] && python3 - "$tmp/out" "$n" <<'PY'
import json, sys
f = json.load(open(sys.argv[1]))["files"][0]
assert f["ignored"] == 1 and f["malformed"] == 1, f
assert f["ignored_lines"][0]["line"] == int(sys.argv[2]), f["ignored_lines"]
assert f["missed"] == 0, f
PY
	then ok; else bad "$1: exit $rc, $(head -c 300 "$tmp/out") $(head -c 200 "$tmp/err")"; fi
	"$T" replay "$f" >"$tmp/out" 2>&1
	grep -q "line $n: ignored, cannot read it: " "$tmp/out" && ok || bad "$1: text does not show line $n"
	"$T" replay --lenient "$f" >/dev/null 2>&1 && ok || bad "$1: --lenient still fails"
}
malformed "bad address" 'memblock_reserve: [0xZZZZ-0x1000] foo+0x1/0x2'
malformed "end below base" 'memblock_reserve: [0x2000-0x1000] foo+0x1/0x2'
malformed "negative size" 'memblock_alloc_try_nid: -5 bytes align=0x40 nid=-1 from=0x0 max_addr=0x0 foo+0x1/0x2'
malformed "size overflow" 'memblock_alloc_try_nid: 99999999999999999999999 bytes align=0x40 nid=-1 from=0x0 max_addr=0x0 foo'
malformed "no range" 'memblock_phys_free: 0x1000 foo'

# a log cut right after a request: "log ends here", not a miss
last=$(grep -an 'memblock_alloc_try_nid:' "$LOG" | tail -1 | cut -d: -f1)
head -n "$last" "$LOG" >"$tmp/cut-after.log"
"$T" replay "$tmp/cut-after.log" >"$tmp/out" 2>"$tmp/err"; rc=$?
[ $rc -eq 0 ] && grep -q "line $last: .*log ends here" "$tmp/out" && ok ||
	bad "log cut after a request: exit $rc: $(cat "$tmp/out" "$tmp/err" | head -c 400)"
# ... and inside the line answering it
{ head -n "$last" "$LOG"; sed -n "$((last + 1))p" "$LOG" | head -c 40; } >"$tmp/cut-inside.log"
"$T" replay --json "$tmp/cut-inside.log" >"$tmp/out" 2>"$tmp/err"; rc=$?
[ $rc -eq 0 ] && python3 -c '
import json,sys; f=json.load(open(sys.argv[1]))["files"][0]
assert f["unanswered"] == 1 and f["missed"] == 0 and f["cut_line"] == int(sys.argv[2])+1, f' "$tmp/out" "$last" && ok ||
	bad "log cut inside an answer: exit $rc: $(head -c 400 "$tmp/out")"

# ---- 4. boot ---------------------------------------------------------------------
"$T" boot --xml "$IA64" --layout sn1 --json --svg "$tmp/ia64.svg" >"$tmp/out" 2>"$tmp/err"; rc=$?
[ $rc -eq 0 ] && [ "$(wc -l <"$tmp/err")" -eq 1 ] && grep -q 'warning: .*node 16 .*dropped' "$tmp/err" && ok ||
	bad "dropped node: exit $rc, stderr $(cat "$tmp/err")"
python3 - "$tmp/out" <<'PY' && ok || bad "dropped node: JSON lacks notes or the dropped node"
import json, sys
d = json.load(open(sys.argv[1]))
assert any("dropped" in n for n in d["notes"]), d["notes"]
assert [n["nid"] for n in d["nodes_without_memory"]] == [16], d["nodes_without_memory"]
assert d["node_count"] == len(d["nodes"]) == 16
PY
grep -q 'note: sn1: node 0: dropped' "$tmp/ia64.svg" && grep -q 'dropped: the layout' "$tmp/ia64.svg" && ok ||
	bad "dropped node: the SVG shows neither the notes nor the node"
"$T" boot --xml "$IA64" --layout sn1 >"$tmp/out" 2>/dev/null
grep -q 'note: sn1: node 0: dropped' "$tmp/out" && grep -q 'node 16: DROPPED' "$tmp/out" && ok ||
	bad "dropped node: the text report does not say so"
expect 2 "$IA64" -- boot --xml "$IA64" --layout sn1 --strict
expect 1 "" -- boot --synthetic "$SYN" --initrd 1T
grep -q 'FAILED, mandatory: initrd' "$tmp/out" && ok || bad "initrd 1T: no mandatory failure shown"
expect 1 "" -- boot --synthetic 'pack:2 [numa(memory=1)] core:1 pu:1'
expect 2 "address space" -- boot --synthetic 'pack:2 [numa(memory=100TiB)] core:1 pu:1'
expect 0 "" -- boot --synthetic "$SYN" --no-bind
grep -q 'host placement not verified: ' "$tmp/out" && ok || bad "--no-bind: no 'not verified'"
grep -q 'verified by\|metadata on its node yes (verified' "$tmp/out" && bad "claims a verification" || ok
"$T" boot --synthetic "$SYN" --svg - >"$tmp/map.svg" 2>"$tmp/err"; rc=$?
[ $rc -eq 0 ] && head -1 "$tmp/map.svg" | grep -q '^<?xml' && ! grep -q 'discontig boot:.*layout' "$tmp/map.svg" ||
	grep -q '</svg>' "$tmp/map.svg" && ok || bad "--svg -: exit $rc"
xmllint --noout "$tmp/map.svg" && ok || bad "--svg -: not XML"
"$T" boot --synthetic "$SYN" --trace - 2>"$tmp/err" | "$T" replay - >"$tmp/out" 2>>"$tmp/err"; rc=$?
[ $rc -eq 0 ] && grep -q '^stdin: trace on tree: .* 0 missed' "$tmp/out" && ok ||
	bad "boot --trace - | replay -: exit $rc: $(head -c 300 "$tmp/out" "$tmp/err")"

# ---- 5. bench ---------------------------------------------------------------------
(cd "$tmp" && env -u DC_SHARED_DIR "$T" bench --quick --scenario replay --logs "$tmp/none" >/dev/null 2>"$tmp/err"); rc=$?
[ $rc -eq 2 ] && [ "$(wc -l <"$tmp/err")" -eq 1 ] && ok || bad "bench, logs missing: exit $rc: $(cat "$tmp/err")"
expect 2 /dev/full -- bench --quick --quiet --scenario scaling --n 100 --svg /dev/full
"$T" bench --quick --quiet --scenario small --n 8 --svg "$tmp/p.svg" >/dev/null 2>"$tmp/err"
grep -q 'no scaling figures' "$tmp/err" && ok || bad "bench --svg without scaling: no warning"

finish test_cli
