#!/usr/bin/env bash
# The virtual ESP32 (docs/virtual-device.md): the device application in Embedded Swift for the
# host, with board support over the host's sockets, files and threads, run in the foreground with
# DIR as the device's file system.
#
#   bash scripts/virtual-device.sh DIR            builds if needed, then runs the device on DIR
#   bash scripts/virtual-device.sh --build-only   builds (or checks the build is current) and stops
#   bash scripts/virtual-device.sh --check        builds and runs the check of the BSD adapters
#                                                 (embedded/bsd-check) in a scratch directory
#
# The build is kept in .build/virtual-device and redone when a source it is made from changes.
# Logs go to standard output and error, the console is standard input, the services listen on
# 127.0.0.1 at the ports tapwalker.conf gives. The device restarts when it exits with 75 (the
# console's reboot); SIGTERM or SIGINT stops it (it saves the flash image and exits 0).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
usage="usage: bash scripts/virtual-device.sh DIR | --build-only | --check"
build_only=0
run_check=0
dir=
case ${1:-} in
    --build-only) build_only=1 ;;
    --check) run_check=1 ;;
    "" | -*) echo "$usage" >&2; exit 2 ;;
    *) dir=$1 ;;
esac
[[ $# -le 1 ]] || { echo "$usage" >&2; exit 2; }

out="$root/.build/virtual-device"
binary="$out/virtual-esp32"
mkdir -p "$out"

# One build at a time: several devices may be started at once (the end-to-end tests do).
exec 9>"$out/lock"
flock 9

cd "$root"
source scripts/embedded-swift.sh
# The portable modules this build compiles (embedded/portable-modules.txt, the build "virtual").
mapfile -t modules < <(portable_modules virtual)

# A module is rebuilt when its sources, a module before it, or the compiler flags
# (scripts/embedded-swift.sh) change; the program also when this script does.
stamp=$(sha256sum scripts/embedded-swift.sh | cut -c1-64)
built=0
for module in "${modules[@]}"; do
    mapfile -t sources < <(portable_sources "$module")
    stamp=$( { echo "$stamp"; sha256sum "${sources[@]}"; } | sha256sum | cut -c1-64)
    if [[ ! -f $out/$module.o || $(cat "$out/$module.stamp" 2>/dev/null) != "$stamp" ]]; then
        echo "virtual-device.sh: compiling $module" >&2
        rm -f "$out/$module.stamp"
        embedded_swift_object x86_64-unknown-linux-gnu "" "$out" "$module" "${sources[@]}"
        echo "$stamp" >"$out/$module.stamp"
        built=1
    fi
done
objects=()
for module in "${modules[@]}"; do objects+=("$out/$module.o"); done
mapfile -t device < <(find embedded/bsd embedded/virtual-device -name '*.swift' | sort)
mapfile -t c_inputs < <(find embedded/bsd embedded/virtual-device -name '*.[ch]' | sort)
stamp=$( { echo "$stamp"; sha256sum "${device[@]}" "${c_inputs[@]}" embedded/check/meter.c embedded/check/meter.h scripts/virtual-device.sh; } | sha256sum | cut -c1-64)
if [[ $built == 1 || ! -x $binary || $(cat "$out/virtual-esp32.stamp" 2>/dev/null) != "$stamp" ]]; then
    echo "virtual-device.sh: linking the virtual ESP32" >&2
    rm -f "$out/virtual-esp32.stamp"
    # METER_THREADS: the device's tasks are threads, so the heap meter counts atomically.
    clang -O2 -DMETER_THREADS -c embedded/check/meter.c -o "$out/meter.o"
    clang -O2 -Wall -c embedded/virtual-device/virtual.c -o "$out/virtual.o"
    swiftc -target x86_64-unknown-linux-gnu "${EMBEDDED_SWIFT_FLAGS[@]}" -I "$out" -module-name VirtualESP32 \
        -import-objc-header embedded/virtual-device/virtual.h "${device[@]}" "${objects[@]}" \
        "$out/meter.o" "$out/virtual.o" $(embedded_meter_wraps) -lpthread -lm -o "$binary.new"
    mv "$binary.new" "$binary"
    echo "$stamp" >"$out/virtual-esp32.stamp"
fi
if [[ $run_check == 1 ]]; then
    echo "virtual-device.sh: linking the BSD adapters' check" >&2
    mapfile -t bsd < <(find embedded/bsd embedded/bsd-check -name '*.swift' | sort)
    swiftc -target x86_64-unknown-linux-gnu "${EMBEDDED_SWIFT_FLAGS[@]}" -I "$out" -module-name BSDCheck \
        -import-objc-header embedded/bsd/bsd.h "${bsd[@]}" "${objects[@]}" -lpthread -lm -o "$out/bsd-check"
fi
flock -u 9

if [[ $run_check == 1 ]]; then
    scratch=$(mktemp -d)
    trap 'rm -rf "$scratch"' EXIT
    ln -s / "$scratch/outside"
    ln -s /etc/passwd "$scratch/passwd"
    (cd "$scratch" && "$out/bsd-check")
    exit
fi

if [[ $build_only == 1 ]]; then
    echo "virtual-device.sh: $binary is up to date"
    exit 0
fi

mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
echo "virtual-device.sh: the virtual ESP32 on $dir"

# The device runs as a child so that a reboot (exit 75) can start it again; the console stays
# this script's standard input, and SIGTERM/SIGINT are passed on.
exec 3<&0
pid=
stopping=0
trap 'stopping=1; [[ -n $pid ]] && kill -TERM "$pid" 2>/dev/null || true' TERM INT
while true; do
    "$binary" "$dir" <&3 &
    pid=$!
    # A signal that came while no device was running (during the build, or before pid was set)
    # was not passed on: pass it now.
    if [[ $stopping == 1 ]]; then kill -TERM "$pid" 2>/dev/null || true; fi
    while true; do
        rc=0
        wait "$pid" || rc=$?
        # A trapped signal ends the wait early; wait again for the device itself.
        kill -0 "$pid" 2>/dev/null || break
    done
    pid=
    if [[ $rc == 75 && $stopping == 0 ]]; then
        echo "virtual-device.sh: the device restarts"
        continue
    fi
    exit "$rc"
done
