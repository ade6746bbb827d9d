#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# test_topo_cli.sh - `discontig topo` end to end (DESIGN.md, "Tools").
#
#  1. Every topology in shared/data/hwloc (XML files, and the sysfs
#     snapshots extracted into a temporary directory) gives the node ids,
#     memory per node and distance matrix that hwloc's own tools report for
#     the same input: lstopo-no-graphics --of xml read with xmllint, and
#     lstopo-no-graphics --distances -p (the "NUMALatency" NUMANode matrix,
#     else the first NUMANode latency matrix, else 10/20).
#  2. Every topology under every layout: exit 0 and valid JSON with exactly
#     DESIGN.md's keys where the model fits; where it cannot (host on a
#     file; wildfire with more than 8 nodes with memory or a node id >= 8,
#     decided here from lstopo's data) exit 2 with one line on stderr.
#  3. Bad input: one line on stderr naming the input, exit 2, no output.
#
# Environment (from ctest): DC_TOOL, DC_SHARED_DIR.
set -u

TOOL=${DC_TOOL:?DC_TOOL not set}
DATA=${DC_SHARED_DIR:?DC_SHARED_DIR not set}/data/hwloc
# tmpfs if there is one: the snapshots hold 20,000 small files
TMP=$(mktemp -d /dev/shm/dc_topo_cli.XXXXXX 2>/dev/null ||
	mktemp -d /tmp/dc_topo_cli.XXXXXX)
trap 'rm -rf "$TMP"' EXIT
fails=0
checks=0

fail() {
	echo "FAIL: $*"
	fails=$((fails + 1))
}

ok() {
	checks=$((checks + 1))
}

for cmd in jq xmllint lstopo-no-graphics tar; do
	command -v $cmd >/dev/null || { echo "SKIP: $cmd missing"; exit 77; }
done

for t in "$DATA"/*.tar.bz2; do
	tar xjf "$t" -C "$TMP" || fail "cannot extract $t"
done

# inputs: "--xml FILE" or "--fsroot DIR", and what lstopo takes (-i ARG)
inputs=()
for f in "$DATA"/*.xml; do
	inputs+=("xml:$f")
done
for t in "$DATA"/*.tar.bz2; do
	name=$(basename "$t" .tar.bz2)
	inputs+=("fsroot:$TMP/$name")
done

src_opt() {	# "xml:F" -> --xml F ; "fsroot:D" -> --fsroot D
	echo "--${1%%:*}"
}
src_arg() {
	echo "${1#*:}"
}
lstopo_arg() {
	case $1 in
	xml:*) echo "${1#xml:}" ;;
	fsroot:*) echo "${1#fsroot:}/" ;;
	esac
}

# "os_index memory" per NUMA node, ascending os_index, from lstopo's XML;
# cached per input.
ref_nodes() {
	local cache=$TMP/ref_nodes.$(echo "$1" | md5sum | cut -c1-12)
	[ -s "$cache" ] || ref_nodes_read "$1" >"$cache" || return 1
	cat "$cache"
}
ref_nodes_read() {
	local xml=$TMP/ref.xml n k
	HWLOC_COMPONENTS= lstopo-no-graphics -i "$(lstopo_arg "$1")" --of xml \
		-f "$xml" 2>/dev/null || return 1
	n=$(xmllint --xpath 'count(//object[@type="NUMANode"])' "$xml")
	for ((k = 1; k <= n; k++)); do
		local os mem
		os=$(xmllint --xpath "string((//object[@type=\"NUMANode\"])[$k]/@os_index)" "$xml")
		mem=$(xmllint --xpath "string((//object[@type=\"NUMANode\"])[$k]/@local_memory)" "$xml")
		echo "$os ${mem:-0}"
	done | sort -n
}

# "from to value" by OS index, sorted; defaults 10/20 when no matrix.
ref_distances() {
	local nodes=$2
	lstopo-no-graphics --distances -p -i "$(lstopo_arg "$1")" 2>/dev/null |
	awk -v nodes="$nodes" '
		function flush() { if (cur != "" && !(cur in blk)) blk[cur] = buf }
		/^Relative latency matrix/ {
			flush(); buf = ""; cur = ""
			if ($0 ~ / NUMANodes /) {
				cur = ($0 ~ /name NUMALatency /) ? "named" : "any" n_any++
			}
			hdr = 1; next
		}
		/^[A-Z]/ { flush(); cur = ""; next }
		cur != "" && hdr { ncol = split($0, col); hdr = 0; next }
		cur != "" {
			for (c = 2; c <= NF; c++)
				buf = buf $1 " " col[c] " " $c "\n"
		}
		END {
			flush()
			if ("named" in blk) { printf "%s", blk["named"]; exit }
			if ("any0" in blk) { printf "%s", blk["any0"]; exit }
			n = split(nodes, id, " ")
			for (i = 1; i <= n; i++)
				for (j = 1; j <= n; j++)
					print id[i], id[j], (i == j ? 10 : 20)
		}' | sort -n -k1,1 -k2,2
}

# ---- 1. loader against hwloc's tools ------------------------------------
for in in "${inputs[@]}"; do
	name=$(basename "$(src_arg "$in")")
	if ! "$TOOL" topo "$(src_opt "$in")" "$(src_arg "$in")" --json \
		>"$TMP/out.json" 2>"$TMP/err"; then
		fail "$name: topo exits $? ($(cat "$TMP/err"))"
		continue
	fi
	ref_nodes "$in" >"$TMP/ref_nodes" || { fail "$name: lstopo"; continue; }
	jq -r '.nodes[] | "\(.os_index) \(.memory)"' "$TMP/out.json" |
		sort -n >"$TMP/got_nodes"
	if cmp -s "$TMP/ref_nodes" "$TMP/got_nodes"; then ok; else
		fail "$name: nodes differ from lstopo"
		diff "$TMP/ref_nodes" "$TMP/got_nodes" | head -5
	fi
	ids=$(awk '{print $1}' "$TMP/ref_nodes" | tr '\n' ' ')
	ref_distances "$in" "$ids" >"$TMP/ref_dist"
	jq -r '.nodes as $n | .distances | to_entries[] | .key as $i |
		.value | to_entries[] |
		"\($n[$i].nid) \($n[.key].nid) \(.value)"' "$TMP/out.json" |
		sort -n -k1,1 -k2,2 >"$TMP/got_dist"
	if cmp -s "$TMP/ref_dist" "$TMP/got_dist"; then ok; else
		fail "$name: distances differ from lstopo --distances"
		diff "$TMP/ref_dist" "$TMP/got_dist" | head -5
	fi
	# nid == os_index, sorted by nid; cpus partition the PUs
	jq -e '[.nodes[] | .nid == .os_index] | all' "$TMP/out.json" \
		>/dev/null && ok || fail "$name: nid != os_index"
	jq -e '[.nodes[].nid] == ([.nodes[].nid] | sort)' "$TMP/out.json" \
		>/dev/null && ok || fail "$name: nodes not sorted"
	jq -e '[.nodes[].cpus[]] | length == (unique | length)' \
		"$TMP/out.json" >/dev/null && ok || fail "$name: cpu twice"
	# flat keeps every byte: per node, fragments sum to the memory
	jq -e '. as $r | [.nodes[] | .nid as $id | .memory ==
		([$r.fragments[] | select(.nid == $id) | .size] | add // 0)] |
		all' "$TMP/out.json" >/dev/null && ok ||
		fail "$name: flat fragments do not sum to node memory"
done

# ---- 2. every topology under every layout --------------------------------
keys='["distances","fragments","host","layout","node_count","nodes","notes","page_size","reserved","source"]'
for in in "${inputs[@]}"; do
	name=$(basename "$(src_arg "$in")")
	ref_nodes "$in" >"$TMP/ref_nodes"
	with_mem=$(awk '$2 > 0' "$TMP/ref_nodes" | wc -l)
	high_id=$(awk '$2 > 0 && $1 >= 8' "$TMP/ref_nodes" | wc -l)
	for layout in host flat sn1 wildfire; do
		expect=0
		[ "$layout" = host ] && expect=2
		[ "$layout" = wildfire ] &&
			{ [ "$with_mem" -gt 8 ] || [ "$high_id" -gt 0 ]; } &&
			expect=2
		for fmt in text json; do
			extra=()
			[ $fmt = json ] && extra=(--json)
			"$TOOL" topo "$(src_opt "$in")" "$(src_arg "$in")" \
				--layout $layout "${extra[@]}" \
				>"$TMP/out" 2>"$TMP/err"
			rc=$?
			if [ $rc -ne $expect ]; then
				fail "$name --layout $layout $fmt: exit $rc, want $expect: $(head -c 300 "$TMP/err")"
				continue
			fi
			if [ $rc -ne 0 ]; then
				[ "$(wc -l <"$TMP/err")" -eq 1 ] && [ ! -s "$TMP/out" ] &&
					grep -q "^discontig: .*$name" "$TMP/err" && ok ||
					fail "$name --layout $layout: not one clean line: $(cat "$TMP/err")"
				continue
			fi
			[ ! -s "$TMP/err" ] && ok || fail "$name $layout: stderr: $(cat "$TMP/err")"
			if [ $fmt = text ]; then
				grep -q "^physical map" "$TMP/out" && ok ||
					fail "$name $layout: no physical map"
				continue
			fi
			jq -e --argjson k "$keys" '(keys == $k) and
				([.nodes[] | keys == ["cpus","memory","nid","os_index"]] | all) and
				([.fragments[] | keys == ["base","nid","size"]] | all) and
				([.reserved[] | keys == ["base","size"]] | all) and
				(.layout == "'$layout'")' "$TMP/out" >/dev/null && ok ||
				fail "$name $layout: JSON keys"
		done
	done
done

# the live machine: default layout (host, or flat after a note) and JSON
"$TOOL" topo >"$TMP/out" 2>"$TMP/err" && [ ! -s "$TMP/err" ] && ok ||
	fail "live topo: $(cat "$TMP/err")"
"$TOOL" topo --json | jq -e '.source and (.fragments | length > 0)' \
	>/dev/null && ok || fail "live topo --json"

# ---- 3. bad input ------------------------------------------------------------
printf 'hello\n' >"$TMP/notxml.xml"
printf '<?xml version="1.0"?>\n<topology version="3.0">\n</topology>\n' \
	>"$TMP/v3.xml"

# bad WHAT-MUST-APPEAR-IN-THE-LINE -- ARGS...
bad() {
	local want=$1
	shift 2
	"$TOOL" topo "$@" >"$TMP/out" 2>"$TMP/err"
	local rc=$?
	if [ $rc -ne 2 ] || [ "$(wc -l <"$TMP/err")" -ne 1 ] || [ -s "$TMP/out" ] ||
		! grep -q "^discontig: " "$TMP/err" ||
		! grep -qF -- "$want" "$TMP/err"; then
		fail "topo $*: exit $rc, stderr: $(cat "$TMP/err")"
	else
		ok
	fi
}
# issue 14, finding 10: a crash inside hwloc, duplicate OS indexes
sed '/type="NUMANode" os_index="0"/s/complete_nodeset/cgmplete_nodeset/' \
	"$DATA/8amd64-4n2c.xml" >"$TMP/crash.xml"
sed '/type="PU" os_index="1"/s/os_index="1"/os_index="0"/' \
	"$DATA/8amd64-4n2c.xml" >"$TMP/dup_pu.xml"
sed '/type="NUMANode" os_index="1"/s/os_index="1"/os_index="0"/' \
	"$DATA/8amd64-4n2c.xml" >"$TMP/dup_numa.xml"
bad "crash.xml: hwloc crashed loading it" -- --xml "$TMP/crash.xml"
bad "dup_pu.xml: PUs L#0 and L#2 both have OS index 0" -- --xml "$TMP/dup_pu.xml"
bad "dup_numa.xml: NUMA nodes L#0 and L#1 both have OS index 0" -- \
	--xml "$TMP/dup_numa.xml"
bad "$TMP/missing.xml: No such file" -- --xml "$TMP/missing.xml"
bad "notxml.xml: not XML" -- --xml "$TMP/notxml.xml"
bad "cannot import XML version 3.0" -- --xml "$TMP/v3.xml"
bad 'synthetic "numa:x pu:2"' -- --synthetic "numa:x pu:2"
bad "unknown layout 'numa'" -- --xml "$DATA/8amd64-4n2c.xml" --layout numa
bad "--strict" -- --xml "$DATA/8amd64-4n2c.xml" --layout sn1 --strict
bad "--strict" -- --xml "$DATA/8amd64-4n2c.xml" --layout wildfire --strict
bad "more Wildfire nodes than QBBs" -- --xml "$DATA/192em64t-24n8c2t.xml" \
	--layout wildfire
bad "QBB id 8" -- --xml "$DATA/256ppc-8n8s4t.xml" --layout wildfire
bad "--bogus" -- --bogus
bad "--xml: missing value" -- --xml
bad "--gap: bad size" -- --xml "$DATA/8amd64-4n2c.xml" --gap 12Q
bad "--gap" -- --xml "$DATA/8amd64-4n2c.xml" --layout sn1 --gap 1G
bad "only one of" -- --xml "$DATA/8amd64-4n2c.xml" --synthetic "numa:2 pu:1"
bad "layout host needs the live machine" -- --synthetic "numa:2 pu:1" \
	--layout host
"$TOOL" topo --xml "$DATA/16amd64-4distances.xml" --layout wildfire \
	>/dev/null 2>&1 && ok || fail "16amd64 (8 nodes) must fit wildfire"
"$TOOL" topo --xml "$DATA/8amd64-4n2c.xml" --layout flat --gap 1G --json |
	jq -e '.fragments[2].base == .fragments[1].base + .fragments[1].size +
		1073741824' \
	>/dev/null && ok || fail "flat --gap 1G"
"$TOOL" topo --help | grep -q -- "--layout" && ok || fail "topo --help"

echo "test_topo_cli: $checks checks passed, $fails failed"
[ $fails -eq 0 ]
