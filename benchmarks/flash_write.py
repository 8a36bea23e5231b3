#!/usr/bin/env python3
"""Flash writing benchmark: prints figures, asserts nothing.

On the simulated board at 25 MHz TCK with a W25Q128JV, `tapwalker flash write` puts an image of
at least 1 MB at 0x200000 in four situations: (a) blank flash, (b) the same image again,
(c) the image with one 4 KB sector changed, (d) a different image. For each: simulated time,
TCK cycles, and what the compare-first writer did.
"""
import json
import os
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
EXAMPLES = os.path.join(ROOT, "Examples")


# The four scenarios, as (label, image key); the network JTAG benchmark runs the same ones.
SCENARIOS = [("(a) blank flash", "a"), ("(b) same image again", "a"),
             ("(c) one 4 KB sector changed", "c"), ("(d) a different image", "d")]


def scenario_images():
    """The images of the scenarios by key: a = blink-85f.bit, c = the same with 100 bytes of the
    4 KB sector in its middle (as written at 0x200000) changed, d = ram-85f.bit."""
    with open(os.path.join(EXAMPLES, "blink-85f.bit"), "rb") as f:
        image_a = f.read()
    with open(os.path.join(EXAMPLES, "ram-85f.bit"), "rb") as f:
        image_d = f.read()
    changed = bytearray(image_a)
    middle = 0x200000 + len(image_a) // 2
    sector = middle // 4096 * 4096 - 0x200000
    for i in range(sector + 100, sector + 200):
        changed[i] ^= 0x5A
    return {"a": image_a, "c": bytes(changed), "d": image_d}


def main():
    subprocess.run(["swift", "build", "-c", "release", "--product", "tapwalker"], cwd=ROOT, check=True,
                   stdout=subprocess.DEVNULL)
    binary = os.path.join(ROOT, ".build", "release", "tapwalker")
    images = scenario_images()
    image_a = images["a"]
    with tempfile.TemporaryDirectory() as tmp:
        flash = os.path.join(tmp, "flash.bin")
        files = {}
        for name, data in images.items():
            files[name] = os.path.join(tmp, name + ".bit")
            with open(files[name], "wb") as f:
                f.write(data)
        cable = "sim:part=85f,flash=w25q128jv,tck=25000000,flash-image=" + flash
        rows = []
        for label, key in SCENARIOS:
            result = subprocess.run([binary, "flash", "write", files[key], "--addr", "0x200000", "--json",
                                     "--no-reload", "--cable", cable], capture_output=True, text=True)
            r = json.loads(result.stdout)
            if not r["ok"]:
                sys.exit("benchmark: %s failed: %s" % (label, r["error"]))
            rows.append((label, r))
    print("image %d bytes at 0x200000, W25Q128JV, TCK 25 MHz" % len(image_a))
    print("%-30s %12s %14s %9s %9s %9s %s" % ("scenario", "sim time s", "TCK cycles", "unchanged", "program", "erased",
                                           "erase ops 4k/32k/64k"))
    base = rows[0][1]["sim_time_us"]
    for label, r in rows:
        s, e = r["sectors"], r["erase_ops"]
        print("%-30s %12.3f %14d %9d %9d %9d %d/%d/%d   (%.3f x blank)" % (
            label, r["sim_time_us"] / 1e6, r["tck_cycles"], s["unchanged"], s["programmed"], s["erased"],
            e["4k"], e["32k"], e["64k"], r["sim_time_us"] / base))


if __name__ == "__main__":
    main()
