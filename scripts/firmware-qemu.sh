#!/usr/bin/env bash
# The firmware image on an emulated ESP32-C3 (docs/firmware.md, "The emulated ESP32-C3"). A
# development check, like scripts/firmware-compile-check.sh: it needs the esp32-qemu tool's setup
# (ESP-IDF v5.5.1, a RISC-V GCC and Espressif's QEMU, built from sources CI cannot reach), so
# scripts/test.sh does not run it.
#
#   bash scripts/firmware-qemu.sh --setup DIR --conf-dir CONF [--forward ftp=P,http=P,xvc=P,rbb=P] [--tests]
#
# Builds the image when needed (firmware/esp32 with sdkconfig.defaults.emulation, kept in
# .build/firmware-qemu), puts CONF's tapwalker.conf and wifiman.conf into its storage partition,
# and boots it in QEMU with the OpenCores Ethernet on QEMU's user network, the host's ports
# forwarded to the ports tapwalker.conf names (127.0.0.1:P -> the device's port; by default the
# same number), and the serial console (UART0) on standard input and output. Runs until SIGTERM
# or SIGINT, which stop QEMU. Inside QEMU's network the host is 10.0.2.2: `[jtag] cable =
# xvc://10.0.2.2:PORT` reaches a `tapwalker sim --xvc PORT` on the host as the board.
#
# --tests instead: starts `tapwalker sim` as the board CONF's [jtag] cable names, boots CONF
# against it and measures the figures docs/firmware.md records (image, heap, stacks, boot time;
# benchmarks/firmware_qemu.py), then runs the end-to-end suite of end-to-end/virtual-device with the
# emulated chip as the device (TAPWALKER_DEVICE=qemu; each test boots its own).
#
# DIR       the esp32-qemu tool's setup (its setup.sh's DEST, holding env.sh)
# CONF      a directory with tapwalker.conf and wifiman.conf (firmware/esp32/emulation/ is one)
# Env: ESPQ_TOOL          the esp32-qemu tool's directory (build-app.sh, boot.sh; required)
#      FIRMWARE_QEMU_ARGS extra QEMU arguments; default none: QEMU host-timed. "-icount shift=3"
#                         makes the emulated clock follow the instructions (repeatable boot
#                         times), but under it QEMU's user network stalled a large upload
#                         (docs/firmware.md, "Interrupts masked by a critical section").
#      SWIFT_BIN          a directory with swiftc, put first on PATH (default: swiftc on PATH)
#      FIRMWARE_QEMU      another qemu-system-riscv32 with the esp32c3 machine to boot with
#                         instead of the setup's (default: the setup's ESPQ_QEMU)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
usage="usage: bash scripts/firmware-qemu.sh --setup DIR --conf-dir CONF [--forward ftp=P,http=P,xvc=P,rbb=P] [--tests]"
setup= conf= forward= tests=0
while [[ $# -gt 0 ]]; do
    case $1 in
        --setup) setup=${2:-}; shift ;;
        --conf-dir) conf=${2:-}; shift ;;
        --forward) forward=${2:-}; shift ;;
        --tests) tests=1 ;;
        -h | --help) sed -n 2,31p "$0"; exit 0 ;;
        *) echo "firmware-qemu.sh: unknown argument '$1'" >&2; echo "$usage" >&2; exit 2 ;;
    esac
    shift
done
[[ -n $setup && -n $conf ]] || { echo "$usage" >&2; exit 2; }
[[ -f $setup/env.sh ]] || { echo "firmware-qemu.sh: $setup/env.sh not found: give the esp32-qemu setup's DEST as --setup" >&2; exit 2; }
[[ -f $conf/tapwalker.conf ]] || { echo "firmware-qemu.sh: $conf/tapwalker.conf not found" >&2; exit 2; }
tool=${ESPQ_TOOL:-}
[[ -n $tool && -x $tool/build-app.sh && -x $tool/boot.sh ]] \
    || { echo "firmware-qemu.sh: set ESPQ_TOOL to the esp32-qemu tool's directory (build-app.sh, boot.sh)" >&2; exit 2; }
setup=$(cd "$setup" && pwd); conf=$(cd "$conf" && pwd)
# The clients' Python (Selenium for the page test): env.sh puts IDF's venv first on PATH.
python=$(command -v python3)
# shellcheck disable=SC1091
. "$setup/env.sh"
[[ -n ${SWIFT_BIN:-} ]] && PATH=$SWIFT_BIN:$PATH
if [[ -n ${FIRMWARE_QEMU:-} ]]; then
    [[ -x $FIRMWARE_QEMU ]] || { echo "firmware-qemu.sh: FIRMWARE_QEMU=$FIRMWARE_QEMU is not an executable" >&2; exit 2; }
    export ESPQ_QEMU=$FIRMWARE_QEMU   # boot.sh runs $ESPQ_QEMU
fi
command -v swiftc >/dev/null || { echo "firmware-qemu.sh: no swiftc on PATH (set SWIFT_BIN)" >&2; exit 2; }

# The port each service has in tapwalker.conf's [services] (0: off), and the host port for it.
conf_port() {
    awk -v key="$1" '
        /^[ \t]*\[/ { section = $0; gsub(/[ \t\[\]]/, "", section); next }
        section == "services" {
            line = $0; sub(/[ \t]#.*/, "", line); gsub(/[ \t"]/, "", line)
            split(line, kv, "="); if (kv[1] == key) { print kv[2]; exit }
        }' "$conf/tapwalker.conf"
}
declare -A guest host
for service in ftp http xvc remote_bitbang; do
    guest[$service]=$(conf_port "$service")
    host[$service]=${guest[$service]}
done
if [[ -n $forward ]]; then
    IFS=, read -r -a pairs <<<"$forward"
    for pair in "${pairs[@]}"; do
        name=${pair%%=*} value=${pair#*=}
        [[ $name == rbb ]] && name=remote_bitbang
        [[ -n ${guest[$name]+set} && $value =~ ^[0-9]+$ && $value -ge 1 && $value -le 65535 ]] \
            || { echo "firmware-qemu.sh: --forward $pair: write ftp=P,http=P,xvc=P,rbb=P with ports 1 to 65535" >&2; exit 2; }
        [[ -n ${guest[$name]} && ${guest[$name]} != 0 ]] \
            || { echo "firmware-qemu.sh: --forward $pair: $conf/tapwalker.conf gives $name no port in [services]" >&2; exit 2; }
        host[$name]=$value
    done
fi

# ------------------------------------------------------------------ the image
build=$root/.build/firmware-qemu
mkdir -p "$build"
exec 8>"$build/.lock"
flock 8    # one build and one boot of this build directory at a time (flash.bin is written here)
# Exactly CONF's two files become the storage partition (TAPWALKER_STORAGE_DIR in main/CMakeLists.txt).
rm -rf "$build/storage" && mkdir -p "$build/storage"
cp "$conf/tapwalker.conf" "$build/storage/"
if [[ -f $conf/wifiman.conf ]]; then
    cp "$conf/wifiman.conf" "$build/storage/"
else
    echo "firmware-qemu.sh: $conf has no wifiman.conf: the device will not join the emulator's Ethernet (wifiman.conf needs the line ethernet:)" >&2
fi
grep -qx 'ethernet:' "$build/storage/wifiman.conf" 2>/dev/null \
    || echo "firmware-qemu.sh: wifiman.conf has no line 'ethernet:': the services listen, but the device does not announce its address" >&2
t0=$(date +%s)
# The build's sdkconfig wins over the defaults files: when one of them changed after it was
# made, configure afresh so that the change takes effect.
for f in "$root"/firmware/esp32/sdkconfig.defaults*; do
    [[ -f $build/sdkconfig && $f -nt $build/sdkconfig ]] && rm -f "$build/sdkconfig" "$build/build.ninja"
done
if [[ ! -f $build/build.ninja ]]; then
    EXTRA_CMAKE_ARGS="-DTAPWALKER_STORAGE_DIR=$build/storage" \
        "$tool/build-app.sh" "$root/firmware/esp32" "$build" "$root/firmware/esp32/sdkconfig.defaults.emulation" \
        >"$build/build.log" 2>&1 || { tail -40 "$build/build.log" >&2; echo "firmware-qemu.sh: the build failed; $build/build.log" >&2; exit 1; }
else
    # ninja redoes what changed: the Swift modules when a source changed, the storage image always.
    rm -f "$build/storage.bin"
    ninja -C "$build" -j"${JOBS:-2}" >"$build/build.log" 2>&1 \
        || { tail -40 "$build/build.log" >&2; echo "firmware-qemu.sh: the build failed; $build/build.log" >&2; exit 1; }
fi
grep -q storage "$build/flash_args" \
    || { echo "firmware-qemu.sh: the storage image is not in $build/flash_args" >&2; exit 1; }
echo "firmware-qemu.sh: image ready in $(( $(date +%s) - t0 ))s: $build (flash_args: $(tr '\n' ' ' <"$build/flash_args"))" >&2

if [[ $tests == 1 ]]; then
    flock -u 8
    exec 8>&-
    export ESPQ_TOOL FIRMWARE_QEMU_SETUP=$setup
    echo "firmware-qemu.sh: QEMU: $ESPQ_QEMU" >&2
    TAPWALKER_BIN=${TAPWALKER_BIN:-$root/.build/debug/tapwalker}
    [[ -x $TAPWALKER_BIN ]] || (cd "$root" && swift build --product tapwalker >/dev/null)
    export TAPWALKER_BIN
    rc=0
    "$python" "$root/benchmarks/firmware_qemu.py" --build "$build" --conf-dir "$conf" || rc=1
    # Each test's console (a panic's register dump among it) is kept in $build/test-consoles.
    rm -rf "$build/test-consoles"
    TAPWALKER_DEVICE=qemu TAPWALKER_DEVICE_LOGS=$build/test-consoles \
        "$python" "$root/end-to-end/virtual-device/test_virtual_device.py" -v || rc=1
    exit $rc
fi

# ------------------------------------------------------------------ boot
rules=()
for service in ftp http xvc remote_bitbang; do
    [[ -n ${guest[$service]} && ${guest[$service]} != 0 ]] || continue
    rules+=("tcp:127.0.0.1:${host[$service]}-:${guest[$service]}")
    echo "firmware-qemu.sh: $service: 127.0.0.1:${host[$service]} -> the device's port ${guest[$service]}" >&2
done
# shellcheck disable=SC2206
extra=(${FIRMWARE_QEMU_ARGS-})
# Standard input goes on to QEMU's UART: an asynchronous command of a script would get /dev/null.
exec 3<&0
"$tool/boot.sh" "$build" --eth "${rules[@]}" -- "${extra[@]}" <&3 3<&- &
boot=$!
trap 'kill -TERM $boot 2>/dev/null || true' TERM INT
wait $boot || true
# After a trapped signal `wait` returns at once: wait for boot.sh (and so QEMU) to end.
while kill -0 $boot 2>/dev/null; do wait $boot 2>/dev/null || true; done
exit 0
