#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# memblock-peer.sh - build Linux's own mm/memblock.c in user space as the
# memblock peer of `discontig bench` (issue 15), and print where it is.
#
# usage: scripts/memblock-peer.sh [--cache DIR] [SOURCE]
#   SOURCE  an unpacked kernel tree, or a linux-source tarball; default
#           $DC_LINUX_SOURCE, else /usr/src/linux-source-6.1.tar.{xz,bz2}
#           (Debian's linux-source-6.1 package)
#   --cache DIR  where to unpack and build (default $DC_PEER_CACHE, else
#           ${XDG_CACHE_HOME:-~/.cache}/discontig/memblock-peer)
#
# Prints two lines on stdout:
#   kernel: 6.1.192
#   peer: /.../memblock-peer.so
# Exit 0; 2 when the peer cannot be built here: no source, no
# liburcu-dev, not x86_64 (one line says why and how to get what is
# missing); 1 when the build fails (the log is named).
#
# Nothing of the kernel enters the repository: the few files needed are
# unpacked (or copied from SOURCE) into the cache, the build happens there,
# and the result, a GPL work, stays there. It is compiled the way
# tools/testing/memblock/Makefile compiles the simulator, with NUMA=1
# (scripts/Makefile.include): the same include paths and -D flags, -O2,
# memblock.c with the stubs lib/slab.c, mmzone.c and tools/lib/slab.c;
# without its -fsanitize flags (this is a benchmark) and with -fPIC
# -fvisibility=hidden (a shared object whose calls stay direct, as in a
# kernel image). Our adapter tools/peer/memblock_peer.c is compiled with
# the same flags plus our warnings as errors. The cache is keyed by the
# kernel files, our adapter, this script and the compiler, so a change to
# any of them rebuilds; an unpacked tarball is kept, so only the first run
# pays for decompressing it (about 10 s here).
set -eu
set -o pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(dirname "$here")
cache=${DC_PEER_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/discontig/memblock-peer}
source_arg=""
missing="linux-source-6.1 not found: apt-get install linux-source-6.1, or pass DIR (an unpacked kernel tree)"

while [ $# -gt 0 ]; do
	case $1 in
	--cache) [ $# -ge 2 ] || { echo "memblock-peer: --cache needs a directory" >&2; exit 2; }
		cache=$2; shift 2 ;;
	--cache=*) cache=${1#--cache=}; shift ;;
	-h|--help) sed -n '/^# usage:/,/(the log is named)/s/^# \{0,1\}//p' "$0"; exit 0 ;;
	-*) echo "memblock-peer: unknown option $1 (try --help)" >&2; exit 2 ;;
	*) [ -z "$source_arg" ] || { echo "memblock-peer: one SOURCE only" >&2; exit 2; }
		source_arg=$1; shift ;;
	esac
done

# --- find the source ----------------------------------------------------------
src=${source_arg:-${DC_LINUX_SOURCE:-}}
if [ -z "$src" ]; then
	for t in /usr/src/linux-source-6.1.tar.xz /usr/src/linux-source-6.1.tar.bz2; do
		[ -f "$t" ] && { src=$t; break; }
	done
fi
if [ -z "$src" ] || [ ! -e "$src" ]; then
	echo "memblock-peer: ${src:+$src: }$missing" >&2
	exit 2
fi
if [ -d "$src" ] && { [ ! -f "$src/mm/memblock.c" ] ||
		      [ ! -f "$src/tools/testing/memblock/Makefile" ]; }; then
	echo "memblock-peer: $src has no mm/memblock.c or tools/testing/memblock: $missing" >&2
	exit 2
fi

case $(uname -m) in
x86_64) arch=x86 ;;
*) echo "memblock-peer: $(uname -m): only x86_64 hosts are supported (the peer maps physical addresses 1:1 into a 64-bit host address space)" >&2; exit 2 ;;
esac

# What the build reads, relative to the tree's root: the Makefile include
# rule of tools/testing/memblock names the first five kernel files, the
# compiler's dependency list the rest.
paths="Makefile mm/memblock.c include/linux/memblock.h include/linux/gfp_types.h
       arch/x86/include/asm/asm.h arch/x86/include/asm/cmpxchg.h
       tools/include tools/arch/$arch/include tools/lib/slab.c
       tools/testing/memblock"

mkdir -p "$cache"
exec 9>"$cache/.lock"
flock 9		# one build at a time (ctest runs tests in parallel)

# --- stage the kernel files in the cache ------------------------------------------
if [ -d "$src" ]; then
	real=$(cd "$src" && pwd -P)
	stage=$cache/dir-$(printf '%s' "$real" | sha256sum | cut -c1-12)
	rm -rf "$stage.tmp"
	mkdir -p "$stage.tmp"
	(cd "$real" && cp -R --parents $paths "$stage.tmp/")
	rm -rf "$stage"
	mv "$stage.tmp" "$stage"
else
	id=$(stat -c '%s %Y' "$src")
	stage=$cache/src-$(printf '%s %s' "$(readlink -f "$src")" "$id" | sha256sum | cut -c1-12)
	if [ ! -f "$stage/.complete" ]; then
		echo "memblock-peer: unpacking mm/memblock.c and tools/testing/memblock from $src" >&2
		top=$( (tar -tf "$src" 2>/dev/null || true) | head -1 | cut -d/ -f1)
		[ -n "$top" ] || { echo "memblock-peer: $src: not a readable tarball" >&2; exit 1; }
		rm -rf "$stage" "$stage.tmp"
		mkdir -p "$stage.tmp"
		members=""
		for p in $paths; do members="$members $top/$p"; done
		# shellcheck disable=SC2086
		if ! tar -xf "$src" -C "$stage.tmp" --strip-components=1 $members; then
			echo "memblock-peer: $src: could not unpack$members" >&2
			exit 1
		fi
		touch "$stage.tmp/.complete"
		mv "$stage.tmp" "$stage"
	fi
fi

mk() { sed -n "s/^$1 *= *//p" "$stage/Makefile" | head -1; }
version="$(mk VERSION).$(mk PATCHLEVEL).$(mk SUBLEVEL)$(mk EXTRAVERSION)"

# The simulator's `include` rule: symlinks next to the stubs.
t=$stage/tools/testing/memblock
mkdir -p "$t/linux" "$t/asm"
ln -sfn ../../../../include/linux/memblock.h "$t/linux/memblock.h"
ln -sfn ../../../arch/x86/include/asm/asm.h "$t/asm/asm.h"
ln -sfn ../../../arch/x86/include/asm/cmpxchg.h "$t/asm/cmpxchg.h"
ln -sfn ../../../mm/memblock.c "$t/memblock.c"

# --- build ------------------------------------------------------------------------
cc=${CC:-cc}
if ! echo '#include <urcu/uatomic.h>' | "$cc" -E -x c - >/dev/null 2>&1; then
	echo "memblock-peer: liburcu-dev not found (tools/lib/slab.c includes urcu/uatomic.h): apt-get install liburcu-dev" >&2
	exit 2
fi
# tools/testing/memblock/Makefile CFLAGS, NUMA=1, without -fsanitize:
kflags="-I. -I../../include -Wall -O2 -D CONFIG_PHYS_ADDR_T_64BIT -D CONFIG_NUMA -D CONFIG_NODES_SHIFT=4"
soflags="-fPIC -fvisibility=hidden"
# our adapter: the same, plus discontig's warnings (CMakeLists.txt DC_WARNINGS)
ourflags="-Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wpointer-arith -Wvla -Wno-unused-parameter -Werror"

key=$( {
	cat "$0" "$repo/tools/peer/memblock_peer.c" "$repo/tools/peer/memblock_peer.h"
	"$cc" --version
	echo "$kflags $soflags $ourflags"
	(cd "$stage" && find . -type f ! -name .complete -print0 | sort -z | xargs -0 cat)
} | sha256sum | cut -c1-12)
out=$cache/build-$version-$key
so=$out/memblock-peer.so

if [ ! -f "$so" ]; then
	echo "memblock-peer: building Linux $version mm/memblock.c in $out" >&2
	tmp=$out.tmp.$$
	rm -rf "$tmp"
	mkdir -p "$tmp"
	log=$tmp/build.log
	trap 'rm -rf "$tmp"' EXIT
	run() { echo "$*" >> "$tmp/build.txt"; "$@" >> "$log" 2>&1; }
	q='"'
	ok=true
	(cd "$t" &&
	 echo "# in $t ($version)" > "$tmp/build.txt" &&
	 run "$cc" $kflags $soflags -c memblock.c -o "$tmp/memblock.o" &&
	 run "$cc" $kflags $soflags -c lib/slab.c -o "$tmp/lib_slab.o" &&
	 run "$cc" $kflags $soflags -c mmzone.c -o "$tmp/mmzone.o" &&
	 run "$cc" $kflags $soflags -c ../../lib/slab.c -o "$tmp/slab.o" &&
	 run "$cc" $kflags $soflags $ourflags -I"$repo/tools/peer" \
		"-DMBP_KERNEL_VERSION=$q$version$q" \
		"-DMBP_BUILD=$q$cc $kflags $soflags$q" \
		-c "$repo/tools/peer/memblock_peer.c" -o "$tmp/memblock_peer.o" &&
	 run "$cc" -shared -Wl,-z,defs -o "$tmp/memblock-peer.so" "$tmp/memblock.o" \
		"$tmp/lib_slab.o" "$tmp/mmzone.o" "$tmp/slab.o" "$tmp/memblock_peer.o") || ok=false
	if ! $ok; then
		mkdir -p "$cache/failed"
		cp "$log" "$cache/failed/build-$version.log"
		echo "memblock-peer: building Linux $version mm/memblock.c failed; log: $cache/failed/build-$version.log" >&2
		exit 1
	fi
	rm -f "$tmp"/*.o
	sed -i "s|$tmp|$out|g" "$tmp/build.txt"
	rm -rf "$out"
	mv "$tmp" "$out"
	trap - EXIT
	# earlier builds (older adapter or script) are of no more use; a
	# process that still has one loaded keeps its mapping
	for old in "$cache"/build-*; do
		case $old in "$out"|*.tmp.*) ;; *) rm -rf "$old" ;; esac
	done
fi

echo "kernel: $version"
echo "peer: $so"
