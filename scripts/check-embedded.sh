#!/usr/bin/env bash
# Compiles the portable modules (embedded/portable-modules.txt, the build "check") in Embedded Swift:
#   - for riscv32-none-none-eabi (the ESP32-C3's CPU, with the tail-call fence of
#     docs/compiler-bug.md) as objects, and prints their code size;
#   - for x86_64-unknown-linux-gnu as an executable that programs a real bitstream into the
#     simulator and fails unless the simulated FPGA reports DONE, and prints each job's heap and
#     stack (embedded/check). scripts/rv32-lane.sh runs the same check on an emulated RISC-V CPU.
# First checks that the list of portable modules agrees with Package.swift.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/embedded-swift.sh
bash scripts/check-portable-modules.sh
out=.build/embedded
rm -rf "$out"
mkdir -p "$out/riscv32" "$out/host"
bitstream=${1:-Examples/blink-85f.bit}
march=rv32imc_zicsr_zifencei
mapfile -t modules < <(portable_modules check)

compile_all() { # TARGET MARCH DIR
    local module sources
    for module in "${modules[@]}"; do
        mapfile -t sources < <(portable_sources "$module")
        embedded_swift_object "$1" "$2" "$3" "$module" "${sources[@]}"
    done
}
objects() { # DIR
    local module
    for module in "${modules[@]}"; do echo "$1/$module.o"; done
}

echo "== riscv32-none-none-eabi ($march)"
compile_all riscv32-none-none-eabi "$march" "$out/riscv32"
mapfile -t riscv32 < <(objects "$out/riscv32")
size "${riscv32[@]}"
text=$(size "$out/riscv32/TapWalkerCore.o" | awk 'NR==2 {print $1}')
echo "TapWalkerCore riscv32 code size: $text bytes of text"

echo "== x86_64-unknown-linux-gnu (embedded) end-to-end"
compile_all x86_64-unknown-linux-gnu "" "$out/host"
mapfile -t host < <(objects "$out/host")
clang -O2 -c embedded/check/meter.c -o "$out/host/meter.o"
swiftc -target x86_64-unknown-linux-gnu "${EMBEDDED_SWIFT_FLAGS[@]}" \
    -I "$out/host" -import-objc-header embedded/check/posix.h \
    embedded/check/*.swift $(embedded_test_support) "${host[@]}" "$out/host/meter.o" $(embedded_meter_wraps) -lm -o "$out/host/embedded-check"
"$out/host/embedded-check" "$bitstream"
