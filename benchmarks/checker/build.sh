#!/usr/bin/env bash
# Builds the checker benchmark as scripts/check-embedded.sh builds its check (Embedded Swift,
# x86_64, -Osize, one object per module), into DIR (default .build/checker-bench).
set -euo pipefail
cd "$(dirname "$0")/../.."
out=${1:-.build/checker-bench}
mkdir -p "$out"
flags=(-target x86_64-unknown-linux-gnu -enable-experimental-feature Embedded -wmo -parse-as-library -Osize)
module() { # name sources...
    local name=$1
    shift
    swiftc "${flags[@]}" -I "$out" -module-name "$name" -emit-module -emit-module-path "$out/$name.swiftmodule" \
        -c -o "$out/$name.o" "$@"
}
# shellcheck disable=SC2046
module TapWalkerCore $(find Sources/TapWalkerCore -name '*.swift' | sort)
# shellcheck disable=SC2046
module TapWalkerSim $(find Sources/TapWalkerSim -name '*.swift' | sort)
swiftc "${flags[@]}" -g -I "$out" -import-objc-header benchmarks/checker/posix.h benchmarks/checker/main.swift \
    "$out/TapWalkerCore.o" "$out/TapWalkerSim.o" -lm -o "$out/checker-bench"
