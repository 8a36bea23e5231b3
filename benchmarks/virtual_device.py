#!/usr/bin/env python3
"""The virtual ESP32 programming its simulated board at 25 MHz TCK, seen from real clients.

Prints figures, asserts nothing. One virtual ESP32 (`bash scripts/virtual-device.sh DIR`, an
LFE5U-85F with a W25Q128JV, `[jtag] tck_hz = 25000000`) does:

  (a) an SRAM load of Examples/blink-85f.bit over HTTP (PUT /api/fpga);
  (b) the same bitstream gzip-compressed, received over FTP (STOR fpga), inflated on the device;
  (c) that bitstream (1.9 MB) written to flash at 0x200000, the flash blank there (PUT /api/flash);
  (d) the same write again: the device compares first and skips every identical sector.

For each: the wall time the client waited, and the simulated time the device's pin-level JTAG
model counted for the job, when the device reports it (`sim_time_us`, with `tck_cycles`, in the
job's result). The SRAM loads are set against their bit time: the bitstream's bits at 25 MHz, the
least any JTAG cable at that TCK can take (target: at most 1.05 times that). A device that does not
report simulated time gets "not reported" in that column: no figure is made up.

TAPWALKER_DEVICE=host (or --host) runs the same clients against the host stand-in
(`tapwalker serve` on the simulator), to check the benchmark itself.
"""
import ftplib
import json
import os
import re
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "end-to-end", "virtual-device"))
import device_harness as dh  # noqa: E402

TCK = 25_000_000
FLASH_ADDRESS = 0x200000


def simulated(text):
    """(tck_cycles, simulated µs) found in a job's result text, each None when absent."""
    def number(*keys):
        for key in keys:
            m = re.search(r'"?%s"?\s*[:=]\s*(\d+)' % key, text)
            if m:
                return int(m.group(1))
        return None
    return number("tck_cycles", "tckCycles"), number("sim_time_us", "simulatedMicroseconds", "simulated_us")


def http_job(device, path, upload):
    started = time.monotonic()
    code, body = device.curl(["-X", "PUT", "-T", upload, device.http_base + path])
    wall = time.monotonic() - started
    if code != 200:
        raise RuntimeError("PUT %s answered %d: %s" % (path, code, body))
    return wall, body, json.loads(body)


def ftp_job(device, upload, target):
    ftp = ftplib.FTP()
    ftp.connect("127.0.0.1", device.ports["ftp"], timeout=600)
    ftp.login(dh.USER, dh.PASSWORD)
    started = time.monotonic()
    with open(upload, "rb") as f:
        reply = ftp.storbinary("STOR " + target, f)
    wall = time.monotonic() - started
    ftp.quit()
    if not reply.startswith("226"):
        raise RuntimeError("STOR %s: %s" % (target, reply))
    return wall, reply


def main():
    if "--host" in sys.argv:
        os.environ["TAPWALKER_DEVICE"] = "host"
    if dh.kind() != "virtual" and os.environ.get("TAPWALKER_DEVICE") != "host":
        print("benchmark: the virtual ESP32 (scripts/virtual-device.sh) is not in this tree; skipped")
        return
    bitstream = dh.example("blink-85f.bit")
    size = os.path.getsize(bitstream)
    bit_seconds = size * 8 / TCK
    rows, notes, failures = [], [], []
    with tempfile.TemporaryDirectory() as tmp:
        config = dh.Config(extra_sections="\n[jtag]\npreset = esp32c3\ntck_hz = %d\n" % TCK)
        gz = dh.gzip_file(bitstream, os.path.join(tmp, "blink-85f.bit.gz"))

        def sram_http(device):
            wall, body, result = http_job(device, "/api/fpga", bitstream)
            if not result.get("done"):
                raise RuntimeError("the SRAM load did not end DONE: %s" % body)
            rows.append(("(a) SRAM, blink-85f.bit, HTTP", wall, simulated(body), bit_seconds))
            notes.append("device's message for (a): %s" % result.get("message"))

        def board_counts(device):
            """The cable's totals (TCK cycles, simulated µs) from GET /api/board."""
            code, body = device.curl([device.http_base + "/api/board"])
            if code != 200:
                raise RuntimeError("GET /api/board answered %d: %s" % (code, body))
            return simulated(body)

        def sram_ftp_gzip(device):
            # FTP's reply carries no counts: the cable's totals before and after the upload give
            # them (the second GET's own IDCODE read, a few hundred TCK cycles, is included).
            before = board_counts(device)
            wall, reply = ftp_job(device, gz, "fpga")
            if "DONE" not in reply:
                raise RuntimeError("the gzip SRAM load did not end DONE: %s" % reply)
            after = board_counts(device)
            counts = tuple(a - b if a is not None and b is not None else None for a, b in zip(after, before))
            rows.append(("(b) SRAM, .bit.gz (%d B), FTP" % os.path.getsize(gz), wall, counts, bit_seconds))
            notes.append("FTP reply to the gzip load: %s" % reply.replace("\r\n", " | "))

        def flash_twice(device):
            for label in ("blank", "identical"):
                wall, body, result = http_job(device, "/api/flash?addr=0x%x" % FLASH_ADDRESS, bitstream)
                rows.append(("(%s) flash 0x200000, %s" % ("c" if label == "blank" else "d", label), wall, simulated(body), None))
                notes.append("flash sectors, %-9s %s; device's message: %s"
                             % (label + ":", json.dumps(result.get("sectors"), sort_keys=True), result.get("message")))

        # Each group on a device of its own, so that one that fails leaves the others their figures.
        for name, job in (("sram-http", sram_http), ("sram-ftp-gzip", sram_ftp_gzip), ("flash", flash_twice)):
            device = dh.Device(os.path.join(tmp, name), config)
            try:
                job(device)
            except (Exception, SystemExit) as e:
                failures.append((name, e, device))
            finally:
                device.stop()
                kind = device.kind
        # The log is complete once the device has stopped (the script reports a crash last).
        failures = ["%s: %s: %s\n  device log: %s" % (name, type(e).__name__, e, device.log[-700:].replace("\n", "\n    "))
                    for name, e, device in failures]

    what = "the virtual ESP32" if kind == "virtual" else "the host stand-in (tapwalker serve, simulated cable)"
    print("%s: LFE5U-85F + W25Q128JV, TCK %g MHz, blink-85f.bit %d bytes (bit time %.3f s)"
          % (what, TCK / 1e6, size, bit_seconds))
    print("%-36s %10s %12s %12s %10s" % ("job", "wall s", "TCK cycles", "sim s", "sim/bits"))
    missing = False
    for label, wall, (cycles, micros), reference in rows:
        sim = "%.3f" % (micros / 1e6) if micros is not None else "not reported"
        ratio = "%.3f" % (micros / 1e6 / reference) if micros is not None and reference else ""
        missing = missing or micros is None
        print("%-36s %10.3f %12s %12s %10s" % (label, wall, cycles if cycles is not None else "-", sim, ratio))
    for note in notes:
        print(note)
    print("(sim/bits: simulated time over the bit time at this TCK, measured in this run; target <= 1.05)")
    if missing:
        print("(simulated time: the job results carry no sim_time_us, so only wall time is shown)")
    if failures:
        # Printed, not asserted: the device tests are where a broken job fails the run.
        print("benchmark: jobs that failed (no figures for them):\n" + "\n".join(failures))


if __name__ == "__main__":
    main()
