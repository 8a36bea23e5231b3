#!/usr/bin/env python3
"""Figures of the firmware image on the emulated ESP32-C3 (scripts/firmware-qemu.sh --tests runs
this; docs/firmware.md records the output).

- Image: the app's size against its partition, IRAM and DRAM used and free (IDF's `ninja size`),
  the flash partitions.
- Memory, from the console's `status` (esp_get_free_heap_size, esp_get_minimum_free_heap_size and
  each task's stack high-water mark): after boot with every service up, then the lowest free heap
  after an 85F SRAM load over HTTP, a flash write over FTP, and two clients at once (an HTTP SRAM
  load and an FTP flash write started together).
- Boot: reset to services up, from the firmware's own log timestamps (ms since reset), once with
  -icount (instructions drive the clock: repeatable) and once host-timed. The memory figures
  come from a host-timed QEMU: under -icount QEMU's user network stalled an upload
  (docs/firmware.md, "Interrupts masked by a critical section"). The
  emulator is not cycle-accurate: these are estimates, unlike the code, data and heap figures.

Boots CONF (--conf-dir) with `tapwalker sim --xvc` on the host as the board its [jtag] cable
names. Stdlib only; the clients are curl and lftp.

usage: firmware_qemu.py --build BUILD_DIR --conf-dir CONF
"""
import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "end-to-end", "virtual-device"))
import device_harness as dh  # noqa: E402

BLINK = dh.example("blink-85f.bit")
CONSOLE_LOG = os.path.join(ROOT, ".build", "firmware-qemu", "figures-console.log")
ICOUNT = "-icount shift=3,sleep=off"   # 2^3 ns per instruction: 125 MHz of instructions (boot figures only)


def conf_value(text, section, key):
    current = None
    for line in text.splitlines():
        line = re.sub(r"(^|\s)#.*", "", line).strip()
        m = re.match(r"\[(\w+)\]", line)
        if m:
            current = m.group(1)
        elif current == section and "=" in line:
            k, v = (p.strip().strip('"') for p in line.split("=", 1))
            if k == key:
                return v
    return None


class EmulatedDevice:
    """CONF booted by scripts/firmware-qemu.sh with a simulator as its board; its console."""

    def __init__(self, conf, qemu_args=""):
        text = open(os.path.join(conf, "tapwalker.conf")).read()
        cable = conf_value(text, "jtag", "cable") or ""
        m = re.match(r"xvc://10\.0\.2\.2:(\d+)$", cable)
        if not m:
            raise SystemExit("firmware_qemu.py: %s/tapwalker.conf needs [jtag] cable = xvc://10.0.2.2:PORT "
                             "(the simulator on the host)" % conf)
        self.ports = {s: int(conf_value(text, "services", s) or 0) for s in ("ftp", "http", "xvc", "remote_bitbang")}
        self.user = conf_value(text, "login", "user")
        self.password = conf_value(text, "login", "password")
        self.tmp = tempfile.mkdtemp(prefix="tapwalker-figures-")
        flash = os.path.join(self.tmp, "flash.img")
        with open(flash, "wb") as f:
            f.write(b"\xff" * dh.FLASH_BYTES)
        self.sim = dh.Simulator(flash, port=int(m.group(1)))
        env = dict(os.environ, FIRMWARE_QEMU_ARGS=qemu_args)
        self.started = time.time()
        self.proc = subprocess.Popen(["bash", dh.QEMU_SCRIPT, "--setup", os.environ["FIRMWARE_QEMU_SETUP"],
                                      "--conf-dir", conf], cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT, start_new_session=True, env=env)
        self._text = []
        self._lock = threading.Lock()
        threading.Thread(target=self._pump, daemon=True).start()
        self.up_after = None

    def _pump(self):
        for chunk in iter(lambda: self.proc.stdout.read1(65536), b""):
            with self._lock:
                self._text.append(chunk.decode("utf-8", "replace"))

    @property
    def log(self):
        with self._lock:
            return "".join(self._text)

    def wait_for(self, pattern, timeout=300, after=0):
        deadline = time.time() + timeout
        while time.time() < deadline:
            m = re.search(pattern, self.log[after:])
            if m:
                return m
            if self.proc.poll() is not None:
                break
            time.sleep(0.05)
        raise SystemExit("firmware_qemu.py: no %r within %d s:\n%s" % (pattern, timeout, self.log[-3000:]))

    def wait_until_up(self, after=0):
        for service, port in self.ports.items():
            if port:
                self.wait_for(r"tapwalker: %s on [0-9.]+:%d" % (service, port), after=after)
        self.up_after = time.time() - self.started

    def status_since(self, mark):
        """The console's status once the chip is up again if it restarted since log position mark
        (a status typed while it boots would be answered by the boot's own prompt)."""
        if restarted(self, mark):
            self.wait_until_up(after=self.log.rfind("rst:0x"))
        return memory(self.console("status"))

    def console(self, line, timeout=600):
        mark = len(self.log)
        self.proc.stdin.write((line + "\n").encode())
        self.proc.stdin.flush()
        self.wait_for(re.escape(dh.PROMPT), timeout=timeout, after=mark + 1)
        return self.log[mark:]

    def curl(self, args):
        r = dh.run(["curl", "-sS", "-u", "%s:%s" % (self.user, self.password), "-w", "\n%{http_code}"] + args)
        return r.stdout.rpartition("\n")[2]

    def lftp(self, commands):
        return dh.run(["lftp", "-u", "%s,%s" % (self.user, self.password), "-p", str(self.ports["ftp"]), "127.0.0.1",
                       "-e", "set net:max-retries 1; set cmd:fail-exit yes; set ftp:passive-mode off; "
                       "set ftp:port-ipv4 %s; %s; quit" % (dh.QEMU_HOST, commands)])

    def stop(self):
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, 15)
        self.proc.wait(timeout=60)
        self.sim.stop()
        shutil.rmtree(self.tmp, ignore_errors=True)
        # The whole console, kept for a panic's register dump (decode its MEPC and RA with
        # addr2line on the build's tapwalker.elf).
        with open(CONSOLE_LOG, "a") as f:
            f.write(self.log)


def restarted(d, mark):
    """How the chip restarted since log position mark ("" if it did not): a panic's reason or the
    ROM's reset cause. The lowest free heap `status` then shows is the new boot's, not the load's."""
    m = re.search(r"Guru Meditation Error: Core\s+\d+ panic'ed \(([^)]*)\)|rst:0x\w+ \((\w+)\)", d.log[mark:])
    return "" if not m else (" [the chip restarted during it: %s; the figure is the new boot's; the console is in %s]"
                             % (m.group(1) or m.group(2), os.path.relpath(CONSOLE_LOG, ROOT)))


def memory(status):
    m = re.search(r"memory: free heap (\d+) B, lowest since boot (\d+) B, largest free block (\d+) B", status)
    if not m:
        raise SystemExit("firmware_qemu.py: status has no memory line:\n" + status)
    stacks = re.search(r"stacks \(least left since start\): (.*)", status)
    return [int(x) for x in m.groups()], (stacks.group(1).strip() if stacks else "(not reported)")


def image_figures(build):
    print("== image (ESP-IDF v5.5.1, Debian GCC 12 + Swift 6.3.1, esp32c3, sdkconfig.defaults.emulation)")
    app = os.path.join(build, "tapwalker.bin")
    print("app image: %d bytes" % os.path.getsize(app))
    r = subprocess.run(["ninja", "-C", build, "size"], capture_output=True, text=True)
    for line in r.stdout.splitlines():
        if line.startswith(("┃", "│")):
            print("  " + line.rstrip())
    print("  (on the C3, DRAM's .text is the code placed in IRAM: instruction and data RAM are one SRAM)")
    table = os.path.join(build, "partition_table", "partition-table.bin")
    r = subprocess.run([os.path.join(os.environ.get("IDF_PYTHON_ENV_PATH", ""), "bin", "python"),
                        os.path.join(os.environ.get("IDF_PATH", ""), "components", "partition_table", "gen_esp32part.py"),
                        table], capture_output=True, text=True)
    print("partitions:")
    for line in r.stdout.splitlines():
        if line and not line.startswith("#"):
            print("  " + line)


def memory_figures(conf):
    print("== memory (the console's status: esp_get_free_heap_size, esp_get_minimum_free_heap_size, stack high-water marks)")
    d = EmulatedDevice(conf, qemu_args="")
    try:
        d.wait_until_up()
        (free, lowest, block), stacks = memory(d.console("status"))
        print("after boot, every service up: free heap %d B, lowest since boot %d B, largest free block %d B" % (free, lowest, block))
        print("  stacks after boot: %s" % stacks)

        mark, t = len(d.log), time.time()
        code = d.curl(["-X", "PUT", "-T", BLINK, "http://127.0.0.1:%d/api/fpga" % d.ports["http"]])
        took = time.time() - t
        (free, lowest, _), _ = d.status_since(mark)
        print("85F SRAM load over HTTP (HTTP %s, %.1f s wall): lowest free heap since boot %d B (now %d B)%s"
              % (code, took, lowest, free, restarted(d, mark)))

        mark, t = len(d.log), time.time()
        r = d.lftp("put %s -o flash@0x200000" % BLINK)
        took = time.time() - t
        (free, lowest, _), _ = d.status_since(mark)
        print("flash write over FTP at 0x200000 (exit %d, %.1f s wall): lowest free heap since boot %d B (now %d B)%s"
              % (r.returncode, took, lowest, free, restarted(d, mark)))

        results = {}
        def http():
            results["http"] = d.curl(["-X", "PUT", "-T", BLINK, "http://127.0.0.1:%d/api/fpga" % d.ports["http"]])
        def ftp():
            results["ftp"] = d.lftp("put %s -o flash@0x300000" % BLINK).returncode
        mark = len(d.log)
        threads = [threading.Thread(target=http), threading.Thread(target=ftp)]
        for th in threads:
            th.start()
        for th in threads:
            th.join()
        (free, lowest, _), stacks = d.status_since(mark)
        print("two clients at once (HTTP SRAM load: %s; FTP flash write: exit %s; one may find the board busy): "
              "lowest free heap since boot %d B (now %d B)%s" % (results.get("http"), results.get("ftp"), lowest, free, restarted(d, mark)))
        print("  stacks at the end: %s" % stacks)
    finally:
        d.stop()


def boot_figures(conf):
    print("== boot: reset to services up (the firmware's log timestamps, ms since reset; estimates: QEMU is not cycle-accurate)")
    for label, args in (("QEMU %s" % ICOUNT, ICOUNT), ("QEMU without -icount (host-timed)", "")):
        d = EmulatedDevice(conf, qemu_args=args)
        try:
            d.wait_until_up()
            stamps = re.findall(r"I \((\d+)\) esp_netif_handlers: \S+ ip: ", d.log)
            main = re.findall(r"I \((\d+)\) main_task: Calling app_main", d.log)
            print("%s: app_main at %s ms, address (services up) at %s ms; %.1f s of host time from QEMU start"
                  % (label, main[0] if main else "?", stamps[0] if stamps else "?", d.up_after))
        finally:
            d.stop()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--build", required=True)
    parser.add_argument("--conf-dir", required=True)
    args = parser.parse_args()
    open(CONSOLE_LOG, "w").close()
    image_figures(args.build)
    boot_figures(args.conf_dir)
    memory_figures(args.conf_dir)


if __name__ == "__main__":
    main()
