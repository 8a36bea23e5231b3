#!/usr/bin/env python3
"""Inflate benchmark: prints figures, asserts nothing.

Builds benchmarks/inflate/main.swift with `swiftc -O` together with Sources/TapWalkerCore, then:
  - TapWalker inflate throughput in MB/s (of decompressed output) on Examples/blink-85f.bit gzipped by
    Python's gzip at level 9, decoded from memory (median of several runs);
  - `gzip -dc FILE > /dev/null` on the same file (wall time, median of several runs; includes process
    start-up and reading the file, so it slightly favours TapWalker);
  - their ratio (target >= 0.5);
  - the decoder's memory for a 4 KB-window zlib stream and a 32 KB gzip stream: its own figure
    (memoryBytes) and the heap it held, measured with glibc's mallinfo2 as the in-use bytes released
    when the decoder is freed (blocks <= 1 KB kept in glibc's thread cache are not seen).
"""
import glob
import gzip
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import zlib

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SOURCE = os.path.join(ROOT, "Examples", "blink-85f.bit")
RUNS = 9


def run(binary, *args):
    out = subprocess.run([binary, *args], capture_output=True, text=True, check=True).stdout
    return {k: float(v) for k, v in (line.split() for line in out.splitlines())}


def main():
    build = os.path.join(ROOT, ".build", "inflate-bench")
    os.makedirs(build, exist_ok=True)
    binary = os.path.join(build, "inflate-bench")
    core = sorted(glob.glob(os.path.join(ROOT, "Sources", "TapWalkerCore", "**", "*.swift"), recursive=True))
    subprocess.run(["swiftc", "-O", "-wmo", "-parse-as-library", "-module-name", "InflateBench",
                    "-import-objc-header", os.path.join(ROOT, "benchmarks", "inflate", "heap.h"),
                    os.path.join(ROOT, "benchmarks", "inflate", "main.swift"), *core, "-o", binary], check=True)

    data = open(SOURCE, "rb").read()
    with tempfile.TemporaryDirectory() as tmp:
        gz = os.path.join(tmp, "blink-85f.bit.gz")
        with open(gz, "wb") as f:
            f.write(gzip.compress(data, 9))
        z4k = os.path.join(tmp, "blink-85f.bit.z4k")
        c = zlib.compressobj(9, zlib.DEFLATED, 12)
        with open(z4k, "wb") as f:
            f.write(c.compress(data) + c.flush())

        swift = run(binary, "throughput", gz, str(RUNS))
        gzip_tool = shutil.which("gzip")
        gzip_times = []
        if gzip_tool:
            for _ in range(RUNS):
                with open(os.devnull, "wb") as null:
                    start = time.perf_counter()
                    subprocess.run([gzip_tool, "-dc", gz], stdout=null, check=True)
                    gzip_times.append(time.perf_counter() - start)
        mem4k = run(binary, "memory", z4k)
        mem32k = run(binary, "memory", gz)
        gz_size = os.path.getsize(gz)

    out_bytes = swift["output_bytes"]
    print("input                %s: %d bytes, gzip -9 by Python: %d bytes" % (os.path.basename(SOURCE), len(data), gz_size))
    print("TapWalker inflate    %.1f MB/s (median of %d, from memory, %.2f ms)"
          % (swift["mb_per_s"], RUNS, swift["seconds_median"] * 1000))
    if gzip_times:
        g = out_bytes / statistics.median(gzip_times) / 1e6
        print("gzip -dc > /dev/null %.1f MB/s (median of %d, wall time incl. process start, %.2f ms)"
              % (g, RUNS, statistics.median(gzip_times) * 1000))
        print("ratio TapWalker/gzip %.2f (target >= 0.5)" % (swift["mb_per_s"] / g))
    else:
        print("gzip -dc             (gzip not installed: no comparison)")
    for name, m in (("zlib, 4 KB window ", mem4k), ("gzip, 32 KB window", mem32k)):
        print("decoder memory       %s: memoryBytes %d, heap released when freed (mallinfo2) %d bytes"
              % (name, m["memory_bytes"], m["heap_bytes"]))


if __name__ == "__main__":
    sys.exit(main())
