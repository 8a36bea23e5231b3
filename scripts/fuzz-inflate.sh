#!/usr/bin/env bash
# Fuzzes TapWalker's inflater (raw DEFLATE, zlib, gzip) and the Deflater round trip with libFuzzer:
# builds fuzz/inflate/main.swift together with Sources/TapWalkerCore using
# `swiftc -sanitize=fuzzer,address`, seeds a corpus from small compressed inputs made by Python
# (written under .build/fuzz-inflate, never committed), and runs for FUZZ_SECONDS (default 60).
# Exits non-zero on a crash; prints the executions count. If this toolchain cannot build with
# -sanitize=fuzzer, says so and exits 0 (so CI does not fail on a tool it lacks).
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${FUZZ_SECONDS:-60}
out=.build/fuzz-inflate
mkdir -p "$out"
rm -rf "$out/corpus" "$out/artifacts"
mkdir -p "$out/corpus" "$out/artifacts"

core=$(find Sources/TapWalkerCore -name '*.swift' | sort)
echo "== building the inflate fuzzer (swiftc -sanitize=fuzzer,address)"
# First: can this toolchain build a libFuzzer target at all? (A failure here is the toolchain's, not ours.)
cat >"$out/probe.swift" <<'SWIFT'
@_cdecl("LLVMFuzzerTestOneInput")
public func probe(_ data: UnsafePointer<UInt8>?, _ count: Int) -> Int32 { 0 }
SWIFT
if ! swiftc -sanitize=fuzzer,address -parse-as-library "$out/probe.swift" -o "$out/probe" 2>"$out/probe.log"; then
    cat "$out/probe.log" >&2
    echo "fuzz-inflate: SKIPPED — this toolchain cannot build with -sanitize=fuzzer,address (swiftc's errors above)."
    exit 0
fi
# shellcheck disable=SC2086
if ! swiftc -sanitize=fuzzer,address -parse-as-library -O -g -module-name InflateFuzz \
    fuzz/inflate/main.swift $core -o "$out/inflate-fuzzer" 2>"$out/build.log"; then
    cat "$out/build.log" >&2
    echo "fuzz-inflate: FAILED to compile fuzz/inflate/main.swift with Sources/TapWalkerCore" >&2
    exit 1
fi

echo "== seed corpus"
python3 - "$out/corpus" <<'PY'
import gzip, os, sys, zlib
out = sys.argv[1]
ex = 'Examples'
seeds = []
for name in ('blink-25f.bit', 'ram-25f-compressed.bit', 'blink-12f.bit'):
    data = open(os.path.join(ex, name), 'rb').read()
    for cut in (64, 600, 3000):
        part = data[:cut]
        for level in (1, 6, 9):
            seeds.append(zlib.compress(part, level))
            seeds.append(gzip.compress(part, level))
        for wbits in (9, 12):
            c = zlib.compressobj(9, zlib.DEFLATED, -wbits)
            seeds.append(c.compress(part) + c.flush())
        c = zlib.compressobj(6, zlib.DEFLATED, 15, 8, zlib.Z_FIXED)
        seeds.append(c.compress(part) + c.flush())
        c = zlib.compressobj(0, zlib.DEFLATED, -15)
        seeds.append(c.compress(part[:200]) + c.flush())
seeds += [b'', zlib.compress(b''), gzip.compress(b''), gzip.compress(b'ab') + gzip.compress(b'cd')]
for i, s in enumerate(seeds):
    open(os.path.join(out, 'seed-%03d' % i), 'wb').write(s)
print('%d seeds' % len(seeds))
PY

echo "== fuzzing for ${seconds} s"
set +e
"$out/inflate-fuzzer" "$out/corpus" -max_total_time="$seconds" -max_len=4096 -timeout=10 -rss_limit_mb=2048 \
    -print_final_stats=1 -artifact_prefix="$out/artifacts/" 2>"$out/fuzz.log"
status=$?
set -e
grep -E '^(#[0-9]+.*DONE|Done [0-9]+ runs|stat::number_of_executed_units|stat::peak_rss_mb)' "$out/fuzz.log" || true
if [ "$status" -ne 0 ]; then
    tail -60 "$out/fuzz.log" >&2
    echo "fuzz-inflate: FAILED (libFuzzer exit $status); reproducer in $out/artifacts/" >&2
    exit "$status"
fi
runs=$(grep -oE 'stat::number_of_executed_units: [0-9]+' "$out/fuzz.log" | grep -oE '[0-9]+$' || echo '?')
echo "fuzz-inflate: ok, $runs executions in ${seconds} s, no crash"
