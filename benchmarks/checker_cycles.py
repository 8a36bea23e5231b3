#!/usr/bin/env python3
"""Checker cycles benchmark: prints figures, asserts nothing.

Counts the x86_64 instructions of TapWalker's own work in an SRAM load, per shifted bit, with
callgrind (deterministic: the same build gives the same figures). The program is
benchmarks/checker/main.swift, built as scripts/check-embedded.sh builds its check (Embedded Swift,
-Osize). For a plain and a frame-compressed bitstream it prints:
  - inspect: BitstreamInspector over the whole file in memory (the check before ISC_ERASE);
  - program: SRAMProgrammer loading it into the simulated board, minus the simulator's share (the
    inclusive cost of TapWalker's calls to the simulator's Cable methods);
next to a baseline measured in the same run: copying the plain file in 4 KB chunks and summing its
bytes. The device target is about 6.4 CPU cycles per bit (160 MHz CPU, 25 MHz TCK).
"""
import os
import re
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PLAIN = ("blink-85f.bit", "85f")
COMPRESSED = ("blink-25f-compressed.bit", "25f")


def parse(path):
    """Total instructions, and the inclusive cost of TapWalker's calls into the simulator's cable."""
    names, total, sim = {}, 0, 0
    fn = None
    call_target = None
    name_re = re.compile(r"^\((\d+)\)(?: (.*))?$")

    def name_of(spec):
        m = name_re.match(spec)
        if not m:
            return spec
        if m.group(2):
            names[m.group(1)] = m.group(2)
        return names.get(m.group(1), "")

    with open(path) as f:
        for line in f:
            line = line.rstrip("\n")
            if line.startswith("fn="):
                fn = name_of(line[3:])
            elif line.startswith(("cfn=", "cfi=", "cfl=")):
                if line.startswith("cfn="):
                    call_target = name_of(line[4:])
            elif line.startswith("calls="):
                line = next(f).split()
                cost = int(line[1]) if len(line) > 1 else 0
                # Cable protocol witnesses of the simulator's cable, called by TapWalker: the simulator
                # calls back into TapWalkerCore (its configuration engine), which stays its share.
                if "TapWalkerSim" in call_target and call_target.endswith("TW") and "TapWalkerSim" not in fn:
                    sim += cost
            elif line.startswith("summary:") or line.startswith("totals:"):
                total = int(line.split()[1])
    return total, sim


def measure(binary, tmp, *args):
    out = os.path.join(tmp, "callgrind.out")
    mode = {"inspect": "checkerInspect", "program": "checkerProgram", "baseline": "checkerBaseline"}[args[0]]
    result = subprocess.run(["valgrind", "--tool=callgrind", "--callgrind-out-file=" + out,
                             "--toggle-collect=*" + mode + "*", binary, *args],
                            capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit("benchmark: %s failed:\n%s%s" % (" ".join(args), result.stdout, result.stderr))
    return parse(out)


def fresh(objects, sources):
    if not all(os.path.exists(o) for o in objects):
        return False
    built = min(os.path.getmtime(o) for o in objects)
    return all(os.path.getmtime(s) < built for s in sources)


def build(tmp):
    """Links against check-embedded's objects when they are newer than the sources, else builds."""
    sources = [os.path.join(d, f) for top in ("TapWalkerCore", "TapWalkerSim")
               for d, _, fs in os.walk(os.path.join(ROOT, "Sources", top)) for f in fs]
    host = os.path.join(ROOT, ".build", "embedded", "host")
    objects = [os.path.join(host, m + ".o") for m in ("TapWalkerCore", "TapWalkerSim")]
    out = os.path.join(ROOT, ".build", "checker-bench")
    if not fresh(objects, sources):
        subprocess.run(["bash", os.path.join(ROOT, "benchmarks", "checker", "build.sh"), out], check=True)
        return os.path.join(out, "checker-bench")
    os.makedirs(out, exist_ok=True)
    binary = os.path.join(out, "checker-bench")
    subprocess.run(["swiftc", "-target", "x86_64-unknown-linux-gnu", "-enable-experimental-feature", "Embedded",
                    "-wmo", "-parse-as-library", "-Osize", "-I", host, "-import-objc-header",
                    os.path.join(ROOT, "benchmarks", "checker", "posix.h"),
                    os.path.join(ROOT, "benchmarks", "checker", "main.swift"), *objects, "-lm", "-o", binary],
                   check=True)
    return binary


def main():
    for tool in ("valgrind", "swiftc"):
        if subprocess.run(["which", tool], capture_output=True).returncode != 0:
            sys.exit("benchmark: %s is not installed" % tool)
    with tempfile.TemporaryDirectory() as tmp:
        binary = build(tmp)
        plain = os.path.join(ROOT, "Examples", PLAIN[0])
        plain_bits = os.path.getsize(plain) * 8
        base, _ = measure(binary, tmp, "baseline", plain)
        base_per_bit = base / plain_bits
        print("x86_64 instructions per shifted bit (callgrind, Embedded Swift -Osize); the device budget is")
        print("6.4 CPU cycles per bit (160 MHz CPU, 25 MHz TCK)")
        print("%-58s %8.3f" % ("baseline: copy 4 KB chunks + sum bytes", base_per_bit))
        for name, part in (PLAIN, COMPRESSED):
            path = os.path.join(ROOT, "Examples", name)
            bits = os.path.getsize(path) * 8
            inspect, _ = measure(binary, tmp, "inspect", path)
            total, sim = measure(binary, tmp, "program", path, part)
            own = (total - sim) / bits
            print("%-58s %8.3f  (%.1f x baseline)" % ("%s: inspect" % name, inspect / bits,
                                                     inspect / bits / base_per_bit))
            print("%-58s %8.3f  (%.1f x baseline; simulator's %.1f excluded)"
                  % ("%s: program, TapWalker's own work" % name, own, own / base_per_bit, sim / bits))


if __name__ == "__main__":
    main()
