#!/usr/bin/env bash
# cross.sh - the library and its conformance, model, differential and
# regression tests on two more targets, without CUnit, hwloc or libnuma
# (Debian has none of them for i386 or s390x):
#
#   m32    gcc -m32 (gcc-multilib), ASan + UBSan, run natively;
#   s390x  clang --target=s390x-linux-gnu -O2 (libc6-dev-s390x-cross,
#          libgcc-12-dev-s390x-cross, binutils-s390x-linux-gnu), run under
#          qemu-s390x -L /usr/s390x-linux-gnu: 64-bit big-endian. No
#          sanitizer: UBSan in trap mode works (-fsanitize-trap) but
#          doubles qemu's time, and -m32 and the native builds have it.
#
# The test sources are the normal ones: tests/support/libc/ comes first on
# the include path, so <CUnit/Basic.h> is tests/support/minitest.h and
# <numa.h> a no-NUMA stub. Each runner prints its target's byte order and
# width ("minitest: big-endian, 64-bit"), checked here against what the
# target must be.
#
#   scripts/cross.sh [m32|s390x]...     (default: both)
#
# Long tests run shorter here (DC_OPS, DC_DIFF_OPS below): qemu is slow.
# DC_CROSS_JOBS runs that many tests at once (default: nproc).
set -u
cd "$(dirname "$0")/.."
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(m32 s390x)
status=0
jobs=${DC_CROSS_JOBS:-$(nproc)}

warn="-Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes
      -Wpointer-arith -Wcast-qual -Wvla -Wno-unused-parameter -Werror"
lib=$(echo core/*.c nodes/*.c backends/*.c)
support="tests/support/harness.c tests/support/harness_core.c
	 tests/support/conformance.c tests/support/model.c
	 tests/support/minitest.c tests/support/libc/nonuma.c
	 tools/sim/platform.c"
# "program [args...]": what each target runs. Under qemu (about 20x
# slower) the long tests run shorter and the fuzz-finding regressions,
# whose pool-exhaustion loops are long, stay native.
# The longest (test_diff_array, whose small-pool phase needs 2x10^4
# calls whatever DC_DIFF_OPS says) first, so the others run beside it.
runs_m32=(
	"test_diff_array"
	"test_conformance tree" "test_conformance bitmap" "test_conformance array"
	"test_findings tree" "test_findings bitmap" "test_findings array"
	"test_model" "test_diff_bitmap" "test_pool" "test_abi"
)
runs_s390x=(
	"test_diff_array"
	"test_conformance tree" "test_conformance bitmap" "test_conformance array"
	"test_model" "test_diff_bitmap" "test_pool" "test_abi"
)
build() {	# target cc flags... ; sets $out
	local t=$1 cc=$2
	shift 2
	out=build-cross-$t
	mkdir -p "$out/include/discontig" "$out/obj"
	sed -e 's/@DC_MAX_NODES@/1024/' -e 's/@DC_BACKEND@/tree/' \
	    -e 's/@DC_BACKENDS_STR@/tree,bitmap,array/' \
	    -e 's/@DC_HAVE_[A-Z]*@/1/' include/discontig/config.h.in \
		>"$out/include/discontig/config.h"
	local inc="-Itests/support/libc -I$out/include -Iinclude -I. -Itests/support -Itools/sim"
	local common="-std=c11 -O1 -g -fno-strict-aliasing $warn $inc $*"
	local objs=() f o
	for f in $lib; do
		o=$out/obj/$(echo "$f" | tr / _).o
		$cc $common -ffreestanding -c "$f" -o "$o" || return 1
		objs+=("$o")
	done
	for f in $support; do
		o=$out/obj/$(echo "$f" | tr / _).o
		$cc $common -D_GNU_SOURCE -c "$f" -o "$o" || return 1
		objs+=("$o")
	done
	local p
	for p in $(printf '%s\n' "${runs_m32[@]}" | cut -d' ' -f1 | sort -u); do
		local def=""
		[ "$p" = test_abi ] && def="-DDC_MAX_NODES=64"
		$cc $common -D_GNU_SOURCE $def "tests/unit/$p.c" "${objs[@]}" \
			-o "$out/$p" -lm || return 1
	done
}

# one run: its log, then "ok" or "fail" in $log.rc
run_one() {	# target want log runner... -- program args...
	local t=$1 want=$2 log=$3
	shift 3
	local t0=$SECONDS
	"$@" >"$log" 2>&1
	local rc=$?
	echo "$((SECONDS - t0)) s" >"$log.time"
	if [ $rc -ne 0 ]; then
		echo "fail: exit $rc" >"$log.rc"
	elif ! grep -qx "minitest: $want" "$log"; then
		echo "fail: ran on '$(grep '^minitest:' "$log")', not '$want'" >"$log.rc"
	else
		echo ok >"$log.rc"
	fi
}

run_all() {	# target expected-order-line ops diff-ops runner...
	local t=$1 want=$2 ops=$3 dops=$4
	shift 4
	local -n list=runs_$t
	local r prog log fails=0 n=0
	for r in "${list[@]}"; do
		prog=${r%% *}
		log=$out/$(echo "$r" | tr ' ' _).log
		# shellcheck disable=SC2086
		DC_OPS=$ops DC_DIFF_OPS=$dops run_one "$t" "$want" "$log" \
			"$@" "$out/$prog" ${r#$prog} &
		n=$((n + 1))
		[ $n -lt "$jobs" ] || { wait -n; n=$((n - 1)); }
	done
	wait
	for r in "${list[@]}"; do
		log=$out/$(echo "$r" | tr ' ' _).log
		if [ "$(cat "$log.rc" 2>/dev/null)" != ok ]; then
			echo "cross $t: $r: $(cat "$log.rc" 2>/dev/null) (see $log)"
			grep -E '^ +[0-9]+\. ' "$log" | head -5
			fails=1
		fi
	done
	[ $fails = 0 ] && echo "cross $t: ${#list[@]} runs passed on $want" \
		"($(for r in "${list[@]}"; do
			printf '%s %s, ' "$r" "$(cat "$out/$(echo "$r" | tr ' ' _).log.time")"
		done | sed 's/, $//'))"
	return $fails
}

for t in "${targets[@]}"; do
	case $t in
	m32)
		build m32 gcc -m32 -fsanitize=address,undefined \
			-fno-sanitize-recover=all -fno-omit-frame-pointer ||
			{ echo "cross m32: build failed"; status=1; continue; }
		run_all m32 "little-endian, 32-bit" 100000 20000 env || status=1
		;;
	s390x)
		build s390x clang --target=s390x-linux-gnu -O2 ||
			{ echo "cross s390x: build failed"; status=1; continue; }
		run_all s390x "big-endian, 64-bit" 20000 2000 \
			qemu-s390x -L /usr/s390x-linux-gnu || status=1
		;;
	*)
		echo "cross.sh: unknown target $t (m32, s390x)" >&2
		exit 2
		;;
	esac
done
exit $status
