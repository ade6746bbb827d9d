#!/usr/bin/env bash
# Install what discontig needs from Debian, if it is missing.
set -eu
pkgs="build-essential cmake pkg-config libhwloc-dev hwloc libnuma-dev libcunit1-dev
      gcc-multilib librsvg2-bin libxml2-utils python3 bzip2 binutils"
missing=""
for p in $pkgs; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
		missing="$missing $p"
done
if [ -n "$missing" ]; then
	echo "installing:$missing"
	SUDO=""
	[ "$(id -u)" = 0 ] || SUDO=sudo
	$SUDO apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq $missing >/dev/null
fi
