#!/usr/bin/env bash
# The freestanding rule (DESIGN.md): core/, backends/ and nodes/ compile
# with -ffreestanding -nostdlib, take their types only from
# include/discontig/env.h (the only header that includes a system header),
# build inside a kernel tree (-nostdinc -D__KERNEL__ against minimal
# stand-ins for the kernel's type headers), use no floating point
# (-mgeneral-regs-only), keep every frame under 1 KiB (kernel stacks are
# 8-16 KiB), have no writable globals (.data/.bss empty), and
# their objects reference no external symbol but memset/memcpy/memmove.
# Checked for the host ABI, -m32, kbuild's -nostdinc -D__KERNEL__ and an
# embedder's own -DDC_ENV_HEADER.
set -u
src=${DC_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
cd "$src" || exit 2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
pass=0

files=$(ls core/*.c backends/*.c nodes/*.c)
headers=$(ls core/*.h nodes/*.h include/discontig/*.h | grep -v topology.h)

# 1. includes: nothing but our own headers, except env.h, the one door
bad=$(grep -nE '^[[:space:]]*#[[:space:]]*include[[:space:]]*<' $files $headers |
      grep -v '^include/discontig/env.h:' | grep -v '<discontig/')
doors=$(grep -hE '^[[:space:]]*#[[:space:]]*include' include/discontig/env.h |
	grep -vE '<(stddef|stdint|stdbool)\.h>|<linux/(types|stddef|string)\.h>|DC_ENV_HEADER')
if [ -n "$bad$doors" ]; then
	echo "FAIL includes: $bad$doors"; fail=$((fail + 1))
else
	pass=$((pass + 1))
fi

# the library's build options, as CMake would write them
scripts/config-h.sh "$tmp/include/discontig/config.h" 1024 tree \
	"$(ls backends/*.c | xargs -n1 basename | sed 's/\.c$//' | paste -sd,)" || exit 2

build() {	# $1: extra flags, $2: label
	local objs=() f o
	for f in $files; do
		o="$tmp/$2-$(echo "$f" | tr / _).o"
		if ! gcc -std=c11 -O2 -ffreestanding -nostdlib -fno-stack-protector \
			-fno-strict-aliasing -mgeneral-regs-only \
			-Wall -Wextra -Werror -Wno-unused-parameter \
			-Wframe-larger-than=1024 -fno-pic -fno-pie -Wvla $1 \
			-Iinclude -I"$tmp/include" -I. \
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
build "-nostdinc -D__KERNEL__ -Itests/freestanding/kernel" kernel
build "-nostdinc -DDC_ENV_HEADER=\"tests/freestanding/env_own.h\"" own-env
if echo 'int x;' | gcc -m32 -x c -c -o /dev/null - 2>/dev/null; then
	build "-m32" m32
else
	echo "FAIL m32: gcc -m32 does not work (scripts/deps.sh installs gcc-multilib)"
	fail=$((fail + 1))
fi
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
