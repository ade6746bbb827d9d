#!/usr/bin/env bash
# run.sh - fuzz every target for a bounded time with libFuzzer (clang,
# ASan + UBSan), as scripts/test.sh does.
#
#   tests/fuzz/run.sh [SECONDS_PER_TARGET] [TARGET...]
#
# Builds build-fuzz/ (clang, -DDC_FUZZ=ON -DDC_SANITIZE=ON) if needed.
# Each target starts from its committed corpus (tests/fuzz/corpus/T, read
# only) and writes what it finds to build-fuzz/fuzz-corpus/T; a crash,
# leak, timeout or broken rule is saved to build-fuzz/fuzz-artifacts/ and
# makes the script fail. Prints execs/s per target. The time limit per
# input is 60 s: hwloc alone takes seconds on some mutated XML under ASan
# on a loaded machine (a 12 KB input, 3.7 s, mostly in hwloc's frees). Default 20 s each
# (80 s in all); DC_FUZZ_JOBS=N runs N targets at once (default 1).
set -u
cd "$(dirname "$0")/../.."
secs=${1:-20}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(api memblock trace topo)
dir=build-fuzz
command -v clang >/dev/null || { echo "run.sh: clang missing (scripts/deps.sh)"; exit 2; }
CC=clang cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	-DDC_SANITIZE=ON -DDC_FUZZ=ON >/dev/null || exit 2
cmake --build "$dir" -j"$(nproc)" $(printf -- '--target fuzz_%s ' "${targets[@]}") \
	>/dev/null || { echo "run.sh: build failed"; exit 2; }
mkdir -p "$dir/fuzz-artifacts"
export LSAN_OPTIONS="suppressions=$PWD/tests/fuzz/lsan.supp:print_suppressions=0"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
status=0
for t in "${targets[@]}"; do
	out=$dir/fuzz-corpus/$t
	log=$dir/fuzz-$t.log
	mkdir -p "$out"
	nice "$dir/tests/fuzz/fuzz_$t" -max_total_time="$secs" -timeout=60 \
		-rss_limit_mb=2048 -print_final_stats=1 \
		-artifact_prefix="$PWD/$dir/fuzz-artifacts/$t-" \
		"$out" "tests/fuzz/corpus/$t" >"$log" 2>&1
	rc=$?
	execs=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
	cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1)
	if [ $rc -ne 0 ]; then
		echo "fuzz_$t: FAILED (exit $rc) after ${runs:-?} runs; see $log"
		grep -E '^(==[0-9]+==ERROR|SUMMARY|.*fuzz_.*\.c:[0-9]+: )' "$log" | head -5
		status=1
	else
		echo "fuzz_$t: ${secs}s, ${runs} runs, ${execs} execs/s, ${cov}"
	fi
done
exit $status
