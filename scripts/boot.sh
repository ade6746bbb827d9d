#!/usr/bin/env bash
# The main job: install what is missing, build the tools (release), and
# boot this machine with `discontig boot`. Extra arguments go to boot.
set -eu
cd "$(dirname "$0")/.."
scripts/deps.sh
cmake -S . -B build-release -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build-release -j"$(nproc)" --target discontig_tool >/dev/null
exec build-release/tools/discontig boot "$@"
