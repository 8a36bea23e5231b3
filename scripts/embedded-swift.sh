# Sourced by the scripts that compile Embedded Swift (check-embedded.sh, rv32-lane.sh,
# virtual-device.sh, tail-call-fence.sh): one place for the compiler flags and for the list of
# portable modules each build compiles (embedded/portable-modules.txt).
#
# embedded_swift_object TARGET MARCH DIR NAME ARGS...
#   Compiles one module (sources and extra swiftc flags in ARGS) in Embedded Swift to DIR/NAME.o and
#   DIR/NAME.swiftmodule. TARGET is a Swift target triple; MARCH is the RISC-V -march for
#   riscv32-none-none-eabi (ignored otherwise). riscv32 objects go through the tail-call fence,
#   scripts/tail-call-fence.sh (docs/compiler-bug.md), which the firmware's CMake runs too.

EMBEDDED_SWIFT_FLAGS=(-enable-experimental-feature Embedded -wmo -parse-as-library -Osize)

# ESP-IDF's idf_swift component compiles Swift for a RISC-V ESP32 with these flags (besides
# -target and EMBEDDED_SWIFT_FLAGS); the firmware build and this one must agree, and both get them
# from here through scripts/tail-call-fence.sh.
embedded_riscv_flags() { # MARCH [MABI]
    printf '%s\n' -Xcc "-march=$1" -Xcc "-mabi=${2:-ilp32}" -Xfrontend -function-sections -Xcc -fno-pic -Xcc -fno-pie
}

embedded_swift_object() { # TARGET MARCH DIR NAME ARGS...
    local target=$1 march=$2 dir=$3 name=$4
    shift 4
    if [[ $target == riscv32-* ]]; then
        bash "$(dirname "${BASH_SOURCE[0]}")/tail-call-fence.sh" -march="$march" -mabi=ilp32 -o "$dir/$name.o" \
            -I "$dir" -module-name "$name" -emit-module -emit-module-path "$dir/$name.swiftmodule" "$@"
    else
        swiftc -target "$target" "${EMBEDDED_SWIFT_FLAGS[@]}" -I "$dir" -module-name "$name" \
            -emit-module -emit-module-path "$dir/$name.swiftmodule" -c -o "$dir/$name.o" "$@"
    fi
}

# The portable modules (embedded/portable-modules.txt), in dependency order.
#   portable_modules BUILD   the modules BUILD (check, rv32, virtual, firmware) compiles
#   portable_sources MODULE  the module's Swift sources, sorted, relative to the repository's root
#                            (where the scripts run)
tapwalker_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
portable_modules_file=$tapwalker_root/embedded/portable-modules.txt
portable_modules() { # BUILD
    awk -v build="$1" '!/^#/ && NF >= 3 { for (i = 3; i <= NF; i++) if ($i == build) print $1 }' "$portable_modules_file"
}
portable_sources() { # MODULE
    local dir
    dir=$(awk -v m="$1" '!/^#/ && $1 == m { print $2 }' "$portable_modules_file")
    [[ -n $dir ]] || { echo "embedded-swift.sh: $1 is not in $portable_modules_file" >&2; return 1; }
    (cd "$tapwalker_root" && find "$dir" -name '*.swift' | sort)
}

# The test targets' fixtures that the embedded check shares (Tests/TapWalkerTestSupport, the ones
# without Foundation): the scripted connection, the clocks and the no-op mutex, compiled into the
# check as they are into the tests, so the two never drift apart.
embedded_test_support() {
    local f
    for f in ScriptedConnection TestClocks NoMutex; do
        printf '%s\n' "$tapwalker_root/Tests/TapWalkerTestSupport/$f.swift"
    done
}

# Linker flags that route the C library's allocator through the embedded check's counting
# allocator (embedded/check/meter.c), for swiftc (-Xlinker) links.
embedded_meter_wraps() {
    local f
    for f in malloc free calloc realloc posix_memalign aligned_alloc; do
        printf '%s\n' -Xlinker "--wrap=$f"
    done
}
