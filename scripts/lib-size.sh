#!/usr/bin/env bash
# What the library costs a kernel: size(1) of core/, nodes/ and one
# backend, compiled as examples/kernel/Makefile compiles them (freestanding,
# DC_MAX_NODES 64, only that backend), linked relocatable, for each backend
# at -O2 and -Os, i386 and x86-64. Compare with scripts/memblock-size.sh.
# usage: scripts/lib-size.sh [BUILD_DIR]   (default build-kernel/size)
set -eu
cd "$(dirname "$0")/.."
out=$PWD/${1:-build-kernel/size}
printf '%-7s %-4s %-7s %8s %6s %6s\n' backend opt arch text data bss
for b in tree bitmap array; do
	for opt in -O2 -Os; do
		for arch in -m32 -m64; do
			o=$out/$b$opt$arch
			nice make -s -C examples/kernel BACKEND=$b OPT=$opt \
				LIBARCH=$arch O="$o" "$o/discontig.o" >/dev/null
			size "$o/discontig.o" | awk -v b=$b -v opt=$opt \
				-v a=$([ $arch = -m32 ] && echo i386 || echo x86-64) \
				'NR == 2 { printf "%-7s %-4s %-7s %8d %6d %6d\n", b, opt, a, $1, $2, $3 }'
		done
	done
done
