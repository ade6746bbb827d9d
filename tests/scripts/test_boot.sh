#!/usr/bin/env bash
# `discontig boot`: the live machine and shared topologies under every
# layout they fit, on tree and bitmap (and array when compiled in). For
# every boot, from its JSON: per node and in total memory = used +
# metadata + free + released; every node's metadata on its own node; the
# released blocks never overlap used memory; each struct page array on its
# node; dc_check clean. Tree and bitmap agree on used bytes within the
# page granularity documented in backends/bitmap.c. The SVG is valid XML.
# Bad input: one line on stderr, exit 2.
set -u
tool=${DC_TOOL:?}
shared=${DC_SHARED_DIR:?}
. "$(dirname "$0")/lib.sh"

backends="tree bitmap"
case ";${DC_BACKENDS:-};" in *";array;"*) backends="$backends array";; esac

check_json() {	# file label
	python3 - "$1" "$2" <<'PY' || return 1
import json, sys
d = json.load(open(sys.argv[1]))
label = sys.argv[2]
errs = []
def adds_up(s, what):
    if s["memory"] != s["used"] + s["metadata"] + s["free"] + s["released"]:
        errs.append(f"{what}: memory != used+metadata+free+released")
for n in d["nodes"]:
    adds_up(n, f"node {n['nid']}")
    if not n["metadata_local"]: errs.append(f"node {n['nid']}: metadata not local")
    if n["memmap_size"] and not n["memmap_local"]: errs.append(f"node {n['nid']}: memmap elsewhere")
adds_up(d["total"], "total")
for k in ("memory", "used", "metadata", "free", "released"):
    if sum(n[k] for n in d["nodes"]) != d["total"][k]:
        errs.append(f"total {k} is not the sum of the nodes")
c = d["checks"]
if c["dc_check"] != 0: errs.append(f"dc_check {c['dc_check']}")
if not c["accounting"]: errs.append("accounting")
if not c["released_disjoint"]: errs.append("released blocks overlap used memory")
if not c["memmap_local"]: errs.append("memmap not local")
if d["total"]["released"] == 0: errs.append("nothing released")
for e in errs: print(f"{label}: {e}")
sys.exit(1 if errs else 0)
PY
}

boot() {	# label, args...
	local label=$1; shift
	local out="$tmp/$(echo "$label" | tr ' /' '__').json"
	"$tool" boot "$@" --json > "$out" 2> "$tmp/err"
	local rc=$?
	if [ $rc -ne 0 ]; then bad "$label: exit $rc: $(head -c 300 "$tmp/err")"; return 1; fi
	if check_json "$out" "$label"; then ok; else bad "$label"; fi
	echo "$out"
}

# tree and bitmap used bytes: the bitmap takes whole pages, so it may use
# up to one page more per request and per reservation (packing can also
# make it use less); nothing else may differ
compare_used() {	# tree.json bitmap.json label
	python3 - "$1" "$2" "$3" <<'PY' || return 1
import json, sys
t, b = (json.load(open(p)) for p in sys.argv[1:3])
page = t["page_size"]
slack = (t["requests"] + 64 + t["total"]["fragments"] * 2) * page
d = abs(t["total"]["used"] - b["total"]["used"])
if d > slack:
    print(f"{sys.argv[3]}: used differs by {d} > {slack} bytes"); sys.exit(1)
PY
}

# 1. the live machine
for b in $backends; do
	boot "live $b" --backend "$b" > /dev/null
done
"$tool" > "$tmp/default.txt" 2>&1 && grep -q "discontig boot:" "$tmp/default.txt" && ok ||
	bad "discontig with no arguments does not boot this machine"

# 2. shared topologies under flat, sn1, wildfire (where they fit)
for f in 32em64t-2n8c2t-pci-noio 8amd64-4n2c 64amd64-4s2n4ca2co 192em64t-24n8c2t \
	 128ia64-17n4s2c 8intel64-fakeKNL-A2A-hybrid.rootattachednumas 256ppc-8n8s4t; do
	xml="$shared/data/hwloc/$f.xml"
	for layout in flat sn1 wildfire; do
		if ! "$tool" topo --xml "$xml" --layout "$layout" > /dev/null 2>&1; then
			continue	# does not fit this model (topo's tests check why)
		fi
		t=$(boot "$f $layout tree" --xml "$xml" --layout "$layout" --backend tree | tail -1)
		bm=$(boot "$f $layout bitmap" --xml "$xml" --layout "$layout" --backend bitmap | tail -1)
		if [ -f "$t" ] && [ -f "$bm" ]; then
			compare_used "$t" "$bm" "$f $layout" && ok || bad "$f $layout: tree and bitmap disagree"
		fi
	done
done

# 3. the SVG is valid XML and has a band per node
"$tool" boot --xml "$shared/data/hwloc/64amd64-4s2n4ca2co.xml" --layout sn1 \
	--svg "$tmp/map.svg" > /dev/null 2>&1 || bad "boot --svg failed"
if xmllint --noout "$tmp/map.svg" 2> "$tmp/xmlerr"; then ok; else bad "SVG is not XML: $(head -3 "$tmp/xmlerr")"; fi
n=$(grep -c '>node [0-9]*</text>' "$tmp/map.svg")
[ "$n" = 8 ] && ok || bad "SVG has $n node bands, want 8"

# 4. bad input: one line on stderr, exit 2
expect2() {	# label, args...
	local label=$1; shift
	"$tool" "$@" > /dev/null 2> "$tmp/err"
	local rc=$? lines
	lines=$(wc -l < "$tmp/err")
	if [ $rc -eq 2 ] && [ "$lines" -eq 1 ]; then ok; else
		bad "$label: exit $rc, $lines stderr lines: $(head -c 200 "$tmp/err")"; fi
}
printf 'not xml at all\n' > "$tmp/notxml.xml"
printf '<?xml version="1.0"?>\n<topology version="3.0"><object type="Machine" os_index="0"/></topology>\n' > "$tmp/v3.xml"
expect2 "missing file" boot --xml "$tmp/nope.xml"
expect2 "not XML" boot --xml "$tmp/notxml.xml"
expect2 "hwloc 3 XML" boot --xml "$tmp/v3.xml"
expect2 "bad synthetic" boot --synthetic "pack:banana"
expect2 "unknown layout" boot --layout moon
expect2 "unknown backend" boot --backend heap
expect2 "unknown option" boot --frobnicate
expect2 "bad size" boot --initrd lots
expect2 "too many QBBs" boot --xml "$shared/data/hwloc/192em64t-24n8c2t.xml" --layout wildfire
expect2 "svg in missing dir" boot --svg "$tmp/no/such/dir/map.svg"

finish test_boot
