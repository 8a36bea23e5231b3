#!/usr/bin/env python3
"""The virtual ESP32 end to end, through its pin-level JTAG cable, driven by real clients: curl on
the web API, lftp and Python's ftplib on FTP, openFPGALoader on XVC, OpenOCD on remote_bitbang,
and its serial console on standard input. Every test starts its own device in a directory of its
own (see device_harness.py), so none depends on another's leftovers.

A client tool that is not installed skips the tests that need it, with the tool's name, except in
CI (CI=true), where it fails them: the test command installs every tool. Tests of what only the
virtual ESP32 has (the console, the WiFi roaming, the hashed login from tapwalker.conf) are skipped
when the device under test is the host stand-in (TAPWALKER_DEVICE=host, or no
scripts/virtual-device.sh in the tree).

Run: python3 end-to-end/virtual-device/test_virtual_device.py [-v] [TestClass.test_name]
"""
import ftplib
import json
import hashlib
import os
import re
import shutil
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import device_harness as dh  # noqa: E402

BLINK = dh.example("blink-85f.bit")
with open(BLINK, "rb") as _f:
    BLINK_BYTES = _f.read()
WRONG_PART = dh.example("blink-12f.bit")
# A gzipped input's decoder is admitted by memory on top of its board job (docs/memory-admission.md):
# at the virtual ESP32's 150 KB it does not fit beside the reserve once a connection is open, so the
# tests that load gzipped inputs give the device the heap of a roomier chip.
ROOMY = "heap_kb = 200\n"


def need(*tools):
    """Skips the test when a tool is missing, outside CI; in CI a missing tool fails it."""
    missing = [t for t in tools if shutil.which(t) is None]
    if not missing:
        return lambda f: f
    message = "%s not installed (scripts/test.sh installs it)" % ", ".join(missing)
    if dh.in_ci():
        def failing(f):
            def test(self):
                self.fail("CI: " + message)
            test.__name__ = f.__name__
            test.__doc__ = f.__doc__
            return test
        return failing
    return unittest.skip(message)


def virtual_only(f):
    """Skips a test of what only the virtual ESP32 has (its simulated board and pins, the WiFi in
    virtual-wifi.conf, its heap cap) on the host stand-in and the emulated chip."""
    return unittest.skipUnless(dh.kind() == "virtual",
                               "needs the virtual ESP32 (scripts/virtual-device.sh): its WiFi, pins or heap cap")(f)


def qemu_only(f):
    """Skips a test of what only the firmware image has (ESP-IDF's OTA slots and bootloader) on the
    virtual ESP32 and the host stand-in."""
    return unittest.skipUnless(dh.kind() == "qemu",
                               "needs the firmware image on the emulated ESP32-C3 (scripts/firmware-qemu.sh)")(f)


def device_only(f):
    """Skips a test of what a device has and the host stand-in lacks (the console, tapwalker.conf's
    login): it runs on the virtual ESP32 and on the emulated chip."""
    return unittest.skipUnless(dh.kind() in ("virtual", "qemu"),
                               "needs a device (the virtual ESP32 or the emulated chip); the host stand-in has no console")(f)


class DeviceTest(unittest.TestCase):
    """Gives each test a device in a fresh directory, stopped afterwards."""
    maxDiff = None

    def start(self, config=None):
        tmp = dh.TempDirectory(self.id().rsplit(".", 1)[-1])
        self.addCleanup(tmp.cleanup)
        device = dh.Device(os.path.join(tmp.path, "device"), config)
        self.addCleanup(self._stop, device)
        self.tmp = tmp.path
        return device

    def _stop(self, device):
        if device.exit_code is None and device.procs:
            device.stop()
        # TAPWALKER_DEVICE_LOGS=DIR keeps each test's whole device output (the console: a
        # panic's register dump, the services' log) as DIR/TEST.log.
        logs = os.environ.get("TAPWALKER_DEVICE_LOGS")
        if logs and device.procs:
            os.makedirs(logs, exist_ok=True)
            with open(os.path.join(logs, self.id().rsplit(".", 1)[-1] + ".log"), "w") as f:
                f.write(device.log)

    def tmp_dir(self):
        """A scratch directory beside the device's (set by start(); made here when called first)."""
        if not hasattr(self, "tmp"):
            tmp = dh.TempDirectory(self.id().rsplit(".", 1)[-1] + "-extra")
            self.addCleanup(tmp.cleanup)
            self.tmp = tmp.path
        return self.tmp

    def file(self, name, data):
        path = os.path.join(self.tmp, name)
        with open(path, "wb") as f:
            f.write(data)
        return path

    def board(self, device):
        code, body = device.api("GET", "/api/board")
        self.assertEqual(code, 200, body)
        return body

    def assertDone(self, device, done=True):
        self.assertIs(self.board(device).get("done"), done)


class HTTPTests(DeviceTest):
    @need("curl")
    def test_board_sram_wrong_part_and_flash_dump(self):
        """Board info (IDCODE, part); SRAM load → DONE; a bitstream for another part refused with
        the board still DONE; flash written at 0x200000 and dumped back byte for byte."""
        d = self.start()
        info = self.board(d)
        self.assertEqual(info.get("idcode"), dh.IDCODE_85F, info)
        self.assertEqual(info.get("part"), "LFE5U-85F", info)
        self.assertIs(info.get("done"), False, info)

        code, load = d.api("PUT", "/api/fpga", upload=BLINK)
        self.assertEqual(code, 200, load)
        self.assertIs(load.get("ok"), True, load)
        self.assertEqual(load.get("bytes"), len(BLINK_BYTES), load)
        self.assertDone(d)

        # The device refuses after its 4 KB read-ahead and reads the rest before closing, so the
        # answer reaches curl rather than a reset.
        code, wrong = d.api("PUT", "/api/fpga", upload=WRONG_PART)
        self.assertEqual(code, 422, wrong)
        self.assertIs(wrong.get("sram_touched"), False, wrong)
        self.assertIn("LFE5U-12F", str(wrong))
        self.assertDone(d)

        code, write = d.api("PUT", "/api/flash?addr=0x200000", upload=BLINK)
        self.assertEqual(code, 200, write)
        self.assertIs(write.get("verified"), True, write)
        self.assertEqual(d.flash_dump(0x200000, len(BLINK_BYTES)), BLINK_BYTES)

        # Written through to the flash image by the time the device has stopped cleanly.
        self.assertEqual(d.stop(), 0, "a clean stop")
        self.assertEqual(d.read("flash.img", 0x200000, len(BLINK_BYTES)), BLINK_BYTES)
        self.assertEqual(d.read("flash.img", 0x200000 + len(BLINK_BYTES), 4096), b"\xff" * 4096)

    @need("curl")
    def test_login_required(self):
        """No login: 401 on the board and on an SRAM load (nothing loaded); a wrong password: 401;
        a cookie login works and its session reads the board."""
        d = self.start()
        code, body = d.api("GET", "/api/board", login=False)
        self.assertEqual(code, 401, body)
        code, body = d.api("PUT", "/api/fpga", upload=BLINK, login=False)
        self.assertEqual(code, 401, body)
        jar = os.path.join(self.tmp, "jar")
        code, body = d.curl(["-c", jar, "-d", "user=%s&password=%s" % (dh.USER, dh.PASSWORD), d.http_base + "/api/login"],
                            login=False)
        self.assertEqual(code, 200, body)
        self.assertIn('"access":"full"', body)
        code, body = d.curl(["-b", jar, d.http_base + "/api/board"], login=False)
        self.assertEqual(code, 200, body)
        self.assertIn('"done":false', body, "the refused load changed nothing")
        # Last, as it holds off further logins from this address for a while.
        code, body = d.curl(["-u", "%s:wrong" % dh.USER, d.http_base + "/api/board"], login=False)
        self.assertEqual(code, 401, body)


class FTPTests(DeviceTest):
    @need("lftp", "curl")
    def test_lftp_fpga(self):
        """lftp put to fpga: DONE, by SITE STATUS and the web API; a bitstream for another part
        refused (550) with the design still DONE."""
        d = self.start()
        r = d.lftp("put %s -o fpga; quote SITE STATUS" % BLINK)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr + d.log[-1500:])
        self.assertRegex(r.stdout + r.stderr, r"(?<!not )DONE")
        self.assertDone(d)
        r = d.lftp("put %s -o fpga" % WRONG_PART)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("550", r.stdout + r.stderr)
        self.assertIn("LFE5U-12F", r.stdout + r.stderr)
        self.assertDone(d)

    @need("lftp", "curl")
    def test_lftp_flash_and_sd(self):
        """lftp put to flash@0x200000 (read back through the web API and from the image after a
        clean stop), sd@512 and sd@-8192 (compared in the card image)."""
        d = self.start()
        r = d.lftp("put %s -o flash@0x200000" % BLINK)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertEqual(d.flash_dump(0x200000, len(BLINK_BYTES)), BLINK_BYTES)

        if not d.has_sd_card:
            d.stop()
            self.assertEqual(d.read("flash.img", 0x200000, len(BLINK_BYTES)), BLINK_BYTES)
            return
        head = bytes(i % 251 for i in range(3000))
        tail = dh.noise(8192, 5)
        r = d.lftp("put %s -o sd@512; put %s -o sd@-8192" % (self.file("head.img", head), self.file("tail.img", tail)))
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)

        d.stop()
        self.assertEqual(d.read("flash.img", 0x200000, len(BLINK_BYTES)), BLINK_BYTES)
        card = d.read("sd.img")
        self.assertEqual(len(card), dh.SD_BYTES, "the card image keeps its size")
        self.assertEqual(card[512:512 + len(head)], head)
        self.assertEqual(card[511], dh.SD_FILL)
        self.assertEqual(card[512 + len(head)], dh.SD_FILL)
        self.assertEqual(card[-8192:], tail)
        self.assertEqual(card[-8193], dh.SD_FILL)

    def test_store_without_login_refused(self):
        """STOR before logging in, and after a wrong password, is refused; nothing is loaded."""
        d = self.start()
        ftp = d.ftp()
        with self.assertRaises(ftplib.error_perm) as refused, open(BLINK, "rb") as f:
            ftp.storbinary("STOR fpga", f)
        self.assertTrue(str(refused.exception).startswith("530"), refused.exception)
        with self.assertRaises(ftplib.error_perm) as wrong:
            ftp.login(dh.USER, "wrong")
        self.assertTrue(str(wrong.exception).startswith("530"), wrong.exception)
        ftp.close()
        self.assertFalse(os.path.exists(d.path("fpga")), "no file was stored either")
        ftp = d.ftp()
        ftp.login(dh.USER, dh.PASSWORD)
        status = ftp.sendcmd("SITE STATUS")
        ftp.quit()
        self.assertIn("not DONE", status, "the refused upload loaded nothing")


class XVCTests(DeviceTest):
    @need("openFPGALoader", "curl")
    def test_openfpgaloader_detect_sram_and_flash_verify(self):
        """openFPGALoader over XVC: --detect names the ECP5; an SRAM load leaves the board DONE;
        a flash write at 0x200000 with --verify lands exactly (dumped through the web API and by
        openFPGALoader itself)."""
        # openFPGALoader reloads the FPGA after writing flash and fails when no design boots from
        # address 0, so the flash starts with one, as a board with a bootloader does.
        d = self.start(dh.Config(flash_boot=dh.example("blink-85f-compressed.bit")))
        r = d.openfpgaloader(["--detect"])
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        # openFPGALoader prints the IDCODE without its version nibble.
        self.assertIn("0x%x" % (dh.IDCODE_85F & 0x0FFFFFFF), r.stdout)
        self.assertIn("ECP5", r.stdout)

        r = d.openfpgaloader(["--freq", "20000000", BLINK])
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertDone(d)

        payload = dh.noise(100_000, 42)
        r = d.openfpgaloader(["-f", "--verify", "-o", "0x200000", self.file("payload.bin", payload)])
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn("Verifying write", r.stdout + r.stderr)
        self.assertEqual(d.flash_dump(0x200000, len(payload)), payload)
        dump = os.path.join(self.tmp, "ofl-dump.bin")
        r = d.openfpgaloader(["--dump-flash", "-o", "0x200000", "--file-size", str(len(payload)), dump])
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        with open(dump, "rb") as f:
            self.assertEqual(f.read(), payload)
        self.assertDone(d)


class RemoteBitbangTests(DeviceTest):
    @need("openocd")
    def test_openocd_scan_chain(self):
        """OpenOCD over remote_bitbang finds the ECP5's IDCODE on the scan chain."""
        d = self.start()
        r = d.openocd("scan_chain")
        out = r.stdout + r.stderr
        self.assertEqual(r.returncode, 0, out[-3000:])
        self.assertIn("JTAG tap: ecp5.tap tap/device found: 0x%08x" % dh.IDCODE_85F, out)
        self.assertNotIn("UNEXPECTED", out)
        self.assertNotIn("Error", out)


class ConsoleTests(DeviceTest):
    @device_only
    @need("curl", "lftp")
    def test_status_prog_wifi_list_and_wrong_command(self):
        """status names the FPGA; prog of a file in the device's directory loads it (DONE, seen
        by status and the web API); wifi list shows the SSIDs without passwords; an unknown
        command is answered with the way to help and the console goes on; help lists the commands."""
        d = self.start(dh.Config(wifiman=("lab:labpass", "home:homepassword")))
        status = d.console("status")
        self.assertIn("LFE5U-85F", status)
        self.assertRegex(status, r"(?i)41113043")

        # The emulated chip's storage partition (1,216 KB of FAT) does not hold the 1.9 MB plain
        # 85F bitstream; its compressed form (280 KB) is loaded there instead.
        d.put_file("blink.bit", BLINK if d.kind != "qemu" else dh.example("blink-85f-compressed.bit"))
        prog = d.console("prog blink.bit")
        self.assertNotRegex(prog, r"(?m)^error: ")
        self.assertIn("DONE", prog)
        self.assertRegex(d.console("status"), r"(?<!not )DONE")
        self.assertDone(d)

        listed = d.console("wifi list")
        self.assertIn("lab", listed)
        self.assertIn("home", listed)
        self.assertNotIn("labpass", listed)
        self.assertNotIn("homepassword", listed)

        wrong = d.console("frobnicate now")
        self.assertRegex(wrong, r"(?m)^error: ")
        self.assertIn("help", wrong)
        self.assertTrue(d.running(), "a wrong command does not end the device")
        helped = d.console("help")
        for command in ("status", "prog FILE", "flash FILE", "wifi list", "reboot"):
            self.assertIn(command, helped)
        self.assertIn("LFE5U-85F", d.console("status"))

        missing = d.console("prog nothing-here.bit")
        self.assertRegex(missing, r"(?m)^error: ")
        self.assertDone(d)

    @device_only
    @need("lftp")
    def test_flash_from_console(self):
        """flash FILE ADDR writes a file of the device's directory at the address (image compared
        after a clean stop); a misaligned address is refused before anything is written."""
        d = self.start()
        payload = dh.noise(20_000, 9)
        d.put_file("payload.bin", self.file("payload.bin", payload))
        refused = d.console("flash payload.bin 0x200100")
        self.assertRegex(refused, r"(?m)^error: ")
        written = d.console("flash payload.bin 0x200000")
        self.assertNotRegex(written, r"(?m)^error: ")
        d.stop()
        self.assertEqual(d.read("flash.img", 0x200000, len(payload)), payload)
        self.assertEqual(d.read("flash.img", 0x100000, 4096), b"\xff" * 4096)


class RoamingTests(DeviceTest):
    """Which network the device joins, from virtual-wifi.conf (what is in the air) and wifiman.conf
    (what it may join). connect_seconds = 1 keeps a failing attempt short."""
    WIFI = "\n[wifi]\nconnect_seconds = 1\nscan_seconds = 5\n"

    JOINED = r"(?i)(?:connected to|joined) \"?([^\"\s,]+)"

    def joined(self, d, ssid, others):
        """The device says, in its log and in status, that it joined `ssid`, and never one of `others`."""
        m = d.wait_for_log(self.JOINED, timeout=90)
        status = d.console("status")
        self.assertIsNotNone(m, "no log line about joining a network:\n%s\nstatus:\n%s" % (d.log[-3000:], status))
        self.assertEqual(m.group(1), ssid, m.group(0))
        in_status = re.findall(self.JOINED, status)
        self.assertEqual(in_status, [ssid], status)
        joined_anywhere = set(re.findall(self.JOINED, d.log))
        self.assertFalse(joined_anywhere & set(others), d.log[-3000:])

    @virtual_only
    def test_joins_strongest_configured_network(self):
        """Of the networks heard, the strongest configured one is joined; a stronger open network
        that is not configured is not."""
        d = self.start(dh.Config(wifiman=("home:homepassword", "lab:labpassword"),
                                 air=("cafe::-20", "home:homepassword:-70", "lab:labpassword:-40"),
                                 extra_sections=self.WIFI))
        self.joined(d, "lab", ["home", "cafe"])

    @virtual_only
    def test_wrong_password_tries_the_next(self):
        """The strongest configured network refuses the password in wifiman.conf: the next one is
        joined."""
        d = self.start(dh.Config(wifiman=("lab:notthepassword", "home:homepassword"),
                                 air=("lab:labpassword:-30", "home:homepassword:-60"),
                                 extra_sections=self.WIFI))
        self.joined(d, "home", ["lab"])

    @virtual_only
    def test_access_point_when_nothing_reachable(self):
        """No configured network in the air: after the scan rounds the device opens its access
        point tapwalker-XXXX and says so in its log."""
        config = dh.Config(wifiman=("home:homepassword",), air=("elsewhere:whatever:-50",), extra_sections=self.WIFI)
        tmp = dh.TempDirectory("ap")
        self.addCleanup(tmp.cleanup)
        d = dh.Device(os.path.join(tmp.path, "device"), config, start=False)
        self.addCleanup(self._stop, d)
        # The services may or may not listen in access point mode; the log line is what counts.
        d._spawn(["bash", dh.VIRTUAL_SCRIPT, d.dir], console=True)
        m = d.wait_for_log(r"(?i)access point[^\n]*tapwalker-[0-9a-f]{4}|tapwalker-[0-9a-f]{4}[^\n]*access point",
                           timeout=180)
        self.assertIsNotNone(m, d.log[-3000:])
        self.assertEqual(re.findall(RoamingTests.JOINED, d.log), [], "joined nothing")


class ConfigurationTests(DeviceTest):
    @device_only
    @need("curl")
    def test_salted_hash_password(self):
        """tapwalker.conf holding a PBKDF2 hash: the clear password logs in over HTTP and FTP, the
        hash itself does not."""
        salt = bytes(range(16))
        digest = hashlib.pbkdf2_hmac("sha256", dh.PASSWORD.encode(), salt, 1000)
        hashed = "pbkdf2-sha256$1000$%s$%s" % (salt.hex(), digest.hex())
        d = self.start(dh.Config(password=hashed))
        self.assertEqual(d.api("GET", "/api/board")[0], 200)
        code, _ = d.curl(["-u", "%s:%s" % (dh.USER, hashed), d.http_base + "/api/board"], login=False)
        self.assertEqual(code, 401)
        ftp = d.ftp()
        ftp.login(dh.USER, dh.PASSWORD)
        ftp.quit()

    @virtual_only
    @need("curl")
    def test_broken_configuration_refused(self):
        """A tapwalker.conf with a typo, uploaded over HTTP or FTP, is refused with its line and the
        device keeps the one it has (it would otherwise start without services at the next reset);
        a good one is stored."""
        d = self.start()
        code, before = d.curl([d.http_base + "/api/files/tapwalker.conf"])
        self.assertEqual(code, 200, before)
        typo = os.path.join(d.dir, "..", "typo.conf")
        with open(typo, "w") as f:
            f.write(before.replace("[login]", "[logn]"))
        code, body = d.api("PUT", "/api/files/tapwalker.conf", upload=typo)
        self.assertEqual(code, 422, body)
        self.assertRegex(body["error"], r"tapwalker\.conf:\d+: .*left as it was")
        ftp = ftplib.FTP()
        ftp.connect("127.0.0.1", d.ports["ftp"], timeout=60)
        ftp.login(dh.USER, dh.PASSWORD)
        with open(typo, "rb") as f:
            with self.assertRaisesRegex(ftplib.error_perm, r"^550 tapwalker\.conf:\d+: "):
                ftp.storbinary("STOR tapwalker.conf", f)
        ftp.quit()
        self.assertEqual(d.curl([d.http_base + "/api/files/tapwalker.conf"]), (200, before))
        same = os.path.join(d.dir, "..", "same.conf")
        with open(same, "w") as f:
            f.write(before + "\n")
        self.assertEqual(d.api("PUT", "/api/files/tapwalker.conf", upload=same)[0], 201)

    @device_only
    def test_reboot_from_console(self):
        """reboot answers, then the device restarts: the process ends with 75, or the script
        starts it again and the services come back; the emulated chip resets and boots again."""
        d = self.start()
        mark = len(d.log)
        reply = d.console("reboot", timeout=60)
        self.assertIn("rebooting", reply)
        if d.kind == "qemu":
            self.assertIsNotNone(d.wait_for_log(r"ESP-ROM:esp32c3", timeout=60, after=mark), d.log[mark:][-2000:])
            d.wait_for_ports(after=mark)
            self.assertIn("LFE5U-85F", d.console("status"))
            return
        proc = d.console_proc
        restarted = d.wait_for_log(r"(?i)restart", timeout=60, after=mark)
        if proc.poll() is not None:
            self.assertEqual(proc.returncode, dh.REBOOT_EXIT, d.log[-2000:])
        else:
            self.assertIsNotNone(restarted, d.log[mark:][-2000:])
            d.wait_for_ports()
            self.assertIn("LFE5U-85F", d.console("status"))


class PageTests(DeviceTest):
    @device_only
    def test_page_in_chromium(self):
        """The device's own page in headless Chromium (Selenium): the login form, then the board
        card names the FPGA, the WiFi card shows the joined network, and a bitstream dropped on
        the page is checked against the board, sent, and ends DONE on the board card."""
        driver = dh.chromium(self)
        from selenium.webdriver.common.by import By
        from selenium.webdriver.support import expected_conditions as EC
        from selenium.webdriver.support.ui import WebDriverWait
        d = self.start()
        wait = WebDriverWait(driver, 120)
        text = lambda element_id: driver.find_element(By.ID, element_id).text  # noqa: E731
        driver.get(d.http_base + "/")
        wait.until(EC.visibility_of_element_located((By.ID, "login")))
        driver.find_element(By.ID, "user").send_keys(dh.USER)
        driver.find_element(By.ID, "password").send_keys(dh.PASSWORD)
        driver.find_element(By.CSS_SELECTOR, "#login-form button[type=submit]").click()
        wait.until(EC.visibility_of_element_located((By.ID, "app")))
        wait.until(lambda _: "LFE5U-85F" in text("board"))
        wait.until(EC.visibility_of_element_located((By.ID, "wifi")))
        joined = "ethernet" if d.kind == "qemu" else "lab"
        wait.until(lambda _: joined in text("wifi"))
        # The drop zone as a user's drag would fill it: a file input, then a drop event.
        driver.execute_script(
            "let i=document.createElement('input');i.type='file';i.id='scratch';i.className='hidden';"
            "document.body.appendChild(i);")
        driver.find_element(By.ID, "scratch").send_keys(BLINK)
        driver.execute_script(
            "const dt=new DataTransfer();dt.items.add(document.getElementById('scratch').files[0]);"
            "document.getElementById('drop').dispatchEvent(new DragEvent('drop',{dataTransfer:dt,bubbles:true,cancelable:true}));")
        wait.until(lambda _: "matches the board" in text("check"))
        wait.until(EC.element_to_be_clickable((By.ID, "send"))).click()
        wait.until(lambda _: "DONE" in text("result"))
        wait.until(lambda _: "yes (configured)" in text("board"))
        self.assertDone(d)


class NetworkCableTests(DeviceTest):
    @virtual_only
    @need("curl", "lftp", "openocd")
    def test_board_through_an_xvc_server(self):
        """[jtag] cable = xvc://HOST:PORT: the device drives the board of a `tapwalker sim --xvc`
        instead of its own pins, with the same board service and policy: status names the cable;
        an SRAM load over HTTP reaches DONE there; a bitstream for another part is refused with the
        design kept; OpenOCD over the device's remote_bitbang reads the IDCODE through the XVC
        cable; a flash write over FTP lands in the simulator's flash image and not in the device's
        own simulated board."""
        flash = os.path.join(self.tmp_dir(), "sim-flash.img")
        with open(flash, "wb") as f:
            f.write(b"\xff" * dh.FLASH_BYTES)
        sim = dh.Simulator(flash)
        self.addCleanup(sim.stop)
        d = self.start(dh.Config(extra_sections="\n[jtag]\ncable = xvc://127.0.0.1:%d\n" % sim.port))
        self.assertIsNotNone(d.wait_for_log(r"the board is reached through xvc://127\.0\.0\.1:%d" % sim.port), d.log)
        self.assertIn("jtag: cable xvc://127.0.0.1:%d" % sim.port, d.console("status"))

        code, load = d.api("PUT", "/api/fpga", upload=BLINK)
        self.assertEqual(code, 200, load)
        self.assertIs(load.get("ok"), True, load)
        self.assertDone(d)
        code, wrong = d.api("PUT", "/api/fpga", upload=WRONG_PART)
        self.assertEqual(code, 422, wrong)
        self.assertIs(wrong.get("sram_touched"), False, wrong)
        self.assertDone(d)
        status = d.console("status")
        self.assertIn("jtag: cable xvc://127.0.0.1:%d, connected" % sim.port, status)
        self.assertRegex(status, r"(?<!not )DONE")

        r = d.openocd("scan_chain")
        out = r.stdout + r.stderr
        self.assertEqual(r.returncode, 0, out[-3000:])
        self.assertIn("JTAG tap: ecp5.tap tap/device found: 0x%08x" % dh.IDCODE_85F, out)

        r = d.lftp("put %s -o flash@0x200000" % BLINK)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertEqual(d.stop(), 0, "a clean stop")
        self.assertEqual(sim.stop(), 0, sim.log)
        with open(flash, "rb") as f:
            f.seek(0x200000)
            self.assertEqual(f.read(len(BLINK_BYTES)), BLINK_BYTES)
        self.assertEqual(d.read("flash.img", 0x200000, 4096), b"\xff" * 4096,
                         "the device's own simulated board is not used")

    @virtual_only
    def test_unreachable_server_fails_the_job_and_says_so(self):
        """A cable whose server does not answer: the device still boots and serves; a job fails
        with exit 1's kind of error naming the address, and status shows the problem."""
        port = dh.free_ports(1)[0]
        d = self.start(dh.Config(extra_sections="\n[jtag]\ncable = xvc://127.0.0.1:%d\n" % port))
        d.put_file("blink.bit", BLINK)
        prog = d.console("prog blink.bit")
        self.assertRegex(prog, r"(?m)^error: .*cannot reach the JTAG server xvc://127\.0\.0\.1:%d" % port)
        self.assertIn("last problem: cannot reach the JTAG server", d.console("status"))
        self.assertTrue(d.running())


class MemoryTests(DeviceTest):
    """Admission by memory (docs/memory-admission.md): the floods that once ran the virtual ESP32
    out of its heap (exit 134) are refused in part (FTP 421/451, HTTP 503 with Retry-After) and
    never end the device, at its 150 KB and at a lower cap; a real user is served after each; and
    what each kind of work was measured to hold stays within its figure (HeapFigures.swift)."""
    FLOOD = os.path.join(dh.ROOT, "end-to-end", "flood", "memory_flood.py")
    # Runs per heap cap, each flooding in all three ways; MEMORY_FLOOD_RUNS sets more (the
    # figures in docs/memory-admission.md come from such longer runs).
    RUNS = int(os.environ.get("MEMORY_FLOOD_RUNS", "2"))
    SECONDS = float(os.environ.get("MEMORY_FLOOD_SECONDS", "5"))

    def flood(self, d, mode):
        r = dh.run([sys.executable, self.FLOOD, mode, str(d.ports["ftp"]), str(d.ports["http"]), str(self.SECONDS)],
                   timeout=self.SECONDS + 120)
        m = re.search(r"RESULT \S+ ok (\d+) refused (\d+) busy (\d+) failed (\d+) flood connections (\d+)", r.stdout)
        self.assertIsNotNone(m, r.stdout + r.stderr)
        return [int(g) for g in m.groups()], r.stdout

    def assertAlive(self, d, what):
        self.assertTrue(d.running(), "%s: the device ended:\n%s" % (what, d.log[-3000:]))
        self.assertNotIn("out of memory", d.log, what)

    def retried(self, attempt, ok):
        """attempt(), again each second while ok(its result) is false, for up to 30 s: the
        flood's last connections may still be closing (as Retry-After says)."""
        deadline = time.time() + 30
        while True:
            result = attempt()
            if ok(result) or time.time() > deadline:
                return result
            time.sleep(1)

    def user_served(self, d, what, files):
        """A real user logs in over FTP and loads the FPGA, and over HTTP loads it: DONE; with
        `files`, also stores a file over FTP and reads it back (at a lower cap the reserve for
        one board job leaves no room for a transfer beside it, and a store is refused)."""
        done = lambda r: r.returncode == 0
        r = self.retried(lambda: d.lftp("put %s -o fpga" % BLINK, timeout=120), done)
        self.assertEqual(r.returncode, 0, "%s: FTP fpga: %s %s" % (what, r.stdout, r.stderr))
        if files:
            r = self.retried(lambda: d.lftp("put %s -o user-check.bit" % BLINK, timeout=120), done)
            self.assertEqual(r.returncode, 0, "%s: FTP store: %s %s" % (what, r.stdout, r.stderr))
            self.assertEqual(d.read("user-check.bit"), BLINK_BYTES, what)
        code, body = self.retried(lambda: d.api("PUT", "/api/fpga", upload=BLINK, timeout=120), lambda a: a[0] != 503)
        self.assertEqual(code, 200, "%s: %s" % (what, body))
        self.assertIs(body.get("done"), True, body)

    def figures(self, d):
        """{kind: (most held, figure)} from the console's status."""
        status = d.console("status")
        m = re.search(r"memory: most held / figure: (.*)", status)
        self.assertIsNotNone(m, status)
        return {k: (int(a), int(b)) for k, a, b in re.findall(r"([a-z-]+) (\d+)/(\d+)", m.group(1))}

    def floods(self, heap_kb):
        if dh.kind() != "virtual":
            self.skipTest("the heap cap and its figures are the virtual ESP32's")
        refused = 0
        for run in range(self.RUNS):
            extra = "heap_kb = %d\n" % heap_kb if heap_kb != 150 else ""
            d = self.start(dh.Config(extra_sections=extra))
            for mode in ("prelogin", "uploads", "both"):
                what = "%d KB, run %d, %s" % (heap_kb, run + 1, mode)
                (ok, refusals, busy, failed, flood), out = self.flood(d, mode)
                print("\n  %s: %d uploads, %d refused, %d board busy, %d other failures, %d flood connections"
                      % (what, ok, refusals, busy, failed, flood), end="", flush=True)
                refused += refusals
                self.assertAlive(d, what)
                if mode != "prelogin":
                    self.assertGreater(ok, 0, "%s: no upload went through: %s" % (what, out))
                self.user_served(d, what, files=heap_kb >= 150)
                self.assertAlive(d, what)
            seen = self.figures(d)
            print("\n  %d KB, run %d: most held / figure: %s" % (heap_kb, run + 1, seen), end="", flush=True)
            measured = ("ftp-connection", "http-connection", "sram-job")
            if heap_kb >= 150:
                measured += ("ftp-transfer", "http-upload")
            for kind in measured:
                self.assertIn(kind, seen, "%s was never measured" % kind)
            for kind, (held, figure) in seen.items():
                self.assertLessEqual(held, figure, "%s held %d B, over its figure %d B (HeapFigures.swift)" % (kind, held, figure))
            self.assertEqual(d.stop(), 0, d.log[-3000:])
        # The memory was really short: some work was refused rather than admitted.
        self.assertGreater(refused, 0)
        return refused

    @need("curl", "lftp")
    def test_floods_at_150_kb(self):
        """3 HTTP and 8 FTP connections that never log in from 4 addresses, logged-in users'
        2 FTP and 3 HTTP uploads at once, and both together, at the ESP32-C3's 150 KB."""
        self.floods(150)

    @need("curl", "lftp")
    def test_floods_at_a_lower_cap(self):
        """The same floods with 140 KB of heap: less is admitted (no file transfer fits beside the
        reserve for a board job once the services' tables have grown), nothing aborts, and a
        user still loads the FPGA."""
        self.floods(140)

    @need("curl")
    def test_gzipped_load_needs_room_for_its_decoder(self):
        """With 130 KB of heap the ledger has room for an HTTP connection and a plain load but not
        for a gzip decoder beside them: a gzipped load is refused when its input turns out
        compressed, saying why and that nothing was done, before the board is touched; the plain
        bitstream then loads."""
        if dh.kind() != "virtual":
            self.skipTest("the heap cap is the virtual ESP32's")
        gz = os.path.join(self.tmp_dir(), "blink.bit.gz")
        dh.gzip_file(BLINK, gz)
        d = self.start(dh.Config(extra_sections="heap_kb = 130\n"))
        code, body = d.api("PUT", "/api/fpga", upload=gz, timeout=120)
        self.assertNotEqual(code, 200, body)
        self.assertIn("not enough memory for another gzip or zlib decoder", body.get("error", ""), body)
        self.assertIn("nothing was done, try again in", body["error"])
        self.assertIs(body.get("sram_touched"), False, body)
        self.assertEqual(body.get("tck_cycles"), 0, body)
        self.assertAlive(d, "gzipped load")
        code, body = d.api("PUT", "/api/fpga", upload=BLINK, timeout=120)
        self.assertEqual(code, 200, body)
        self.assertIs(body.get("done"), True, body)
        self.assertEqual(d.stop(), 0, d.log)

    @need("curl")
    def test_work_that_does_not_fit_is_refused(self):
        """[virtual] heap_kb below what an SRAM load needs on top of the idle services: the load is
        refused at once with 503, Retry-After and why, and the device runs on (the console
        answers). Whatever the machine's load: nothing is allocated before the admission."""
        if dh.kind() != "virtual":
            self.skipTest("the heap cap is the virtual ESP32's")
        d = self.start(dh.Config(extra_sections="heap_kb = 72\n"))
        self.assertIsNotNone(d.wait_for_log(r"heap capped at 72 KB", timeout=60), d.log)
        r = dh.run(["curl", "-sS", "-D", "-", "-u", "%s:%s" % (dh.USER, dh.PASSWORD), "-X", "PUT", "-T", BLINK,
                    d.http_base + "/api/fpga"], timeout=120)
        self.assertRegex(r.stdout, r"HTTP/1.1 503", r.stdout + r.stderr)
        self.assertRegex(r.stdout, r"(?i)Retry-After: \d+")
        self.assertIn("not enough memory for another", r.stdout)
        self.assertAlive(d, "72 KB")
        self.assertIn("board: IDCODE", d.console("status"))
        self.assertIsNotNone(d.wait_for_log(r"refused.*not enough memory for another", timeout=10), d.log)
        self.assertEqual(d.stop(), 0, d.log)
        self.assertNotIn("out of memory", d.log)


class URLTests(DeviceTest):
    """The device fetches bitstreams itself: console prog/flash URL, FTP SITE PROG URL and the API's
    {"url": …}, from end-to-end/url-server/url_server.py (a local http and https server with its own CA)."""

    def serve(self):
        """Starts the URL server for the 85F bitstream; returns its http base URL."""
        directory = os.path.join(self.tmp_dir(), "url-server")
        os.makedirs(directory, exist_ok=True)
        r = dh.run([sys.executable, os.path.join(dh.ROOT, "end-to-end", "url-server", "url_server.py"), BLINK, directory], timeout=60)
        http_port, https_port, pid = (int(x) for x in r.stdout.split())
        self.addCleanup(lambda: os.kill(pid, 15))
        self.https_base = "https://localhost:%d" % https_port
        return "http://127.0.0.1:%d" % http_port

    def post_url(self, d, path, url):
        code, body = d.curl(["-X", "POST", "-H", "Content-Type: application/json",
                             "--data-binary", json.dumps({"url": url}), d.http_base + path])
        try:
            return code, json.loads(body)
        except ValueError:
            return code, body

    @need("curl")
    def test_api_url(self):
        """POST /api/fpga {"url"} loads plain and gzipped bitstreams, after a redirect too; one that
        sends more than its Content-Length gives exactly the announced bytes; a redirect loop, a
        redirect to ftp:// and a download past the part's bound are refused (422) with the board
        left as it was, and so is https (no TLS on the device yet)."""
        base = self.serve()
        d = self.start(dh.Config(extra_sections=ROOMY))
        for path in ("/blink.bit", "/blink.bit.gz", "/redirect", "/excess.bit"):
            code, body = self.post_url(d, "/api/fpga", base + path)
            self.assertEqual(code, 200, "%s: %s" % (path, body))
            self.assertIs(body["done"], True)
            self.assertEqual(body["bytes"], len(BLINK_BYTES), path)
        for path, words in (("/loop", "too many redirects (more than 3)"),
                            ("/to-ftp", "only http:// and https://"),
                            ("/huge.bit", "more than any LFE5U-85F bitstream holds")):
            code, body = self.post_url(d, "/api/fpga", base + path)
            self.assertEqual(code, 422, "%s: %s" % (path, body))
            self.assertIn(words, body["error"])
            self.assertIn("nothing was written", body["error"])
            self.assertDone(d)
        # https: the device has no TLS yet (docs/url-sources.md), so it is refused before the
        # board, given directly (bad usage, 400) or as a redirect's target (422).
        code, body = self.post_url(d, "/api/fpga", self.https_base + "/blink.bit")
        self.assertEqual(code, 400, body)
        self.assertIn("HTTPS is not supported by the device", body["error"])
        code, body = self.post_url(d, "/api/fpga", base + "/to-https")
        self.assertEqual(code, 422, body)
        self.assertIn("HTTPS is not supported by the device", body["error"])
        self.assertDone(d)
        code, body = d.curl(["-X", "POST", "--data-binary", "{}", d.http_base + "/api/fpga"], login=False)
        self.assertEqual(code, 401, body)

    @need("curl")
    def test_api_flash_url(self):
        """POST /api/flash?addr=A {"url"} writes a gzipped image from the URL and verifies it, on a
        device with room for the decoder beside the job (at 150 KB it is refused, MemoryTests)."""
        base = self.serve()
        d = self.start(dh.Config(extra_sections=ROOMY))
        code, body = self.post_url(d, "/api/flash?addr=0x200000", base + "/blink.bit.gz")
        self.assertEqual(code, 200, body)
        self.assertIs(body["verified"], True)
        self.assertEqual(body["bytes"], len(BLINK_BYTES))
        self.assertEqual(d.flash_dump(0x200000, len(BLINK_BYTES)), BLINK_BYTES)

    @device_only
    @need("curl", "lftp")
    def test_console_and_ftp_url(self):
        """The console's prog URL and flash URL ADDR, and FTP's SITE PROG URL; a URL that cannot be
        fetched is an error that leaves the board running its design."""
        base = self.serve()
        d = self.start()
        prog = d.console("prog %s/blink.bit.gz" % base)
        self.assertNotRegex(prog, r"(?m)^error: ")
        self.assertIn("DONE", prog)
        self.assertDone(d)
        missing = d.console("prog %s/missing.bit" % base)
        self.assertRegex(missing, r"(?m)^error: .*404.*the board was left as it was")
        flash = d.console("flash %s/redirect 0x200000" % base)
        self.assertNotRegex(flash, r"(?m)^error: ")
        self.assertEqual(d.flash_dump(0x200000, len(BLINK_BYTES)), BLINK_BYTES)
        r = d.lftp("quote SITE PROG %s/blink.bit" % base)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn("DONE", r.stdout + r.stderr)
        # lftp's quote exits 0 whatever the reply; ftplib raises on a 5xx.
        ftp = d.ftp()
        ftp.login(dh.USER, dh.PASSWORD)
        with self.assertRaisesRegex(ftplib.error_perm, r"^5\d\d .*too many redirects"):
            ftp.sendcmd("SITE PROG %s/loop" % base)
        ftp.quit()
        self.assertDone(d)

    @need("curl")
    def test_stalled_download(self):
        """A server that sends half the bitstream and then nothing: after 30 s without a byte the job
        ends with the error, and the message says what state the FPGA was left in (the device reads
        only a little ahead, so the load had begun: erased and left unconfigured)."""
        base = self.serve()
        d = self.start()
        code, body = self.post_url(d, "/api/fpga", base + "/stall.bit")
        self.assertNotEqual(code, 200, body)
        self.assertIn("sent nothing for 30 s", body["error"])
        self.assertRegex(body["error"], r"left unconfigured|the board was left as it was")
        self.assertIs(body["done"], False)


def fat_image(path, files=()):
    """Formats `path` (keeping its size) as Debian's mkfs.vfat does and puts `files` (name, local
    path) on it with mtools' mcopy; names may hold folders ("/dir/x.bit"), made with mmd."""
    dh.run(["mkfs.vfat", "-n", "TAPWALKER", path]).check_returncode()
    for name, local in files:
        folder = os.path.dirname(name)
        if folder not in ("", "/"):
            dh.run(["mmd", "-i", path, "::" + folder])
        dh.run(["mcopy", "-i", path, local, "::" + name]).check_returncode()


def fat_file(path, name):
    """The bytes mtools reads from the image for `name`, or None when it has no such file."""
    local = path + ".out"
    r = dh.run(["mcopy", "-n", "-i", path, "::" + name, local])
    if r.returncode != 0:
        return None
    with open(local, "rb") as f:
        data = f.read()
    os.remove(local)
    return data


class SDCardFileTests(DeviceTest):
    """The SD card's FAT file system under /sd: the image made by mkfs.vfat and filled with mtools,
    read and written through FTP, HTTP and the console, and checked with mtools and fsck.vfat after
    a clean stop, so the device's view and the card's bytes are the same."""

    def start_with_card(self, files=(), format=True, extra=""):
        device = dh.Device(os.path.join(self.tmp_dir(), "device"), dh.Config(extra_sections=extra), start=False)
        if format:
            fat_image(device.path("sd.img"), files)
        device.start()
        self.addCleanup(self._stop, device)
        return device

    @virtual_only
    @need("lftp", "curl", "mkfs.vfat", "mcopy", "fsck.vfat")
    def test_files_over_ftp_and_http(self):
        """Files put on the card with mcopy are listed under /sd (FTP and HTTP) and programmed
        from there (SITE PROG, .bit and .bit.gz); uploads, folders, renames and deletes through
        FTP and HTTP land in the card's FAT as mtools and fsck.vfat see it after a clean stop."""
        gz = os.path.join(self.tmp_dir(), "blink.bit.gz")
        dh.gzip_file(BLINK, gz)
        d = self.start_with_card([("/blink.bit", BLINK), ("/bits/blink.bit.gz", gz), ("/wrong.bit", WRONG_PART)], extra=ROOMY)
        self.assertIn("SD card's file system is mounted at /sd", d.log)
        r = d.lftp("cls -1 /; cls -1 /sd; cls -1 /sd/bits")
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertRegex(r.stdout, r"(?m)^/?sd/?$")
        self.assertIn("blink.bit", r.stdout)
        self.assertIn("blink.bit.gz", r.stdout)

        r = d.lftp("quote SITE PROG /sd/blink.bit")
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertDone(d)
        r = d.lftp("quote SITE PROG /sd/bits/blink.bit.gz")
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn("DONE", r.stdout + r.stderr)
        # A file on the card meets the same checks as any other input, before the board is touched.
        r = d.lftp("quote SITE PROG /sd/wrong.bit")
        self.assertRegex(r.stdout + r.stderr, r"550 .*LFE5U-12F")
        self.assertDone(d)

        payload = dh.noise(70_000, 11)
        local = self.file("payload.bin", payload)
        r = d.lftp("put %s -o /sd/up.bin; mkdir /sd/new; mv /sd/up.bin /sd/new/moved.bin" % local)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        code, listing = d.api("GET", "/api/files/sd/new")
        self.assertEqual(code, 200, listing)
        self.assertEqual([(e["name"], e["size"]) for e in listing["entries"]], [("moved.bin", len(payload))])
        fetched = os.path.join(self.tmp, "fetched.bin")
        code, _ = d.curl(["-o", fetched, d.http_base + "/api/files/sd/new/moved.bin"])
        self.assertEqual(code, 200)
        with open(fetched, "rb") as f:
            self.assertEqual(f.read(), payload)

        web = self.file("web.bin", dh.noise(5000, 12))
        self.assertEqual(d.api("PUT", "/api/files/sd/web.bin", upload=web)[0], 201)
        self.assertEqual(d.api("POST", "/api/files/sd/web-dir?op=mkdir")[0], 201)
        self.assertEqual(d.api("POST", "/api/files/sd/web.bin?op=rename&to=/sd/web-dir/Long%20Name.bin")[0], 200)
        self.assertEqual(d.api("DELETE", "/api/files/sd/blink.bit")[0], 200)
        code, body = d.api("POST", "/api/files/sd/new/moved.bin?op=rename&to=/moved.bin")
        self.assertNotEqual(code, 200, "a rename from the card to the flash moves nothing")
        self.assertIn("different file systems", body["error"])

        self.assertEqual(d.stop(), 0, d.log[-2000:])
        image = d.path("sd.img")
        self.assertEqual(fat_file(image, "/new/moved.bin"), payload)
        with open(web, "rb") as f:
            self.assertEqual(fat_file(image, "/web-dir/Long Name.bin"), f.read())
        self.assertIsNone(fat_file(image, "/blink.bit"))
        self.assertIsNone(fat_file(image, "/up.bin"))
        fsck = dh.run(["fsck.vfat", "-n", image])
        self.assertEqual(fsck.returncode, 0, fsck.stdout + fsck.stderr)
        self.assertFalse(os.path.exists(d.path("sd")), "nothing of /sd went to the device's own files")

    @virtual_only
    @need("lftp", "curl", "mkfs.vfat", "mcopy")
    def test_mount_release_and_raw_writes(self):
        """SITE UMOUNT releases the card (/sd then says why), SITE MOUNT brings it back; a raw
        sd@ write releases the mounted file system, mounts it again after and says so; the console's
        umount, mount, prog /sd/… and flash /sd/… ADDR, and the page's API do the same."""
        payload = dh.noise(20_000, 13)
        self.tmp_dir()
        d = self.start_with_card([("/blink.bit", BLINK), ("/payload.bin", self.file("payload.bin", payload))])
        r = d.lftp("quote SITE UMOUNT")
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn("released", r.stdout + r.stderr)
        r = d.lftp("cls /sd")
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("not mounted", r.stdout + r.stderr)
        r = d.lftp("quote SITE MOUNT; cls -1 /sd")
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn("payload.bin", r.stdout)

        # A raw write near the end of the card, where no file lies: the files stay readable.
        tail = dh.noise(4096, 14)
        ftp = d.ftp()
        ftp.login(dh.USER, dh.PASSWORD)
        with open(self.file("tail.bin", tail), "rb") as f:
            reply = ftp.storbinary("STOR sd@-4096", f)
        self.assertIn("released for the raw write and mounted again", reply)
        listed = ftp.nlst("/sd")
        self.assertTrue(any(n.endswith("payload.bin") for n in listed), listed)
        ftp.quit()

        self.assertIn("released", d.console("umount"))
        self.assertRegex(d.console("prog /sd/blink.bit"), r"(?m)^error: .*not mounted")
        self.assertIn("SD card: not mounted", d.console("status"))
        self.assertIn("mounted at /sd", d.console("mount"))
        prog = d.console("prog /sd/blink.bit")
        self.assertNotRegex(prog, r"(?m)^error: ")
        self.assertDone(d)
        flashed = d.console("flash /sd/payload.bin 0x200000")
        self.assertNotRegex(flashed, r"(?m)^error: ")
        self.assertIn("SD card: mounted at /sd", d.console("status"))

        code, body = d.api("POST", "/api/sd/umount")
        self.assertEqual(code, 200, body)
        code, body = d.api("GET", "/api/files/sd")
        self.assertEqual(code, 400, body)
        self.assertIn("not mounted", body["error"])
        code, body = d.api("GET", "/api/sd/mount")
        self.assertEqual(code, 405, "a GET mounts nothing")
        self.assertEqual(d.api("POST", "/api/sd/mount")[0], 200)
        self.assertEqual(d.api("GET", "/api/files/sd")[0], 200)

        self.assertEqual(d.stop(), 0, d.log[-2000:])
        self.assertEqual(d.read("flash.img", 0x200000, len(payload)), payload)
        self.assertEqual(d.read("sd.img")[-4096:], tail)

    @virtual_only
    @need("lftp", "curl", "mkfs.vfat", "mcopy")
    def test_card_without_fat_then_raw_fat_image(self):
        """A card with no FAT file system: the device starts and says so, /sd answers why, the
        rest works; a FAT image written raw to sd@0 is then mounted by SITE MOUNT and its files
        are listed: the raw writes and the file view are the same bytes."""
        d = self.start_with_card(format=False)
        self.assertIsNotNone(d.wait_for_log(r"SD card was not mounted: .*", timeout=30), d.log)
        r = d.lftp("cls /sd")
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("not mounted", r.stdout + r.stderr)
        self.assertEqual(d.api("PUT", "/api/files/top.bit", upload=BLINK)[0], 201)
        r = d.lftp("quote SITE MOUNT")
        self.assertRegex(r.stdout + r.stderr, r"550 .*not mounted: the card holds no FAT file system")

        image = os.path.join(self.tmp, "fat.img")
        with open(image, "wb") as f:
            f.truncate(dh.SD_BYTES)
        fat_image(image, [("/blink.bit", BLINK)])
        r = d.lftp("put %s -o sd@0; quote SITE MOUNT; cls -1 /sd" % image)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn("blink.bit", r.stdout)
        r = d.lftp("quote SITE PROG /sd/blink.bit")
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertDone(d)


    @virtual_only
    @need("mkfs.vfat", "mcopy")
    def test_page_sd_folder(self):
        """The page in headless Chromium: the sd folder opens and lists the card's files; a new
        folder, an upload into it and a rename land on the card; Release SD card makes /sd say it
        is not mounted, Mount SD card brings the files back; Up returns to the device's root."""
        driver = dh.chromium(self)
        from selenium.webdriver.common.by import By
        from selenium.webdriver.support import expected_conditions as EC
        from selenium.webdriver.support.ui import WebDriverWait
        d = self.start_with_card([("/blink.bit", BLINK)])
        wait = WebDriverWait(driver, 60)
        text = lambda element_id: driver.find_element(By.ID, element_id).text  # noqa: E731
        button = lambda label: driver.find_element(By.CSS_SELECTOR, "#files button[aria-label='%s']" % label)  # noqa: E731

        def answer_prompt(value):
            wait.until(EC.alert_is_present())
            alert = driver.switch_to.alert
            alert.send_keys(value)
            alert.accept()

        driver.get(d.http_base + "/")
        wait.until(EC.visibility_of_element_located((By.ID, "login")))
        driver.find_element(By.ID, "user").send_keys(dh.USER)
        driver.find_element(By.ID, "password").send_keys(dh.PASSWORD)
        driver.find_element(By.CSS_SELECTOR, "#login-form button[type=submit]").click()
        wait.until(lambda _: "sd/" in text("files"))
        button("Open sd").click()
        wait.until(lambda _: text("cwd") == "/sd" and "blink.bit" in text("files"))

        driver.find_element(By.ID, "mkdir").click()
        answer_prompt("designs")
        wait.until(lambda _: "designs/" in text("files"))
        button("Open designs").click()
        wait.until(lambda _: text("cwd") == "/sd/designs")
        driver.find_element(By.ID, "store-file").send_keys(BLINK)
        driver.find_element(By.ID, "store-up").click()
        wait.until(lambda _: "Stored blink-85f.bit in /sd/designs" in text("files-msg"))
        button("Rename blink-85f.bit").click()
        answer_prompt("renamed.bit")
        wait.until(lambda _: "renamed.bit" in text("files"))

        driver.find_element(By.ID, "sd-umount").click()
        wait.until(lambda _: "released" in text("files-msg") and text("cwd") == "/")
        button("Open sd").click()
        wait.until(lambda _: "not mounted" in text("files-msg"))
        driver.find_element(By.ID, "sd-mount").click()
        wait.until(lambda _: "mounted at /sd" in text("files-msg") and "designs/" in text("files"))
        button("Up to the parent folder").click()
        wait.until(lambda _: text("cwd") == "/" and "sd/" in text("files"))

        self.assertEqual(d.stop(), 0, d.log[-2000:])
        self.assertEqual(fat_file(d.path("sd.img"), "/designs/renamed.bit"), BLINK_BYTES)


if __name__ == "__main__":
    print("device under test: %s" % {"virtual": "the virtual ESP32 (scripts/virtual-device.sh)",
                                      "qemu": "the firmware on the emulated ESP32-C3 (scripts/firmware-qemu.sh)",
                                      "host": "the host stand-in (tapwalker serve + sim)"}[dh.kind()], flush=True)
    # Firmware updates over the network have a file of their own (it imports this one).
    from test_firmware_update import FirmwareUpdateTests  # noqa: F401
    unittest.main(verbosity=2)
