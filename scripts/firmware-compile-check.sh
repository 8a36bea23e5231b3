#!/usr/bin/env bash
# Compile-checks the ESP32 firmware's C board support and its Swift entry module against the real
# ESP-IDF headers and Kconfig, for the ESP32-C3, ESP32-C6 and ESP32-P4, without Espressif's
# toolchain. A development aid: it needs an ESP-IDF source tree and the idf-compile-check tool,
# neither of which CI can fetch, so scripts/test.sh does not run it.
#
#   scripts/firmware-compile-check.sh IDF_PATH [IDF_SWIFT_DIR]
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
set -euo pipefail
[[ $# -ge 1 ]] || { sed -n 2,20p "$0"; exit 2; }
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
exit $failed
