#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# test_install.sh - the library installs like one (DESIGN.md,
# "Embedding"): `cmake --install` of this build into a temporary prefix
# gives libdiscontig.a, include/discontig/ with config.h (and not the
# host-only topology.h), discontigConfig.cmake with the target
# discontig::discontig, discontig.pc, the tool with its man page and bash
# completion; examples/embed.c then builds and runs against that tree
# both with find_package(discontig) and with pkg-config, as an outside
# project would.
#
# Environment (set by ctest): DC_BINARY_DIR, DC_SOURCE_DIR, DC_SANITIZE.
set -u
B=${DC_BINARY_DIR:?DC_BINARY_DIR must name the build tree}
S=${DC_SOURCE_DIR:?DC_SOURCE_DIR must name the source tree}
. "$(dirname "$0")/lib.sh"
# an instrumented library needs an instrumented program
san=""
case ${DC_SANITIZE:-OFF} in ON|on|1|TRUE|true) san="-fsanitize=address,undefined" ;; esac

P=$tmp/prefix
if cmake --install "$B" --prefix "$P" >"$tmp/install.log" 2>&1; then ok; else
	bad "cmake --install: $(tail -5 "$tmp/install.log")"; echo "install: $pass passed, $fail failed"; exit 1
fi
lib=$(dirname "$(find "$P" -name libdiscontig.a | head -1)")
[ -f "$lib/libdiscontig.a" ] && ok || bad "no libdiscontig.a"
for h in discontig.h backend.h env.h config.h; do
	[ -f "$P/include/discontig/$h" ] && ok || bad "no include/discontig/$h"
done
[ ! -e "$P/include/discontig/topology.h" ] && ok || bad "topology.h (host only) installed"
grep -q '#define DC_CONFIG_MAX_NODES' "$P/include/discontig/config.h" && ok || bad "config.h not generated"
[ -f "$lib/cmake/discontig/discontigConfig.cmake" ] && ok || bad "no discontigConfig.cmake"
[ -f "$lib/cmake/discontig/discontigConfigVersion.cmake" ] && ok || bad "no discontigConfigVersion.cmake"
[ -f "$lib/pkgconfig/discontig.pc" ] && ok || bad "no discontig.pc"
"$P/bin/discontig" --version | grep -q '^discontig [0-9]' && ok || bad "installed tool --version"
[ -f "$P/share/man/man1/discontig.1" ] && ok || bad "no man page"
if command -v groff >/dev/null; then
	groff -man -Tutf8 -ww -z "$P/share/man/man1/discontig.1" 2>"$tmp/groff" && [ ! -s "$tmp/groff" ] &&
		ok || bad "man page warnings: $(head -3 "$tmp/groff")"
fi
comp=$P/share/bash-completion/completions/discontig
bash -c "source '$comp' && complete -p discontig" >/dev/null 2>&1 && ok || bad "bash completion does not load"
bash -c "source '$comp'; COMP_WORDS=(discontig boot --lay); COMP_CWORD=2; _discontig; echo \${COMPREPLY[*]}" 2>/dev/null |
	grep -qx -- '--layout' && ok || bad "bash completion of 'boot --lay'"

# find_package(discontig): the example as an outside project
if cmake -S "$S/examples" -B "$tmp/fp" -DCMAKE_PREFIX_PATH="$P" \
	-DCMAKE_C_FLAGS="$san" -DCMAKE_EXE_LINKER_FLAGS="$san" >"$tmp/fp.log" 2>&1 &&
   cmake --build "$tmp/fp" >>"$tmp/fp.log" 2>&1; then ok; else
	bad "find_package build: $(tail -5 "$tmp/fp.log")"
fi
[ -x "$tmp/fp/embed" ] && "$tmp/fp/embed" | grep -q '^embed: ok' && ok || bad "embed (find_package) does not run"
grep -q 'discontig::discontig' "$lib/cmake/discontig/discontigTargets.cmake" && ok ||
	bad "no target discontig::discontig"

# pkg-config, from a copy of the prefix elsewhere: the .pc is relocatable
cp -a "$P" "$tmp/moved"
pc=$(dirname "$(find "$tmp/moved" -name discontig.pc)")
flags=$(PKG_CONFIG_PATH=$pc pkg-config --cflags --libs discontig 2>"$tmp/pc.err") || bad "pkg-config: $(cat "$tmp/pc.err")"
# shellcheck disable=SC2086
if cc -std=c11 $san "$S/examples/embed.c" $flags -o "$tmp/embed-pc" 2>"$tmp/cc.err"; then ok; else
	bad "pkg-config build: $(head -5 "$tmp/cc.err")"
fi
[ -x "$tmp/embed-pc" ] && "$tmp/embed-pc" | grep -q '^embed: ok' && ok || bad "embed (pkg-config) does not run"

finish install
