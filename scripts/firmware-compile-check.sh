#!/usr/bin/env bash
# Compile-checks the ESP32 firmware, its C board support and its Swift modules, against the real
# ESP-IDF headers and Kconfig, for the ESP32-C3, ESP32-C6 and ESP32-P4, without Espressif's
# toolchain. A development aid: it needs an ESP-IDF source tree and the idf-compile-check tool,
# neither of which CI can fetch, so scripts/test.sh does not run it.
#
#   scripts/firmware-compile-check.sh [--swift-pipeline] IDF_PATH [IDF_SWIFT_DIR]
#
# IDF_PATH       an ESP-IDF tree (components/, tools/, Kconfig; lwip checked out)
# IDF_SWIFT_DIR  the idf_swift component's source, so its CMake is evaluated like the registry
#                copy would be (optional: without it the tool warns that it is missing)
# Env: IDF_COMPILE_CHECK  the checker (default: idf-compile-check.sh on PATH)
#      TARGETS            default "esp32c3 esp32c6 esp32p4"
#
# For each chip:
# 1. firmware/esp32/cmake/TapWalkerSwift.cmake runs the way main/CMakeLists.txt calls it inside
#    IDF, with a stand-in for IDF's component registration (the include path and -march/-mabi
#    come from the checker): the portable modules marked "firmware" in
#    embedded/portable-modules.txt and the firmware module (main/*.swift plus the shared
#    embedded/bsd/*.swift) go through scripts/tail-call-fence.sh (swiftc -emit-ir, the fence,
#    clang).
# 2. The checker compiles every main/*.c (Clang, and GCC when available) with IDF's flags and
#    include path, and the firmware module's Swift files with idf_swift's flags through
#    BridgingHeader.h, importing the modules of step 1.
#    Debian's picolibc stands in for Espressif's C library; scripts/firmware-check-libc/ adds the
#    two headers it lacks (pthread.h, sys/dirent.h) with the POSIX calls the firmware makes.
#    On the ESP32-C3 the C files are checked once more with sdkconfig.defaults.emulation added
#    (the emulated chip's build: bsp_eth.c instead of bsp_wifi.c).
# 3. The sdkconfig generated from sdkconfig.defaults(+.<target>) must hold the values the
#    firmware relies on (main task stack, partition table, FAT volumes, stack checking; on the P4
#    the C6 slave, esp_hosted, PSRAM, pthreads on core 0).
# --swift-pipeline adds: no fenced object may tail-jump anywhere except into the machine
# outliner's OUTLINED_FUNCTION_* and memcpy/memset/memmove (none of which return a value through
# memory), and app_main must be defined.
# Linking, linker fragments, IRAM placement and the registry components (esp_hosted) are only
# checked by a real `idf.py build` (.github/workflows/firmware.yml). About a minute per chip.
set -euo pipefail
pipeline=0
if [[ ${1:-} == --swift-pipeline ]]; then pipeline=1; shift; fi
[[ $# -ge 1 ]] || { sed -n 2,35p "$0"; exit 2; }
idf=$1
idf_swift=${2:-}
cd "$(dirname "$0")/.."
check=${IDF_COMPILE_CHECK:-$(command -v idf-compile-check.sh || true)}
[[ -n "$check" && -x "$check" ]] || { echo "firmware-compile-check: set IDF_COMPILE_CHECK to idf-compile-check.sh" >&2; exit 2; }
cmake=$(command -v cmake || true)
[[ -n "$cmake" ]] || cmake=${XDG_CACHE_HOME:-$HOME/.cache}/idf-compile-check/venv/bin/cmake
[[ -x "$cmake" ]] || { echo "firmware-compile-check: cmake not found" >&2; exit 2; }
repo=$(pwd)
main=firmware/esp32/main
extra=()
[[ -n "$idf_swift" ]] && extra=(--extra-components "$idf_swift")
# With a RISC-V GCC on PATH the C files are also compiled by GCC (IDF builds with GCC; some IDF
# headers only compile with one of the two when included in a particular order).
command -v riscv64-unknown-elf-gcc >/dev/null 2>&1 && extra+=(--gcc)
# Declarations that Espressif's C library has and Debian's picolibc (the checker's libc) lacks:
# <pthread.h> and DIR/struct dirent. Searched after IDF's own headers; see the files' comments.
extra+=(-I scripts/firmware-check-libc)
# IDF defines ESP_PLATFORM for C; TapWalkerSwift.cmake gives it to Swift's Clang importer too.
extra+=(-D ESP_PLATFORM)
# The firmware module's sources, as main/CMakeLists.txt gathers them.
files=("$main"/*.c "$main"/*.swift)
shopt -s nullglob
files+=(embedded/bsd/*.swift)
shopt -u nullglob
files+=("$main/BridgingHeader.h")
# The main task's stack as sdkconfig.defaults sets it (the check below makes sure IDF took it).
main_stack=$(sed -n 's/^CONFIG_ESP_MAIN_TASK_STACK_SIZE=//p' firmware/esp32/sdkconfig.defaults)

# ------------------------------------------------------------------ Swift modules
# Builds the Swift modules for chip $1 in a new directory $work; sets $swiftc and $modules (the
# directory holding their .swiftmodule and .o files). Returns non-zero on failure.
swift_modules() {
    local target=$1 swift_line words march="" mabi="" includes=() system=() i w
    work=$(mktemp -d)
    swift_line=$("$check" --print-flags --component-dir "$main" "${extra[@]}" \
        --sdkconfig-defaults firmware/esp32/sdkconfig.defaults "$idf" "$target" 2>/dev/null | grep -m1 '/swiftc ')
    read -r -a words <<< "$swift_line"
    swiftc=${words[0]}
    for ((i = 1; i < ${#words[@]}; i++)); do
        w=${words[i]}
        case $w in
            -march=*) march=$w ;;
            -mabi=*) mabi=$w ;;
            -I*) includes+=("${w#-I}") ;;
            -isystem) system+=("${words[i + 2]}") ;; # -Xcc -isystem -Xcc DIR
        esac
    done
    # The C library's directories last, as -isystem puts them: searched after every -I.
    includes+=("${system[@]}")
    [[ -n "$march" && -n "$mabi" && ${#includes[@]} -gt 0 ]] || { echo "FAIL  could not read the Swift flags for $target" >&2; return 1; }
    echo "" > "$work/empty.c"
    cat > "$work/CMakeLists.txt" <<CMAKE
cmake_minimum_required(VERSION 3.22)
project(tapwalker_swift_pipeline C)
set(CMAKE_Swift_COMPILER "$swiftc")
function(extract_riscv_flags out)
    set(\${out} "-Xcc $march -Xcc $mabi" PARENT_SCOPE)
endfunction()
# Stand-in for IDF: the component library with the include path IDF would give it.
macro(idf_component_register)
    add_library(__idf_main STATIC "$work/empty.c")
    set(COMPONENT_LIB __idf_main)
    target_include_directories(__idf_main PRIVATE ${includes[*]})
endmacro()
include("$repo/$main/CMakeLists.txt")
CMAKE
    modules=$work/build/swift
    if "$cmake" -S "$work" -B "$work/build" -G "Unix Makefiles" > "$work/configure.log" 2>&1 &&
       "$cmake" --build "$work/build" -j 2 > "$work/build.log" 2>&1; then
        echo "ok    Swift modules through the tail-call fence: $(cd "$modules" && echo *.o)"
        grep -h "^tail-call fence:" "$work/build.log" | sed 's/^/      /' || true
        return 0
    fi
    echo "FAIL  Swift modules for $target (logs in $work)" >&2
    tail -30 "$work/configure.log" "$work/build.log" 2>/dev/null >&2 || true
    work=""
    return 1
}

# Tail jumps (auipc t1 + jr t1) in `llvm-objdump -dr` output whose target is neither the outliner
# nor a mem* libcall, one "function -> target" per line.
tail_jumps() {
    awk '/^[0-9a-f]+ <.*>:$/ { fn = $2 }
         /auipc\tt1,/ { pending = 1; next }
         pending && /R_RISCV_CALL_PLT/ { target = $NF; next }
         pending && /R_RISCV_RELAX/ { next }
         pending && /jr\tt1/ {
             if (target !~ /^(OUTLINED_FUNCTION_[0-9]+|memcpy|memset|memmove)$/) print fn " -> " target
             pending = 0; next }
         { pending = 0 }'
}

tail_jump_check() {
    local objdump o bad text size
    objdump="$(dirname "$swiftc")/llvm-objdump"
    for o in "$modules"/*.o; do
        bad=$("$objdump" -dr --no-show-raw-insn "$o" | tail_jumps)
        if [[ -n "$bad" ]]; then
            echo "FAIL  $(basename "$o"): tail jumps left after the fence:" >&2
            echo "$bad" | head -5 >&2
            failed=1
        else
            text=0
            while read -r size; do text=$((text + 0x$size)); done < <("$objdump" -h "$o" | awk '$2 ~ /^\.text/ { print $3 }')
            echo "ok    $(basename "$o"): no tail jumps but the outliner's and mem*'s, $text bytes of text"
        fi
    done
    # grep reads all of nm's output (no -q): with pipefail, nm cut off by an early exit would
    # fail the pipeline.
    if "$(dirname "$swiftc")/llvm-nm" "$modules/TapWalkerFirmware.o" | grep " T app_main$" > /dev/null; then
        echo "ok    app_main defined"
    else
        echo "FAIL  app_main not defined" >&2; failed=1
    fi
    # What of the Swift code the firmware keeps: the objects linked alone from app_main with
    # unused sections dropped, as IDF's link does (--gc-sections; IDF's own symbols left
    # unresolved). A figure to hold against the app partition, not a check.
    local elf=$work/swift-only.elf kept=0
    if "$(dirname "$swiftc")/ld.lld" -m elf32lriscv --gc-sections --no-relax -e app_main \
            --unresolved-symbols=ignore-all -o "$elf" "$modules"/*.o 2> "$work/lld.log"; then
        while read -r size; do kept=$((kept + 0x$size)); done < <("$objdump" -h "$elf" | awk '$2 ~ /^\.(text|rodata)/ { print $3 }')
        echo "      Swift code and constants kept from app_main: $kept bytes (.text and .rodata)"
    fi
}
failed=0
# The Swift modules for one chip through TapWalkerSwift.cmake (defined below); sets $modules to
# the directory holding their .swiftmodule and .o files, or returns non-zero.
modules=""

for target in ${TARGETS:-esp32c3 esp32c6 esp32p4}; do
    echo "== $target"
    # main/*.swift import the portable modules, so they are built for this chip first (through the
    # tail-call fence, as in the firmware build) and the checker's swiftc is pointed at them.
    checked=("${files[@]}")
    compiler=()
    if swift_modules "$target"; then
        wrapper=$work/swiftc-with-modules
        printf '#!/bin/sh\nexec %q -I %q "$@"\n' "$swiftc" "$modules" > "$wrapper"
        chmod +x "$wrapper"
        compiler=(env "SWIFTC=$wrapper")
    else
        failed=1
        checked=("$main"/*.c)  # the C files can still be checked
    fi
    # The chip's network glue is bsp_wifi.c; bsp_eth.c is the emulation's (checked below).
    for i in "${!checked[@]}"; do [[ ${checked[i]} == "$main/bsp_eth.c" ]] && unset 'checked[i]'; done
    log=$(mktemp)
    if ! "${compiler[@]}" "$check" --component-dir "$main" "${extra[@]}" \
            --sdkconfig-defaults firmware/esp32/sdkconfig.defaults \
            "$idf" "$target" "${checked[@]}" 2>&1 | tee "$log"; then
        failed=1
    fi
    # The emulated ESP32-C3 (docs/firmware.md): the same C with sdkconfig.defaults.emulation
    # added, where main/CMakeLists.txt builds bsp_eth.c (OpenCores Ethernet) instead of bsp_wifi.c.
    if [[ $target == esp32c3 ]]; then
        echo "-- $target, emulation configuration (sdkconfig.defaults.emulation)"
        emulated=()
        for f in "$main"/*.c; do [[ $f == "$main/bsp_wifi.c" ]] || emulated+=("$f"); done
        "$check" --component-dir "$main" "${extra[@]}" \
            --sdkconfig-defaults firmware/esp32/sdkconfig.defaults \
            --sdkconfig-defaults firmware/esp32/sdkconfig.defaults.emulation \
            "$idf" "$target" "${emulated[@]}" || failed=1
    fi
    # The summary line names the generated sdkconfig.h: check the settings the firmware needs.
    config=$(sed -n 's/.*, \(\/[^;]*sdkconfig\.h\);.*/\1/p' "$log" | tail -1)
    rm -f "$log"
    if [[ -z "$config" || ! -f "$config" ]]; then
        echo "firmware-compile-check: $target: no sdkconfig.h found in the checker's summary" >&2
        failed=1
    else
        expect=(
            "CONFIG_ESP_MAIN_TASK_STACK_SIZE $main_stack"
            "CONFIG_PARTITION_TABLE_CUSTOM 1"
            "CONFIG_BOOTLOADER_APP_ROLLBACK_ENABLE 1"
            "CONFIG_FATFS_VOLUME_COUNT 2"
            "CONFIG_COMPILER_STACK_CHECK_MODE_NORM 1"
        )
        [[ $target == esp32p4 ]] && expect+=("CONFIG_SLAVE_IDF_TARGET_ESP32C6 1" "CONFIG_ESP_WIFI_REMOTE_LIBRARY_HOSTED 1" "CONFIG_SPIRAM 1" "CONFIG_PTHREAD_TASK_CORE_DEFAULT 0")
        for e in "${expect[@]}"; do
            if grep -qx "#define $e" "$config"; then
                echo "ok    sdkconfig $e"
            else
                echo "FAIL  sdkconfig $e" >&2
                failed=1
            fi
        done
    fi
    if [[ $pipeline == 1 && -n "$work" ]]; then tail_jump_check; fi
    [[ -n "$work" ]] && rm -rf "$work"
done
exit $failed
