"""The emulated USB JTAG devices are faithful: real peer tools (openFPGALoader, OpenOCD) drive each of
them through libusb to DONE on the strict simulated ECP5, and the emulator's own error knobs do
what a real board would.

Run: /usr/bin/python3 -m unittest discover -s end-to-end/usb -p 'test_*.py' -v   (after swift build)
"""

import json
import os
import subprocess
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
EMULATOR = os.path.join(HERE, "usb_emulator.py")
TAPWALKER = os.path.join(ROOT, ".build", "debug", "tapwalker")
EXAMPLES = os.path.join(ROOT, "Examples")
PYTHON = "/usr/bin/python3"

# What the board says afterwards, read over XVC by TapWalker itself.
BOARD_JSON = ' && echo "BOARD:$(%s detect --cable xvc://$TAPWALKER_EMU_XVC --json)"' % TAPWALKER


def emulate(devices, command, sim_args=(), timeout=240, extra=()):
    """Runs `command` (a shell line) under the emulator; returns (status, output, stats)."""
    with tempfile.TemporaryDirectory() as tmp:
        stats_path = os.path.join(tmp, "stats.json")
        argv = [PYTHON, EMULATOR, "--stats", stats_path, *extra]
        for arg in sim_args:
            argv += ["--sim-arg", arg]
        for device in devices:
            argv += ["--device", device]
        argv += ["--", "sh", "-c", command]
        proc = subprocess.Popen(argv, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                text=True, errors="replace")
        try:
            output, _ = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            # SIGTERM lets the emulator stop its command and the board; then make sure.
            proc.terminate()
            try:
                output, _ = proc.communicate(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                output, _ = proc.communicate()
            raise AssertionError(f"timed out after {timeout} s:\n{output[-3000:]}")
        stats = None
        if os.path.exists(stats_path):
            with open(stats_path) as f:
                stats = json.load(f)
        return proc.returncode, output, stats


def board_state(output):
    lines = [line for line in output.splitlines() if line.startswith("BOARD:")]
    if not lines:
        raise AssertionError("no board state in output:\n" + output[-3000:])
    return json.loads(lines[-1][len("BOARD:"):])


def example(name):
    return os.path.join(EXAMPLES, name)


class EmulatedDeviceTest(unittest.TestCase):
    maxDiff = None

    @classmethod
    def setUpClass(cls):
        if not os.access(TAPWALKER, os.X_OK):
            raise AssertionError(f"{TAPWALKER} missing: run swift build first")

    def assertLoaded(self, status, output, part):
        self.assertEqual(status, 0, output[-3000:])
        board = board_state(output)
        self.assertEqual(board["part"], part, output[-3000:])
        self.assertTrue(board["done"], output[-3000:])
        self.assertIsNone(board["bse"], output[-3000:])

    def assertOfl(self, output, marker):
        self.assertIn(marker, output, output[-3000:])


class FT2232HTest(EmulatedDeviceTest):
    def test_openfpgaloader_detects_the_45f_and_loads_a_compressed_bitstream_to_done(self):
        status, output, stats = emulate(
            ["ft2232h"],
            "openFPGALoader -c ft2232 --detect && openFPGALoader -c ft2232 %s" % example("blink-45f-compressed.bit")
            + BOARD_JSON, sim_args=["--part", "45f"])
        self.assertOfl(output, "LFE5UM-45")
        self.assertLoaded(status, output, "LFE5U-45F")
        device = stats["devices"][0]
        self.assertEqual((device["vid"], device["pid"], device["serial"]), ("0403", "6010", "FT4EMU01"))
        self.assertGreater(device["bulk_bytes_out"], 160_000)      # the bitstream went through USB

    def test_openfpgaloader_loads_an_85f(self):
        status, output, _ = emulate(
            ["ft2232h"], "openFPGALoader -c ft2232 %s" % example("blink-85f-compressed.bit") + BOARD_JSON,
            sim_args=["--part", "85f"])
        self.assertLoaded(status, output, "LFE5U-85F")

    def test_openfpgaloader_writes_the_flash_and_the_fpga_boots_from_it(self):
        status, output, _ = emulate(
            ["ft2232h"], "openFPGALoader -c ft2232 -f %s" % example("blink-45f-compressed.bit") + BOARD_JSON,
            sim_args=["--part", "45f"], timeout=400)
        self.assertOfl(output, "Refresh: DONE")
        self.assertLoaded(status, output, "LFE5U-45F")

    def test_openocd_ftdi_driver_finds_the_idcode_and_plays_an_svf_to_done(self):
        # OpenOCD builds its MPSSE opcodes from the mode bits (0x29 reads, 0x6B TMS with read, 64 KB
        # transfers), unlike openFPGALoader.
        config = ("adapter driver ftdi; ftdi vid_pid 0x0403 0x6010; ftdi channel 0; "
                  "ftdi layout_init 0x0008 0x000b; transport select jtag; adapter speed 6000; "
                  "jtag newtap ecp5 tap -irlen 8 -expected-id 0x21111043; init; scan_chain; "
                  "svf -tap ecp5.tap -quiet %s; shutdown" % example("blink-12f.svf"))
        status, output, _ = emulate(["ft2232h"], f"openocd -c '{config}'" + BOARD_JSON, sim_args=["--part", "12f"])
        self.assertIn("tap/device found: 0x21111043", output)
        self.assertLoaded(status, output, "LFE5U-12F")


class FT231XTest(EmulatedDeviceTest):
    def test_openfpgaloader_ulx3s_detects_and_loads_to_done(self):
        status, output, stats = emulate(
            ["ft231x"],
            "openFPGALoader -b ulx3s --detect && openFPGALoader -b ulx3s %s" % example("blink-45f-compressed.bit")
            + BOARD_JSON, sim_args=["--part", "45f"], timeout=400)
        self.assertOfl(output, "LFE5UM-45")
        self.assertLoaded(status, output, "LFE5U-45F")
        self.assertEqual(stats["devices"][0]["pid"], "6015")


class DirtyJtagTest(EmulatedDeviceTest):
    def test_openfpgaloader_detects_and_loads_to_done(self):
        status, output, _ = emulate(
            ["dirtyjtag"],
            "openFPGALoader -c dirtyJtag --detect && openFPGALoader -c dirtyJtag %s" % example("blink-45f-compressed.bit")
            + BOARD_JSON, sim_args=["--part", "45f"], timeout=400)
        self.assertOfl(output, "LFE5UM-45")
        self.assertLoaded(status, output, "LFE5U-45F")


class CmsisDapTest(EmulatedDeviceTest):
    # Debian's openFPGALoader reaches CMSIS-DAP only through hidapi (v1); OpenOCD's usb_bulk backend
    # speaks v2 through libusb.
    OPENOCD = ("adapter driver cmsis-dap; cmsis_dap_backend usb_bulk; transport select jtag; "
               "adapter speed 10000; jtag newtap ecp5 tap -irlen 8 -expected-id %s; init; ")

    def test_openocd_finds_the_idcode(self):
        status, output, stats = emulate(
            ["cmsis-dap"], "openocd -c '%s scan_chain; shutdown'" % (self.OPENOCD % "0x41112043"),
            sim_args=["--part", "45f"])
        self.assertEqual(status, 0, output[-3000:])
        self.assertIn("CMSIS-DAPv2 interface with VID:PID=0x0d28:0x0204, serial=FT4EMU01", output)
        self.assertIn("tap/device found: 0x41112043", output)

    def test_openocd_plays_an_svf_to_done(self):
        status, output, _ = emulate(
            ["cmsis-dap"],
            "openocd -c '%s svf -tap ecp5.tap -quiet %s; shutdown'" % (self.OPENOCD % "0x21111043", example("blink-12f.svf"))
            + BOARD_JSON, sim_args=["--part", "12f"], timeout=400)
        self.assertLoaded(status, output, "LFE5U-12F")


class KnobsTest(EmulatedDeviceTest):
    def test_no_jtag_target_means_openfpgaloader_finds_no_ecp5(self):
        for device, cable in (("ft2232h,jtag=none1", "-c ft2232"), ("ft231x,jtag=none0", "-b ulx3s")):
            with self.subTest(device=device):
                status, output, _ = emulate([device], f"openFPGALoader {cable} --detect")
                self.assertNotIn("ECP5", output)
                self.assertNotIn("idcode", output)

    def test_unplug_mid_load_fails_the_running_openfpgaloader(self):
        status, output, stats = emulate(
            ["ft2232h"],
            "openFPGALoader -c ft2232 %s; echo OFL=$?; lsusb -d 0403:6010; echo LSUSB=$?" % example("blink-45f-compressed.bit")
            + BOARD_JSON, sim_args=["--part", "45f"], extra=["--unplug-after-out-bytes", "60000"])
        self.assertIn("OFL=1", output)
        self.assertIn("LSUSB=1", output)            # the device is gone from the bus
        self.assertFalse(board_state(output)["done"])
        device = stats["devices"][0]
        self.assertTrue(device["unplugged"])
        self.assertLess(device["bulk_bytes_out"], 60_000 + 65_536)

    def test_an_unreadable_node_gives_eacces_in_libusb(self):
        status, output, _ = emulate(
            ["ft2232h,mode=0000"], "LIBUSB_DEBUG=1 openFPGALoader -c ft2232 --detect; echo OFL=$?")
        self.assertIn("errno=13", output)           # EACCES, as for a user without a udev rule
        self.assertNotIn("OFL=0", output)

    def test_devices_get_distinct_serials_and_their_own_statistics(self):
        status, output, stats = emulate(
            ["ft2232h", "ft2232h,serial=MYSERIAL", "ft4232h"],
            "lsusb -v 2>/dev/null | grep iSerial; openFPGALoader -c ft2232 --ftdi-serial MYSERIAL --detect")
        self.assertEqual(status, 0, output[-3000:])
        for serial in ("FT4EMU01", "MYSERIAL", "FT4EMU03"):
            self.assertIn(serial, output)
        self.assertIn("LFE5UM-85", output)           # the default simulated part
        used = [d for d in stats["devices"] if d["bulk_out_urbs"]]
        self.assertEqual([d["serial"] for d in used], ["MYSERIAL"])


if __name__ == "__main__":
    unittest.main()
