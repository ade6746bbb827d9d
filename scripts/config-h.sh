#!/bin/sh
# Write include/discontig/config.h for builds without CMake (kbuild, the
# example kernel), from the same template CMake's configure_file uses.
# usage: scripts/config-h.sh OUT [MAX_NODES [DEFAULT_BACKEND [BACKENDS]]]
#   BACKENDS is comma-separated; defaults: 1024 tree tree,bitmap,array
set -eu
out=$1
max=${2:-1024}
def=${3:-tree}
list=${4:-tree,bitmap,array}
have() { case ",$list," in *",$1,"*) echo 1 ;; *) echo 0 ;; esac; }
case "$max" in ''|*[!0-9]*) echo "config-h.sh: MAX_NODES '$max' is not a number" >&2; exit 2 ;; esac
[ "$(have "$def")" = 1 ] || { echo "config-h.sh: default backend '$def' is not in '$list'" >&2; exit 2; }
for b in $(echo "$list" | tr , ' '); do
	case "$b" in tree|bitmap|array) ;; *) echo "config-h.sh: unknown backend '$b'" >&2; exit 2 ;; esac
done
mkdir -p "$(dirname "$out")"
sed -e "s/@DC_MAX_NODES@/$max/" -e "s/@DC_BACKEND@/$def/" \
    -e "s/@DC_BACKENDS_STR@/$list/" \
    -e "s/@DC_HAVE_TREE@/$(have tree)/" -e "s/@DC_HAVE_BITMAP@/$(have bitmap)/" \
    -e "s/@DC_HAVE_ARRAY@/$(have array)/" \
    "$(dirname "$0")/../include/discontig/config.h.in" > "$out.tmp"
mv "$out.tmp" "$out"
