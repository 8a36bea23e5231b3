#!/usr/bin/env bash
# The riscv32 tail-call fence (docs/compiler-bug.md): compiles one Swift module for
# riscv32-none-none-eabi the only way Swift 6.3.1 compiles it right, through LLVM IR. The one
# implementation, run by the shell lanes (scripts/embedded-swift.sh: check-embedded.sh, rv32-lane.sh)
# and by the firmware's CMake (firmware/esp32/cmake/TapWalkerSwift.cmake).
#
#   bash scripts/tail-call-fence.sh [--swiftc PATH] [--clang PATH] -march=ISA -mabi=ABI -o MODULE.o \
#       SWIFTC-ARGUMENTS...
#
# SWIFTC-ARGUMENTS are the module's own: -module-name, sources, -I, -emit-module-path, a bridging
# header, -D conditions. The flags every Embedded Swift module gets (EMBEDDED_SWIFT_FLAGS) and
# idf_swift's riscv32 flags (embedded_riscv_flags) come from scripts/embedded-swift.sh.
#   1. swiftc -emit-ir writes the module's optimised IR;
#   2. every function definition must carry an attribute group, or the build fails: a function
#      without one could not be fenced, and a firmware that may be miscompiled is not built;
#      then every attribute group gets "disable-tail-calls"="true" (an explicit "false" replaced);
#   3. the Swift toolchain's own clang (the LLVM that wrote the IR; --clang, by default the one
#      of swiftc's toolchain) generates the object, flags below.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
source "$here/embedded-swift.sh"

usage="usage: bash scripts/tail-call-fence.sh [--swiftc PATH] [--clang PATH] -march=ISA -mabi=ABI -o MODULE.o SWIFTC-ARGUMENTS..."
swiftc=swiftc clang="" march="" mabi="" obj=""
while [[ $# -gt 0 ]]; do
    case $1 in
        --swiftc) swiftc=$2; shift 2 ;;
        --clang) clang=$2; shift 2 ;;
        -march=*) march=${1#-march=}; shift ;;
        -mabi=*) mabi=${1#-mabi=}; shift ;;
        -o) obj=$2; shift 2 ;;
        *) break ;;
    esac
done
[[ -n $march && -n $mabi && -n $obj && $# -gt 0 ]] || { echo "$usage" >&2; exit 2; }
if [[ -z $clang ]]; then
    # The toolchain's resource directory is usr/lib/swift; its clang is in usr/bin. swiftc on
    # PATH may be a proxy (swiftly) in a directory without clang, so swiftc itself is asked.
    resource=$("$swiftc" -print-target-info -target riscv32-none-none-eabi |
        sed -n 's/.*"runtimeResourcePath": *"\([^"]*\)".*/\1/p' | head -1)
    clang=$resource/../../bin/clang
    [[ -x $clang ]] || { echo "tail-call-fence: no clang in the Swift toolchain ($clang)" >&2; exit 1; }
fi

ll=${obj%.o}.ll
fenced=${obj%.o}.fenced.ll
trap 'rm -f "$ll" "$fenced"' EXIT
mapfile -t cpu < <(embedded_riscv_flags "$march" "$mabi")
"$swiftc" -target riscv32-none-none-eabi "${cpu[@]}" "${EMBEDDED_SWIFT_FLAGS[@]}" -emit-ir -o "$ll" "$@"

# Step 2. A definition names its attribute group as " #N " after its parameters ("define ...
# (...) #3 {", or "#3 section ... {"); one without could not be fenced by editing the groups.
unfenced=$(grep -E '^define ' "$ll" | grep -vE '\) [^{]*#[0-9]+[^{]*\{$| #[0-9]+ ' || true)
if [[ -n $unfenced ]]; then
    echo "tail-call-fence: $obj: $(grep -c . <<<"$unfenced") function definition(s) without an attribute group; the fence cannot be applied to them:" >&2
    head -3 <<<"$unfenced" >&2
    exit 1
fi
sed -E -e 's/ "disable-tail-calls"="[a-z]*"//g' \
    -e 's/^(attributes #[0-9]+ = \{ )/\1"disable-tail-calls"="true" /' "$ll" > "$fenced"
functions=$(grep -c '^define ' "$fenced" || true)
groups=$(grep -c '^attributes #' "$fenced" || true)
if [[ $(grep -c '^attributes #[0-9]* = { "disable-tail-calls"="true" ' "$fenced" || true) != "$groups" ]]; then
    echo "tail-call-fence: $obj: an attribute group was left without \"disable-tail-calls\"=\"true\"" >&2
    exit 1
fi

# Step 3. -disable-llvm-passes: swiftc already optimised the IR at -Osize, so clang only generates
# code (no LLVM pass runs again: the object is swiftc's own but for the tail calls; clang also
# spells this -disable-llvm-optzns, the same option). -Os for the code generator, as swiftc's
# -Osize; -ffunction-sections and -fdata-sections as ESP-IDF compiles its C, so the image's
# --gc-sections drops what app_main never reaches; -fno-pic as idf_swift's flags.
"$clang" --target=riscv32-none-none-eabi -march="$march" -mabi="$mabi" -Os -Xclang -disable-llvm-passes \
    -fno-pic -ffunction-sections -fdata-sections -c "$fenced" -o "$obj"
echo "tail-call fence: $functions functions, $groups attribute groups fenced in $(basename "$obj")"
