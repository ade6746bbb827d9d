#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# test_bench_quick.sh - `discontig bench --quick` runs every scenario on
# every compiled-in backend (so the bench cannot rot): exit 0, a table
# for each scenario and the goals in text; with --json one object that
# python3 -m json.tool accepts, with rows for every scenario and a figure
# for every backend; with --svg a well-formed SVG; bad usage exits 2
# with one line on stderr.
#
# Environment (set by ctest): DC_TOOL, DC_SHARED_DIR.
set -u
export ASAN_OPTIONS=${ASAN_OPTIONS:-exitcode=99}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-exitcode=98}
T=${DC_TOOL:?DC_TOOL must name the discontig binary}
. "$(dirname "$0")/lib.sh"

# 1. text
if "$T" bench --quick --svg "$tmp/plot.svg" >"$tmp/out.txt" 2>"$tmp/err.txt"; then
	ok
else
	bad "bench --quick exited $?: $(head -c 300 "$tmp/err.txt")"
fi
# progress goes to stderr after 3 s even when it is not a terminal
grep -q '^discontig: \[0:[0-9][0-9]\] bench: .*repetition' "$tmp/err.txt" && ok ||
	bad "no progress line on stderr (not a terminal): $(head -c 200 "$tmp/err.txt")"
for s in "1. scaling" "2. small" "3. SN1" "4. hostile" "5. replay" "goals"; do
	grep -q "== $s" "$tmp/out.txt" && ok || bad "no section '$s' in the text output"
done
python3 - "$tmp/plot.svg" <<'PY' && ok || bad "the SVG is not well-formed or lacks a line"
import sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
ns = "{http://www.w3.org/2000/svg}"
assert root.tag == ns + "svg"
assert len(root.findall(ns + "polyline")) >= 2
PY

# 2. JSON
if "$T" bench --quick --json >"$tmp/out.json" 2>"$tmp/err.txt"; then
	ok
else
	bad "bench --quick --json exited $?: $(head -c 300 "$tmp/err.txt")"
fi
python3 -m json.tool "$tmp/out.json" >/dev/null && ok || bad "JSON does not parse"
python3 - "$tmp/out.json" <<'PY' && ok || bad "JSON lacks rows or figures"
import json, sys
d = json.load(open(sys.argv[1]))
scen = {r["scenario"] for r in d["rows"]}
assert {"scaling", "small", "sn1", "hostile", "replay"} <= scen, scen
for r in d["rows"]:
    if r["scenario"] in ("scaling", "small", "sn1", "hostile"):
        for b in d["backends"]:
            v = r["backends"][b]
            if r["metric"] == "2.4 release loop" and b != "bitmap":
                assert "skipped" in v, (r["label"], b)
                continue
            assert "median" in v, (r["label"], r["metric"], b)
            assert v["min"] <= v["median"] <= v["max"], (r["label"], b)
assert d["reps"] >= 5 and d["goals"]
PY

# --check: exit 1 exactly when a measured goal is missed (the JSON says
# which)
"$T" bench --quick --scenario small --json --check >"$tmp/chk.json" 2>"$tmp/err.txt"
rc=$?
python3 - "$tmp/chk.json" "$rc" <<'PY' && ok || bad "--check: exit $rc does not match the goals"
import json, sys
d = json.load(open(sys.argv[1]))
missed = any(g.get("met") is False for g in d["goals"])
assert int(sys.argv[2]) == (1 if missed else 0), (sys.argv[2], d["goals"])
assert d["machine"] and d["date"]
PY
# 3. bad usage: exit 2, one line
"$T" bench --scenario nosuch >/dev/null 2>"$tmp/err.txt"
rc=$?
[ $rc -eq 2 ] && [ "$(wc -l <"$tmp/err.txt")" -eq 1 ] && ok ||
	bad "unknown scenario: exit $rc, stderr $(cat "$tmp/err.txt")"
"$T" bench --reps 2 >/dev/null 2>&1
[ $? -eq 2 ] && ok || bad "--reps 2 accepted"

finish "bench quick"
