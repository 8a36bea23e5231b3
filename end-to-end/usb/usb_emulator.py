#!/usr/bin/python3
"""Emulated USB JTAG cables on a simulated ECP5 board, for tests on machines without a USB bus.

usage: /usr/bin/python3 end-to-end/usb/usb_emulator.py [--tapwalker PATH] [--sim-arg ARG]... [--stats FILE]
           [--unplug-after-out-bytes N] --device SPEC [--device SPEC]... -- COMMAND [ARGS...]

  SPEC = KIND[,serial=S][,vid=0xVVVV][,pid=0xPPPP][,product=TEXT][,mode=0000][,jtag=none0|none1][,driver=NAME]
  KIND = ft2232h | ft4232h | ft232h | ft231x | cmsis-dap | dirtyjtag

Starts one simulated board (`tapwalker sim` with an XVC and a remote_bitbang server on 127.0.0.1,
free ports, plus the --sim-arg arguments), adds the devices to a umockdev testbed (sysfs entries,
descriptors, /dev/bus/usb/001/NNN nodes answered by the device models), runs COMMAND with the
testbed in its environment (LD_PRELOAD, UMOCKDEV_DIR) and with TAPWALKER_EMU_XVC and
TAPWALKER_EMU_RBB set to the board's servers (host:port), and exits with COMMAND's status.

Devices (docs/usb-cables.md describes each model):
  ft2232h 0403:6010, ft4232h 0403:6011, ft232h 0403:6014  MPSSE, board JTAG on channel A
  ft231x  0403:6015  bit-bang, ULX3S pins TMS=DCD TCK=DSR TDI=RI TDO=CTS
  cmsis-dap 0d28:0204  CMSIS-DAP v2 (bulk), JTAG only, 512-byte packets, 8 packets
  dirtyjtag 1209:c0ca
  Default serials are FT4EMU01, FT4EMU02 … in the order given (--device order).

Knobs:
  jtag=none0|none1          no JTAG target behind the device: TDO stuck at 0 or 1
  driver=NAME               a kernel driver (e.g. ftdi_sio) is bound to every interface: claiming
                            one fails with EBUSY until the client disconnects the driver from it
                            (USBDEVFS_IOCTL with USBDEVFS_DISCONNECT, or DISCONNECT_CLAIM)
  mode=0000                 the device node is unreadable. Root ignores file modes, so COMMAND then
                            runs without CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH (setpriv drops
                            them from its bounding set): still root, but open() of the node fails
                            with EACCES as it does for a user without a udev rule.
  --unplug-after-out-bytes N  after N bytes of bulk OUT data (all devices together) the devices are
                            removed: the URBs in flight and every later call fail with ENODEV.
  --stats FILE              at exit, JSON {"devices": [...]}, per device: kind, serial, node, vid,
                            pid, unplugged, bulk_out_urbs, bulk_in_urbs, control_out_urbs,
                            control_in_urbs, bulk_bytes_out, bulk_bytes_in, and bytes_out/bytes_in
                            (bulk plus control data).
  USB_EMULATOR_TRACE=1      log every URB on standard error.

Exit status: COMMAND's; 2 for bad usage or a board that does not start.
"""

import argparse
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

KINDS = ("ft2232h", "ft4232h", "ft232h", "ft231x", "cmsis-dap", "dirtyjtag")
PRELOAD = "libumockdev-preload.so"
SYSFS_PARENT = "/devices/pci0000:00/0000:00:14.0/usb1"


def parse_spec(text):
    parts = text.split(",")
    kind = parts[0].strip().lower()
    if kind not in KINDS:
        raise ValueError(f"unknown device kind '{kind}' (one of {', '.join(KINDS)})")
    spec = {"kind": kind}
    for part in parts[1:]:
        key, sep, value = part.partition("=")
        if not sep:
            raise ValueError(f"'{part}' in --device {text}: expected key=value")
        if key in ("vid", "pid"):
            spec[key] = int(value, 16)
            if not 0 <= spec[key] <= 0xFFFF:
                raise ValueError(f"{key}={value}: not a 16-bit number")
        elif key in ("serial", "product"):
            spec[key] = value
        elif key == "mode":
            if value != "0000":
                raise ValueError(f"mode={value}: only mode=0000 (an unreadable node) is supported")
            spec["mode"] = 0
        elif key == "jtag":
            if value not in ("none0", "none1"):
                raise ValueError(f"jtag={value}: expected none0 or none1")
            spec["jtag"] = value
        elif key == "driver":
            if not value or len(value) > 255 or not value.replace("_", "").isalnum():
                raise ValueError(f"driver={value}: expected a kernel driver's name such as ftdi_sio")
            spec["driver"] = value
        else:
            raise ValueError(f"unknown option '{key}' in --device {text}")
    return spec


def parse_args(argv):
    if "--" not in argv:
        raise ValueError("missing '-- COMMAND'")
    split = argv.index("--")
    command = argv[split + 1:]
    if not command:
        raise ValueError("missing COMMAND after '--'")
    p = argparse.ArgumentParser(prog="usb_emulator.py", add_help=False)
    p.add_argument("--tapwalker", default=os.path.join(os.path.dirname(os.path.dirname(HERE)), ".build", "debug", "tapwalker"))
    p.add_argument("--sim-arg", action="append", default=[])
    p.add_argument("--stats")
    p.add_argument("--unplug-after-out-bytes", type=int)
    p.add_argument("--device", action="append", default=[])
    # A simulator argument usually starts with "--" itself (--sim-arg --part): keep it as a value.
    options, i = [], 0
    while i < split:
        if argv[i] == "--sim-arg" and i + 1 < split:
            options.append("--sim-arg=" + argv[i + 1])
            i += 2
        else:
            options.append(argv[i])
            i += 1
    args = p.parse_args(options)
    if not args.device:
        raise ValueError("at least one --device SPEC is needed")
    args.specs = [parse_spec(d) for d in args.device]
    args.command = command
    return args


class Board:
    """`tapwalker sim` on two free ports, its output in a log file."""

    def __init__(self, tapwalker, sim_args, workdir):
        self.log_path = os.path.join(workdir, "sim.log")
        env = {k: v for k, v in os.environ.items() if k not in ("LD_PRELOAD", "UMOCKDEV_DIR")}
        self.log = open(self.log_path, "w")
        self.proc = subprocess.Popen([tapwalker, "sim", "--xvc", "0", "--remote-bitbang", "0", *sim_args],
                                     stdout=self.log, stderr=subprocess.STDOUT, env=env)
        self.xvc = self.rbb = None
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and self.proc.poll() is None:
            with open(self.log_path) as f:
                text = f.read()
            xvc = re.search(r"listening: xvc (\S+)", text)
            rbb = re.search(r"listening: remote_bitbang (\S+)", text)
            if xvc and rbb:
                self.xvc, self.rbb = xvc.group(1), rbb.group(1)
                return
            time.sleep(0.05)
        self.stop()
        with open(self.log_path) as f:
            raise RuntimeError("the simulated board did not start:\n" + f.read())

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()


def make_model(spec, number, board):
    from board_link import NoTarget, RbbLink, XvcLink
    level = {"none0": 0, "none1": 1}.get(spec.get("jtag"))
    if level is None:
        xvc, rbb = XvcLink(board.xvc), RbbLink(board.rbb)
    else:
        xvc = rbb = NoTarget(level)
    serial = spec.get("serial", f"FT4EMU{number:02d}")
    kind = spec["kind"]
    if kind.startswith("ft"):
        from ftdi import FtdiDevice
        return FtdiDevice(kind, xvc, rbb, serial, vid=spec.get("vid", 0x0403), pid=spec.get("pid"),
                          product=spec.get("product"))
    if kind == "cmsis-dap":
        from cmsis_dap import CmsisDapDevice
        return CmsisDapDevice(xvc, serial, vid=spec.get("vid"), pid=spec.get("pid"),
                              product=spec.get("product"))
    from dirtyjtag import DirtyJtagDevice
    return DirtyJtagDevice(xvc, serial, vid=spec.get("vid"), pid=spec.get("pid"),
                           product=spec.get("product"))


def sysfs_record(model, port, devnum):
    """The device's udev/sysfs entry in umockdev's text format."""
    node = f"bus/usb/001/{devnum:03d}"
    lines = [
        f"P: {SYSFS_PARENT}/1-{port}",
        f"N: {node}",
        f"E: DEVNAME=/dev/{node}",
        "E: DEVTYPE=usb_device",
        "E: DRIVER=usb",
        f"E: PRODUCT={model.vid:x}/{model.pid:x}/{model.bcd_device:x}",
        "E: TYPE=0/0/0",
        "E: BUSNUM=001",
        f"E: DEVNUM={devnum:03d}",
        "E: MAJOR=189",
        f"E: MINOR={devnum - 1}",
        "E: SUBSYSTEM=usb",
        f"E: ID_VENDOR_ID={model.vid:04x}",
        f"E: ID_MODEL_ID={model.pid:04x}",
        f"E: ID_SERIAL_SHORT={model.strings[3]}",
        "A: busnum=1\\n",
        f"A: devnum={devnum}\\n",
        f"A: devpath={port}\\n",
        f"A: speed={model.speed}\\n",
        f"A: idVendor={model.vid:04x}\\n",
        f"A: idProduct={model.pid:04x}\\n",
        f"A: bcdDevice={model.bcd_device:04x}\\n",
        "A: bConfigurationValue=1\\n",
        "A: bNumConfigurations=1\\n",
        f"A: bNumInterfaces={model.configuration[4]:2d}\\n",
        "A: bDeviceClass=00\\n",
        "A: bMaxPacketSize0=64\\n",
        "A: maxchild=0\\n",
        "A: version= 2.00\\n",
        f"A: manufacturer={model.strings[1]}\\n",
        f"A: product={model.strings[2]}\\n",
        f"A: serial={model.strings[3]}\\n",
        "H: descriptors=" + model.descriptors.hex().upper(),
    ]
    return "\n".join(lines) + "\n"


class Emulator:
    def __init__(self, args, board):
        import gi
        gi.require_version("UMockdev", "1.0")
        from gi.repository import GLib, UMockdev
        from usbdevfs import DeviceNode
        self.glib = GLib
        self.testbed = UMockdev.Testbed.new()
        self.unplug_after = args.unplug_after_out_bytes
        self.out_bytes = 0
        self.nodes = []
        self.unreadable = False
        for number, spec in enumerate(args.specs, start=1):
            model = make_model(spec, number, board)
            devnum = number + 1
            if not self.testbed.add_from_string(sysfs_record(model, number, devnum)):
                raise RuntimeError(f"umockdev refused device {number}")
            syspath = f"/sys{SYSFS_PARENT}/1-{number}"
            node = DeviceNode(model, devnum, on_bulk_out=self._bulk_out, driver=spec.get("driver"))
            devnode = f"/dev/bus/usb/001/{devnum:03d}"
            self.testbed.attach_ioctl(devnode, node.handler)
            node.syspath, node.devnode, node.spec = syspath, devnode, spec
            if spec.get("mode") == 0:
                os.chmod(os.path.join(self.testbed.get_root_dir(), devnode.lstrip("/")), 0)
                self.unreadable = True
            self.nodes.append(node)

    def _bulk_out(self, node, nbytes):
        self.out_bytes += nbytes
        if self.unplug_after is not None and self.out_bytes >= self.unplug_after:
            self.unplug_after = None
            for n in self.nodes:
                n.unplug()
                self.testbed.remove_device(n.syspath)
                n.model.closed()

    def stats(self):
        return {"devices": [{"kind": n.spec["kind"], "serial": n.model.strings[3], "node": n.devnode,
                             "vid": f"{n.model.vid:04x}", "pid": f"{n.model.pid:04x}", "unplugged": n.unplugged,
                             **n.model.stats} for n in self.nodes]}


def run_command(command, env, unreadable):
    if unreadable:
        drop = "-dac_override,-dac_read_search"
        command = ["setpriv", f"--bounding-set={drop}", f"--inh-caps={drop}", "--", *command]
    # COMMAND gets its own process group, so that stopping the emulator stops all of it.
    proc = subprocess.Popen(command, env=env, start_new_session=True)
    try:
        return proc.wait()
    except BaseException:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.wait()
        raise


def main(argv):
    options = argv[:argv.index("--")] if "--" in argv else argv
    if not argv or "-h" in options or "--help" in options:
        print(__doc__)
        return 0
    try:
        args = parse_args(argv)
    except (ValueError, SystemExit) as e:
        print(f"usb_emulator.py: {e}\n(see --help)", file=sys.stderr)
        return 2
    if PRELOAD not in os.environ.get("LD_PRELOAD", ""):
        wrapper = shutil.which("umockdev-wrapper")
        if wrapper is None:
            print("usb_emulator.py: umockdev-wrapper not found (Debian package umockdev)", file=sys.stderr)
            return 2
        os.execv(wrapper, [wrapper, sys.executable, os.path.abspath(__file__), *argv])
    if not os.access(args.tapwalker, os.X_OK):
        print(f"usb_emulator.py: {args.tapwalker} is not an executable (build first: swift build)", file=sys.stderr)
        return 2
    # A test's timeout ends the emulator with SIGTERM: stop the board and COMMAND on the way out.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    signal.signal(signal.SIGINT, lambda *_: sys.exit(130))
    workdir = tempfile.mkdtemp(prefix="usb-emulator-")
    try:
        board = Board(args.tapwalker, args.sim_arg, workdir)
    except RuntimeError as e:
        print(f"usb_emulator.py: {e}", file=sys.stderr)
        return 2
    try:
        emulator = Emulator(args, board)
        # The testbed sets UMOCKDEV_DIR with setenv(), which os.environ does not see.
        env = dict(os.environ, UMOCKDEV_DIR=emulator.testbed.get_root_dir(),
                   TAPWALKER_EMU_XVC=board.xvc, TAPWALKER_EMU_RBB=board.rbb)
        status = run_command(args.command, env, emulator.unreadable)
        for node in emulator.nodes:
            node.model.closed()
        if args.stats:
            with open(args.stats, "w") as f:
                json.dump(emulator.stats(), f, indent=1)
    finally:
        board.stop()
        if os.environ.get("USB_EMULATOR_KEEP_LOG"):
            print(f"usb_emulator.py: board log {board.log_path}", file=sys.stderr)
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    return status if status >= 0 else 128 - status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
