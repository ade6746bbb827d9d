#!/usr/bin/env bash
# coverage.sh - line and branch coverage of the library (core/, backends/,
# nodes/) by the test suite: builds build-cov/ with gcov (-DDC_COVERAGE=ON,
# no sanitizers), runs ctest there, then prints gcovr's per-file tables,
# lines first, branches second, and the two totals.
#
#   scripts/coverage.sh [ctest args...]
#
# Left out: the freestanding check and the install test (gcov makes the
# library call __gcov_*, an external symbol the first rightly refuses and
# the second's embedder, built without --coverage, cannot link), and the
# bench smoke run (it covers nothing the suite does not).
set -eu
cd "$(dirname "$0")/.."
dir=build-cov
command -v gcovr >/dev/null || { echo "coverage.sh: gcovr missing (scripts/deps.sh)"; exit 2; }
cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=Debug -DDC_COVERAGE=ON >/dev/null
cmake --build "$dir" -j"$(nproc)" >/dev/null
find "$dir" -name '*.gcda' -delete
(cd "$dir" && ctest -j"$(nproc)" -E '^(test_freestanding|test_install|test_bench_quick)$' "$@") |
	tail -3
filters=(-f 'core/' -f 'backends/' -f 'nodes/')
echo "=== line coverage"
gcovr -r . "${filters[@]}" --object-directory "$dir" --txt
echo "=== branch coverage"
gcovr -r . "${filters[@]}" --object-directory "$dir" --branches --txt
