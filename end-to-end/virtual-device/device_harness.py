"""A TapWalker device under test, started in its own directory, and the real clients that talk to it.

Two kinds of device answer the same clients on 127.0.0.1:

- "virtual": the virtual ESP32, `bash scripts/virtual-device.sh DIR`. DIR is its file system,
  holding tapwalker.conf (the ports, the login, the simulated part and flash, the flash and SD
  card images) and wifiman.conf; DIR/virtual-wifi.conf lists the networks in the air
  (`ssid:password:rssi`). Its serial console is the process's standard input and output; exit
  code 75 means it rebooted.
- "host": `tapwalker serve` (HTTP, FTP, XVC) on a simulated board with the same flash and SD
  card images, plus `tapwalker sim --remote-bitbang` for OpenOCD (serve has no remote_bitbang).
  It has no console and no WiFi; it stands in for the device while the device is not built, so
  the client side can be checked on its own.

- "qemu": the firmware image on the emulated ESP32-C3, `bash scripts/firmware-qemu.sh --setup
  SETUP --conf-dir DIR --forward …` (SETUP from FIRMWARE_QEMU_SETUP): DIR's tapwalker.conf and
  wifiman.conf become its storage partition, its console is QEMU's UART on standard input and
  output, and its board is a `tapwalker sim --xvc` started beside it (`[jtag] cable =
  xvc://10.0.2.2:PORT`, the host as QEMU's user network shows it) whose flash is DIR/flash.img.
  Its network is the emulator's Ethernet, joined as the network `ethernet` of wifiman.conf. It has
  no SD card, and its own files are the flash partition, reached over FTP.

TAPWALKER_DEVICE=virtual|host|qemu chooses; by default the virtual ESP32 when
scripts/virtual-device.sh is in the tree, else the host stand-in.

Stdlib only; the clients (curl, lftp, openFPGALoader, OpenOCD) are the installed tools.
"""
import ftplib
import gzip
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
EXAMPLES = os.path.join(ROOT, "Examples")
# VIRTUAL_DEVICE_SCRIPT: another script with the same interface (a build of the device kept elsewhere).
VIRTUAL_SCRIPT = os.environ.get("VIRTUAL_DEVICE_SCRIPT") or os.path.join(ROOT, "scripts", "virtual-device.sh")

USER = "ulx3s"
PASSWORD = "secret"
# The simulated LFE5U-85F's IDCODE and the size of its example bitstream.
IDCODE_85F = 0x41113043
FLASH_BYTES = 16 * 1024 * 1024          # W25Q128JV
SD_BYTES = 4 * 1024 * 1024
SD_FILL = 0xEE
REBOOT_EXIT = 75
PROMPT = "tapwalker> "
# The emulated chip: the setup of the esp32-qemu tool, the address the host has in QEMU's user
# network, and the network name its Ethernet is joined under (firmware/esp32/main/ESP32EthernetLink.swift).
QEMU_SCRIPT = os.path.join(ROOT, "scripts", "firmware-qemu.sh")
QEMU_HOST = "10.0.2.2"
ETHERNET_NETWORK = "ethernet:"


def example(name):
    return os.path.join(EXAMPLES, name)


def kind():
    """"virtual" or "host" (see the module's description)."""
    chosen = os.environ.get("TAPWALKER_DEVICE")
    if chosen:
        if chosen not in ("virtual", "host", "qemu"):
            raise ValueError("TAPWALKER_DEVICE is virtual, host or qemu, not %r" % chosen)
        return chosen
    return "virtual" if os.path.exists(VIRTUAL_SCRIPT) else "host"


def in_ci():
    return os.environ.get("CI", "").lower() == "true"


def free_ports(count):
    """`count` distinct TCP ports the system reports free on 127.0.0.1 right now."""
    sockets, ports = [], []
    try:
        while len(ports) < count:
            s = socket.socket()
            s.bind(("127.0.0.1", 0))
            sockets.append(s)
            ports.append(s.getsockname()[1])
    finally:
        for s in sockets:
            s.close()
    return ports


def listening_ports():
    """The TCP ports something listens on, from the kernel's table (Linux). Read instead of
    connecting: a test connection would take XVC's one-client slot until the server noticed it
    had gone, and count as a client everywhere."""
    ports = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            with open(table) as f:
                next(f)
                for line in f:
                    fields = line.split()
                    if fields[3] == "0A":  # TCP_LISTEN
                        ports.add(int(fields[1].rsplit(":", 1)[1], 16))
        except FileNotFoundError:
            pass
    return ports


def noise(count, seed):
    """Deterministic bytes that compress badly (a linear congruential generator)."""
    out = bytearray(count)
    x = seed & 0xFFFFFFFF
    for i in range(count):
        x = (x * 1664525 + 1013904223) & 0xFFFFFFFF
        out[i] = x >> 24
    return bytes(out)


def tapwalker_binary():
    """The host `tapwalker` (TAPWALKER_BIN, else the debug build, built when missing)."""
    binary = os.environ.get("TAPWALKER_BIN") or os.path.join(ROOT, ".build", "debug", "tapwalker")
    if not os.path.exists(binary):
        subprocess.run(["swift", "build", "--product", "tapwalker"], cwd=ROOT, check=True,
                       stdout=subprocess.DEVNULL)
    return binary


_built = False


def build_virtual_device():
    """Builds the virtual ESP32 once per run, before any device is started, so that a first build
    (minutes) does not count against a device's start-up time."""
    global _built
    if _built:
        return
    with open(VIRTUAL_SCRIPT) as f:
        can_build_only = "--build-only" in f.read()
    if can_build_only:
        r = subprocess.run(["bash", VIRTUAL_SCRIPT, "--build-only"], cwd=ROOT, capture_output=True, text=True,
                           timeout=3600)
        if r.returncode != 0:
            raise AssertionError("building the virtual ESP32 failed (%d):\n%s%s" % (r.returncode, r.stdout, r.stderr[-4000:]))
    _built = True


class Config:
    """What goes into the device's directory: tapwalker.conf and the WiFi files."""

    def __init__(self, ports=None, wifiman=("lab:labpass",), air=("lab:labpass:-50",),
                 password=PASSWORD, extra_sections="", flash_boot=None):
        self.ports = ports or dict(zip(("ftp", "http", "xvc", "remote_bitbang"), free_ports(4)))
        self.wifiman = list(wifiman)
        self.air = list(air)
        self.password = password
        self.extra_sections = extra_sections
        # A bitstream put at flash address 0 before the start, as on a board with a bootloader.
        self.flash_boot = flash_boot

    def tapwalker_conf(self, board_cable=None):
        """`board_cable`: the [jtag] cable of an emulated chip (its [virtual] section is then left
        out: the firmware has no simulated board)."""
        p = self.ports
        text = ("[services]\nftp = %d\nhttp = %d\nxvc = %d\nremote_bitbang = %d\n\n"
                "[login]\nuser = %s\npassword = %s\n\n"
                % (p["ftp"], p["http"], p["xvc"], p["remote_bitbang"], USER, self.password))
        if board_cable:
            return text + "[jtag]\ncable = %s\n" % board_cable + self.extra_sections
        return (text + "[virtual]\npart = LFE5U-85F\nflash = w25q128jv\nflash_image = flash.img\nsd_image = sd.img\n"
                + self.extra_sections)


class Device:
    """A device running in `directory` (created and filled from `config`). `log` is everything it
    wrote (console and log lines); `console(line)` types a line on its serial console."""

    def __init__(self, directory, config=None, start=True):
        self.dir = directory
        self.config = config or Config()
        self.kind = kind()
        self.ports = self.config.ports
        self.procs = []
        self._text = []
        self._lock = threading.Lock()
        self._readers = []
        self.exit_code = None
        self._write_files()
        if start:
            self.start()

    # -- files

    def path(self, name):
        return os.path.join(self.dir, name)

    def _write_files(self):
        os.makedirs(self.dir, exist_ok=True)
        wifiman = list(self.config.wifiman)
        if self.kind == "qemu":
            # The board is a simulator on the host, reached through QEMU's user network.
            self.sim_port = free_ports(1)[0]
            conf = self.config.tapwalker_conf(board_cable="xvc://%s:%d" % (QEMU_HOST, self.sim_port))
            wifiman.append(ETHERNET_NETWORK)
        else:
            conf = self.config.tapwalker_conf()
        with open(self.path("tapwalker.conf"), "w") as f:
            f.write(conf)
        with open(self.path("wifiman.conf"), "w") as f:
            f.write("".join(line + "\n" for line in wifiman))
        with open(self.path("virtual-wifi.conf"), "w") as f:
            f.write("".join(line + "\n" for line in self.config.air))
        flash = bytearray(b"\xff" * FLASH_BYTES)
        if self.config.flash_boot:
            with open(self.config.flash_boot, "rb") as f:
                boot = f.read()
            flash[:len(boot)] = boot
        with open(self.path("flash.img"), "wb") as f:
            f.write(flash)
        with open(self.path("sd.img"), "wb") as f:
            f.write(bytes([SD_FILL]) * SD_BYTES)

    def read(self, name, offset=0, count=None):
        with open(self.path(name), "rb") as f:
            f.seek(offset)
            return f.read() if count is None else f.read(count)

    # -- processes

    @property
    def has_sd_card(self):
        return self.kind != "qemu"

    def put_file(self, name, source):
        """Puts a file into the device's own file system: its directory on the virtual ESP32, its
        flash partition (over FTP) on the emulated chip."""
        if self.kind == "qemu":
            r = self.lftp("put %s -o %s" % (source, name))
            if r.returncode != 0:
                raise AssertionError("FTP upload of %s failed: %s%s" % (name, r.stdout, r.stderr))
        else:
            shutil.copyfile(source, self.path(name))

    def start(self):
        if self.kind == "qemu":
            setup = os.environ.get("FIRMWARE_QEMU_SETUP")
            if not setup:
                raise AssertionError("TAPWALKER_DEVICE=qemu needs FIRMWARE_QEMU_SETUP (the esp32-qemu setup's DEST)")
            self.simulator = Simulator(self.path("flash.img"), port=self.sim_port)
            p = self.ports
            self._spawn(["bash", QEMU_SCRIPT, "--setup", setup, "--conf-dir", self.dir, "--forward",
                         "ftp=%d,http=%d,xvc=%d,rbb=%d" % (p["ftp"], p["http"], p["xvc"], p["remote_bitbang"])],
                        console=True)
        elif self.kind == "virtual":
            build_virtual_device()
            self._spawn(["bash", VIRTUAL_SCRIPT, self.dir], console=True)
        else:
            binary = tapwalker_binary()
            with open(self.path("password.txt"), "w") as f:
                f.write(PASSWORD + "\n")
            p = self.ports
            self._spawn([binary, "serve", "--listen", "127.0.0.1", "--http", str(p["http"]), "--ftp", str(p["ftp"]),
                         "--xvc", str(p["xvc"]), "--root", self.dir, "--user", USER,
                         "--password-file", self.path("password.txt"), "--sd", self.path("sd.img"),
                         "--cable", "sim:part=85f,flash=w25q128jv,flash-image=%s" % self.path("flash.img")])
            # remote_bitbang comes from a simulator of its own, on a copy of the flash.
            shutil.copyfile(self.path("flash.img"), self.path("rbb-flash.img"))
            self._spawn([binary, "sim", "--remote-bitbang", str(p["remote_bitbang"]), "--part", "85f",
                         "--flash-image", self.path("rbb-flash.img")])
        self.wait_for_ports()

    def _spawn(self, argv, console=False):
        proc = subprocess.Popen(argv, cwd=ROOT, stdin=subprocess.PIPE if console else subprocess.DEVNULL,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
        self.procs.append(proc)
        if console:
            self.console_proc = proc
        for stream in (proc.stdout, proc.stderr):
            t = threading.Thread(target=self._pump, args=(stream,), daemon=True)
            t.start()
            self._readers.append(t)

    def _pump(self, stream):
        fd = stream.fileno()
        while True:
            try:
                chunk = os.read(fd, 65536)
            except OSError:
                return
            if not chunk:
                return
            with self._lock:
                self._text.append(chunk.decode("utf-8", "replace"))

    @property
    def log(self):
        with self._lock:
            return "".join(self._text)

    def running(self):
        return all(p.poll() is None for p in self.procs)

    def wait_for_ports(self, timeout=180, after=0):
        """Waits until every configured service accepts a connection; fails with the log when the
        device exits first or the time runs out. On the emulated chip QEMU listens on the
        forwarded ports from its start, so the device's own word counts: it names each service's
        address once its network is up (`tapwalker: http on 10.0.2.15:PORT`)."""
        if self.kind == "qemu":
            for name, port in self.ports.items():
                key = "remote_bitbang" if name == "remote_bitbang" else name
                if not self.wait_for_log(r"tapwalker: %s on [0-9.]+:%d" % (key, port), timeout=timeout, after=after):
                    raise AssertionError("the emulated device did not announce %s within %d s:\n%s"
                                         % (name, timeout, self.log[-4000:]))
            return
        deadline = time.time() + timeout
        waiting = dict(self.ports)
        while waiting:
            listening = listening_ports()
            for name, port in list(waiting.items()):
                if port in listening:
                    del waiting[name]
            if not waiting:
                return
            for p in self.procs:
                if p.poll() is not None:
                    raise AssertionError("the device exited (%d) before listening on %s:\n%s"
                                         % (p.returncode, waiting, self.log[-4000:]))
            if time.time() > deadline:
                raise AssertionError("the device did not listen on %s within %d s:\n%s"
                                     % (waiting, timeout, self.log[-4000:]))
            time.sleep(0.1)

    def wait_for_log(self, pattern, timeout=60, after=0):
        """The first match of the regular expression `pattern` in the log from offset `after`,
        waiting up to `timeout` seconds; None when it does not appear."""
        deadline = time.time() + timeout
        while True:
            m = re.search(pattern, self.log[after:])
            if m:
                return m
            if time.time() > deadline or not self.running():
                # A device that has just ended may still have its last words (an abort's
                # message) in the pipes: read them all before the last look, however loaded the
                # machine is.
                if not self.running():
                    for t in self._readers:
                        t.join(timeout=10)
                m = re.search(pattern, self.log[after:])
                return m
            time.sleep(0.1)

    def console(self, line, timeout=600):
        """Types `line` on the serial console and returns what the device answered up to its next
        prompt (the echo and the prompt left out)."""
        if self.kind == "host":
            raise RuntimeError("the host stand-in has no serial console")
        mark = len(self.log)
        self.console_proc.stdin.write((line + "\n").encode())
        self.console_proc.stdin.flush()
        deadline = time.time() + timeout
        while True:
            new = self.log[mark:]
            # The echo of the line ends in CR LF; the reply follows, then the prompt.
            start = new.find("\n")
            if start >= 0:
                end = new.find(PROMPT, start)
                if end >= 0:
                    return new[start + 1:end].replace("\r\n", "\n")
            if not self.running():
                return new
            if time.time() > deadline:
                raise AssertionError("no prompt after %r within %d s:\n%s" % (line, timeout, new[-3000:]))
            time.sleep(0.05)

    def stop(self, timeout=60):
        """Stops the device as Ctrl-C would (so it saves its flash image); returns the exit code of
        the device process."""
        for p in self.procs:
            if p.poll() is None:
                try:
                    # firmware-qemu.sh stops QEMU on SIGTERM; the others save on SIGINT as on Ctrl-C.
                    os.killpg(p.pid, signal.SIGTERM if self.kind == "qemu" else signal.SIGINT)
                except ProcessLookupError:
                    pass
        for p in self.procs:
            try:
                p.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                os.killpg(p.pid, signal.SIGKILL)
                p.wait()
        for t in self._readers:
            t.join(timeout=5)
        for p in self.procs:
            for stream in (p.stdout, p.stderr):
                if stream:
                    stream.close()
        if self.kind == "qemu":
            # The simulator writes its flash image back once the device's connection is gone.
            self.simulator.stop()
            with self._lock:
                self._text.append("\n--- tapwalker sim ---\n" + self.simulator.log)
        if self.kind != "host" and self.console_proc.stdin:
            try:
                self.console_proc.stdin.close()
            except OSError:
                pass
        self.exit_code = self.procs[0].returncode if self.procs else None
        # Kept with the images for a look after a failure (KEEP_DEVICE_DIRS).
        with open(self.path("device.log"), "w") as f:
            f.write(self.log)
        return self.exit_code

    # -- clients

    @property
    def http_base(self):
        return "http://127.0.0.1:%d" % self.ports["http"]

    def curl(self, args, login=True, timeout=600):
        """curl with Basic login; returns (HTTP status, body)."""
        argv = ["curl", "-sS", "-w", "\n%{http_code}", "--max-time", str(timeout)]
        if login:
            argv += ["-u", "%s:%s" % (USER, PASSWORD)]
        r = run(argv + args, timeout=timeout + 30)
        body, _, code = r.stdout.rpartition("\n")
        try:
            return int(code), body
        except ValueError:
            raise AssertionError("curl gave no status (%d): %s %s" % (r.returncode, r.stdout, r.stderr))

    def api(self, method, path, upload=None, login=True, timeout=600):
        """An API call; returns (status, parsed JSON or the raw body)."""
        args = ["-X", method]
        if upload is not None:
            args += ["-T", upload]
        code, body = self.curl(args + [self.http_base + path], login=login, timeout=timeout)
        try:
            return code, json.loads(body)
        except ValueError:
            return code, body

    def flash_dump(self, address, count):
        """`count` bytes of flash at `address`, read through POST /api/flash."""
        out = os.path.join(self.dir, "dump-%x.bin" % address)
        code, body = self.curl(["-X", "POST", "-o", out, "%s/api/flash?addr=0x%x&length=%d" % (self.http_base, address, count)])
        if code != 200:
            raise AssertionError("POST /api/flash: %d %s" % (code, body))
        with open(out, "rb") as f:
            data = f.read()
        os.remove(out)
        # The last byte arrives before the job has finished (it reloads the FPGA from flash after
        # reading), and the board is busy until then: a client connecting to XVC at once would be
        # refused. Wait for the board as a careful client would.
        self.wait_until_idle()
        return data

    def wait_until_idle(self, timeout=120):
        """Waits until GET /api/board is answered (not 409 busy)."""
        deadline = time.time() + timeout
        while True:
            code, body = self.curl([self.http_base + "/api/board"])
            if code != 409:
                return
            if time.time() > deadline:
                raise AssertionError("the board stayed busy for %d s: %s" % (timeout, body))
            time.sleep(0.1)

    def lftp(self, commands, timeout=600):
        """An lftp session logged in as the configured user running `commands`. The emulated chip's
        passive ports are not forwarded by QEMU, so there the device connects to lftp (active
        mode) at the host's address in QEMU's network, which is also where the control
        connection comes from as the device sees it."""
        mode = ("set ftp:passive-mode off; set ftp:port-ipv4 %s; " % QEMU_HOST) if self.kind == "qemu" else ""
        return run(["lftp", "-u", "%s,%s" % (USER, PASSWORD), "-p", str(self.ports["ftp"]), "127.0.0.1", "-e",
                    "set net:max-retries 1; set cmd:fail-exit yes; set xfer:clobber yes; %s%s; quit" % (mode, commands)],
                   timeout=timeout)

    def ftp(self):
        """A connected ftplib client (not logged in); on the emulated chip in active mode with
        PORT naming the host's address in QEMU's network (see lftp)."""
        client = QEMUActiveFTP() if self.kind == "qemu" else ftplib.FTP()
        client.connect("127.0.0.1", self.ports["ftp"], timeout=60)
        return client

    def openfpgaloader(self, args, timeout=900):
        return run(["openFPGALoader", "-c", "xvc-client", "--ip", "127.0.0.1", "--port", str(self.ports["xvc"])]
                   + args, timeout=timeout)

    def openocd(self, commands, timeout=300):
        return run(["openocd", "-c", "adapter driver remote_bitbang; remote_bitbang host 127.0.0.1; "
                    "remote_bitbang port %d; transport select jtag; jtag newtap ecp5 tap -irlen 8 -expected-id 0x%08x; "
                    "init; %s; shutdown" % (self.ports["remote_bitbang"], IDCODE_85F, commands)], timeout=timeout)


class Simulator:
    """`tapwalker sim --xvc PORT` on 127.0.0.1: a simulated 85F and its flash (kept in
    `flash_image`) behind an XVC server, as the board of a device whose `[jtag] cable` points at
    it. `stop()` ends it after the device has let go (it saves the flash when a client leaves)."""

    def __init__(self, flash_image, port=None, listen="127.0.0.1"):
        self.port = port or free_ports(1)[0]
        self.flash_image = flash_image
        # Its log goes to a file beside the flash image, not a pipe: behind the emulated chip's
        # XVC cable, an SRAM load through a simulator logging into a pipe failed after a few
        # seconds while the same simulator logging into a file served it (cause not found).
        self.log_path = flash_image + ".sim.log"
        self._log_file = open(self.log_path, "wb")
        self.proc = subprocess.Popen([tapwalker_binary(), "sim", "--xvc", str(self.port), "--listen", listen,
                                      "--part", "85f", "--flash", "w25q128jv", "--flash-image", flash_image],
                                     cwd=ROOT, stdin=subprocess.DEVNULL, stdout=self._log_file,
                                     stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.time() + 60
        while self.port not in listening_ports():
            if self.proc.poll() is not None or time.time() > deadline:
                raise AssertionError("tapwalker sim did not listen on %d: %s" % (self.port, self.log))
            time.sleep(0.1)

    @property
    def log(self):
        with open(self.log_path, "rb") as f:
            return f.read().decode("utf-8", "replace")

    def stop(self, timeout=60):
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGINT)
        try:
            self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()
        self._log_file.close()
        return self.proc.returncode


class QEMUActiveFTP(ftplib.FTP):
    """ftplib in active mode, listening on 127.0.0.1 and announcing QEMU's address for the host,
    where the emulated device's connection arrives (slirp forwards it to the host's loopback)."""

    def __init__(self):
        super().__init__()
        self.set_pasv(False)

    def makeport(self):
        sock = socket.create_server(("127.0.0.1", 0))
        self.sendport(QEMU_HOST, sock.getsockname()[1])
        if self.timeout is not None:
            sock.settimeout(self.timeout)
        return sock


def run(argv, timeout=600, input=None):
    """Runs a client tool; its output as text. A tool that hangs is killed and reported."""
    try:
        return subprocess.run(argv, capture_output=True, text=True, timeout=timeout, input=input)
    except subprocess.TimeoutExpired as e:
        raise AssertionError("%s did not finish within %d s: %s" % (argv[0], timeout, (e.output or "")[-2000:]))


def gzip_file(source, target):
    with open(source, "rb") as f:
        data = f.read()
    with open(target, "wb") as f:
        f.write(gzip.compress(data, 9, mtime=0))
    return target


class TempDirectory:
    """A directory for one device, removed afterwards unless KEEP_DEVICE_DIRS is set (to look at
    the images and the log of a failed run)."""

    def __init__(self, name):
        self.path = tempfile.mkdtemp(prefix="tapwalker-%s-" % name)

    def cleanup(self):
        if os.environ.get("KEEP_DEVICE_DIRS"):
            print("kept", self.path)
        else:
            shutil.rmtree(self.path, ignore_errors=True)


def chromium(test):
    """Headless Chromium under Selenium for a test of the device's page, closed when the test ends.
    Without Chromium, its driver or Selenium the test is skipped, and in CI it fails (scripts/test.sh
    installs them there)."""
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
        ready = os.path.exists("/usr/bin/chromium") and os.path.exists("/usr/bin/chromedriver")
    except ImportError:
        ready = False
    if not ready:
        if in_ci():
            test.fail("CI: chromium, chromium-driver or selenium not installed (scripts/test.sh installs them)")
        test.skipTest("chromium, chromium-driver or selenium not installed")
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,1000"):
        options.add_argument(arg)
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    test.addCleanup(driver.quit)
    return driver
