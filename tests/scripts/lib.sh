# SPDX-License-Identifier: BSD-3-Clause
# lib.sh - what the shell tests share, sourced by each: a scratch
# directory removed on exit ($tmp), the pass and fail counts with ok and
# bad, and finish, which prints the closing line and gives the status.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0
fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }
# finish NAME: "NAME: P passed, F failed"; true when nothing failed
finish() { echo "$1: $pass passed, $fail failed"; [ "$fail" -eq 0 ]; }
