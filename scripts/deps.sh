#!/usr/bin/env bash
# Install what discontig needs from Debian, if it is missing.
#
# apt-get may remove packages to install others (gcc-multilib and the
# cross compilers conflict in Debian 12), so this first asks apt what it
# would do and prints it. It installs only when nothing would be
# removed, unless told otherwise: `scripts/deps.sh --allow-remove`, or
# DC_DEPS_ALLOW_REMOVE=1 in the environment. apt's own output is shown.
# Non-interactive either way, so CI and scripts/test.sh can call it.
# --guest adds what scripts/guest.sh needs: Debian's kernel and the
# headers of the same version (both metapackages resolve to one version),
# busybox-static and cpio. --memblock adds what building Linux's
# mm/memblock.o from Debian's linux-source-6.1 needs
# (scripts/memblock-size.sh, for the README's size comparison only).
set -eu
allow=${DC_DEPS_ALLOW_REMOVE:-0}
guest=0
memblock=0
for a in "$@"; do
	case $a in
	--allow-remove) allow=1 ;;
	--guest) guest=1 ;;
	--memblock) memblock=1 ;;
	-h|--help) sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) echo "deps.sh: $a: unknown option (--allow-remove, --guest, --memblock)" >&2; exit 2 ;;
	esac
done
# clang/libclang-rt-14-dev: libFuzzer (tests/fuzz/run.sh); gcovr:
# scripts/coverage.sh; the s390x cross libraries, binutils and qemu-user:
# scripts/cross.sh (clang --target=s390x-linux-gnu instead of Debian's
# gcc-s390x-linux-gnu, which would remove gcc-multilib).
pkgs="build-essential cmake pkg-config libhwloc-dev hwloc libnuma-dev libcunit1-dev
      gcc-multilib librsvg2-bin libxml2-utils python3 bzip2 binutils groff-base
      clang libclang-rt-14-dev gcovr qemu-user libc6-dev-s390x-cross
      libgcc-12-dev-s390x-cross binutils-s390x-linux-gnu"
# QEMU boots the example kernel (scripts/kernel.sh) and the guest
pkgs="$pkgs qemu-system-x86"
[ $guest = 0 ] || pkgs="$pkgs linux-image-amd64 linux-headers-amd64
      busybox-static cpio gzip kmod"
[ $memblock = 0 ] || pkgs="$pkgs linux-source-6.1 xz-utils flex bison bc libelf-dev libssl-dev"
# the memblock peer (scripts/memblock-peer.sh, `discontig bench --peer
# memblock`): Linux 6.1's mm/memblock.c comes from the linux-source-6.1
# package (138 MB; the peer's tests need it), and tools/lib/slab.c
# includes urcu/uatomic.h (liburcu-dev).
pkgs="$pkgs linux-source-6.1 liburcu-dev"
missing=""
for p in $pkgs; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
		missing="$missing $p"
done
[ -n "$missing" ] || exit 0
SUDO=""
[ "$(id -u)" = 0 ] || SUDO=sudo
echo "deps.sh: missing:$missing"
$SUDO apt-get update -q
# what apt would do, before it does it
plan=$(DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -s -y $missing)
inst=$(awk '/^Inst /{print $2}' <<<"$plan" | tr '\n' ' ')
remv=$(awk '/^Remv /{print $2}' <<<"$plan" | tr '\n' ' ')
echo "deps.sh: apt-get would install: ${inst:-nothing}"
echo "deps.sh: apt-get would remove: ${remv:-nothing}"
if [ -n "$remv" ] && [ "$allow" != 1 ]; then
	echo "deps.sh: refusing to remove $remv; run scripts/deps.sh --allow-remove (or DC_DEPS_ALLOW_REMOVE=1) to accept" >&2
	exit 2
fi
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y $missing
