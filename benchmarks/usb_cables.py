#!/usr/bin/python3
"""TapWalker against openFPGALoader through the same emulated FT2232H and FT231X (end-to-end/usb/usb_emulator.py,
--stats): wall time, bulk URBs and bytes each way per bitstream bit, and ratios; then a model of real
hardware. Prints figures, asserts nothing.

Model: TCK cycles at the cable's clock, plus a per-transfer cost for every IN transfer the host waits
for (a reply round trip: assumed 125 µs, one USB 2.0 microframe) and 20 µs of host overhead per OUT
transfer submitted (they are pipelined, so their wire time overlaps the clocking).
usage: /usr/bin/python3 benchmarks/usb_cables.py   (after swift build; USB_EMULATOR, TAPWALKER override paths)
"""

import json
import os
import subprocess
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
EMULATOR = os.environ.get("USB_EMULATOR", os.path.join(ROOT, "end-to-end", "usb", "usb_emulator.py"))
TAPWALKER = os.environ.get("TAPWALKER", os.path.join(ROOT, ".build", "debug", "tapwalker"))
ROUND_TRIP_S = 125e-6
OUT_SUBMIT_S = 20e-6

# (emulated device, part, bitstream, TapWalker's command, openFPGALoader's command)
CASES = [
    ("ft2232h", "85f", "blink-85f.bit", "prog -q --cable ft2232:tck=15000000", "openFPGALoader -c ft2232 --freq 15000000"),
    ("ft2232h", "85f", "blink-85f-compressed.bit", "prog -q --cable ft2232:tck=15000000", "openFPGALoader -c ft2232 --freq 15000000"),
    ("ft231x", "12f", "blink-12f-compressed.bit", "prog -q --board ulx3s", "openFPGALoader -b ulx3s"),
]


def run(device, part, command):
    """Runs `command` under the emulator: (wall seconds, exit status, the device's --stats, stdout)."""
    with tempfile.TemporaryDirectory() as d:
        stats = os.path.join(d, "stats.json")
        timing = os.path.join(d, "time")
        out = os.path.join(d, "out")
        script = (f'start=$(date +%s.%N); {command} >{out} 2>/dev/null; rc=$?; end=$(date +%s.%N); '
                  f'echo "$start $end $rc" > {timing}')
        subprocess.run(["/usr/bin/python3", EMULATOR, "--tapwalker", TAPWALKER, f"--sim-arg=--part={part}",
                        "--stats", stats, "--device", device, "--", "sh", "-c", script],
                       cwd=ROOT, timeout=900, capture_output=True)
        start, end, rc = open(timing).read().split()
        s = json.load(open(stats))["devices"][0]
        return float(end) - float(start), int(rc), s, open(out).read()


def main():
    print(f"{'device':8} {'bitstream':26} {'tool':14} {'wall s':>7} {'URBs out':>9} {'URBs in':>8} {'control':>8} {'B out/bit':>10} {'B in/bit':>9}")
    for device, part, bit, tw, ofl in CASES:
        bits = os.path.getsize(os.path.join(ROOT, "Examples", bit)) * 8
        rows = {}
        cycles = None
        for tool, command in (("tapwalker", f"{TAPWALKER} {tw} --json Examples/{bit}"), ("openFPGALoader", f"{ofl} Examples/{bit}")):
            wall, rc, s, out = run(device, part, command)
            rows[tool] = (wall, s)
            if tool == "tapwalker" and rc == 0:
                cycles = json.loads(out)["tck_cycles"]
            flag = "" if rc == 0 else f"  (exit {rc})"
            print(f"{device:8} {bit:26} {tool:14} {wall:7.2f} {s['bulk_out_urbs']:9} {s['bulk_in_urbs']:8} {s['control_out_urbs'] + s['control_in_urbs']:8} "
                  f"{s['bulk_bytes_out'] / bits:10.3f} {s['bulk_bytes_in'] / bits:9.4f}{flag}")
        (tw_wall, tws), (of_wall, ofs) = rows["tapwalker"], rows["openFPGALoader"]
        def urbs(s):
            return s["bulk_out_urbs"] + s["bulk_in_urbs"] + s["control_out_urbs"] + s["control_in_urbs"]
        tw_urbs, of_urbs = urbs(tws), urbs(ofs)
        print(f"{'':8} {'':26} {'ratio TW/OFL':14} {tw_wall / of_wall:7.2f} {'all URBs':>9} {tw_urbs / of_urbs:8.3f}")
        if device == "ft2232h" and bit == "blink-85f.bit" and cycles:
            for tool, s in (("tapwalker", tws), ("openFPGALoader", ofs)):
                model = cycles / 30e6 + s["bulk_in_urbs"] * ROUND_TRIP_S + s["bulk_out_urbs"] * OUT_SUBMIT_S
                print(f"model, 85F over an FT2232H at 30 MHz, {tool:14}: {model:.3f} s against the bit time "
                      f"{bits / 30e6:.3f} s ({model / (bits / 30e6):.3f}×; TapWalker's {cycles} TCK cycles for both, "
                      f"{s['bulk_in_urbs']} IN and {s['bulk_out_urbs']} OUT transfers)")
    print("URB counts and bytes are the emulator's (--stats; the ratio counts bulk and control URBs); wall time is the command's, under the emulator.")


if __name__ == "__main__":
    main()
