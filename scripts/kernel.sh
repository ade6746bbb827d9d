#!/usr/bin/env bash
# Build the example kernel (examples/kernel/) with one backend and boot it
# under QEMU (TCG) on the machine the QEMU arguments describe; the serial
# report goes to stdout.
#
# usage: scripts/kernel.sh tree|bitmap|array [QEMU ARGS...]
#   no QEMU ARGS: 4 nodes of 256 MiB, one CPU each, a ring SLIT
#   (neighbours 20, opposite 30); e.g. one node of 512 MiB and 2 CPUs:
#   scripts/kernel.sh tree -m 512M -smp 2
#   kernel command line: -append "seed=N requests=N lowmem=SIZE"
# environment: DC_KERNEL_TIMEOUT (seconds, default 120),
#   DC_KERNEL_OUT (build directory root, default build-kernel in the
#   repository; relative paths, here and in QEMU ARGS, are the caller's)
# exit: 0 the kernel said PASS, 1 it said FAIL, 2 a build or boot error
#   (no QEMU, build failed, QEMU failed or timed out, no verdict)
set -u
here=$(cd "$(dirname "$0")/.." && pwd) || exit 2
backend=${1:-}
case "$backend" in
tree|bitmap|array) shift ;;
*) echo "usage: scripts/kernel.sh tree|bitmap|array [QEMU ARGS...]" >&2; exit 2 ;;
esac
qemu=qemu-system-x86_64
command -v "$qemu" >/dev/null ||
	{ echo "kernel.sh: $qemu not found (scripts/deps.sh installs qemu-system-x86)" >&2; exit 2; }
out=${DC_KERNEL_OUT:-$here/build-kernel}
case $out in /*) ;; *) out=$PWD/$out ;; esac
out=$out/$backend
nice make -s -C "$here/examples/kernel" BACKEND="$backend" O="$out" -j2 >&2 ||
	{ echo "kernel.sh: building the $backend kernel failed" >&2; exit 2; }

if [ $# -eq 0 ]; then
	set -- -m 1024M -smp 4
	for n in 0 1 2 3; do
		set -- "$@" -object memory-backend-ram,id=m$n,size=256M \
			-numa node,nodeid=$n,memdev=m$n,cpus=$n
	done
	for pair in 0,1,20 0,2,30 0,3,20 1,2,20 1,3,30 2,3,20; do
		IFS=, read -r a b d <<< "$pair"
		set -- "$@" -numa dist,src=$a,dst=$b,val=$d
	done
fi

log=$(mktemp)
trap 'rm -f "$log"' EXIT
# isa-debug-exit: the kernel writes 0x10 (PASS) or 0x11 (FAIL) to port
# 0xf4, and QEMU exits with (value << 1) | 1: 33 or 35.
timeout "${DC_KERNEL_TIMEOUT:-120}" nice "$qemu" -machine pc -accel tcg \
	-display none -serial stdio -monitor none -no-reboot \
	-device isa-debug-exit,iobase=0xf4,iosize=4 \
	-kernel "$out/kernel.elf" "$@" < /dev/null | tee "$log"
status=${PIPESTATUS[0]}
verdict=$(grep -aE '^(PASS|FAIL)' "$log" | tail -n 1 | cut -c1-4)
case "$status:$verdict" in
33:PASS) exit 0 ;;
35:FAIL) exit 1 ;;
124:*) echo "kernel.sh: QEMU timed out after ${DC_KERNEL_TIMEOUT:-120} s" >&2 ;;
*) echo "kernel.sh: QEMU exited with status $status, verdict '${verdict:-none}': boot error" >&2 ;;
esac
exit 2
