#!/usr/bin/env bash
# Run discontig inside Linux on an emulated NUMA machine.
#
#   scripts/guest.sh [--nodes "SIZE..."] [--dist ring|flat|"ROW;ROW;..."]
#                    [--timeout SECONDS] [--keep DIR]
#
# Installs what is missing (scripts/deps.sh --guest: QEMU, Debian's
# kernel and the headers of the same version, busybox, cpio), builds the
# module examples/linux/ against those headers and the `discontig` tool
# of this tree, packs both into an initramfs with busybox and the tool's
# shared libraries, and boots the kernel under QEMU (TCG) with one NUMA
# node per SIZE (default "1G 1G 1G 1G"; 0 makes a CPU-only node) and a
# SLIT (default ring: 10 local, +10 per hop). In the guest: insmod (the
# conformance scenarios on every backend, on real pages of every node),
# `discontig topo --json`, `discontig boot --json` per backend.
# Exit 0 if the module reports no failure, topo sees the nodes QEMU was
# given, and every boot verified its placement with pages checked on
# every host node that has memory; 1 if a check failed; 2 if something
# could not be built or booted.
set -u
nodes="1G 1G 1G 1G"
dist=ring
limit=300
keep=""
while [ $# -gt 0 ]; do
	case $1 in
	--nodes) nodes=${2:?}; shift 2 ;;
	--dist) dist=${2:?}; shift 2 ;;
	--timeout) limit=${2:?}; shift 2 ;;
	--keep) keep=${2:?}; shift 2 ;;
	-h|--help) sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) echo "guest.sh: $1: unknown option" >&2; exit 2 ;;
	esac
done
die() { echo "guest.sh: $*" >&2; exit 2; }
cd "$(dirname "$0")/.." || exit 2
root=$PWD
t0=$(date +%s)

# --- the machine ---------------------------------------------------------
sizes=()	# MiB per node
for s in $nodes; do
	case $s in
	0) sizes+=(0) ;;
	*[0-9][Gg]) sizes+=($(( ${s%[Gg]} * 1024 ))) ;;
	*[0-9][Mm]) sizes+=(${s%[Mm]}) ;;
	*) die "--nodes: '$s' is not a size (e.g. 1G, 512M, 0)" ;;
	esac
done
n=${#sizes[@]}
[ "$n" -ge 1 ] && [ "$n" -le 16 ] || die "--nodes: 1 to 16 nodes"
total=0
for m in "${sizes[@]}"; do total=$((total + m)); done
[ "$total" -ge 512 ] || die "--nodes: at least 512M in all (Debian's kernel and the tool)"
[ "${sizes[0]}" -gt 0 ] || die "--nodes: node 0 needs memory (it holds the kernel)"

declare -A D
case $dist in
ring|flat)
	for ((i = 0; i < n; i++)); do for ((j = 0; j < n; j++)); do
		h=$(( i > j ? i - j : j - i )); [ $((n - h)) -lt $h ] && h=$((n - h))
		if [ "$dist" = flat ]; then [ $h -gt 0 ] && h=1; fi
		D[$i,$j]=$((10 + 10 * h))
	done; done ;;
*)
	IFS=';' read -ra rows <<< "$dist"
	[ ${#rows[@]} = "$n" ] || die "--dist: $n rows expected"
	for ((i = 0; i < n; i++)); do
		read -ra row <<< "${rows[$i]}"
		[ ${#row[@]} = "$n" ] || die "--dist: row $i: $n values expected"
		for ((j = 0; j < n; j++)); do D[$i,$j]=${row[$j]}; done
	done ;;
esac

# --- packages, kernel, module, tool --------------------------------------
scripts/deps.sh --guest || die "could not install the guest packages"
ver=$(dpkg-query -W -f='${Depends}' linux-image-amd64 2>/dev/null |
      sed -n 's/.*linux-image-\([^ ,]*\).*/\1/p')
[ -n "$ver" ] || die "cannot tell which kernel linux-image-amd64 installs"
kernel=/boot/vmlinuz-$ver
[ -r "$kernel" ] || die "$kernel: not readable"
if [ ! -d "/lib/modules/$ver/build" ]; then	# headers of that very version
	SUDO=""; [ "$(id -u)" = 0 ] || SUDO=sudo
	DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y "linux-headers-$ver" ||
		die "could not install linux-headers-$ver"
fi

work=${keep:-$(mktemp -d)}
mkdir -p "$work" || exit 2
[ -n "$keep" ] || trap 'rm -rf "$work"' EXIT
echo "guest.sh: kernel $ver; nodes (MiB): ${sizes[*]}; work in $work"

# the module in build-linux/VER (make is incremental there), the tool in
# DC_GUEST_BUILD (scripts/test.sh passes its optimised build) or build-guest
make -s -C examples/linux KVER="$ver" OUT="$root/build-linux/$ver" > "$work/module.log" 2>&1 ||
	{ cat "$work/module.log"; die "the module does not build"; }
bdir=${DC_GUEST_BUILD:-build-guest}
{ { [ -f "$bdir/CMakeCache.txt" ] || cmake -S . -B "$bdir" -DCMAKE_BUILD_TYPE=Release; } &&
  cmake --build "$bdir" -j"$(nproc)" --target discontig_tool; } > "$work/tool.log" 2>&1 ||
	{ cat "$work/tool.log"; die "the discontig tool does not build"; }
tool=$bdir/tools/discontig

# --- initramfs -----------------------------------------------------------
ir=$work/initramfs
rm -rf "$ir"
mkdir -p "$ir"/{bin,dev,proc,sys,tmp} || exit 2
cp /bin/busybox "$ir/bin/busybox" || die "no /bin/busybox (busybox-static)"
file -L /bin/busybox 2>/dev/null | grep -q 'statically linked' ||
	ldd /bin/busybox 2>&1 | grep -q 'not a dynamic' ||
	die "/bin/busybox is not static: install busybox-static"
cp "$root/build-linux/$ver/discontig.ko" "$tool" "$ir/" || exit 2
# the tool's shared libraries and the loader, where ldd finds them
for lib in $(ldd "$tool" | awk '/=> \//{print $3} /^\t\//{print $1}'); do
	mkdir -p "$ir$(dirname "$lib")"
	cp -L "$lib" "$ir$lib" || exit 2
done
cat > "$ir/init" <<'EOF'
#!/bin/busybox sh
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
echo "@@ insmod"
insmod /discontig.ko
echo "@@ insmod rc=$?"
dmesg | grep 'discontig: '
echo "@@ topo"
/discontig topo --json
echo "@@ topo rc=$?"
for b in tree bitmap array; do
	echo "@@ boot $b"
	/discontig boot --json --backend $b
	echo "@@ boot $b rc=$?"
done
echo "@@ end"
poweroff -f
EOF
chmod +x "$ir/init"
(cd "$ir" && find . | cpio -o -H newc --quiet | gzip -1) > "$work/initramfs.gz" ||
	die "cannot pack the initramfs"

# --- QEMU ----------------------------------------------------------------
args=(-machine pc -accel tcg -m "${total}M" -smp "$n"
      -display none -serial stdio -monitor none -no-reboot
      -kernel "$kernel" -initrd "$work/initramfs.gz"
      -append "console=ttyS0 quiet loglevel=3 panic=-1 rdinit=/init")
for ((i = 0; i < n; i++)); do
	if [ "${sizes[$i]}" -gt 0 ]; then
		args+=(-object "memory-backend-ram,id=m$i,size=${sizes[$i]}M"
		       -numa "node,nodeid=$i,memdev=m$i,cpus=$i")
	else
		args+=(-numa "node,nodeid=$i,cpus=$i")
	fi
done
for ((i = 0; i < n; i++)); do for ((j = 0; j < n; j++)); do
	[ $i = $j ] || args+=(-numa "dist,src=$i,dst=$j,val=${D[$i,$j]}")
done; done
echo "guest.sh: booting (timeout ${limit}s)"
tq=$(date +%s)
timeout "$limit" qemu-system-x86_64 "${args[@]}" < /dev/null > "$work/serial.log" 2>&1
rc=$?
tq=$(( $(date +%s) - tq ))
[ $rc = 124 ] && { tail -20 "$work/serial.log"; die "QEMU did not finish in ${limit}s"; }
[ $rc = 0 ] || { tail -20 "$work/serial.log"; die "QEMU exited with $rc"; }
grep -q '^@@ end' "$work/serial.log" ||
	{ tail -20 "$work/serial.log"; die "the guest did not run to the end"; }

# --- the checks ----------------------------------------------------------
dists=""
for ((i = 0; i < n; i++)); do for ((j = 0; j < n; j++)); do dists+="${D[$i,$j]} "; done; done
python3 - "$work/serial.log" "${sizes[*]}" "$dists" <<'EOF'
import json, re, sys

log = open(sys.argv[1], errors="replace").read().replace("\r", "")
sizes = [int(s) for s in sys.argv[2].split()]
n = len(sizes)
dists = [int(d) for d in sys.argv[3].split()]
dists = [dists[i * n:(i + 1) * n] for i in range(n)]
fails = []

def section(name):
    m = re.search(r"^@@ %s\n(.*?)^@@ %s rc=(\d+)$" % (name, name), log, re.S | re.M)
    return (m.group(1), int(m.group(2))) if m else (None, None)

def fail(msg):
    fails.append(msg)
    print("  FAIL " + msg)

# the module
out, rc = section("insmod")
mod = re.findall(r"discontig: .*", log)
for line in mod:
    if re.search(r"passed|FAIL|node \d+:", line):
        print("  " + line.strip())
tot = re.findall(r"discontig: (\d+) passed, (\d+) failed$", log, re.M)
if rc != 0 or not tot:
    fail("module: insmod rc=%s, no result line" % rc)
elif int(tot[-1][1]) or not int(tot[-1][0]):
    fail("module: %s passed, %s failed" % tot[-1])

# topo
out, rc = section("topo")
try:
    topo = json.loads(out)
    nodes = topo["nodes"]
    got = sorted((x["os_index"], x["memory"] > 0) for x in nodes)
    want = [(i, sizes[i] > 0) for i in range(n)]
    print("  topo: %d nodes, memory (MiB) %s, %d cpus" % (len(nodes),
          " ".join(str(x["memory"] >> 20) for x in nodes),
          sum(len(x["cpus"]) for x in nodes)))
    if got != want:
        fail("topo: nodes (os_index, has memory) %s, QEMU was given %s" % (got, want))
    order = [x["os_index"] for x in nodes]
    if got == want and topo["distances"] != [[dists[i][j] for j in order] for i in order]:
        fail("topo: distances %s, QEMU was given %s" % (topo["distances"], dists))
except Exception as e:
    fail("topo: rc=%s, no JSON (%s)" % (rc, e))

# boot, per backend
for b in ("tree", "bitmap", "array"):
    out, rc = section("boot " + b)
    try:
        r = json.loads(out)
    except Exception as e:
        fail("boot %s: rc=%s, no JSON (%s)" % (b, rc, e))
        continue
    p = r["placement"]
    per = {h: 0 for h in p["host_nodes_with_memory"]}
    for x in r["nodes"]:
        q = x.get("placement", {})
        h = q.get("host_node", -1)
        per[h] = per.get(h, 0) + q.get("pages_checked", 0)
    print("  boot %s: exit %d, placement %s (%s), %d pages checked: %s" % (
        b, rc, "verified" if p["verified"] else "NOT verified: " + p.get("not_verified", "?"),
        p["method"], p["pages_checked"],
        ", ".join("host node %d: %d" % (h, c) for h, c in sorted(per.items()))))
    if rc != 0:
        fail("boot %s: exit %d" % (b, rc))
    if not p["verified"] or not p["ok"] or p["bind_failures"]:
        fail("boot %s: placement not verified or wrong" % b)
    if sorted(p["host_nodes_with_memory"]) != [i for i in range(n) if sizes[i]]:
        fail("boot %s: host nodes with memory %s" % (b, p["host_nodes_with_memory"]))
    for h in p["host_nodes_with_memory"]:
        if per.get(h, 0) <= 0:
            fail("boot %s: no page checked on host node %d" % (b, h))
sys.exit(1 if fails else 0)
EOF
st=$?
echo "guest.sh: QEMU ${tq}s, whole run $(( $(date +%s) - t0 ))s: $([ $st = 0 ] && echo PASS || echo FAIL)"
[ $st -le 1 ] || exit 2
exit $st
