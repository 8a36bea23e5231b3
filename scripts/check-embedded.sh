#!/usr/bin/env bash
# Compiles the Embedded-clean layers (TapWalkerCore, TapWalkerSim, TapWalkerServices) in Embedded Swift:
#   - for riscv32-none-none-eabi (the ESP32-C3/C6/P4 CPU) as objects, and prints their code size;
#   - for x86_64-unknown-linux-gnu as an executable that programs a real bitstream into the
#     simulator and fails unless the simulated FPGA reports DONE.
set -euo pipefail
cd "$(dirname "$0")/.."
out=.build/embedded
rm -rf "$out"
mkdir -p "$out/riscv32" "$out/host"
bitstream=${1:-Examples/blink-85f.bit}
flags=(-enable-experimental-feature Embedded -wmo -parse-as-library -Osize)

module() { # target dir name sources...
    local target=$1 dir=$2 name=$3
    shift 3
    swiftc -target "$target" "${flags[@]}" -I "$dir" -module-name "$name" \
        -emit-module -emit-module-path "$dir/$name.swiftmodule" -c -o "$dir/$name.o" "$@"
}

core=$(find Sources/TapWalkerCore -name '*.swift' | sort)
sim=$(find Sources/TapWalkerSim -name '*.swift' | sort)
services=$(find Sources/TapWalkerServices -name '*.swift' | sort)
device=$(find Sources/TapWalkerDevice -name '*.swift' | sort)

echo "== riscv32-none-none-eabi"
# shellcheck disable=SC2086
module riscv32-none-none-eabi "$out/riscv32" TapWalkerCore $core
# shellcheck disable=SC2086
module riscv32-none-none-eabi "$out/riscv32" TapWalkerSim $sim
# shellcheck disable=SC2086
module riscv32-none-none-eabi "$out/riscv32" TapWalkerServices $services
# shellcheck disable=SC2086
module riscv32-none-none-eabi "$out/riscv32" TapWalkerDevice $device
size "$out/riscv32/TapWalkerCore.o" "$out/riscv32/TapWalkerSim.o" "$out/riscv32/TapWalkerServices.o" "$out/riscv32/TapWalkerDevice.o"
text=$(size "$out/riscv32/TapWalkerCore.o" | awk 'NR==2 {print $1}')
echo "TapWalkerCore riscv32 code size: $text bytes of text"

echo "== x86_64-unknown-linux-gnu (embedded) end-to-end"
# shellcheck disable=SC2086
module x86_64-unknown-linux-gnu "$out/host" TapWalkerCore $core
# shellcheck disable=SC2086
module x86_64-unknown-linux-gnu "$out/host" TapWalkerSim $sim
# shellcheck disable=SC2086
module x86_64-unknown-linux-gnu "$out/host" TapWalkerServices $services
# shellcheck disable=SC2086
module x86_64-unknown-linux-gnu "$out/host" TapWalkerDevice $device
swiftc -target x86_64-unknown-linux-gnu -enable-experimental-feature Embedded -wmo -Osize -parse-as-library \
    -I "$out/host" -import-objc-header embedded/check/posix.h \
    embedded/check/main.swift embedded/check/services.swift "$out/host/TapWalkerCore.o" "$out/host/TapWalkerSim.o" "$out/host/TapWalkerServices.o" \
    -lm -o "$out/host/embedded-check"
"$out/host/embedded-check" "$bitstream"
