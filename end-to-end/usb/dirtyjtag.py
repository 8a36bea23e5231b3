"""DirtyJTAG (1209:C0CA): a command stream in 64-byte bulk packets (docs/usb-cables.md, "DirtyJTAG").

One OUT packet holds commands up to CMD_STOP or its end; XFER, GETSIG and CLK-with-readout end the
packet, as in the firmware. Every cycle a packet makes (XFER bits, CLK pulses, a TCK rising edge by
SETSIG) is clocked on the board in one XVC exchange; the answers go back as one IN packet each.
"""

from bitvec import REVERSE, BitWriter, extract, extract_bytes
from usb_device import Stall, UsbDevice, configuration_descriptor, interface_descriptor

CMD_STOP, CMD_INFO, CMD_FREQ, CMD_XFER, CMD_SETSIG, CMD_GETSIG, CMD_CLK = range(7)
NO_READ, EXTEND_LENGTH, READOUT = 0x80, 0x40, 0x80
SIG_TCK, SIG_TDI, SIG_TDO, SIG_TMS, SIG_TRST, SIG_SRST = 0x02, 0x04, 0x08, 0x10, 0x20, 0x40
PACKET = 64
OUT_EP, IN_EP = 0x01, 0x82
INFO = b"DJTAG2\n"
MAX_XFER_BITS = 62 * 8


class DirtyJtagDevice(UsbDevice):
    kind = "dirtyjtag"

    def __init__(self, xvc, serial, vid=None, pid=None, product=None):
        config = configuration_descriptor([interface_descriptor(0, [(OUT_EP, PACKET), (IN_EP, PACKET)],
                                                                cls=0xFF, sub=0, proto=0, string=0)])
        super().__init__(vid or 0x1209, pid or 0xC0CA, 0x0200, config,
                         {1: "Jean THOMAS", 2: product or "DirtyJTAG", 3: serial}, speed=12)
        self.link = xvc
        self.tck = self.tms = self.tdi = 0     # the firmware starts with all three low
        self.tdo = 0
        self.answers = []
        self.link.set_frequency(1_000_000)

    def bulk_out(self, endpoint, data):
        if endpoint != OUT_EP:
            raise Stall()
        self.tms_v, self.tdi_v, self.pieces = BitWriter(), BitWriter(), []
        self._decode(data)
        n = self.tms_v.length
        tdo = self.link.shift(n, self.tms_v.getvalue(), self.tdi_v.getvalue()) if n else b""
        for piece in self.pieces:
            self.answers.append(self._answer(piece, tdo))

    def _cycle(self, n, tms, tdi_bits):
        pos = self.tms_v.length
        self.tms_v.append_repeat(tms, n)
        if isinstance(tdi_bits, bytes):
            self.tdi_v.append_bytes(tdi_bits)
        else:
            self.tdi_v.append_repeat(tdi_bits, n)
        return pos

    def _decode(self, data):
        i = 0
        while i < len(data) and data[i] != CMD_STOP:
            op = data[i]
            cmd = op & 0x0F
            if cmd == CMD_INFO:
                self.pieces.append(("lit", INFO + bytes(PACKET - len(INFO))))
                i += 1
            elif cmd == CMD_FREQ and i + 2 < len(data):
                self.link.set_frequency(max(1, data[i + 1] << 8 | data[i + 2]) * 1000)
                i += 3
            elif cmd == CMD_XFER and i + 1 < len(data):
                self._xfer(op, data, i)
                return
            elif cmd == CMD_SETSIG and i + 2 < len(data):
                self._setsig(data[i + 1], data[i + 2])
                i += 3
            elif cmd == CMD_GETSIG:
                self.pieces.append(("sig", self.tms_v.length - 1))
                return
            elif cmd == CMD_CLK and i + 2 < len(data):
                signals, count = data[i + 1], data[i + 2]
                self.tms = 1 if signals & SIG_TMS else 0
                self.tdi = 1 if signals & SIG_TDI else 0
                if count:
                    pos = self._cycle(count, self.tms, self.tdi)
                    if op & READOUT:
                        self.pieces.append(("bit", pos + count - 1))
                elif op & READOUT:
                    self.pieces.append(("sig", self.tms_v.length - 1))
                if op & READOUT:
                    return
                i += 3
            else:
                return          # unknown or truncated command: the firmware stops the packet here

    def _xfer(self, op, data, i):
        bits = data[i + 1] + (256 if op & EXTEND_LENGTH else 0)
        if bits > MAX_XFER_BITS:
            return              # the firmware refuses it rather than read past its buffer
        nbytes = (bits + 7) // 8
        payload = bytes(data[i + 2:i + 2 + nbytes]).ljust(nbytes, b"\0")
        # TDI goes out MSB first; TMS is held low for the whole transfer (and stays low).
        self.tms = 0
        tdi = payload.translate(REVERSE)
        pos = self.tms_v.length
        self.tms_v.append_repeat(0, bits)
        self.tdi_v.append(int.from_bytes(tdi, "little"), bits)
        if bits:
            self.tdi = (tdi[(bits - 1) // 8] >> ((bits - 1) % 8)) & 1
        if not op & NO_READ:
            self.pieces.append(("xfer", pos, bits))

    def _setsig(self, mask, value):
        if mask & SIG_TDI:
            self.tdi = 1 if value & SIG_TDI else 0
        if mask & SIG_TMS:
            self.tms = 1 if value & SIG_TMS else 0
        if mask & SIG_TCK:
            tck = 1 if value & SIG_TCK else 0
            if tck and not self.tck:
                # A rising edge by hand: one cycle with the levels now on TMS and TDI.
                self._cycle(1, self.tms, self.tdi)
            self.tck = tck

    def _answer(self, piece, tdo):
        tag = piece[0]
        if tag == "lit":
            return piece[1]
        if tag == "xfer":
            _, pos, bits = piece
            data = extract_bytes(tdo, pos, (bits + 7) // 8) if bits else b""
            if bits % 8:
                data = data[:-1] + bytes((data[-1] & ((1 << (bits % 8)) - 1),))
            return data.translate(REVERSE)
        # GETSIG / CLK readout: TDO on the pin, i.e. what the last rising edge sampled. After a
        # falling edge the pin holds the next bit, which XVC cannot show until the next rising
        # edge; openFPGALoader reads TDO only with TCK high (docs/usb-cables.md).
        pos = piece[1]
        if pos >= 0:
            self.tdo = extract(tdo, pos, 1)
        if tag == "bit":
            return bytes((self.tdo,))
        return bytes((SIG_TDO if self.tdo else 0,))

    def bulk_in(self, endpoint, room, waited_ms):
        if endpoint != IN_EP:
            raise Stall()
        if not self.answers:
            return None
        return self.answers.pop(0)[:room]

    def closed(self):
        self.link.close()
