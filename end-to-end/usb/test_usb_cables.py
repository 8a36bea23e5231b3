#!/usr/bin/python3
"""TapWalker's USB cables against emulated USB devices (end-to-end/usb/usb_emulator.py): libusb's real
code path, each device model driving the strict simulated ECP5 at pin level.

Run with Debian's /usr/bin/python3 (umockdev comes through python3-gi). USB_EMULATOR overrides the
emulator's path, TAPWALKER the binary (default .build/debug/tapwalker).
"""

import json
import os
import shlex
import socket
import subprocess
import sys
import tempfile
import unittest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
EMULATOR = os.environ.get("USB_EMULATOR", os.path.join(ROOT, "end-to-end", "usb", "usb_emulator.py"))
TAPWALKER = os.environ.get("TAPWALKER", os.path.join(ROOT, ".build", "debug", "tapwalker"))
EXAMPLES = os.path.join(ROOT, "Examples")

# Emulated device kind -> the --cable that opens it.
CABLES = {"ft2232h": "ft2232", "ft4232h": "ft4232", "ft232h": "ft232h", "ft231x": "ft231x",
          "cmsis-dap": "cmsis-dap", "dirtyjtag": "dirtyjtag"}


def example(name):
    return os.path.join(EXAMPLES, name)


def emulate(devices, command, part="12f", extra=(), timeout=180):
    """Runs the shell `command` under the emulator with `devices`; $TW is tapwalker."""
    args = ["/usr/bin/python3", EMULATOR, "--tapwalker", TAPWALKER, f"--sim-arg=--part={part}", *extra]
    for d in devices:
        args += ["--device", d]
    env = dict(os.environ, TW=TAPWALKER)
    return subprocess.run(args + ["--", "sh", "-c", command], capture_output=True, text=True,
                          timeout=timeout, cwd=ROOT, env=env)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Every(unittest.TestCase):
    """detect and an SRAM load to DONE through every emulated device."""

    def check_detect_and_load(self, kind, bitstream):
        cable = CABLES[kind]
        r = emulate([kind], f'$TW detect --cable {cable} --json && $TW prog -q --cable {cable} --json {example(bitstream)}')
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        detect, prog = [json.loads(line) for line in r.stdout.splitlines() if line.startswith("{")]
        self.assertEqual(detect["idcode"], "0x21111043")
        self.assertEqual(detect["part"], "LFE5U-12F")
        self.assertTrue(prog["ok"])
        self.assertTrue(prog["done"])
        self.assertGreater(prog["tck_cycles"], os.path.getsize(example(bitstream)) * 8)
        # Which device was chosen goes to standard error, never into --json output.
        self.assertIn("tapwalker: using", r.stderr)

    def test_ft2232h(self): self.check_detect_and_load("ft2232h", "blink-12f.bit")
    def test_ft4232h(self): self.check_detect_and_load("ft4232h", "blink-12f-compressed.bit")
    def test_ft232h(self): self.check_detect_and_load("ft232h", "ram-12f-compressed.bit")
    def test_ft231x(self): self.check_detect_and_load("ft231x", "blink-12f-compressed.bit")
    def test_cmsis_dap(self): self.check_detect_and_load("cmsis-dap", "blink-12f-compressed.bit")
    def test_dirtyjtag(self): self.check_detect_and_load("dirtyjtag", "ram-12f-compressed.bit")

    def test_85f_plain_bitstream_over_ft2232h_at_15_mhz(self):
        r = emulate(["ft2232h"], f"$TW prog --cable ft2232:tck=15000000 --json {example('blink-85f.bit')}", part="85f")
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        out = json.loads(r.stdout)
        self.assertTrue(out["done"])
        self.assertEqual(out["part"], "LFE5U-85F")

    def test_board_ulx3s_chooses_the_ft231x(self):
        r = emulate(["ft231x"], "$TW detect --board ulx3s")
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn("ft231x", r.stdout)
        self.assertIn("LFE5U-12F", r.stdout)


class Flash(unittest.TestCase):
    def check_flash(self, kind):
        cable = CABLES[kind]
        bit = example("blink-12f-compressed.bit")
        r = emulate([kind], f"$TW flash write -q --cable {cable} --json {bit} && $TW flash verify -q --cable {cable} --json {bit}"
                            f" && $TW reload --cable {cable} --json && $TW detect --cable xvc://$TAPWALKER_EMU_XVC --json",
                    timeout=240)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        write, verify, reload, after = [json.loads(l) for l in r.stdout.splitlines() if l.startswith("{")]
        self.assertTrue(write["verified"])
        self.assertTrue(write["done"])
        self.assertTrue(verify["ok"])
        self.assertTrue(reload["done"])
        self.assertTrue(after["done"], "the board, seen over XVC afterwards, runs the design from flash")

    def test_flash_write_verify_reload_over_ft2232h(self): self.check_flash("ft2232h")
    def test_flash_write_verify_reload_over_cmsis_dap(self): self.check_flash("cmsis-dap")
    def test_flash_write_verify_reload_over_ft231x(self): self.check_flash("ft231x")
    def test_flash_write_verify_reload_over_dirtyjtag(self): self.check_flash("dirtyjtag")

    def test_flash_read_over_dirtyjtag(self):
        with tempfile.TemporaryDirectory() as d:
            out = os.path.join(d, "head.bin")
            r = emulate(["dirtyjtag"], f"$TW flash read -q --cable dirtyjtag --addr 0 --length 4096 -o {out}")
            self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
            with open(out, "rb") as f:
                self.assertEqual(f.read(), b"\xff" * 4096, "a blank simulated flash reads as 0xFF")


class Refusals(unittest.TestCase):
    def test_wrong_part_bitstream_is_refused_and_the_design_keeps_running(self):
        r = emulate(["ft2232h"], f"$TW prog -q --cable ft2232 {example('blink-12f-compressed.bit')}"
                                 f" && ! $TW prog --cable ft2232 {example('blink-85f-compressed.bit')}"
                                 f" && $TW detect --cable xvc://$TAPWALKER_EMU_XVC --json")
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn("LFE5U-85F", r.stderr)
        self.assertIn("nothing was written", r.stderr)
        self.assertTrue(json.loads(r.stdout.splitlines()[-1])["done"])


class Scan(unittest.TestCase):
    def test_scan_lists_each_device_with_the_cable_that_opens_it(self):
        r = emulate(["ft2232h,serial=FTA", "dirtyjtag,serial=DJ1", "cmsis-dap,serial=CD1"], "$TW scan && $TW scan --json")
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        text, _, js = r.stdout.partition("{")
        self.assertIn("--cable ft2232:serial=FTA", text)
        self.assertIn("--cable dirtyjtag:serial=DJ1", text)
        self.assertIn("--cable cmsis-dap:serial=CD1", text)
        self.assertIn("0403:6010", text)
        devices = json.loads("{" + js)["devices"]
        self.assertEqual(sorted(d["cable"] for d in devices), ["cmsis-dap:serial=CD1", "dirtyjtag:serial=DJ1", "ft2232:serial=FTA"])
        ft = next(d for d in devices if d["vid"] == "0403")
        self.assertEqual((ft["pid"], ft["serial"], ft["bus"]), ("6010", "FTA", 1))

    def test_cmsis_dap_is_found_by_its_product_name_at_any_vid_pid(self):
        r = emulate(["cmsis-dap,vid=0x1234,pid=0x5678,product=Acme CMSIS-DAP probe"], "$TW scan && $TW detect --cable cmsis-dap")
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn("1234:5678", r.stdout)
        self.assertIn("LFE5U-12F", r.stdout)


class Errors(unittest.TestCase):
    def test_no_device_names_what_was_looked_for(self):
        r = emulate(["dirtyjtag"], "$TW detect --cable ft2232:serial=NOPE")
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertIn("no ft2232 device (0403:6010, serial NOPE) is connected", r.stderr)
        self.assertIn("tapwalker scan", r.stderr)

    def test_two_devices_without_serial_is_usage_naming_them(self):
        r = emulate(["ft2232h,serial=AAA1", "ft2232h,serial=BBB2"],
                    "$TW detect --cable ft2232; echo rc=$?; $TW detect --cable ft2232:serial=BBB2")
        self.assertIn("rc=2", r.stdout)
        self.assertIn("serial=AAA1", r.stderr)
        self.assertIn("serial=BBB2", r.stderr)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("LFE5U-12F", r.stdout)

    def test_permission_denied_names_the_node_and_the_udev_rule(self):
        r = emulate(["ft2232h,mode=0000"], "$TW scan; $TW detect --cable ft2232")
        self.assertEqual(r.returncode, 1, r.stdout + r.stderr)
        self.assertIn("permission denied opening /dev/bus/usb/001/", r.stderr)
        self.assertIn("60-tapwalker.rules", r.stderr)
        # scan still lists the device (by its descriptors) and says why it cannot be opened.
        self.assertIn("0403:6010", r.stdout)
        self.assertIn("cannot open", r.stdout)

    def test_unplugged_mid_load_says_what_state_the_fpga_may_be_in(self):
        r = emulate(["ft2232h"], f"$TW prog --cable ft2232 {example('blink-12f.bit')}", extra=["--unplug-after-out-bytes", "60000"])
        self.assertEqual(r.returncode, 1, r.stdout + r.stderr)
        self.assertIn("unplugged", r.stderr)
        self.assertIn("may be erased or half configured", r.stderr)

    def test_unplugged_mid_flash_write_says_what_state_the_flash_may_be_in(self):
        r = emulate(["cmsis-dap"], f"$TW flash write --cable cmsis-dap {example('blink-12f.bit')}", extra=["--unplug-after-out-bytes", "40000"])
        self.assertEqual(r.returncode, 1, r.stdout + r.stderr)
        self.assertIn("unplugged", r.stderr)
        self.assertIn("running the same job again finishes it", r.stderr)

    def test_a_kernel_driver_holding_the_interface_is_detached_and_said(self):
        r = emulate(["ft2232h,driver=ftdi_sio"], "$TW detect --cable ft2232 --json")
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn("detached the kernel driver from interface 0", r.stderr)
        self.assertEqual(json.loads(r.stdout)["part"], "LFE5U-12F")
        # Without the detach the claim fails: the emulated node answers EBUSY while a driver is bound.
        r = emulate(["ft231x,driver=ftdi_sio"], "$TW detect --cable ft231x --json")
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn("detached the kernel driver", r.stderr)

    def test_tdo_stuck_is_no_device_not_a_part(self):
        for level, kind in (("1", "ft2232h"), ("0", "dirtyjtag")):
            r = emulate([f"{kind},jtag=none{level}"], f"$TW detect --cable {CABLES[kind]} --json")
            self.assertEqual(r.returncode, 1, r.stdout + r.stderr)
            out = json.loads(r.stdout)
            self.assertIn(f"no JTAG device answers: TDO stuck at {level}", out["error"])
            self.assertIsNone(out["part"])


class ServeXVC(unittest.TestCase):
    def test_openfpgaloader_over_xvc_in_front_of_a_usb_cable(self):
        port = free_port()
        bit = example("blink-12f-compressed.bit")
        script = (f"$TW serve -q --xvc {port} --cable ft2232 & pid=$!; "
                  f"for i in $(seq 50); do sleep 0.1; (exec 3<>/dev/tcp/127.0.0.1/{port}) 2>/dev/null && break; done; "
                  f"openFPGALoader -c xvc-client --port {port} --detect && openFPGALoader -c xvc-client --port {port} {bit}; rc=$?; "
                  f"kill -INT $pid; wait $pid; "
                  f"$TW detect --cable xvc://$TAPWALKER_EMU_XVC --json; exit $rc")
        r = emulate(["ft2232h"], f"bash -c {shlex.quote(script)}", timeout=240)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn("0x21111043", r.stdout.lower() + r.stderr.lower())
        self.assertTrue(json.loads(r.stdout.splitlines()[-1])["done"])


if __name__ == "__main__":
    unittest.main()
