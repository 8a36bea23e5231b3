# Sourced by the scripts that compile Embedded Swift (check-embedded.sh, rv32-lane.sh): one place
# for the compiler flags and for the fence against the riscv32 tail-call miscompilation
# (docs/compiler-bug.md).
#
# embedded_swift_object TARGET MARCH DIR NAME ARGS...
#   Compiles one module (sources and extra swiftc flags in ARGS) in Embedded Swift to DIR/NAME.o and
#   DIR/NAME.swiftmodule. TARGET is a Swift target triple; MARCH is the RISC-V -march for
#   riscv32-none-none-eabi (ignored otherwise). riscv32 objects are compiled with the fence:
#   swiftc emits LLVM IR, every function gets "disable-tail-calls"="true", and the toolchain's
#   clang turns the IR into the object with the same CPU flags.

EMBEDDED_SWIFT_FLAGS=(-enable-experimental-feature Embedded -wmo -parse-as-library -Osize)

# ESP-IDF's idf_swift component compiles Swift for a RISC-V ESP32 with these flags (besides
# -target, -march and -mabi); the firmware build and this one must agree.
embedded_riscv_flags() { # MARCH
    printf '%s\n' -Xcc "-march=$1" -Xcc -mabi=ilp32 -Xfrontend -function-sections -Xcc -fno-pic -Xcc -fno-pie
}

# Adds "disable-tail-calls"="true" to every attribute group of an LLVM IR file (each function
# definition's attributes are one group), replacing an explicit "false".
fence_tail_calls() { # IR-FILE
    sed -i -E \
        -e 's/"disable-tail-calls"="false"/"disable-tail-calls"="true"/g' \
        -e '/"disable-tail-calls"="true"/! s/^(attributes #[0-9]+ = \{ )/\1"disable-tail-calls"="true" /' \
        "$1"
}

embedded_swift_object() { # TARGET MARCH DIR NAME ARGS...
    local target=$1 march=$2 dir=$3 name=$4
    shift 4
    if [[ $target == riscv32-* ]]; then
        local cpu
        mapfile -t cpu < <(embedded_riscv_flags "$march")
        swiftc -target "$target" "${cpu[@]}" "${EMBEDDED_SWIFT_FLAGS[@]}" -I "$dir" -module-name "$name" \
            -emit-module -emit-module-path "$dir/$name.swiftmodule" -emit-ir -o "$dir/$name.ll" "$@"
        fence_tail_calls "$dir/$name.ll"
        clang --target="$target" -march="$march" -mabi=ilp32 -Os -ffunction-sections -fno-pic \
            -Xclang -disable-llvm-passes -c "$dir/$name.ll" -o "$dir/$name.o"
        rm -f "$dir/$name.ll"
    else
        swiftc -target "$target" "${EMBEDDED_SWIFT_FLAGS[@]}" -I "$dir" -module-name "$name" \
            -emit-module -emit-module-path "$dir/$name.swiftmodule" -c -o "$dir/$name.o" "$@"
    fi
}

# Linker flags that route the C library's allocator through the embedded check's counting
# allocator (embedded/check/meter.c), for swiftc (-Xlinker) links.
embedded_meter_wraps() {
    local f
    for f in malloc free calloc realloc posix_memalign aligned_alloc; do
        printf '%s\n' -Xlinker "--wrap=$f"
    done
}
