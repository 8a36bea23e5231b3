"""A CMSIS-DAP v2 probe (bulk interface) with JTAG only (docs/usb-cables.md, "CMSIS-DAP v2").

Each bulk OUT transfer is one command packet and gets one response packet, in order. The cycles of
one packet (DAP_JTAG_Sequence, DAP_SWJ_Sequence, a TCK edge by DAP_SWJ_Pins) are clocked on the
board in one XVC exchange, then the response is assembled.
"""

import struct
import time

from bitvec import BitWriter, extract
from usb_device import Stall, UsbDevice, configuration_descriptor, interface_descriptor

PACKET_SIZE = 512
PACKET_COUNT = 8
OUT_EP, IN_EP = 0x01, 0x81
DAP_INVALID = 0xFF
# DAP_SWJ_Pins bits.
PIN_TCK, PIN_TMS, PIN_TDI, PIN_TDO, PIN_NTRST, PIN_NRESET = 0x01, 0x02, 0x04, 0x08, 0x20, 0x80


class _Incomplete(Exception):
    """The command's bytes run past the packet: the probe answers DAP_Invalid for it."""


class CmsisDapDevice(UsbDevice):
    kind = "cmsis-dap"

    def __init__(self, xvc, serial, vid=None, pid=None, product=None):
        interface = interface_descriptor(0, [(OUT_EP, PACKET_SIZE), (IN_EP, PACKET_SIZE)],
                                         cls=0xFF, sub=0, proto=0, string=4)
        super().__init__(vid or 0x0D28, pid or 0x0204, 0x0100, configuration_descriptor([interface]),
                         {1: "TapWalker", 2: product or "Emulated CMSIS-DAP", 3: serial,
                          4: "CMSIS-DAP v2 Interface"}, speed=480)
        self.link = xvc
        self.pins = PIN_TMS | PIN_TDI | PIN_NTRST | PIN_NRESET     # TCK low
        self.tdo = 1
        self.connected_port = 0
        self.responses = []
        self.queued = []
        self.link.set_frequency(1_000_000)

    # --- transport ------------------------------------------------------------------------------

    def bulk_out(self, endpoint, data):
        if endpoint != OUT_EP:
            raise Stall()
        data = bytes(data)
        if data[:1] == b"\x7e":
            # DAP_QueueCommands: held, unanswered, until a packet without it arrives.
            self.queued.append(data)
            return
        packets, self.queued = self.queued + [data], []
        self.tms, self.tdi, self.delays = BitWriter(), BitWriter(), []
        groups = []
        for packet in packets:
            self.pieces = []
            if packet is not data:
                packet = b"\x7f" + packet[1:]       # a queued packet runs as DAP_ExecuteCommands
            self._command(packet, 0)
            groups.append(self.pieces)
        tdo = self._clock_all()
        for pieces in groups:
            self.responses.append(b"".join(self._render(p, tdo) for p in pieces))

    def _clock_all(self):
        """Clocks the collected cycles, pausing for each DAP_Delay where it stood among them."""
        n = self.tms.length
        tms, tdi = self.tms.getvalue(), self.tdi.getvalue()
        tdo = BitWriter()
        start = 0
        for at, us in self.delays + [(n, 0)]:
            if at > start:
                count = at - start
                part = self.link.shift(count, extract(tms, start, count).to_bytes((count + 7) // 8, "little"),
                                       extract(tdi, start, count).to_bytes((count + 7) // 8, "little"))
                tdo.append(int.from_bytes(part, "little"), count)
                start = at
            if us:
                time.sleep(us / 1e6)
        result = tdo.getvalue()
        if n:
            self.tdo = extract(result, n - 1, 1)
        return result

    def bulk_in(self, endpoint, room, waited_ms):
        if endpoint != IN_EP:
            raise Stall()
        if not self.responses:
            return None
        return self.responses.pop(0)[:room]

    def closed(self):
        self.link.close()

    # --- commands -------------------------------------------------------------------------------

    def _command(self, data, at):
        """Decodes the command at `at`; returns the offset after it."""
        if at >= len(data):
            self.pieces.append(bytes((DAP_INVALID,)))
            return at
        cmd = data[at]
        handler = self.COMMANDS.get(cmd)
        if handler is None:
            self.pieces.append(bytes((DAP_INVALID,)))
            return len(data)
        mark = len(self.pieces)
        try:
            return handler(self, data, at + 1)
        except _Incomplete:
            del self.pieces[mark:]
            self.pieces.append(bytes((DAP_INVALID,)))
            return len(data)

    @staticmethod
    def _need(data, at, n):
        if at + n > len(data):
            raise _Incomplete()
        return data[at:at + n]

    def _info(self, data, at):
        (info_id,) = self._need(data, at, 1)
        strings = {0x01: "TapWalker", 0x02: self.strings[2], 0x03: self.strings[3], 0x04: "2.1.0",
                   0x09: "1.0"}
        if info_id in strings:
            value = strings[info_id].encode() + b"\0"
        elif info_id == 0xF0:
            value = bytes((0x12,))                  # JTAG and atomic commands (no SWD, no SWO)
        elif info_id == 0xFE:
            value = bytes((PACKET_COUNT,))
        elif info_id == 0xFF:
            value = struct.pack("<H", PACKET_SIZE)
        else:
            value = b""
        self.pieces.append(bytes((0x00, len(value))) + value)
        return at + 1

    def _host_status(self, data, at):
        self._need(data, at, 2)
        self.pieces.append(b"\x01\x00")
        return at + 2

    def _connect(self, data, at):
        (port,) = self._need(data, at, 1)
        # Port 0 (default) and 2 select JTAG; SWD (1) is not offered and fails (0).
        self.connected_port = 2 if port in (0, 2) else 0
        self.pieces.append(bytes((0x02, self.connected_port)))
        return at + 1

    def _disconnect(self, data, at):
        self.connected_port = 0
        self.pieces.append(b"\x03\x00")
        return at

    def _transfer_configure(self, data, at):
        self._need(data, at, 5)
        self.pieces.append(b"\x04\x00")
        return at + 5

    def _delay(self, data, at):
        (us,) = struct.unpack("<H", self._need(data, at, 2))
        self.delays.append((self.tms.length, us))
        self.pieces.append(b"\x09\x00")
        return at + 2

    def _reset_target(self, data, at):
        self.pieces.append(b"\x0A\x00\x00")                # no device-specific reset sequence
        return at

    def _swj_pins(self, data, at):
        output, select = self._need(data, at, 2)
        self._need(data, at + 2, 4)
        new = (self.pins & ~select) | (output & select)
        if self.connected_port and not self.pins & PIN_TCK and new & PIN_TCK:
            # A TCK rising edge by hand: one cycle with TMS/TDI as the pins now stand.
            self._cycles(1, 1 if new & PIN_TMS else 0, 1 if new & PIN_TDI else 0)
        self.pins = new & ~PIN_TDO
        self.pieces.append(("pins",))
        return at + 6

    def _swj_clock(self, data, at):
        (hz,) = struct.unpack("<I", self._need(data, at, 4))
        if hz:
            self.link.set_frequency(hz)
        self.pieces.append(b"\x11\x00")
        return at + 4

    def _swj_sequence(self, data, at):
        (count,) = self._need(data, at, 1)
        count = count or 256
        nbytes = (count + 7) // 8
        bits = int.from_bytes(self._need(data, at + 1, nbytes), "little")
        if self.connected_port:
            # The bits go out on SWDIO/TMS; TDI keeps its level.
            self.tms.append(bits, count)
            self.tdi.append_repeat(1 if self.pins & PIN_TDI else 0, count)
            self._set_pin(PIN_TMS, (bits >> (count - 1)) & 1)
        self.pieces.append(b"\x12\x00")
        return at + 1 + nbytes

    def _jtag_sequence(self, data, at):
        (count,) = self._need(data, at, 1)
        at += 1
        captures = []
        for _ in range(count):
            (info,) = self._need(data, at, 1)
            n = info & 0x3F or 64
            nbytes = (n + 7) // 8
            tdi = self._need(data, at + 1, nbytes)
            tms = 1 if info & 0x40 else 0
            pos = self._cycles(n, tms, int.from_bytes(tdi, "little")) if self.connected_port else None
            if info & 0x80:
                captures.append((pos, n))
            at += 1 + nbytes
        self.pieces.append(b"\x14\x00")
        for pos, n in captures:
            self.pieces.append(("tdo", pos, n))
        return at

    def _jtag_configure(self, data, at):
        (count,) = self._need(data, at, 1)
        self._need(data, at + 1, count)
        self.pieces.append(b"\x15\x00")
        return at + 1 + count

    def _swd_configure(self, data, at):
        self._need(data, at, 1)
        self.pieces.append(b"\x13\x00")
        return at + 1

    def _execute_commands(self, data, at):
        (count,) = self._need(data, at, 1)
        self.pieces.append(bytes((0x7F, count)))
        at += 1
        for _ in range(count):
            at = self._command(data, at)
        return at

    COMMANDS = {0x00: _info, 0x01: _host_status, 0x02: _connect, 0x03: _disconnect,
                0x04: _transfer_configure, 0x09: _delay, 0x0A: _reset_target, 0x10: _swj_pins,
                0x11: _swj_clock, 0x12: _swj_sequence, 0x13: _swd_configure, 0x14: _jtag_sequence,
                0x15: _jtag_configure, 0x7F: _execute_commands}

    # --- cycles and answers ---------------------------------------------------------------------

    def _cycles(self, n, tms, tdi_bits):
        pos = self.tms.length
        self.tms.append_repeat(tms, n)
        self.tdi.append(tdi_bits, n)
        self._set_pin(PIN_TMS, tms)
        self._set_pin(PIN_TDI, (tdi_bits >> (n - 1)) & 1)
        return pos

    def _set_pin(self, pin, level):
        self.pins = (self.pins | pin) if level else (self.pins & ~pin)

    def _render(self, piece, tdo):
        if isinstance(piece, bytes):
            return piece
        if piece[0] == "pins":
            return bytes((0x10, self.pins | (PIN_TDO if self.tdo else 0)))
        _, pos, n = piece
        if pos is None:
            return bytes((n + 7) // 8)
        value = extract(tdo, pos, n)
        return value.to_bytes((n + 7) // 8, "little")
