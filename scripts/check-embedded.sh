#!/usr/bin/env bash
# Compiles the Embedded-clean layers (TapWalkerCore, TapWalkerSim, TapWalkerServices, TapWalkerDevice,
# TapWalkerVirtualBoard) in Embedded Swift:
#   - for riscv32-none-none-eabi (the ESP32-C3's CPU, with the tail-call fence of
#     docs/compiler-bug.md) as objects, and prints their code size;
#   - for x86_64-unknown-linux-gnu as an executable that programs a real bitstream into the
#     simulator and fails unless the simulated FPGA reports DONE, and prints each job's heap and
#     stack (embedded/check). scripts/rv32-lane.sh runs the same check on an emulated RISC-V CPU.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/embedded-swift.sh
out=.build/embedded
rm -rf "$out"
mkdir -p "$out/riscv32" "$out/host"
bitstream=${1:-Examples/blink-85f.bit}
march=rv32imc_zicsr_zifencei

mapfile -t core < <(find Sources/TapWalkerCore -name '*.swift' | sort)
mapfile -t sim < <(find Sources/TapWalkerSim -name '*.swift' | sort)
mapfile -t services < <(find Sources/TapWalkerServices -name '*.swift' | sort)
mapfile -t device < <(find Sources/TapWalkerDevice -name '*.swift' | sort)
mapfile -t virtualboard < <(find Sources/TapWalkerVirtualBoard -name '*.swift' | sort)

echo "== riscv32-none-none-eabi ($march)"
embedded_swift_object riscv32-none-none-eabi "$march" "$out/riscv32" TapWalkerCore "${core[@]}"
embedded_swift_object riscv32-none-none-eabi "$march" "$out/riscv32" TapWalkerSim "${sim[@]}"
embedded_swift_object riscv32-none-none-eabi "$march" "$out/riscv32" TapWalkerServices "${services[@]}"
embedded_swift_object riscv32-none-none-eabi "$march" "$out/riscv32" TapWalkerDevice "${device[@]}"
embedded_swift_object riscv32-none-none-eabi "$march" "$out/riscv32" TapWalkerVirtualBoard "${virtualboard[@]}"
size "$out/riscv32/TapWalkerCore.o" "$out/riscv32/TapWalkerSim.o" "$out/riscv32/TapWalkerServices.o" "$out/riscv32/TapWalkerDevice.o" \
    "$out/riscv32/TapWalkerVirtualBoard.o"
text=$(size "$out/riscv32/TapWalkerCore.o" | awk 'NR==2 {print $1}')
echo "TapWalkerCore riscv32 code size: $text bytes of text"

echo "== x86_64-unknown-linux-gnu (embedded) end-to-end"
embedded_swift_object x86_64-unknown-linux-gnu "" "$out/host" TapWalkerCore "${core[@]}"
embedded_swift_object x86_64-unknown-linux-gnu "" "$out/host" TapWalkerSim "${sim[@]}"
embedded_swift_object x86_64-unknown-linux-gnu "" "$out/host" TapWalkerServices "${services[@]}"
embedded_swift_object x86_64-unknown-linux-gnu "" "$out/host" TapWalkerDevice "${device[@]}"
embedded_swift_object x86_64-unknown-linux-gnu "" "$out/host" TapWalkerVirtualBoard "${virtualboard[@]}"
clang -O2 -c embedded/check/meter.c -o "$out/host/meter.o"
swiftc -target x86_64-unknown-linux-gnu "${EMBEDDED_SWIFT_FLAGS[@]}" \
    -I "$out/host" -import-objc-header embedded/check/posix.h \
    embedded/check/*.swift "$out/host/TapWalkerCore.o" "$out/host/TapWalkerSim.o" "$out/host/TapWalkerServices.o" \
    "$out/host/TapWalkerDevice.o" "$out/host/TapWalkerVirtualBoard.o" \
    "$out/host/meter.o" $(embedded_meter_wraps) -lm -o "$out/host/embedded-check"
"$out/host/embedded-check" "$bitstream"
