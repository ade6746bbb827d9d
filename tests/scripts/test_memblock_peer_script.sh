#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# test_memblock_peer_script.sh - scripts/memblock-peer.sh and `discontig
# bench --peer memblock` (issue 15):
#  1. without the kernel source (a SOURCE that does not exist, a tree
#     without mm/memblock.c, a missing tarball) the script exits 2 with
#     one line on stderr saying how to get it, and creates nothing;
#  2. where the linux-source package is installed, it builds (or finds in
#     its cache) the peer: exit 0, "kernel: X.Y.Z" and "peer: PATH" of an
#     object that exists, the same path on a second run, nothing of the
#     kernel in the repository;
#  3. the bench goes on without the peer when it cannot be built (and
#     says how to get it), and with it prints a memblock column.
#
# scripts/deps.sh installs linux-source-6.1: without it part 2 fails.
# Environment (set by ctest): DC_SOURCE_DIR, DC_TOOL.
set -u
S=${DC_SOURCE_DIR:?DC_SOURCE_DIR must name the source tree}
script=$S/scripts/memblock-peer.sh
. "$(dirname "$0")/lib.sh"

# 1. no source: exit 2, one line naming the package, no cache created
refuses() {	# what, args...
	local what=$1; shift
	DC_PEER_CACHE=$tmp/cache "$@" >"$tmp/out" 2>"$tmp/err"
	local rc=$?
	if [ $rc -eq 2 ] && [ "$(wc -l <"$tmp/err")" -eq 1 ] &&
	   grep -q "apt-get install linux-source-6.1" "$tmp/err" &&
	   [ ! -s "$tmp/out" ] && [ ! -e "$tmp/cache" ]; then
		ok
	else
		bad "$what: exit $rc, stdout '$(cat "$tmp/out")', stderr '$(cat "$tmp/err")'"
	fi
}
refuses "nonexistent DIR" bash "$script" "$tmp/no/such/dir"
mkdir -p "$tmp/emptytree/mm"
refuses "tree without memblock.c" bash "$script" "$tmp/emptytree"
refuses "missing tarball" env DC_LINUX_SOURCE="$tmp/linux-source-6.1.tar.xz" bash "$script"
bash "$script" --help >/dev/null 2>&1 && ok || bad "--help failed"
bash "$script" --nosuch >/dev/null 2>&1
[ $? -eq 2 ] && ok || bad "unknown option accepted"

# 2. with the package: build (or the cached build) and its two lines
have_source=false
for t in /usr/src/linux-source-6.1.tar.xz /usr/src/linux-source-6.1.tar.bz2; do
	[ -f "$t" ] && have_source=true
done
if $have_source && bash "$script" >"$tmp/out" 2>"$tmp/err"; then
	ok
	kv=$(sed -n 's/^kernel: //p' "$tmp/out")
	so=$(sed -n 's/^peer: //p' "$tmp/out")
	[[ $kv =~ ^6\.1\.[0-9]+ ]] && ok || bad "kernel version '$kv'"
	[ -f "$so" ] && ok || bad "no peer object '$so'"
	case $so in "$S"/*) bad "the peer was built inside the repository: $so" ;; *) ok ;; esac
	nm -D --defined-only "$so" | grep -q ' dc_memblock_peer$' && ok ||
		bad "$so exports no dc_memblock_peer"
	[ "$(bash "$script" 2>/dev/null | sed -n 's/^peer: //p')" = "$so" ] && ok ||
		bad "a second run did not reuse $so"
	(cd "$S" && git status --porcelain --ignored 2>/dev/null) |
		grep -E '(/| )(memblock\.[ch]|slab\.c)$' && bad "kernel files in the repository" || ok
elif $have_source; then
	bad "the script failed with the package installed: $(cat "$tmp/err")"
else
	bad "linux-source-6.1 is not installed (scripts/deps.sh installs it)"
fi

# 3. the bench, with and without the peer
T=${DC_TOOL:?DC_TOOL must name the discontig command}
"$T" bench --quick --reps 5 --scenario small --n 8 --quiet \
	--peer memblock="$tmp/no/such/dir" >"$tmp/out" 2>"$tmp/err"
rc=$?
[ $rc -eq 0 ] && grep -q "going on without it" "$tmp/out" &&
	grep -q "apt-get install linux-source-6.1" "$tmp/out" &&
	! grep -qE "^ +metric .* memblock " "$tmp/out" && ok ||
	bad "bench without the peer: exit $rc, $(head -c 300 "$tmp/out" "$tmp/err")"
"$T" bench --quick --reps 5 --scenario small --n 8 --quiet --peer nosuch \
	>/dev/null 2>&1
[ $? -eq 2 ] && ok || bad "--peer nosuch accepted"
if $have_source; then
	"$T" bench --quick --reps 5 --scenario small --n 8 --quiet \
		--peer memblock >"$tmp/out" 2>"$tmp/err"
	rc=$?
	[ $rc -eq 0 ] && grep -q "^regions=8 .*alloc+free" "$tmp/out" &&
		grep -qE "^ +metric .* memblock .*memblock/tree" "$tmp/out" &&
		grep -q "memblock: Linux 6\.1\." "$tmp/out" && ok ||
		bad "bench with the peer: exit $rc, $(head -c 600 "$tmp/out" "$tmp/err")"
	"$T" bench --quick --reps 5 --scenario scaling --n 100 --quiet \
		--peer memblock --json >"$tmp/out" 2>"$tmp/err"
	rc=$?
	[ $rc -eq 0 ] && grep -q '"memblock_kernel": *"6\.1\.' "$tmp/out" &&
		grep -q '"metadata/extent"' "$tmp/out" && ok ||
		bad "scaling with the peer: exit $rc, $(head -c 600 "$tmp/out" "$tmp/err")"
fi

finish "memblock peer"
