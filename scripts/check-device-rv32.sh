#!/usr/bin/env bash
# Runs scripts/device-rv32/main.swift, which exercises TapWalkerDevice, on an emulated RV32 CPU:
# TapWalkerCore and TapWalkerDevice compiled in Embedded Swift for rv32imac (ESP32-C6 class),
# linked with picolibc (semihosting) by GNU ld, run by qemu-system-riscv32 on its virt machine
# with exact instruction counting. Needs the Debian packages qemu-system-misc,
# picolibc-riscv64-unknown-elf and gcc-riscv64-unknown-elf.
set -euo pipefail
cd "$(dirname "$0")/.."
out=.build/device-rv32
rm -rf "$out"
mkdir -p "$out"
for tool in qemu-system-riscv32 riscv64-unknown-elf-gcc; do
    command -v "$tool" >/dev/null || { echo "check-device-rv32: $tool is missing" >&2; exit 2; }
done
picolibc=/usr/lib/picolibc/riscv64-unknown-elf/lib
libgcc=$(dirname "$(riscv64-unknown-elf-gcc -march=rv32imac -mabi=ilp32 -print-libgcc-file-name)")
multilib=rv32imac/ilp32
[ -d "$picolibc/$multilib" ] || { echo "check-device-rv32: picolibc for $multilib is missing" >&2; exit 2; }

arch=(-Xcc -march=rv32imac_zicsr_zifencei -Xcc -mabi=ilp32)
flags=(-target riscv32-none-none-eabi -enable-experimental-feature Embedded -wmo -parse-as-library -Osize
       -Xfrontend -function-sections "${arch[@]}" -I "$out")
module() { # name sources...
    local name=$1
    shift
    swiftc "${flags[@]}" -module-name "$name" -emit-module -emit-module-path "$out/$name.swiftmodule" \
        -c -o "$out/$name.o" "$@"
}
# shellcheck disable=SC2046
module TapWalkerCore $(find Sources/TapWalkerCore -name '*.swift' | sort)
# shellcheck disable=SC2046
module TapWalkerDevice $(find Sources/TapWalkerDevice -name '*.swift' | sort)
if riscv64-unknown-elf-nm -u "$out/TapWalkerDevice.o" | grep -q '_swift_stdlib_'; then
    echo "check-device-rv32: TapWalkerDevice needs Swift's Unicode data tables (a String == or hash?)" >&2
    exit 1
fi
swiftc "${flags[@]}" -import-objc-header scripts/device-rv32/support.h -module-name DeviceCheck \
    -c -o "$out/check.o" scripts/device-rv32/main.swift

gcc=(riscv64-unknown-elf-gcc -march=rv32imac_zicsr_zifencei -mabi=ilp32)
"${gcc[@]}" --specs=picolibc.specs -Os -c -o "$out/support.o" scripts/device-rv32/support.c
"${gcc[@]}" -nostdlib -nostartfiles -T "$picolibc/picolibc.ld" \
    -Wl,--defsym=__flash=0x80000000 -Wl,--defsym=__flash_size=0x400000 \
    -Wl,--defsym=__ram=0x80400000 -Wl,--defsym=__ram_size=0x400000 -Wl,--gc-sections \
    -o "$out/device-check.elf" "$picolibc/$multilib/crt0-semihost.o" "$out/check.o" "$out/TapWalkerDevice.o" \
    "$out/TapWalkerCore.o" "$out/support.o" "$picolibc/$multilib/libc.a" "$picolibc/$multilib/libsemihost.a" \
    "$picolibc/$multilib/libc.a" "$libgcc/libgcc.a"
riscv64-unknown-elf-size "$out/device-check.elf"
timeout 300 qemu-system-riscv32 -M virt -cpu rv32 -bios none -kernel "$out/device-check.elf" -nographic \
    -semihosting-config enable=on,target=native -icount shift=0
