#!/usr/bin/env python3
"""Firmware updates over the network on the virtual ESP32 (docs/firmware-update.md), with curl, a
raw socket for a cut upload, the serial console's `update URL` against a local HTTP server, and the
device's restarts: its OTA slots are ota_0.bin, ota_1.bin and otadata in its directory, checked and
switched as the chip's bootloader does with app rollback. Images come from app_image.py (the
layout esptool's image-info accepts).

Run alone: python3 end-to-end/virtual-device/test_firmware_update.py [-v]; test_virtual_device.py runs
these too.
"""
import functools
import http.server
import json
import os
import socket
import sys
import threading
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import app_image  # noqa: E402
import device_harness as dh  # noqa: E402
from test_virtual_device import DeviceTest, need, qemu_only, virtual_only  # noqa: E402


class FirmwareUpdateTests(DeviceTest):
    def firmware(self, device):
        code, body = device.api("GET", "/api/firmware")
        self.assertEqual(code, 200, body)
        return body

    def otadata(self, device):
        path = device.path("otadata")
        return open(path).read().strip() if os.path.exists(path) else None

    def upload(self, device, name, image, login=True, headers=()):
        args = ["-X", "PUT", "-T", self.file(name, image)]
        for h in headers:
            args += ["-H", h]
        code, body = device.curl(args + [device.http_base + "/api/firmware"], login=login)
        try:
            return code, json.loads(body)
        except ValueError:
            return code, body

    def reset(self, device):
        """A reset: the device stopped as by its reset button and started again."""
        device.stop()
        device.procs = []
        device.exit_code = None
        mark = len(device.log)
        device.start()
        return mark

    def assertUnchanged(self, device, slot="ota_0", version="virtual build", otadata=None):
        state = self.firmware(device)
        self.assertEqual((state["slot"], state["version"], state["next_boot"]), (slot, version, None), state)
        self.assertEqual(self.otadata(device), otadata)

    @virtual_only
    @need("curl")
    def test_refusals_update_restart_and_rollback(self):
        """Refused without login, without the CSRF token, for another chip and damaged, and cut
        off mid-way: each leaves the running slot and the boot choice alone. A good image is
        installed into ota_1, the device restarts into it and it confirms itself; one that never
        confirms itself (another program) rolls back to ota_1 at the next reset."""
        d = self.start()
        state = self.firmware(d)
        self.assertEqual((state["slot"], state["confirmed"], state["chip"]), ("ota_0", True, "esp32c3"), state)
        self.assertIn("firmware: running ota_0", d.console("status"))
        good = app_image.build(version="2.0.1-ota", segments=(64 * 1024, 30000, 20))

        code, body = self.upload(d, "good.bin", good, login=False)
        self.assertEqual(code, 401, body)
        jar = os.path.join(self.tmp, "jar")
        code, login = d.curl(["-c", jar, "-d", "user=%s&password=%s" % (dh.USER, dh.PASSWORD), d.http_base + "/api/login"],
                             login=False)
        self.assertEqual(code, 200, login)
        code, body = self.upload(d, "good.bin", good, login=False, headers=("Cookie: " + self.cookie(jar),))
        self.assertEqual(code, 403, body)
        self.assertIn("CSRF", str(body))

        code, body = self.upload(d, "c6.bin", app_image.build(chip="esp32c6"))
        self.assertEqual(code, 422, body)
        self.assertIn("esp32c6", body["error"])
        self.assertFalse(os.path.exists(d.path("ota_1.bin")), "an image for another chip never opens a slot")

        damaged = bytearray(good)
        damaged[40000] ^= 0x01
        code, body = self.upload(d, "damaged.bin", bytes(damaged))
        self.assertEqual(code, 422, body)
        self.assertIn("nothing was switched", body["error"])
        self.assertUnchanged(d)

        self.cut_upload(d, good, len(good) // 2)
        self.assertUnchanged(d)

        mark = len(d.log)
        code, body = self.upload(d, "good.bin", good)
        self.assertEqual(code, 200, body)
        self.assertEqual((body["slot"], body["version"], body["bytes"]), ("ota_1", "2.0.1-ota", len(good)), body)
        self.assertTrue(d.wait_for_log("the device restarts", after=mark), d.log[mark:])
        d.wait_for_ports(after=mark)
        self.assertTrue(d.wait_for_log("firmware confirmed", after=mark), d.log[mark:])
        state = self.firmware(d)
        self.assertEqual((state["slot"], state["version"], state["confirmed"]), ("ota_1", "2.0.1-ota", True), state)
        self.assertEqual(self.otadata(d), "ota_1 valid")

        mark = len(d.log)
        code, body = self.upload(d, "hang.bin", app_image.build(version="3.0-hang", project="hang"))
        self.assertEqual(code, 200, body)
        self.assertEqual(body["slot"], "ota_0", body)
        self.assertTrue(d.wait_for_log("never confirms itself", after=mark, timeout=120), d.log[mark:])
        self.assertEqual(self.otadata(d), "ota_0 pending")

        mark = self.reset(d)
        self.assertTrue(d.wait_for_log("ota_0 never confirmed itself; rolled back to ota_1", after=mark), d.log[mark:])
        self.assertUnchanged(d, slot="ota_1", version="2.0.1-ota", otadata="ota_1 valid")

    @qemu_only
    @need("curl")
    def test_real_update_and_rollback_on_the_emulated_chip(self):
        """The firmware image itself, updated over HTTP on the emulated ESP32-C3 (ESP-IDF's OTA
        slots, otadata and bootloader with app rollback): the same program stamped with another
        version is written to ota_1, the chip restarts into it and it confirms itself; the same
        image for another chip and a damaged copy are refused with the running slot unchanged;
        ESP-IDF's hello_world (a program that never confirms itself and restarts after ten
        seconds) is installed, runs, and the bootloader returns to the confirmed ota_1."""
        running = os.path.join(dh.ROOT, ".build", "firmware-qemu", "tapwalker.bin")
        d = self.start()
        with open(running, "rb") as f:
            image = f.read()
        state = self.firmware(d)
        self.assertEqual((state["slot"], state["confirmed"], state["chip"]), ("ota_0", True, "esp32c3"), state)
        first_version = state["version"]

        code, body = self.upload(d, "c6.bin", app_image.restamped(image, chip="esp32c6"))
        self.assertEqual(code, 422, body)
        self.assertIn("esp32c6", body["error"])
        damaged = bytearray(app_image.restamped(image, version="9.1-damaged"))
        damaged[len(damaged) // 2] ^= 0x40
        code, body = self.upload(d, "damaged.bin", bytes(damaged))
        self.assertEqual(code, 422, body)
        self.assertIn("nothing was switched", body["error"])
        self.assertUnchanged(d, version=first_version)

        mark = len(d.log)
        code, body = self.upload(d, "new.bin", app_image.restamped(image, version="9.0-ota"))
        self.assertEqual(code, 200, body)
        self.assertEqual((body["slot"], body["version"], body["bytes"]), ("ota_1", "9.0-ota", len(image)), body)
        self.assertTrue(d.wait_for_log("the device restarts", after=mark), d.log[mark:])
        self.assertTrue(d.wait_for_log(r"ESP-ROM:esp32c3", after=mark, timeout=60), d.log[mark:])
        d.wait_for_ports(after=mark)
        self.assertTrue(d.wait_for_log("firmware confirmed", after=mark, timeout=120), d.log[mark:])
        state = self.firmware(d)
        self.assertEqual((state["slot"], state["version"], state["confirmed"]), ("ota_1", "9.0-ota", True), state)

        hello = os.path.join(os.environ.get("FIRMWARE_QEMU_SETUP", ""), "selftest", "hello_world", "hello_world.bin")
        if not os.path.exists(hello):
            self.skipTest("the esp32-qemu setup has no selftest/hello_world/hello_world.bin for the rollback half")
        with open(hello, "rb") as f:
            code, body = self.upload(d, "hello.bin", f.read())
        self.assertEqual(code, 200, body)
        self.assertEqual(body["slot"], "ota_0", body)
        mark = len(d.log)
        self.assertTrue(d.wait_for_log("Hello world!", after=mark, timeout=120), d.log[mark:])
        self.assertTrue(d.wait_for_log("Restarting now", after=mark, timeout=60), d.log[mark:])
        d.wait_for_ports(after=mark)
        self.assertTrue(d.wait_for_log("ota_0 never confirmed itself; rolled back to ota_1", after=mark, timeout=120),
                        d.log[mark:])
        self.assertUnchanged(d, slot="ota_1", version="9.0-ota")

    @virtual_only
    @need("curl")
    def test_one_update_at_a_time_and_never_beside_a_board_job(self):
        """An update while a board job runs (a 16 MB flash read) is refused with 409 naming the
        job, and nothing is written."""
        d = self.start()
        dump = os.path.join(self.tmp_dir(), "flash.bin")
        job = threading.Thread(target=lambda: d.curl(["-X", "POST", "-o", dump,
                                                      d.http_base + "/api/flash?addr=0&length=%d" % dh.FLASH_BYTES]))
        job.start()
        self.addCleanup(job.join)
        # The update is sent once the flash's bytes are arriving: the job holds the board then, so
        # the two meet instead of racing (an update that won would restart the device).
        deadline = time.time() + 60
        while not (os.path.exists(dump) and os.path.getsize(dump) > 0):
            self.assertTrue(job.is_alive() and time.time() < deadline, "the flash read never started")
            time.sleep(0.02)
        for _ in range(30):
            code, busy = self.upload(d, "good.bin", app_image.build())
            if code != 503:  # short of memory beside the job: asked again, as the page does
                break
            time.sleep(1)
        self.assertEqual(code, 409, busy)
        self.assertIn("the firmware was not touched", busy["error"])
        job.join()
        self.assertUnchanged(d)

    @virtual_only
    def test_console_update_from_a_url(self):
        """`update URL` fetches the image from a local web server, installs it and restarts into it;
        a URL that serves no image is refused and the slots stay as they were."""
        d = self.start()
        serve = self.tmp_dir()
        with open(os.path.join(serve, "fw.bin"), "wb") as f:
            f.write(app_image.build(version="2.1-console"))
        with open(os.path.join(serve, "page.html"), "wb") as f:
            f.write(b"<html>not firmware</html>")
        server = http.server.ThreadingHTTPServer(
            ("127.0.0.1", 0), functools.partial(http.server.SimpleHTTPRequestHandler, directory=serve))
        threading.Thread(target=server.serve_forever, daemon=True).start()
        self.addCleanup(server.server_close)
        self.addCleanup(server.shutdown)
        base = "http://127.0.0.1:%d" % server.server_address[1]

        reply = d.console("update %s/page.html" % base)
        self.assertIn("not an ESP-IDF app image", reply)
        self.assertUnchanged(d)

        mark = len(d.log)
        d.console_proc.stdin.write(("update %s/fw.bin\n" % base).encode())
        d.console_proc.stdin.flush()
        self.assertTrue(d.wait_for_log(r"firmware tapwalker 2\.1-console for esp32c3, \d+ bytes written to ota_1", after=mark),
                        d.log[mark:])
        self.assertTrue(d.wait_for_log("the device restarts", after=mark), d.log[mark:])
        d.wait_for_ports(after=mark)
        self.assertTrue(d.wait_for_log("firmware confirmed", after=mark), d.log[mark:])
        self.assertIn("running ota_1: tapwalker 2.1-console, confirmed", d.console("status"))

    @virtual_only
    def test_update_from_the_page_in_chromium(self):
        """The page's Firmware card in headless Chromium: it names the running slot, reads the
        chosen image's version and chip before sending, shows the progress and the answer, and
        after the restart (a new login: sessions do not survive it) names the new slot."""
        driver = dh.chromium(self)
        from selenium.webdriver.common.by import By
        from selenium.webdriver.support import expected_conditions as EC
        from selenium.webdriver.support.ui import WebDriverWait
        d = self.start()
        image = self.file("page.bin", app_image.build(version="2.2-page", segments=(200 * 1024, 20)))
        wait = WebDriverWait(driver, 120)
        text = lambda element_id: driver.find_element(By.ID, element_id).text  # noqa: E731

        def login():
            wait.until(EC.visibility_of_element_located((By.ID, "login")))
            for field, value in (("user", dh.USER), ("password", dh.PASSWORD)):
                driver.find_element(By.ID, field).clear()
                driver.find_element(By.ID, field).send_keys(value)
            driver.find_element(By.CSS_SELECTOR, "#login-form button[type=submit]").click()
            wait.until(EC.visibility_of_element_located((By.ID, "fw")))

        driver.get(d.http_base + "/")
        login()
        wait.until(lambda _: "Running ota_0: tapwalker virtual build for esp32c3" in text("fw-state"))
        driver.find_element(By.ID, "fw-file").send_keys(image)
        wait.until(lambda _: "tapwalker 2.2-page for esp32c3" in text("fw-check"))
        mark = len(d.log)
        driver.find_element(By.ID, "fw-up").click()
        wait.until(EC.alert_is_present()).accept()
        wait.until(lambda _: "written to ota_1" in text("fw-msg"))
        self.assertTrue(driver.find_element(By.ID, "fw-progress-box").is_displayed())
        self.assertTrue(d.wait_for_log("the device restarts", after=mark), d.log[mark:])
        login()
        wait.until(lambda _: "Running ota_1: tapwalker 2.2-page for esp32c3" in text("fw-state"))

    def cookie(self, jar):
        with open(jar) as f:
            lines = f.read().splitlines()
        for line in lines:
            fields = line.rstrip("\n").split("\t")
            if len(fields) == 7:
                return "%s=%s" % (fields[5], fields[6])
        raise AssertionError("no cookie in the jar")

    def cut_upload(self, device, image, sent):
        """Sends the first `sent` bytes of a PUT announcing all of `image`, then closes."""
        import base64
        auth = base64.b64encode(("%s:%s" % (dh.USER, dh.PASSWORD)).encode()).decode()
        with socket.create_connection(("127.0.0.1", device.ports["http"]), timeout=30) as s:
            s.sendall(("PUT /api/firmware HTTP/1.1\r\nHost: device\r\nAuthorization: Basic %s\r\n"
                       "Content-Length: %d\r\n\r\n" % (auth, len(image))).encode() + image[:sent])
        # The device notices the cut when its read ends; wait until it has let go of the board.
        self.assertTrue(device.wait_for_log("firmware update cut off", timeout=60), device.log[-2000:])


if __name__ == "__main__":
    unittest.main()
