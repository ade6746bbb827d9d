#!/usr/bin/env bash
# Build Linux 6.1's mm/memblock.o from Debian's linux-source-6.1 with this
# machine's gcc, for the README's size comparison with the library: the
# i386 and x86_64 defconfigs, each at -O2 (the default) and at -Os
# (CONFIG_CC_OPTIMIZE_FOR_SIZE), then size(1) of each object. Nothing is
# copied into the repository; the tree is unpacked into WORKDIR.
# usage: scripts/memblock-size.sh [WORKDIR]   (default /tmp/dc-memblock,
#        about 1.5 GB; a few minutes per configuration on 2 cores)
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
"$here/scripts/deps.sh" --memblock
work=${1:-/tmp/dc-memblock}
src=$work/linux-source-6.1
mkdir -p "$work"
[ -f "$src/mm/memblock.c" ] || nice tar -C "$work" -xf /usr/src/linux-source-6.1.tar.xz
for arch in i386 x86_64; do
	for opt in O2 Os; do
		o=$work/build-$arch-$opt
		nice make -s -C "$src" O="$o" ARCH=$arch ${arch}_defconfig >/dev/null
		if [ $opt = Os ]; then
			"$src/scripts/config" --file "$o/.config" \
				-d CC_OPTIMIZE_FOR_PERFORMANCE -e CC_OPTIMIZE_FOR_SIZE
			nice make -s -C "$src" O="$o" ARCH=$arch olddefconfig >/dev/null
		fi
		nice make -s -C "$src" O="$o" ARCH=$arch -j2 mm/memblock.o >/dev/null
		printf '%-7s -%s  ' $arch $opt
		size "$o/mm/memblock.o" | tail -n 1
	done
done
