#!/usr/bin/env bash
# Every test: install what is missing, then build and run
#  1. the full suite with ASan and UBSan (all backends, warnings as errors);
#  2. the full suite optimised, with the bench smoke run;
#  3. a library whose default backend is bitmap (-DDC_BACKEND=bitmap) and
#  4. one that contains only the bitmap backend (-DDC_BACKENDS=bitmap, what
#     a kernel links), each running the conformance suite;
#  5. the freestanding check (part of every ctest run above);
#  6. the example kernel (examples/kernel/), built once per backend and
#     booted under QEMU on six machines, each report checked against the
#     machine (tests/scripts/kernel_matrix.py; about a minute);
#  7. the library inside Linux: scripts/guest.sh boots Debian's kernel
#     under QEMU on a 4-node machine and on one with a CPU-only node; the
#     module runs the conformance scenarios there, the tool verifies its
#     placement on the guest's nodes;
#  8. each libFuzzer target for DC_FUZZ_SECONDS (default 15) seconds,
#     clang with ASan and UBSan (tests/fuzz/run.sh); the committed corpora
#     are replayed by ctest in 1. and 2. already;
#  9. the library with the conformance, model, differential and
#     regression tests on -m32 and on big-endian s390x under qemu-user,
#     without CUnit (scripts/cross.sh);
# 10. the coverage report (scripts/coverage.sh): the suite once more with
#     gcov, then gcovr's branch table for core/, backends/ and nodes/ (a
#     report: the README states the goal and what the rest are).
set -eu
cd "$(dirname "$0")/.."
scripts/deps.sh --guest
jobs=$(nproc)
status=0

run() {	# dir, cmake args..., then ctest args after --
	local dir=$1; shift
	local cm=() ct=()
	while [ $# -gt 0 ] && [ "$1" != -- ]; do cm+=("$1"); shift; done
	[ $# -gt 0 ] && shift
	ct=("$@")
	echo "=== $dir: ${cm[*]}"
	cmake -S . -B "$dir" "${cm[@]}" >/dev/null
	cmake --build "$dir" -j"$jobs" >/dev/null
	(cd "$dir" && ctest --output-on-failure -j"$jobs" "${ct[@]}") || status=1
}

# The sanitizer build runs everything at its default length (10^6
# operations for the model test, 10^5 for the differential ones) but
# leaves the bench smoke run (5 minutes under ASan, 15 s optimised) to the
# optimised build.
run build-asan -DCMAKE_BUILD_TYPE=Debug -DDC_SANITIZE=ON -- -E '^test_bench_quick$'
run build-rel -DCMAKE_BUILD_TYPE=RelWithDebInfo
for cfg in "DC_BACKEND=bitmap" "DC_BACKENDS=bitmap;DC_BACKEND=bitmap"; do
	dir=build-$(echo "$cfg" | tr ';=' '__' | tr A-Z a-z)
	args=()
	IFS=';' read -ra kv <<< "$cfg"
	for a in "${kv[@]}"; do args+=("-D$a"); done
	echo "=== $dir: ${args[*]}"
	cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=Debug "${args[@]}" >/dev/null
	cmake --build "$dir" -j"$jobs" --target test_conformance >/dev/null
	(cd "$dir" && ctest --output-on-failure -R '^conformance_') || status=1
done
t0=$SECONDS
echo "=== fuzzing: tests/fuzz/run.sh ${DC_FUZZ_SECONDS:-15}"
tests/fuzz/run.sh "${DC_FUZZ_SECONDS:-15}" || status=1
echo "=== fuzzing took $((SECONDS - t0)) s"
t0=$SECONDS
echo "=== cross targets: scripts/cross.sh"
scripts/cross.sh || status=1
echo "=== cross targets took $((SECONDS - t0)) s"
echo "=== example kernel: every backend on six QEMU machines"
python3 tests/scripts/kernel_matrix.py || status=1
for spec in "1G 1G 1G 1G" "1G 0 1G 1G"; do
	echo "=== guest: --nodes \"$spec\""
	DC_GUEST_BUILD=build-rel scripts/guest.sh --nodes "$spec" || status=1
done
t0=$SECONDS
echo "=== coverage: scripts/coverage.sh (branches of core/, backends/, nodes/)"
mkdir -p build-cov
scripts/coverage.sh > build-cov/report.txt 2>&1 || status=1
grep -q '100% tests passed' build-cov/report.txt || status=1
sed -n '/tests passed/p; /=== branch/,$p' build-cov/report.txt
echo "=== coverage took $((SECONDS - t0)) s"
if [ $status = 0 ]; then echo "all test configurations passed"; else echo "SOME TESTS FAILED"; fi
exit $status
