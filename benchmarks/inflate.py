#!/usr/bin/env python3
"""Inflate benchmark: prints figures, asserts nothing.

Builds benchmarks/inflate/main.swift with `swiftc -O` together with Sources/TapWalkerCore (and zlib's
C library, when installed), then, for each input below, times inside that one process and on input
already in memory TapWalker's CompressedStream and zlib's inflate, alternating them, each decoding
the whole stream through a 64 KB output buffer; prints the medians in MB/s of decompressed output
and their ratio (target >= 0.5). Python's `zlib.decompress`, timed inside Python, is printed too.
Times are CPU time of the decoding thread (the machine may be shared with other work).
  - blink-85f: Examples/blink-85f.bit (the densest design in Examples/) gzipped by Python at level 9;
  - mixed binary: 2 MB of deterministic pseudo-random bytes, half short runs of skewed literals and
    half copies of earlier stretches, gzipped at level 6 (compresses about 2:1, like object code);
  - blink-85f, 4 KB window: the bitstream as `tapwalker pack --window 4K` would write it (zlib
    declaring a 4 KB window; Adler-32 instead of CRC-32).
Then the decoder's memory for a 4 KB-window zlib stream and a 32 KB-window gzip stream: its own
figure (memoryBytes), and the most heap it held while decoding, measured with glibc's mallinfo2 with
the per-thread cache and fast bins off (GLIBC_TUNABLES), alone and inside a DecompressingSource.
The CRC-32 tables (8 KB, built once per process on first use) are not part of either figure.
"""
import ctypes.util
import glob
import gzip
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
import zlib

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SOURCE = os.path.join(ROOT, "Examples", "blink-85f.bit")
SECONDS = 0.6  # per decoder and input (CPU time)


def run(binary, *args, env=None):
    out = subprocess.run([binary, *args], capture_output=True, text=True, check=True, env=env).stdout
    return {k: float(v) for k, v in (line.split() for line in out.splitlines())}


def mixed_binary(size=2_000_000, seed=1951):
    rnd = random.Random(seed)
    out = bytearray()
    while len(out) < size:
        if len(out) > 64 and rnd.random() < 0.5:
            distance = rnd.randint(1, min(len(out), 32768))
            length = rnd.randint(3, 40)
            start = len(out) - distance
            if distance >= length:
                out += out[start:start + length]
            else:
                for i in range(length):
                    out.append(out[start + i])
        else:
            out += bytes(min(255, int(rnd.expovariate(1 / 48))) for _ in range(rnd.randint(1, 24)))
    return bytes(out[:size])


def python_zlib_seconds(compressed, seconds=SECONDS):
    zlib.decompress(compressed, 47)
    times = []
    while len(times) < 5 or sum(times) < seconds:
        start = time.thread_time()
        zlib.decompress(compressed, 47)
        times.append(time.thread_time() - start)
        if len(times) >= 2000:
            break
    return statistics.median(times)


def main():
    build = os.path.join(ROOT, ".build", "inflate-bench")
    os.makedirs(build, exist_ok=True)
    binary = os.path.join(build, "inflate-bench")
    core = sorted(glob.glob(os.path.join(ROOT, "Sources", "TapWalkerCore", "**", "*.swift"), recursive=True))
    have_zlib = os.path.exists("/usr/include/zlib.h") and ctypes.util.find_library("z") is not None
    zlib_flags = ["-lz"] if have_zlib else ["-Xcc", "-DTAPWALKER_NO_ZLIB"]
    subprocess.run(["swiftc", "-O", "-wmo", "-parse-as-library", "-module-name", "InflateBench",
                    "-import-objc-header", os.path.join(ROOT, "benchmarks", "inflate", "bridge.h"),
                    os.path.join(ROOT, "benchmarks", "inflate", "main.swift"), *core, *zlib_flags, "-o", binary],
                   check=True)

    blink = open(SOURCE, "rb").read()
    mixed = mixed_binary()
    c = zlib.compressobj(9, zlib.DEFLATED, 12)
    cases = [
        ("blink-85f, gzip -9", blink, gzip.compress(blink, 9)),
        ("mixed binary, gzip -6", mixed, gzip.compress(mixed, 6)),
        ("blink-85f, zlib 4 KB window", blink, c.compress(blink) + c.flush()),
    ]
    with tempfile.TemporaryDirectory() as tmp:
        results = []
        for i, (name, plain, packed) in enumerate(cases):
            path = os.path.join(tmp, "case%d" % i)
            with open(path, "wb") as f:
                f.write(packed)
            r = run(binary, "throughput", path, str(SECONDS))
            if int(r["output_bytes"]) != len(plain):
                raise SystemExit("%s: decoded %d bytes, expected %d" % (name, r["output_bytes"], len(plain)))
            results.append((name, plain, packed, r, python_zlib_seconds(packed)))
        # glibc's per-thread cache and fast bins would hide small allocations from mallinfo2.
        env = dict(os.environ, GLIBC_TUNABLES="glibc.malloc.tcache_count=0:glibc.malloc.mxfast=0")
        mem4k = run(binary, "memory", os.path.join(tmp, "case2"), env=env)
        mem32k = run(binary, "memory", os.path.join(tmp, "case0"), env=env)

    print("in-process, from memory, 64 KB output buffer; MB/s of decompressed output (medians, thread CPU time)")
    for name, plain, packed, r, py in results:
        size = len(plain)
        ours = size / r["tapwalker_seconds"] / 1e6
        print("%-28s %9d -> %7d bytes (%d runs each)" % (name, size, len(packed), r["runs"]))
        print("  TapWalker inflate          %8.1f MB/s (%.3f ms)" % (ours, r["tapwalker_seconds"] * 1000))
        if r["zlib_seconds"] > 0:
            theirs = size / r["zlib_seconds"] / 1e6
            print("  zlib inflate (C, same run) %8.1f MB/s (%.3f ms)" % (theirs, r["zlib_seconds"] * 1000))
            print("  ratio TapWalker/zlib       %8.2f (target >= 0.5)" % (ours / theirs))
        else:
            print("  zlib inflate (C, same run)  (zlib's header or library is not installed)")
        theirs = size / py / 1e6
        print("  Python zlib.decompress     %8.1f MB/s (%.3f ms); ratio TapWalker/Python zlib %.2f"
              % (theirs, py * 1000, ours / theirs))
    for name, m in (("zlib, 4 KB window ", mem4k), ("gzip, 32 KB window", mem32k)):
        print("decoder memory  %s: memoryBytes %d; heap held: CompressedStream %d bytes, DecompressingSource %d bytes"
              % (name, m["memory_bytes"], m["stream_heap_bytes"], m["source_heap_bytes"]))


if __name__ == "__main__":
    sys.exit(main())
