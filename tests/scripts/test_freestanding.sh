#!/usr/bin/env bash
# The freestanding rule (DESIGN.md): core/, backends/ and nodes/ compile
# with -ffreestanding -nostdlib, include only <stddef.h>, <stdint.h>,
# <stdbool.h>, <limits.h> and project headers, use no floating point
# (-mgeneral-regs-only), keep every frame under 1 KiB (kernel stacks are
# 8-16 KiB), have no writable globals (.data/.bss empty), and
# their objects reference no external symbol but memset/memcpy/memmove.
# Checked for the host ABI and, where gcc-multilib is installed, -m32.
set -u
src=${DC_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
cd "$src" || exit 2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
pass=0

files=$(ls core/*.c backends/*.c nodes/*.c)
headers=$(ls core/*.h nodes/*.h include/discontig/*.h | grep -v topology.h)

# 1. includes: only the four standard headers and our own
bad=$(grep -nE '^[[:space:]]*#[[:space:]]*include[[:space:]]*<' $files $headers |
      grep -vE '<(stddef|stdint|stdbool|limits)\.h>' | grep -v '<discontig/')
if [ -n "$bad" ]; then
	echo "FAIL includes: $bad"; fail=$((fail + 1))
else
	pass=$((pass + 1))
fi

have=""
for b in backends/*.c; do
	n=$(basename "$b" .c)
	have="$have -DDC_HAVE_$(echo "$n" | tr a-z A-Z)=1"
done

build() {	# $1: extra flags, $2: label
	local objs=() f o
	for f in $files; do
		o="$tmp/$2-$(echo "$f" | tr / _).o"
		if ! gcc -std=c11 -O2 -ffreestanding -nostdlib -fno-stack-protector \
			-fno-strict-aliasing -mgeneral-regs-only \
			-Wall -Wextra -Werror -Wno-unused-parameter \
			-Wframe-larger-than=1024 -fno-pic -fno-pie -Wvla $1 \
			-Iinclude -I. $have -DDC_DEFAULT_BACKEND=dc_backend_tree \
			-c "$f" -o "$o" 2> "$tmp/err"; then
			echo "FAIL $2: $f does not build freestanding:"; cat "$tmp/err"
			fail=$((fail + 1)); return
		fi
		objs+=("$o")
	done
	# every undefined symbol, once the objects resolve each other
	ld -r -o "$tmp/$2-all.o" "${objs[@]}" $([ "$2" = m32 ] && echo -m elf_i386) || {
		echo "FAIL $2: partial link"; fail=$((fail + 1)); return; }
	undef=$(nm -u "$tmp/$2-all.o" | awk '{print $2}' | grep -vxE 'memset|memcpy|memmove' || true)
	if [ -n "$undef" ]; then
		echo "FAIL $2: external symbols besides memset/memcpy/memmove: $undef"
		fail=$((fail + 1))
	else
		echo "ok   $2: $(echo "${objs[@]}" | wc -w) objects, externals: $(nm -u "$tmp/$2-all.o" | awk '{print $2}' | tr '\n' ' ')"
		pass=$((pass + 1))
	fi
	# no writable global state: .data/.bss must be empty
	if size -A "$tmp/$2-all.o" | awk '$1 ~ /^\.(data|bss)(\..*)?$/ && $1 !~ /rel\.ro/ && $2 > 0 {found=1} END {exit !found}'; then
		echo "FAIL $2: global mutable state (.data/.bss not empty)"
		size -A "$tmp/$2-all.o" | grep -E '^\.(data|bss)' | grep -v rel.ro
		fail=$((fail + 1))
	else
		pass=$((pass + 1))
	fi
}

build "" native
if echo 'int x;' | gcc -m32 -x c -c -o /dev/null - 2>/dev/null; then
	build "-m32" m32
else
	echo "skip m32: gcc-multilib is not installed"
fi
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
