#!/usr/bin/env python3
"""SRAM programming benchmark: prints figures, asserts nothing.

`tapwalker prog` loads the 85F bitstream into the simulated board (release build, 25 MHz TCK):
  - TCK cycles / bitstream bits          (protocol overhead in clocks; target <= 1.002)
  - simulated time / bitstream bit time   (overhead including BUSY waits; target <= 1.01)
  - host throughput in MB/s, next to `cat FILE > /dev/null` measured in the same run.
"""
import json
import os
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FILE = os.path.join(ROOT, "Examples", "blink-85f.bit")
RUNS = 5
TCK = 25_000_000


def main():
    subprocess.run(["swift", "build", "-c", "release", "--product", "tapwalker"], cwd=ROOT, check=True,
                   stdout=subprocess.DEVNULL)
    binary = os.path.join(ROOT, ".build", "release", "tapwalker")
    size = os.path.getsize(FILE)
    bits = size * 8

    prog_seconds, cat_seconds, report = [], [], None
    for _ in range(RUNS):
        result = subprocess.run([binary, "prog", "--json", "--cable", "sim:part=85f", FILE],
                                capture_output=True, text=True)
        report = json.loads(result.stdout)
        if not report["ok"]:
            sys.exit("benchmark: programming failed: %s" % report["error"])
        prog_seconds.append(report["seconds"])
        with open(os.devnull, "w") as null:
            start = time.perf_counter()
            subprocess.run(["cat", FILE], stdout=null, check=True)
            cat_seconds.append(time.perf_counter() - start)

    cycles = report["tck_cycles"]
    sim_us = report["sim_time_us"]
    bit_time_us = bits / TCK * 1e6
    prog = statistics.median(prog_seconds)
    cat = statistics.median(cat_seconds)
    print("bitstream            %s: %d bytes, %d bits" % (os.path.basename(FILE), size, bits))
    print("TCK cycles           %d  = %.5f x bitstream bits (target <= 1.002)" % (cycles, cycles / bits))
    print("simulated time       %.1f ms = %.5f x bit time at 25 MHz, %.1f ms (target <= 1.01)"
          % (sim_us / 1000, sim_us / bit_time_us, bit_time_us / 1000))
    print("host: tapwalker prog %.1f MB/s (median of %d, %.3f s)" % (size / prog / 1e6, RUNS, prog))
    print("host: cat > /dev/null %.1f MB/s (median of %d, %.4f s, process start included)"
          % (size / cat / 1e6, RUNS, cat))
    print("host ratio           tapwalker/cat throughput = %.3f" % (cat / prog))


if __name__ == "__main__":
    main()
