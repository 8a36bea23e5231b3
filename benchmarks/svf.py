#!/usr/bin/env python3
"""SVF benchmark: `tapwalker svf` against OpenOCD's `svf` command, the same file into the same board.

Prints figures, asserts nothing. For each part (BENCH_SVF_PARTS, default 25f) the SVF ecppack wrote
(Examples/blink-<part>.svf) is played into a fresh `tapwalker sim --remote-bitbang` by OpenOCD and
by TapWalker (`--cable rbb://`), one bit per remote_bitbang byte for both; then by TapWalker into
the in-process simulated board (no network). The figures: the board's TCK cycles and simulated
time from the server's --stats (TapWalker's includes its status read after the play; the play's
own TCK count is printed beside it), and the wall time of each client.
"""
import json
import os
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
EXAMPLES = os.path.join(ROOT, "Examples")
IDCODES = {"12f": "0x21111043", "25f": "0x41111043", "45f": "0x41112043", "85f": "0x41113043"}


class Sim:
    def __init__(self, binary, tmp, name, part):
        self.stats = os.path.join(tmp, name + "-stats.json")
        self.log = open(os.path.join(tmp, name + "-sim.log"), "w+")
        self.proc = subprocess.Popen([binary, "sim", "--remote-bitbang", "0", "--part", part, "--stats", self.stats],
                                     stdout=subprocess.DEVNULL, stderr=self.log)
        self.port = None
        for _ in range(600):
            self.log.seek(0)
            for line in self.log.read().splitlines():
                if line.startswith("listening: remote_bitbang "):
                    self.port = int(line.rsplit(":", 1)[1])
            if self.port:
                break
            time.sleep(0.05)
        if not self.port:
            sys.exit("benchmark: tapwalker sim did not start")

    def stop(self):
        self.proc.send_signal(2)
        self.proc.wait(timeout=60)
        with open(self.stats) as f:
            return json.load(f)


def timed(label, command):
    start = time.monotonic()
    result = subprocess.run(command, capture_output=True, text=True)
    elapsed = time.monotonic() - start
    if result.returncode != 0:
        sys.exit("benchmark: %s failed (%d):\n%s%s" % (label, result.returncode, result.stdout[-2000:], result.stderr[-3000:]))
    return result, elapsed


def main():
    parts = os.environ.get("BENCH_SVF_PARTS", "25f").split(",")
    subprocess.run(["swift", "build", "-c", "release", "--product", "tapwalker"], cwd=ROOT, check=True,
                   stdout=subprocess.DEVNULL)
    binary = os.path.join(ROOT, ".build", "release", "tapwalker")
    print("%-5s %-28s %12s %14s %10s %6s" % ("part", "player", "board TCK", "sim time (s)", "wall (s)", "DONE"))
    with tempfile.TemporaryDirectory() as tmp:
        for part in parts:
            svf = os.path.join(EXAMPLES, "blink-%s.svf" % part)
            sim = Sim(binary, tmp, "openocd-" + part, part)
            _, ocd_wall = timed("openocd", ["openocd", "-c",
                                            "adapter driver remote_bitbang; remote_bitbang host 127.0.0.1; remote_bitbang port %d; "
                                            "transport select jtag; jtag newtap ecp5 tap -irlen 8 -expected-id %s; init; "
                                            "svf -quiet %s; shutdown" % (sim.port, IDCODES[part], svf)])
            ocd = sim.stop()
            sim = Sim(binary, tmp, "tapwalker-" + part, part)
            result, tw_wall = timed("tapwalker svf", [binary, "svf", svf, "--json", "--cable", "rbb://127.0.0.1:%d" % sim.port])
            tw = sim.stop()
            played = json.loads(result.stdout)["svf"]["tck_cycles"]
            result, local_wall = timed("tapwalker svf (in-process)", [binary, "svf", svf, "--json", "--cable", "sim:part=" + part])
            local = json.loads(result.stdout)
            rows = [
                ("OpenOCD svf over rbb", ocd["tck_cycles"], ocd["sim_time_us"], ocd_wall, ocd["fpga"]["done"]),
                ("tapwalker svf over rbb", tw["tck_cycles"], tw["sim_time_us"], tw_wall, tw["fpga"]["done"]),
                ("tapwalker svf in-process", local["tck_cycles"], local["sim_time_us"], local_wall, local["done"]),
            ]
            for name, tck, us, wall, done in rows:
                print("%-5s %-28s %12d %14.3f %10.2f %6s" % (part, name, tck, us / 1e6, wall, done))
            print("%-5s TapWalker's play alone: %d TCK; TCK ratio TapWalker/OpenOCD %.3f, wall ratio over rbb %.2f"
                  % (part, played, played / ocd["tck_cycles"], tw_wall / ocd_wall))


if __name__ == "__main__":
    main()
