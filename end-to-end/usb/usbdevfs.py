"""The usbdevfs ioctls of one emulated device node, answered for a device model.

umockdev hands every ioctl a client makes on /dev/bus/usb/BBB/DDD to `handle-ioctl` (in its worker
thread). libusb 1.0.26 submits URBs asynchronously and reaps them without blocking; an IN URB stays
pending until the model has bytes for it (docs/usb-cables.md, "The emulator").
"""

import errno
import os
import struct
import sys
import threading
import time
import traceback

import gi

gi.require_version("UMockdev", "1.0")
from gi.repository import UMockdev  # noqa: E402

from board_link import BoardGone  # noqa: E402
from usb_device import Stall  # noqa: E402

# struct usbdevfs_urb on x86_64: type, endpoint, status, flags, buffer, buffer_length,
# actual_length, start_frame, number_of_packets, error_count, signr, usercontext (56 bytes).
URB = struct.Struct("<BBxxiIxxxxQiiiiiIQ")
URB_CONTROL, URB_BULK = 2, 3
OFF_STATUS, OFF_BUFFER, OFF_ACTUAL = 4, 16, 28

# ioctl numbers ('U', nr).
SUBMITURB, DISCARDURB, REAPURB, REAPURBNDELAY = 10, 11, 12, 13
CLAIMINTERFACE, RELEASEINTERFACE, CONNECTINFO, USBDEVFS_IOCTL = 15, 16, 17, 18
GETDRIVER, SETINTERFACE, SETCONFIGURATION, RESETEP = 8, 4, 5, 3
RESET, CLEAR_HALT, GET_CAPABILITIES, DISCONNECT_CLAIM, GET_SPEED = 20, 21, 26, 27, 31
# ZERO_PACKET | BULK_CONTINUATION | NO_PACKET_SIZE_LIM
CAPABILITIES = 0x01 | 0x02 | 0x04
# USB_EMULATOR_TRACE=1 logs every URB and unusual ioctl on standard error.
TRACE = bool(os.environ.get("USB_EMULATOR_TRACE"))


def trace(*parts):
    if TRACE:
        print(f"usb-emu {time.monotonic():.4f}:", *parts, file=sys.stderr, flush=True)


class _Urb:
    __slots__ = ("addr", "type", "endpoint", "length", "submitted", "status", "data", "control_in", "actual")

    def __init__(self, addr, urb_type, endpoint, length, submitted):
        self.addr, self.type, self.endpoint, self.length = addr, urb_type, endpoint, length
        self.submitted = submitted
        self.status = 0
        self.data = b""          # IN data to hand back
        self.control_in = False
        self.actual = None       # bytes moved, when not len(data) (OUT)


class DeviceNode:
    """One device node: the model behind it, each client's URBs, and the unplug state."""

    def __init__(self, model, devnum, on_bulk_out=None, driver=None):
        self.model = model
        # Interfaces a kernel driver holds (driver=NAME): claiming one is EBUSY until it is disconnected.
        self.driver = driver
        self.bound = set(range(8)) if driver else set()
        self.devnum = devnum
        self.on_bulk_out = on_bulk_out
        self.unplugged = False
        self.lock = threading.Lock()
        self.clients = {}            # client -> {"pending": [...], "done": [...]}
        self.handler = UMockdev.IoctlBase()
        self.handler.connect("handle-ioctl", self._ioctl)
        self.handler.connect("client-vanished", self._vanished)
        self.last_activity = time.monotonic()
        threading.Thread(target=self._idle_watch, daemon=True).start()

    # A client that exits without releasing the interface (a crash) would keep the board's only
    # connection: after this long without an ioctl the links are closed (they reopen on demand).
    IDLE_CLOSE_S = 5.0

    def _idle_watch(self):
        while True:
            time.sleep(0.5)
            with self.lock:
                if time.monotonic() - self.last_activity > self.IDLE_CLOSE_S:
                    self.model.closed()

    def unplug(self):
        self.unplugged = True

    def _state(self, client):
        state = self.clients.get(client)
        if state is None:
            state = self.clients[client] = {"pending": [], "done": []}
        return state

    def _vanished(self, handler, client):
        trace(f"dev {self.devnum} client vanished ({len(self.clients)} known)")
        with self.lock:
            self.clients.pop(client, None)
            if not self.clients:
                self.model.closed()

    def _ioctl(self, handler, client):
        request = client.get_request()
        nr = request & 0xFF
        with self.lock:
            self.last_activity = time.monotonic()
            try:
                if (request >> 8) & 0xFF != ord("U"):
                    client.complete(-1, errno.ENOTTY)
                elif self.unplugged and nr not in (REAPURB, REAPURBNDELAY):
                    # The device is gone: every call fails as on a real unplug.
                    client.complete(-1, errno.ENODEV)
                else:
                    self._dispatch(client, nr, client.get_arg())
            except Exception:
                traceback.print_exc(file=sys.stderr)
                client.complete(-1, errno.EIO)
        return True

    def _dispatch(self, client, nr, arg):
        if nr not in (SUBMITURB, REAPURBNDELAY):
            trace(f"dev {self.devnum} ioctl nr {nr}")
        if nr == SUBMITURB:
            self._submit(client, arg)
        elif nr in (REAPURB, REAPURBNDELAY):
            self._reap(client, arg)
        elif nr == DISCARDURB:
            self._discard(client, arg)
        elif nr == GET_CAPABILITIES:
            arg.resolve(0, 4).update(0, struct.pack("<I", CAPABILITIES))
            client.complete(0, 0)
        elif nr == CLAIMINTERFACE:
            interface = struct.unpack("<I", bytes(arg.resolve(0, 4).retrieve()))[0]
            if interface in self.bound:
                client.complete(-1, errno.EBUSY)    # as the kernel answers while a driver holds it
                return
            self.model.claim(interface)
            client.complete(0, 0)
        elif nr == DISCONNECT_CLAIM:
            interface = struct.unpack("<I", bytes(arg.resolve(0, 4).retrieve()))[0]
            self.bound.discard(interface)
            self.model.claim(interface)
            client.complete(0, 0)
        elif nr == RELEASEINTERFACE:
            # A client releases before it closes; the board is then free for the next client.
            self.model.release(struct.unpack("<I", bytes(arg.resolve(0, 4).retrieve()))[0])
            self.model.closed()
            client.complete(0, 0)
        elif nr in (SETINTERFACE, SETCONFIGURATION, RESET, CLEAR_HALT, RESETEP):
            client.complete(0, 0)
        elif nr == GETDRIVER:
            # struct usbdevfs_getdriver { unsigned int interface; char driver[256]; }
            data = arg.resolve(0, 4 + 256)
            interface = struct.unpack("<I", bytes(data.retrieve())[:4])[0]
            if interface not in self.bound:
                client.complete(-1, errno.ENODATA)  # no kernel driver bound
                return
            data.update(4, self.driver.encode() + b"\0")
            client.complete(0, 0)
        elif nr == USBDEVFS_IOCTL:
            # struct usbdevfs_ioctl { int ifno; int ioctl_code; void *data; }: DISCONNECT (U, 22)
            # unbinds the interface's driver; anything else, or no driver, is ENODATA.
            interface, code = struct.unpack("<iI", bytes(arg.resolve(0, 8).retrieve()))
            if code & 0xFFFF == (ord("U") << 8 | 22) and interface in self.bound:
                self.bound.discard(interface)
                client.complete(0, 0)
            else:
                client.complete(-1, errno.ENODATA)
        elif nr == CONNECTINFO:
            arg.resolve(0, 8).update(0, struct.pack("<IBxxx", self.devnum, 0))
            client.complete(0, 0)
        elif nr == GET_SPEED:
            client.complete(3 if self.model.speed == 480 else 2, 0)
        else:
            client.complete(-1, errno.ENOTTY)

    # --- URBs -----------------------------------------------------------------------------------

    def _submit(self, client, arg):
        urb_data = arg.resolve(0, URB.size)
        fields = URB.unpack(bytes(urb_data.retrieve()))
        urb_type, endpoint, length = fields[0], fields[1], fields[5]
        urb = _Urb(urb_data.client_addr, urb_type, endpoint, length, self.model.now_ms())
        state = self._state(client)
        stats = self.model.stats
        if urb_type == URB_CONTROL:
            raw = bytes(urb_data.resolve(OFF_BUFFER, length).retrieve()) if length else b""
            self._control(urb, raw)
            trace(f"dev {self.devnum} control {raw[:8].hex()} out {raw[8:40].hex()} -> status {urb.status} in {urb.data[:32].hex()}")
            state["done"].append(urb)
        elif urb_type == URB_BULK and not endpoint & 0x80:
            data = bytes(urb_data.resolve(OFF_BUFFER, length).retrieve()) if length else b""
            trace(f"dev {self.devnum} bulk out ep {endpoint:#x} {len(data)} bytes {data[:48].hex()}")
            stats["bulk_out_urbs"] += 1
            stats["bytes_out"] += len(data)
            stats["bulk_bytes_out"] += len(data)
            try:
                self.model.bulk_out(endpoint, data)
                urb.actual = len(data)
            except Stall:
                urb.status = -errno.EPIPE
            except BoardGone:
                urb.status = -errno.EPROTO
            state["done"].append(urb)
            if self.on_bulk_out:
                self.on_bulk_out(self, len(data))
        elif urb_type == URB_BULK:
            trace(f"dev {self.devnum} bulk in ep {endpoint:#x} room {length}")
            stats["bulk_in_urbs"] += 1
            state["pending"].append(urb)
        else:
            client.complete(-1, errno.EINVAL)
            return
        client.complete(0, 0)

    def _control(self, urb, raw):
        setup, out = raw[:8], raw[8:]
        stats = self.model.stats
        urb.control_in = bool(setup[0] & 0x80)
        stats["control_in_urbs" if urb.control_in else "control_out_urbs"] += 1
        stats["bytes_out"] += len(out) if not urb.control_in else 0
        try:
            answer = self.model.control(setup, out)
        except Stall:
            urb.status = -errno.EPIPE
            return
        except BoardGone:
            urb.status = -errno.EPROTO
            return
        if urb.control_in:
            urb.data = answer[:max(0, urb.length - 8)]
            stats["bytes_in"] += len(urb.data)
        else:
            urb.actual = len(out)

    def _reap(self, client, arg):
        state = self._state(client)
        urb = None
        if self.unplugged:
            # As the kernel does after a disconnect: the URBs in flight complete with ESHUTDOWN
            # and can still be reaped; then reaping fails with ENODEV. (A real node also polls
            # POLLERR; umockdev's regular file cannot, so the client learns it here.)
            for pending in state["pending"]:
                pending.status, pending.data = -errno.ESHUTDOWN, b""
            state["done"] += state["pending"]
            state["pending"] = []
            if not state["done"]:
                client.complete(-1, errno.ENODEV)
                return
        if state["done"]:
            urb = state["done"].pop(0)
        else:
            now = self.model.now_ms()
            for candidate in state["pending"]:
                try:
                    data = self.model.bulk_in(candidate.endpoint, candidate.length, now - candidate.submitted)
                except Stall:
                    candidate.status, data = -errno.EPIPE, b""
                except BoardGone:
                    candidate.status, data = -errno.EPROTO, b""
                if data is not None:
                    trace(f"dev {self.devnum} bulk in ep {candidate.endpoint:#x} done {len(data)} {data[:48].hex()}")
                    candidate.data = data
                    self.model.stats["bytes_in"] += len(data)
                    self.model.stats["bulk_bytes_in"] += len(data)
                    state["pending"].remove(candidate)
                    urb = candidate
                    break
        if urb is None:
            client.complete(-1, errno.EAGAIN)
            return
        self._hand_back(arg, urb)
        client.complete(0, 0)

    @staticmethod
    def _hand_back(arg, urb):
        """Writes the URB's address into the client's slot, then its status, length and data."""
        slot = arg.resolve(0, 8)
        slot.update(0, struct.pack("<Q", urb.addr))
        urb_data = slot.resolve(0, URB.size)
        data = urb.data
        actual = len(data)
        urb_data.update(OFF_STATUS, struct.pack("<i", urb.status))
        urb_data.update(OFF_ACTUAL, struct.pack("<i", actual if urb.actual is None else urb.actual))
        if data:
            offset = 8 if urb.type == URB_CONTROL else 0
            buffer = urb_data.resolve(OFF_BUFFER, offset + actual)
            buffer.update(offset, data)

    def _discard(self, client, arg):
        addr = struct.unpack("<Q", bytes(arg.retrieve())[:8])[0]
        state = self._state(client)
        for urb in state["pending"]:
            if urb.addr == addr:
                state["pending"].remove(urb)
                urb.status = -errno.ENOENT
                urb.data = b""
                state["done"].append(urb)
                client.complete(0, 0)
                return
        client.complete(-1, errno.EINVAL)
