"""FTDI chips: FT2232H, FT4232H, FT232H (MPSSE on their first channels) and FT231X (bit-bang only).

What the host sees (docs/usb-cables.md, "FTDI chips"): vendor requests on endpoint 0 with wIndex
naming the channel (1 = A …), one bulk OUT and one bulk IN endpoint per channel, and every IN packet
starting with two modem-status bytes. Answers wait in the chip's buffer until a full packet is
ready, a send-immediate (MPSSE 0x87) arrives, or the latency timer expires; an IN with nothing to
send then gets a packet of the two status bytes alone.
"""

from bitbang import FT231X_PINS, MPSSE_PINS, BitbangEngine
from board_link import NoTarget
from mpsse import MpsseEngine
from usb_device import Stall, UsbDevice, configuration_descriptor, interface_descriptor

MODEM_STATUS = bytes((0x32, 0x60))

# kind: (pid, bcdDevice, channels, channels with MPSSE, max packet, product)
CHIPS = {
    "ft2232h": (0x6010, 0x0700, 2, 2, 512, "Dual RS232-HS"),
    "ft4232h": (0x6011, 0x0800, 4, 2, 512, "Quad RS232-HS"),
    "ft232h": (0x6014, 0x0900, 1, 1, 512, "Single RS232-HS"),
    "ft231x": (0x6015, 0x1000, 1, 0, 64, "FT231X USB UART"),
}


class Channel:
    """One channel (A, B …): its engines, its mode and its buffer towards the host."""

    def __init__(self, name, xvc, rbb, has_mpsse, pins):
        self.name = name
        self.has_mpsse = has_mpsse
        self.mpsse = MpsseEngine(xvc) if has_mpsse else None
        self.bitbang = BitbangEngine(rbb, pins)
        self.mode = 0x00
        self.latency_ms = 16
        self.fifo = bytearray()
        self.fifo_since = None       # when the oldest unsent byte was produced
        self.immediate = False

    def set_bitmode(self, mode, mask):
        self.mode = mode
        self.fifo.clear()
        if mode == 0x02 and self.mpsse is not None:
            self.mpsse.reset()
        if mode in (0x01, 0x04):
            self.bitbang.set_direction(mask)

    def write(self, data, now):
        if self.mode == 0x02 and self.mpsse is not None:
            out, immediate = self.mpsse.feed(data)
            self.immediate |= immediate
        elif self.mode in (0x01, 0x04):
            out = self.bitbang.write(data, sync=self.mode == 0x04)
        else:
            out = b""            # UART mode: the bytes go out on TXD, nothing is wired there
        if out:
            if not self.fifo:
                self.fifo_since = now
            self.fifo += out

    def read(self, room, waited_ms, packet, now):
        payload = packet - 2
        expired = waited_ms >= self.latency_ms or (
            self.fifo_since is not None and now - self.fifo_since >= self.latency_ms)
        if self.immediate or expired:
            ready = len(self.fifo)
        else:
            ready = len(self.fifo) // payload * payload
        if ready == 0 and not expired:
            return None
        out = bytearray()
        taken = 0
        while room - len(out) >= 2:
            n = min(payload, room - len(out) - 2, ready - taken)
            out += MODEM_STATUS + self.fifo[taken:taken + n]
            taken += n
            if n < payload or taken == ready:
                break
        del self.fifo[:taken]
        if not self.fifo:
            self.immediate = False
            self.fifo_since = None
        elif taken:
            self.fifo_since = now
        return bytes(out)


class FtdiDevice(UsbDevice):
    def __init__(self, kind, xvc, rbb, serial, vid=0x0403, pid=None, product=None):
        chip_pid, bcd, channels, mpsse_channels, packet, default_product = CHIPS[kind]
        self.kind = kind
        self.packet = packet
        interfaces = [interface_descriptor(i, [(0x81 + 2 * i, packet), (0x02 + 2 * i, packet)])
                      for i in range(channels)]
        super().__init__(vid, pid or chip_pid, bcd, configuration_descriptor(interfaces),
                         {1: "FTDI", 2: product or default_product, 3: serial},
                         speed=480 if packet == 512 else 12)
        pins = FT231X_PINS if kind == "ft231x" else MPSSE_PINS
        self.xvc, self.rbb = xvc, rbb
        # The board's JTAG is wired to channel A; the other channels' pins reach nothing.
        self.channels = [Channel("ABCD"[i], xvc if i == 0 else NoTarget(1), rbb if i == 0 else NoTarget(1),
                                 i < mpsse_channels, pins) for i in range(channels)]

    def _channel(self, index):
        i = (index & 0xFF) - 1 if index & 0xFF else 0
        if not 0 <= i < len(self.channels):
            raise Stall()
        return self.channels[i]

    def vendor_request(self, request_type, request, value, index, length, data):
        ch = self._channel(index)
        if request == 0x00:                      # reset / purge
            if value == 0:
                ch.fifo.clear()
                if ch.mpsse:
                    ch.mpsse.pending.clear()
            elif value == 1 and ch.mpsse:        # the chip's buffer of bytes from the host
                ch.mpsse.pending.clear()
            elif value == 2:                     # the chip's buffer of bytes for the host
                ch.fifo.clear()
                ch.immediate = False
            return b""
        if request in (0x01, 0x02, 0x03, 0x04, 0x06, 0x07):
            return b""
        if request == 0x05:
            return MODEM_STATUS[:length]
        if request == 0x09:
            ch.latency_ms = max(1, value & 0xFF)
            return b""
        if request == 0x0A:
            return bytes((ch.latency_ms,))[:length]
        if request == 0x0B:
            mode = value >> 8
            if mode == 0x02 and not ch.has_mpsse:
                raise Stall()
            ch.set_bitmode(mode, value & 0xFF)
            return b""
        if request == 0x0C:
            return bytes((ch.bitbang.pins_now(),))[:length]
        if request == 0x90:                      # EEPROM word: blank
            return b"\xff\xff"[:length]
        raise Stall()

    def bulk_out(self, endpoint, data):
        ch = self._channel(endpoint // 2)          # 0x02 is A, 0x04 is B …
        ch.write(data, self.now_ms())

    def bulk_in(self, endpoint, room, waited_ms):
        ch = self._channel(((endpoint & 0x7F) + 1) // 2)
        return ch.read(room, waited_ms, self.packet, self.now_ms())

    def closed(self):
        for link in (self.xvc, self.rbb):
            link.close()
        for ch in self.channels:
            ch.bitbang.link_closed()
