#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# text-size.sh - the code size a kernel pays for discontig's tree
# allocator (issue 15): text bytes of core/ + nodes/ + backends/tree.c,
# each compiled at -O2 for x86-64 with the library's flags, summed, and
# beside them Linux's mm/memblock.o compiled from the kernel source the
# memblock peer uses (scripts/memblock-peer.sh stages it), with the flags
# of tools/testing/memblock's Makefile (-O2, NUMA=1), without -fPIC.
#
# usage: scripts/text-size.sh [SRC]   (SRC: a discontig tree; default this
#        one, so that an older tree, e.g. `git archive main`, is measured
#        the same way)
# Prints "discontig-tree-text: N" per file and in total, and
# "memblock.o-text: N" (or why it is missing). Exit 0; 2 on bad usage.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
src=${1:-$(dirname "$here")}
cc=${CC:-cc}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
[ -d "$src/core" ] && [ -d "$src/nodes" ] || { echo "text-size: $src: no core/ or nodes/" >&2; exit 2; }

backends=$(ls "$src"/backends/*.c | xargs -n1 basename | sed 's/\.c$//' | paste -sd,)
bash "$here/config-h.sh" "$tmp/include/discontig/config.h" 1024 tree "$backends"
total=0
for f in "$src"/core/*.c "$src"/nodes/*.c "$src"/backends/tree.c; do
	o=$tmp/$(basename "$(dirname "$f")")_$(basename "$f" .c).o
	"$cc" -O2 -m64 -ffreestanding -fno-strict-aliasing -I"$tmp/include" \
		-I"$src/include" -I"$src" -c "$f" -o "$o"
	t=$(size -A "$o" | awk '$1 ~ /^\.text/ { s += $2 } END { print s + 0 }')
	echo "  ${f#"$src"/}: $t"
	total=$((total + t))
done
echo "discontig-tree-text: $total"

if peer=$(bash "$here/memblock-peer.sh" 2>"$tmp/err"); then
	so=$(printf '%s\n' "$peer" | sed -n 's/^peer: //p')
	kv=$(printf '%s\n' "$peer" | sed -n 's/^kernel: //p')
	mb=$(sed -n 's/^# in \(.*\) (.*)$/\1/p' "$(dirname "$so")/build.txt")
	(cd "$mb" && "$cc" -I. -I../../include -Wall -O2 -D CONFIG_PHYS_ADDR_T_64BIT \
		-D CONFIG_NUMA -D CONFIG_NODES_SHIFT=4 -c memblock.c -o "$tmp/memblock.o" \
		2>/dev/null)
	t=$(size -A "$tmp/memblock.o" | awk '$1 ~ /^\.text/ { s += $2 } END { print s + 0 }')
	echo "memblock.o-text: $t (Linux $kv, tools/testing/memblock flags, -O2)"
else
	echo "memblock.o-text: - ($(cat "$tmp/err"))"
fi
