#!/usr/bin/env python3
"""Network JTAG benchmark: TapWalker against openFPGALoader, both over XVC into a simulated board.

Prints figures, asserts nothing. Each run gets a fresh `tapwalker sim` (85F, W25Q128JV) and does,
at the same TCK (openFPGALoader's --freq, TapWalker's xvc://…?tck=), the four flash scenarios of the
flash benchmark at 0x200000 — (a) blank flash, (b) the same image again, (c) one 4 KB sector
changed, (d) a different image — and then SRAM programming of the 85F bitstream. The figures are
the simulated board's own: TCK cycles and simulated time (TCK time plus the time the board waited
for the client, which is how a real board over a network experiences a client), read from the
server's --stats after each client disconnects. Neither tool is told to verify: TapWalker always
reads back what it changed, openFPGALoader does not unless --verify is given.

openFPGALoader always reloads the FPGA after writing the flash, and fails when the reload finds no
design at address 0, so the flash holds a (compressed) bootable design there, as a board with a
bootloader does; booting it takes about 0.94 s of every openFPGALoader figure. TapWalker runs
twice: as in the flash benchmark (`--no-reload`, the flash scenarios as defined there), and
reloading like openFPGALoader, so that both comparisons are on the page.
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

from flash_write import SCENARIOS, scenario_images

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
EXAMPLES = os.path.join(ROOT, "Examples")
# The ECP5's maximum TCK, which both tools can use (openFPGALoader's default is 6 MHz; BENCH_TCK
# changes it for both).
TCK = int(os.environ.get("BENCH_TCK", "25000000"))


class Sim:
    """A `tapwalker sim --xvc 0` with --stats; `run` waits for the client's disconnect to be counted."""

    def __init__(self, binary, tmp, name, boot_image):
        self.stats = os.path.join(tmp, name + "-stats.json")
        flash = os.path.join(tmp, name + "-flash.bin")
        # A whole W25Q128JV image (the simulator refuses a file of another size): the boot design
        # at 0, erased flash after it.
        with open(boot_image, "rb") as f:
            boot = f.read()
        with open(flash, "wb") as f:
            f.write(boot + b"\xff" * (16 * 1024 * 1024 - len(boot)))
        self.log = open(os.path.join(tmp, name + "-sim.log"), "w+")
        self.proc = subprocess.Popen([binary, "sim", "--xvc", "0", "--part", "85f", "--flash", "w25q128jv",
                                      "--tck", str(TCK), "--stats", self.stats, "--flash-image", flash],
                                     stdout=subprocess.DEVNULL, stderr=self.log)
        self.port = None
        for _ in range(600):
            self.log.seek(0)
            for line in self.log.read().splitlines():
                if line.startswith("listening: xvc "):
                    self.port = int(line.rsplit(":", 1)[1])
            if self.port:
                break
            time.sleep(0.05)
        if not self.port:
            sys.exit("benchmark: tapwalker sim did not start")
        self.disconnects = 0

    def read(self):
        # The server writes --stats once it is listening and after every client, so right after
        # start-up the file may not be there yet.
        for _ in range(200):
            try:
                with open(self.stats) as f:
                    return json.load(f)
            except (FileNotFoundError, json.JSONDecodeError):
                time.sleep(0.05)
        sys.exit("benchmark: tapwalker sim wrote no --stats file")

    def run(self, label, command):
        before = self.read()
        result = subprocess.run(command, capture_output=True, text=True)
        if result.returncode != 0:
            sys.exit("benchmark: %s failed (%d):\n%s%s" % (label, result.returncode, result.stdout, result.stderr[-3000:]))
        self.disconnects += 1
        for _ in range(1200):
            self.log.seek(0)
            if self.log.read().count("disconnected:") >= self.disconnects:
                break
            time.sleep(0.05)
        time.sleep(0.2)
        after = self.read()
        return {"tck": after["tck_cycles"] - before["tck_cycles"],
                "us": after["sim_time_us"] - before["sim_time_us"]}

    def stop(self):
        self.proc.send_signal(2)
        self.proc.wait(timeout=60)


def main():
    if not shutil.which("openFPGALoader"):
        print("benchmark: openFPGALoader is not installed; skipped")
        return
    subprocess.run(["swift", "build", "-c", "release", "--product", "tapwalker"], cwd=ROOT, check=True,
                   stdout=subprocess.DEVNULL)
    binary = os.path.join(ROOT, ".build", "release", "tapwalker")
    images = scenario_images()
    image_a = images["a"]
    scenarios = SCENARIOS
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        files = {}
        for name, data in images.items():
            # Raw images, so that both tools write exactly these bytes (openFPGALoader strips a
            # .bit header).
            files[name] = os.path.join(tmp, name + ".bin")
            with open(files[name], "wb") as f:
                f.write(data)
        runs = [("openFPGALoader", None), ("TapWalker", ["--no-reload"]), ("TapWalker+reload", [])]
        for tool, extra in runs:
            sim = Sim(binary, tmp, tool, os.path.join(EXAMPLES, "blink-85f-compressed.bit"))
            rows = []
            for label, key in scenarios:
                if extra is None:
                    cmd = ["openFPGALoader", "-c", "xvc-client", "--ip", "127.0.0.1", "--port", str(sim.port),
                           "--freq", str(TCK), "-f", "-o", "0x200000", "--quiet", files[key]]
                else:
                    cmd = [binary, "flash", "write", files[key], "--addr", "0x200000", "--json",
                           "--cable", "xvc://127.0.0.1:%d?tck=%d" % (sim.port, TCK)] + extra
                rows.append(sim.run(tool + " " + label, cmd))
            bitstream = os.path.join(EXAMPLES, "blink-85f.bit")
            if extra is None:
                cmd = ["openFPGALoader", "-c", "xvc-client", "--ip", "127.0.0.1", "--port", str(sim.port),
                       "--freq", str(TCK), "--quiet", bitstream]
            else:
                cmd = [binary, "prog", bitstream, "--json", "--cable", "xvc://127.0.0.1:%d?tck=%d" % (sim.port, TCK)]
            rows.append(sim.run(tool + " SRAM", cmd))
            done = sim.read()["fpga"]["done"]
            sim.stop()
            if not done:
                sys.exit("benchmark: %s left the FPGA without DONE" % tool)
            results[tool] = rows
    print("XVC into a simulated LFE5U-85F + W25Q128JV, TCK %g MHz, image %d bytes at 0x200000" % (TCK / 1e6, len(image_a)))
    labels = [s[0] for s in scenarios] + ["(e) SRAM, blink-85f.bit"]
    for tool, title in [("TapWalker", "TapWalker as in the flash benchmark (--no-reload; SRAM row: prog)"),
                        ("TapWalker+reload", "TapWalker reloading the FPGA like openFPGALoader")]:
        print()
        print(title)
        print("%-30s %14s %14s %12s %12s %8s %8s" % ("scenario", "oFL TCK", "TW TCK", "oFL sim s", "TW sim s",
                                                     "TCK x", "time x"))
        for i, label in enumerate(labels):
            o, t = results["openFPGALoader"][i], results[tool][i]
            print("%-30s %14d %14d %12.3f %12.3f %8.3f %8.3f" % (label, o["tck"], t["tck"], o["us"] / 1e6, t["us"] / 1e6,
                                                                t["tck"] / max(o["tck"], 1), t["us"] / max(o["us"], 1)))
    print("(x = TapWalker / openFPGALoader, measured in this run; targets: blank flash <= 0.7, rewrites <= 0.1)")

if __name__ == "__main__":
    main()
