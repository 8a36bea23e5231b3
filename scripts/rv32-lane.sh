#!/usr/bin/env bash
# The rv32 lane (docs/rv32-lane.md): builds the portable modules (embedded/portable-modules.txt, the
# build "rv32"), the embedded check (embedded/check) and the device check (embedded/device-check)
# in Embedded Swift with ESP-IDF's CPU flags for the ESP32-C3 and the ESP32-C6, links them against
# picolibc, and runs them on an emulated RV32 CPU (QEMU's virt machine, bitstreams read from the
# host by semihosting). Fails unless each run programs the 85F to DONE with the configuration
# digest of the x86_64 embedded run, passes every step of both checks, and keeps every job within
# its heap, stack and instructions-per-TCK-bit budgets. Prints TapWalker's own instructions per
# shifted TCK bit, next to the x86_64 figure from callgrind. First builds and runs the compiler-bug
# reproducer (embedded/rv32/compiler-bug) without and with the fence. The device check runs the
# device application's console `prog` and `flash` of the compressed 25F through PinJTAGCable.
# TAPWALKER_BUDGETS=report prints the budgets without failing on them.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/embedded-swift.sh

# What the lane needs from Debian, installed when missing.
picolibc=/usr/lib/picolibc/riscv64-unknown-elf
libgcc_dir=/usr/lib/gcc/riscv64-unknown-elf
missing=()
command -v qemu-system-riscv32 >/dev/null || missing+=(qemu-system-misc)
[ -f "$picolibc/lib/rv32im/ilp32/crt0-semihost.o" ] || missing+=(picolibc-riscv64-unknown-elf)
compgen -G "$libgcc_dir/*/rv32im/ilp32/libgcc.a" >/dev/null || missing+=(gcc-riscv64-unknown-elf)
# binutils' size and nm read riscv32 objects as generic little-endian ELF.
{ command -v size && command -v nm; } >/dev/null || missing+=(binutils)
# valgrind's callgrind.h must be there when the x86_64 check is compiled (embedded/check/meter.c).
rebuild_host=false
command -v valgrind >/dev/null || { missing+=(valgrind); rebuild_host=true; }
if [ ${#missing[@]} -gt 0 ]; then
    apt-get update -qq && apt-get install -y -qq "${missing[@]}" >/dev/null
fi
# picolibc's rv32im/ilp32 multilib (and libgcc's) serve rv32imc and rv32imac code: same ABI, and
# the C library's own code needs neither compressed nor atomic instructions.
libs=$picolibc/lib/rv32im/ilp32
libgcc=$(compgen -G "$libgcc_dir/*/rv32im/ilp32/libgcc.a" | head -1)

out=.build/rv32
rm -rf "$out"
mkdir -p "$out"
bitstream=Examples/blink-85f.bit
compressed=Examples/blink-25f-compressed.bit
budgets=()
[ "${TAPWALKER_BUDGETS:-enforce}" = report ] && budgets=(--budgets=report)

c_object() { # MARCH SOURCE OUTPUT
    clang --target=riscv32-none-none-eabi -march="$1" -mabi=ilp32 -Os -ffunction-sections \
        -isystem "$picolibc/include" -c "$2" -o "$3"
}

link() { # OUTPUT OBJECTS...
    local output=$1
    shift
    ld.lld -T embedded/rv32/qemu-virt.ld --gc-sections -o "$output" "$libs/crt0-semihost.o" "$@" \
        --wrap=malloc --wrap=free --wrap=calloc --wrap=realloc --wrap=posix_memalign --wrap=aligned_alloc \
        --start-group "$libs/libc.a" "$libs/libsemihost.a" "$libgcc" --end-group
}

# QEMU's RV32 CPU with the chip's extensions: the C3 has no A, the C6 has it; neither has F or D.
# -icount shift=0 makes one instruction one tick, so that minstret counts instructions exactly.
# The program's output (semihosting) comes out on QEMU's standard error.
run() { # CPU-OPTIONS ELF ARGS...
    local cpu=$1 elf=$2
    shift 2
    # picolibc's crt0-semihost puts its own argv[0] before the arguments given here.
    local semihosting=enable=on,target=native a
    for a in "$@"; do semihosting+=,arg=$a; done
    qemu-system-riscv32 -M virt -m 64M -cpu "rv32,$cpu" -bios none -nographic -icount shift=0 \
        -semihosting-config "$semihosting" -kernel "$elf"
}

# The x86_64 embedded run gives the reference digest: scripts/check-embedded.sh's build, made
# again here when it is missing or older than a source.
host=.build/embedded/host/embedded-check
mapfile -t modules < <(portable_modules rv32)
mapfile -t module_dirs < <(awk '!/^#/ && NF >= 3 {print $2}' "$portable_modules_file")
if [ ! -x "$host" ] || $rebuild_host ||
    [ -n "$(find "${module_dirs[@]}" embedded/check "$portable_modules_file" -newer "$host" -print -quit)" ]; then
    bash scripts/check-embedded.sh >/dev/null
fi
host_log=$out/host.log
"$host" --budgets=report "$bitstream" "$compressed" > "$host_log"
host_digest=$(grep -oE 'DONE true, [0-9]+ TCK cycles, digest 0x[0-9a-f]+' "$host_log" | head -1 | grep -oE '0x[0-9a-f]+$')
echo "x86_64 embedded run: digest $host_digest"
grep -E 'embedded-check: job ' "$host_log" | sed 's/^embedded-check:/x86_64:/'

chips=(c3 c6)
declare -A march=([c3]=rv32imc_zicsr_zifencei [c6]=rv32imac_zicsr_zifencei)
declare -A cpu=([c3]=a=false,f=false,d=false [c6]=f=false,d=false)

echo "== compiler bug (docs/compiler-bug.md)"
bug=embedded/rv32/compiler-bug
for chip in "${chips[@]}"; do
    dir=$out/compiler-bug-$chip
    mkdir -p "$dir/plain" "$dir/fenced"
    c_object "${march[$chip]}" "$bug/fill.c" "$dir/fill.o"
    c_object "${march[$chip]}" embedded/rv32/atomics.c "$dir/atomics.o"
    mapfile -t flags < <(embedded_riscv_flags "${march[$chip]}")
    swiftc -target riscv32-none-none-eabi "${flags[@]}" "${EMBEDDED_SWIFT_FLAGS[@]}" \
        -import-objc-header "$bug/fill.h" -c "$bug/reproducer.swift" -o "$dir/plain/reproducer.o"
    embedded_swift_object riscv32-none-none-eabi "${march[$chip]}" "$dir/fenced" reproducer \
        -import-objc-header "$bug/fill.h" "$bug/reproducer.swift"
    for kind in plain fenced; do
        c_object "${march[$chip]}" embedded/check/meter.c "$dir/meter.o"
        link "$dir/$kind.elf" "$dir/$kind/reproducer.o" "$dir/fill.o" "$dir/atomics.o" "$dir/meter.o"
    done
    if run "${cpu[$chip]}" "$dir/plain.elf" 2>&1 | tr -d '\r'; then
        echo "$chip: swiftc $(swiftc --version 2>&1 | grep -oE 'Swift version [^ ]+' | head -1) without the fence: correct (this toolchain no longer has the bug)"
    else
        echo "$chip: swiftc without the fence: MISCOMPILED (the bug is present; the fence is needed)"
    fi
    if ! run "${cpu[$chip]}" "$dir/fenced.elf" 2>&1 | tr -d '\r'; then
        echo "$chip: FAILED: the reproducer is still wrong with the fence"
        exit 1
    fi
    echo "$chip: with the fence: correct"
done

build() { # CHIP
    local chip=$1 dir=$out/$1 m=${march[$1]} module sources objects=()
    mkdir -p "$dir"
    for module in "${modules[@]}"; do
        mapfile -t sources < <(portable_sources "$module")
        embedded_swift_object riscv32-none-none-eabi "$m" "$dir" "$module" "${sources[@]}"
        objects+=("$dir/$module.o")
    done
    # TapWalkerDevice compares and hashes bytes, never Strings: a String == or hash would pull
    # Swift's Unicode data tables into the firmware.
    local tables
    tables=$(nm -u "$dir/TapWalkerDevice.o" | { grep -oE '_swift_stdlib_[A-Za-z0-9_]+' || true; } | sort -u | tr '\n' ' ')
    if [ -n "$tables" ]; then
        echo "$chip: FAILED: TapWalkerDevice needs Swift's Unicode data tables: $tables"
        return 1
    fi
    embedded_swift_object riscv32-none-none-eabi "$m" "$dir" EmbeddedCheck \
        -Xcc -isystem -Xcc "$picolibc/include" -import-objc-header embedded/check/posix.h embedded/check/*.swift $(embedded_test_support)
    c_object "$m" embedded/check/meter.c "$dir/meter.o"
    c_object "$m" embedded/rv32/atomics.c "$dir/atomics.o"
    link "$dir/embedded-check.elf" "$dir/EmbeddedCheck.o" "${objects[@]}" "$dir/meter.o" "$dir/atomics.o"
    # The device check uses the embedded check's metered virtual board (TapWalkerVirtualBoard).
    embedded_swift_object riscv32-none-none-eabi "$m" "$dir" DeviceCheck \
        -Xcc -isystem -Xcc "$picolibc/include" -import-objc-header embedded/check/posix.h embedded/device-check/*.swift \
        embedded/check/meteredboard.swift
    link "$dir/device-check.elf" "$dir/DeviceCheck.o" "${objects[@]}" "$dir/meter.o" "$dir/atomics.o"
}

echo "== building for ${chips[*]}"
pids=()
for chip in "${chips[@]}"; do
    build "$chip" > "$out/build-$chip.log" 2>&1 &
    pids+=($!)
done
built=true
for i in "${!pids[@]}"; do
    if ! wait "${pids[$i]}"; then
        cat "$out/build-${chips[$i]}.log"
        echo "${chips[$i]}: FAILED: the build"
        built=false
    fi
done
$built || exit 1

status=0
for chip in "${chips[@]}"; do
    echo "== ESP32-${chip^^} (${march[$chip]}) on qemu-system-riscv32"
    size "$out/$chip/embedded-check.elf" | awk 'NR==2 {print "image: " $1 " bytes of text, " $2 " data, " $3 " bss"}'
    log=$out/$chip.log
    set +e
    run "${cpu[$chip]}" "$out/$chip/embedded-check.elf" "${budgets[@]}" "$bitstream" "$compressed" 2>&1 | tr -d '\r' | tee "$log"
    code=${PIPESTATUS[0]}
    set -e
    digest=$(grep -oE 'DONE true, [0-9]+ TCK cycles, digest 0x[0-9a-f]+' "$log" | head -1 | grep -oE '0x[0-9a-f]+$' || true)
    if [ "$digest" != "$host_digest" ]; then
        echo "$chip: FAILED: configuration digest ${digest:-none}, the x86_64 run's is $host_digest"
        status=1
    else
        echo "$chip: digest $digest equals the x86_64 run's"
    fi
    pins_digest=$(grep -oE 'pins\+SPI: DONE true, [0-9]+ TCK cycles, digest 0x[0-9a-f]+' "$log" | grep -oE '0x[0-9a-f]+$' || true)
    if [ "$pins_digest" != "$host_digest" ]; then
        echo "$chip: FAILED: PinJTAGCable over the virtual pins and SPI: digest ${pins_digest:-none}, the x86_64 run's is $host_digest"
        status=1
    else
        echo "$chip: PinJTAGCable over the virtual pins and SPI: digest $pins_digest equals the x86_64 run's"
    fi
    if [ "$code" -ne 0 ]; then
        echo "$chip: FAILED: the check exited with $code"
        status=1
    fi
    size "$out/$chip/device-check.elf" | awk 'NR==2 {print "device check image: " $1 " bytes of text, " $2 " data, " $3 " bss"}'
    set +e
    run "${cpu[$chip]}" "$out/$chip/device-check.elf" "$compressed" 2>&1 | tr -d '\r' | tee "$out/$chip-device.log"
    code=${PIPESTATUS[0]}
    set -e
    if [ "$code" -ne 0 ]; then
        echo "$chip: FAILED: the device check exited with $code"
        status=1
    fi
done

echo "== x86_64 figure: instructions per TCK bit under callgrind, the simulator's and the file reads' excluded"
cg=$out/callgrind
mkdir -p "$cg"
valgrind --tool=callgrind --callgrind-out-file="$cg/out" "$host" --budgets=report "$bitstream" "$compressed" >/dev/null 2>"$cg/valgrind.log"
for job in "SRAM load 85F" "SRAM load 25F compressed"; do
    file=$(grep -lx "desc: Trigger: Client Request: $job" "$cg"/out.* 2>/dev/null | head -1 || true)
    if [ -z "$file" ]; then
        echo "x86_64 job $job: no callgrind figure (the check was compiled without valgrind's callgrind.h)" | tee -a "$out/x86_64-figures.log"
        continue
    fi
    ir=$(awk '/^(summary|totals):/ {print $2; exit}' "$file")
    bits=$(grep -F "job $job:" "$host_log" | grep -oE '[0-9]+ TCK bits' | grep -oE '[0-9]+')
    echo "x86_64 job $job: $ir instructions of its own, $(awk -v a="$ir" -v b="$bits" 'BEGIN {printf "%.2f", a / b}') per TCK bit" | tee -a "$out/x86_64-figures.log"
done

echo "== summary: TapWalker's own instructions per shifted TCK bit (simulator and file reads excluded); heap and stack peaks"
per_bit() { # LOG JOB
    grep -F "job $2:" "$1" | grep -oE '[0-9.]+ per TCK bit' | grep -oE '^[0-9.]+' || echo "?"
}
peaks() { # LOG JOB
    grep -F "job $2:" "$1" | grep -oE 'heap [0-9]+ B|stack [0-9]+ B' | tr '\n' ' ' || true
}
for job in "SRAM load 85F" "SRAM load 25F compressed"; do
    line="$job:"
    for chip in "${chips[@]}"; do line+=" ESP32-${chip^^} $(per_bit "$out/$chip.log" "$job") ($(peaks "$out/$chip.log" "$job"| sed 's/ $//')),"; done
    echo "$line x86_64 $(grep -F "x86_64 job $job:" "$out/x86_64-figures.log" | grep -oE '[0-9.]+ per TCK bit' | grep -oE '^[0-9.]+' || echo "?") (callgrind)"
done
# PinJTAGCable: the cable's own instructions with the virtual pins and SPI master excluded.
per_byte() { # LOG JOB
    grep -F "job $2:" "$1" | grep -oE '[0-9.]+ per byte' | grep -oE '^[0-9.]+' || echo "?"
}
line="PinJTAGCable, 85F through GPIO and SPI (bulk path), per byte:"
for chip in "${chips[@]}"; do line+=" ESP32-${chip^^} $(per_byte "$out/$chip.log" "SRAM load 85F pins+SPI") ($(peaks "$out/$chip.log" "SRAM load 85F pins+SPI" | sed 's/ $//')),"; done
echo "${line%,}"
line="PinJTAGCable, 25F compressed by GPIO only (bit-level path), per TCK bit:"
for chip in "${chips[@]}"; do line+=" ESP32-${chip^^} $(per_bit "$out/$chip.log" "SRAM load 25F compressed pins") ($(peaks "$out/$chip.log" "SRAM load 25F compressed pins" | sed 's/ $//')),"; done
echo "${line%,}"
line="device check, login with a 1000-iteration PBKDF2 hash, instructions:"
for chip in "${chips[@]}"; do
    line+=" ESP32-${chip^^} $(grep -F 'PBKDF2' "$out/$chip-device.log" | grep -oE '[0-9]+ instructions' | grep -oE '^[0-9]+' || echo "?"),"
done
echo "${line%,}"
# The device application's console jobs through PinJTAGCable on the virtual pins (application figures).
for job in "prog blink.bit" "flash blink.bit 0x000000"; do
    line="device application, console $job (25F compressed), heap and own instructions:"
    for chip in "${chips[@]}"; do
        figures=$(grep -F "device application $job:" "$out/$chip-device.log" | grep -oE 'heap [0-9]+ B|[0-9]+ instructions of its own' | sed 's/ of its own//' | tr '\n' ' ' | sed 's/ $//' || true)
        line+=" ESP32-${chip^^} ${figures:-?},"
    done
    echo "${line%,}"
done
exit "$status"
