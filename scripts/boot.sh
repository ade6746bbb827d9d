#!/usr/bin/env bash
# The main job: install what is missing, build the tools (release), and
# boot this machine with `discontig boot`. Extra arguments go to boot and
# are taken as the caller gave them: relative paths (--xml map.xml,
# --svg map.svg) are relative to the directory this was run from, not to
# the repository.
set -eu
repo=$(cd "$(dirname "$0")/.." && pwd)
"$repo/scripts/deps.sh"
cmake -S "$repo" -B "$repo/build-release" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$repo/build-release" -j"$(nproc)" --target discontig_tool >/dev/null
exec "$repo/build-release/tools/discontig" boot "$@"
