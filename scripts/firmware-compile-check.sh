#!/usr/bin/env bash
# Compile-checks the ESP32 firmware's C board support and its Swift entry module against the real
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
# What passing means: every bsp_*.c compiles (Clang, and GCC when available) with IDF's flags and include path for the chip,
# Main.swift type-checks and compiles with idf_swift's flags through BridgingHeader.h, and the
# sdkconfig generated from sdkconfig.defaults(+.<target>) holds the values the firmware relies on.
# Linking, linker fragments, IRAM placement and the registry components (esp_hosted) are only
# checked by a real `idf.py build` (.github/workflows/firmware.yml).
#
# --swift-pipeline also runs firmware/esp32/cmake/TapWalkerSwift.cmake for each chip, the way
# main/CMakeLists.txt calls it inside IDF, with a stand-in for IDF's component registration (the
# include path and -march/-mabi come from the checker): TapWalkerCore, TapWalkerServices,
# TapWalkerDevice (if present) and main/*.swift go through swiftc -emit-ir, the tail-call fence
# and clang. It then requires that no fenced object tail-jumps anywhere except into the machine
# outliner's OUTLINED_FUNCTION_* and memcpy/memset/memmove (none of which return a value through
# memory), and that app_main is defined. Takes a few minutes per chip.
set -euo pipefail
pipeline=0
if [[ ${1:-} == --swift-pipeline ]]; then pipeline=1; shift; fi
[[ $# -ge 1 ]] || { sed -n 2,30p "$0"; exit 2; }
idf=$1
idf_swift=${2:-}
cd "$(dirname "$0")/.."
check=${IDF_COMPILE_CHECK:-$(command -v idf-compile-check.sh || true)}
[[ -n "$check" && -x "$check" ]] || { echo "firmware-compile-check: set IDF_COMPILE_CHECK to idf-compile-check.sh" >&2; exit 2; }
main=firmware/esp32/main
extra=()
[[ -n "$idf_swift" ]] && extra=(--extra-components "$idf_swift")
# With a RISC-V GCC on PATH the C files are also compiled by GCC (IDF builds with GCC; some IDF
# headers only compile with one of the two when included in a particular order).
command -v riscv64-unknown-elf-gcc >/dev/null 2>&1 && extra+=(--gcc)
files=("$main"/*.c "$main"/*.swift "$main/BridgingHeader.h")

failed=0
for target in ${TARGETS:-esp32c3 esp32c6 esp32p4}; do
    echo "== $target"
    log=$(mktemp)
    if ! "$check" --component-dir "$main" "${extra[@]}" \
            --sdkconfig-defaults firmware/esp32/sdkconfig.defaults \
            "$idf" "$target" "${files[@]}" 2>&1 | tee "$log"; then
        failed=1
    fi
    # The summary line names the generated sdkconfig.h: check the settings the firmware needs.
    config=$(sed -n 's/.*, \(\/[^;]*sdkconfig\.h\);.*/\1/p' "$log" | tail -1)
    rm -f "$log"
    if [[ -z "$config" || ! -f "$config" ]]; then
        echo "firmware-compile-check: $target: no sdkconfig.h found in the checker's summary" >&2
        failed=1
        continue
    fi
    expect=(
        "CONFIG_ESP_MAIN_TASK_STACK_SIZE 16384"
        "CONFIG_PARTITION_TABLE_CUSTOM 1"
        "CONFIG_FATFS_VOLUME_COUNT 2"
        "CONFIG_COMPILER_STACK_CHECK_MODE_NORM 1"
    )
    [[ $target == esp32p4 ]] && expect+=("CONFIG_SLAVE_IDF_TARGET_ESP32C6 1" "CONFIG_ESP_WIFI_REMOTE_LIBRARY_HOSTED 1" "CONFIG_SPIRAM 1")
    for e in "${expect[@]}"; do
        if grep -qx "#define $e" "$config"; then
            echo "ok    sdkconfig $e"
        else
            echo "FAIL  sdkconfig $e" >&2
            failed=1
        fi
    done
done

# ------------------------------------------------------------------ --swift-pipeline
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

if [[ $pipeline == 1 ]]; then
    cmake=$(command -v cmake || true)
    [[ -n "$cmake" ]] || cmake=${XDG_CACHE_HOME:-$HOME/.cache}/idf-compile-check/venv/bin/cmake
    [[ -x "$cmake" ]] || { echo "firmware-compile-check: cmake not found" >&2; exit 2; }
    repo=$(pwd)
    for target in ${TARGETS:-esp32c3 esp32c6 esp32p4}; do
        echo "== $target: Swift modules through the tail-call fence"
        swift_line=$("$check" --print-flags --component-dir "$main" "${extra[@]}" \
            --sdkconfig-defaults firmware/esp32/sdkconfig.defaults "$idf" "$target" 2>/dev/null | grep -m1 '/swiftc ')
        read -r -a words <<< "$swift_line"
        swiftc=${words[0]} march="" mabi="" includes=()
        for ((i = 1; i < ${#words[@]}; i++)); do
            w=${words[i]}
            case $w in
                -march=*) march=$w ;;
                -mabi=*) mabi=$w ;;
                -I*) includes+=("${w#-I}") ;;
                -isystem) includes+=("${words[i + 2]}") ;; # -Xcc -isystem -Xcc DIR
            esac
        done
        [[ -n "$march" && -n "$mabi" && ${#includes[@]} -gt 0 ]] || { echo "FAIL  could not read the Swift flags for $target" >&2; failed=1; continue; }
        work=$(mktemp -d)
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
        if "$cmake" -S "$work" -B "$work/build" -G "Unix Makefiles" > "$work/configure.log" 2>&1 &&
           "$cmake" --build "$work/build" -j 2 > "$work/build.log" 2>&1; then
            objdump="$(dirname "$swiftc")/llvm-objdump"
            grep -h "tail-call fence:" "$work/build.log" | sed 's/^-- /      /; s| in .*/| in |'
            for o in "$work"/build/swift/*.o; do
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
            if "$(dirname "$swiftc")/llvm-nm" "$work/build/swift/TapWalkerFirmware.o" | grep -q " T app_main$"; then
                echo "ok    app_main defined"
            else
                echo "FAIL  app_main not defined" >&2; failed=1
            fi
            rm -rf "$work"
        else
            echo "FAIL  Swift pipeline for $target (logs in $work)" >&2
            tail -20 "$work/configure.log" "$work/build.log" 2>/dev/null >&2 || true
            failed=1
        fi
    done
fi
exit $failed
