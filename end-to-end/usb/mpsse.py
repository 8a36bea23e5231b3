"""The FTDI MPSSE engine (FT2232H/FT4232H/FT232H), as FTDI's AN_108 describes it.

Every command of one USB transfer is decoded first; their TCK cycles are collected into one TMS and
one TDI vector and clocked on the board in one XVC exchange; then the answers are assembled in
command order (docs/usb-cables.md, "FTDI MPSSE").

Pins on the low byte: TCK bit 0, TDI bit 1, TDO bit 2, TMS bit 3. A pin the host has not made an
output does not drive the board: TCK then gives no edges and TMS/TDI read as 1 (the ECP5's pull-ups).
"""

from bitvec import REVERSE, BitWriter, extract, extract_bytes

TCK, TDI, TDO, TMS = 0x01, 0x02, 0x04, 0x08

# Lengths of the operands of the non-shift opcodes.
_SIMPLE = {
    0x80: 2, 0x82: 2,          # set GPIO low/high: value, direction
    0x81: 0, 0x83: 0,          # read GPIO low/high
    0x84: 0, 0x85: 0,          # loopback on/off
    0x86: 2,                   # clock divisor
    0x87: 0,                   # send immediate
    0x8A: 0, 0x8B: 0,          # divide-by-5 off/on
    0x8C: 0, 0x8D: 0,          # three-phase clocking on/off
    0x8E: 1, 0x8F: 2,          # clock N+1 bits / (N+1)*8 bits, no data
    0x96: 0, 0x97: 0,          # adaptive clocking on/off
}


def _reverse_bits(value, n):
    return int(f"{value:0{n}b}"[::-1], 2) if n else 0


class MpsseEngine:
    def __init__(self, link):
        self.link = link
        self.pending = bytearray()
        self.reset()

    def reset(self):
        """MPSSE as after entering the mode: all pins inputs, 6 MHz (divide-by-5 on, divisor 0)."""
        self.low_val = self.low_dir = 0
        self.high_val = self.high_dir = 0
        self.divisor = 0
        self.div5 = True
        self.loopback = False
        self.three_phase = False
        self.adaptive = False
        self.tdi_line = 1
        self.tms_line = 1
        self.last_tdo = 1
        self.shift_reg = 0
        self.pending.clear()
        self._set_frequency()

    def _set_frequency(self):
        base = 12_000_000 if self.div5 else 60_000_000
        self.hz = base // ((1 + self.divisor) * 2)
        self.link.set_frequency(self.hz)

    # --- the cycles of one transfer -------------------------------------------------------

    def _begin(self):
        self.tms = BitWriter()
        self.tdi = BitWriter()
        self.pieces = []          # ('lit', bytes) or ('tdo', pos, nbits, kind)
        self.immediate = False

    def _cycles(self, n, tms_bits=None, tdi_bits=None, tdi_hold=None, write_neg=True):
        """Appends n TCK cycles; returns the vector position of the first. tms_bits/tdi_bits are
        ints (bit 0 first) when the command drives that pin, else the pin keeps its level."""
        pos = self.tms.length
        mask = (1 << n) - 1
        tms_seen, self.tms_line = self._drive(n, tms_bits, self.tms_line, write_neg)
        if tdi_hold is not None:
            tdi_bits = mask if tdi_hold else 0
        tdi_seen, self.tdi_line = self._drive(n, tdi_bits, self.tdi_line, write_neg)
        if not self.low_dir & TMS:
            tms_seen = mask
        if not self.low_dir & TDI:
            tdi_seen = mask
        self.tms.append(tms_seen, n)
        self.tdi.append(tdi_seen, n)
        return pos

    @staticmethod
    def _drive(n, bits, line, write_neg):
        """What the TAP sees at its n rising edges, and the pin's level afterwards. Data written on
        the falling edge is stable at the next rising edge. Data written on the rising edge changes
        as the TAP samples it; the ECP5 then sees the level from before the edge (hold time), so
        every bit arrives one cycle late (the stricter reading of a timing the datasheet leaves
        open, see docs/usb-cables.md)."""
        mask = (1 << n) - 1
        if bits is None:
            return (mask if line else 0), line
        last = (bits >> (n - 1)) & 1
        if write_neg:
            return bits & mask, last
        return ((bits << 1) | line) & mask, last

    def _read(self, pos, nbits, kind):
        self.pieces.append(("tdo", pos, nbits, kind))

    # --- decoding ---------------------------------------------------------------------------

    def feed(self, data):
        """Runs the commands in data (and any incomplete one left from before); returns the bytes
        the chip sends back and whether a send-immediate was among them."""
        self.pending += data
        self._begin()
        buf = self.pending
        i = 0
        n = len(buf)
        while i < n and not self.adaptive:
            op = buf[i]
            used = self._command(op, buf, i + 1, n)
            if used is None:
                break            # the rest of this command comes in a later transfer
            i += 1 + used
        del buf[:i]
        return self._run(), self.immediate

    def _command(self, op, buf, at, end):
        if op < 0x80 and op & 0x70:
            return self._shift(op, buf, at, end)
        need = _SIMPLE.get(op)
        if need is None:
            self.pieces.append(("lit", bytes((0xFA, op))))
            return 0
        if end - at < need:
            return None
        args = buf[at:at + need]
        if op == 0x80:
            self._set_low(args[0], args[1])
        elif op == 0x82:
            self.high_val, self.high_dir = args[0], args[1]
        elif op == 0x81:
            self.pieces.append(("gpio_low",))
        elif op == 0x83:
            self.pieces.append(("lit", bytes(((self.high_val & self.high_dir) | (~self.high_dir & 0xFF),))))
        elif op in (0x84, 0x85):
            self.loopback = op == 0x84
        elif op == 0x86:
            self.divisor = args[0] | args[1] << 8
            self._set_frequency()
        elif op == 0x87:
            self.immediate = True
        elif op in (0x8A, 0x8B):
            self.div5 = op == 0x8B
            self._set_frequency()
        elif op in (0x8C, 0x8D):
            self.three_phase = op == 0x8C
        elif op in (0x96, 0x97):
            # Adaptive clocking waits for RTCK on GPIOL3, which no ECP5 board drives: TCK stops and
            # the engine never runs another command, as on the chip.
            self.adaptive = op == 0x96
        elif op == 0x8E:
            self._clock_only(args[0] + 1)
        elif op == 0x8F:
            self._clock_only((args[0] | args[1] << 8) * 8 + 8)
        return need

    def _clock_only(self, n):
        if self.low_dir & TCK:
            self._cycles(n)

    def _set_low(self, value, direction):
        """GPIO write of the low byte. A TCK rising edge made by hand clocks one cycle with the
        TMS/TDI levels now on the pins."""
        old_tck = self.low_val & self.low_dir & TCK
        self.low_val, self.low_dir = value, direction
        if direction & TDI:
            self.tdi_line = 1 if value & TDI else 0
        if direction & TMS:
            self.tms_line = 1 if value & TMS else 0
        if not old_tck and value & direction & TCK:
            self._cycles(1)

    def _shift(self, op, buf, at, end):
        write_neg = bool(op & 0x01)
        bitmode = bool(op & 0x02)
        lsb = bool(op & 0x08)
        do_tdi, do_tdo, do_tms = bool(op & 0x10), bool(op & 0x20), bool(op & 0x40)
        if do_tms and (do_tdi or not bitmode or not lsb):
            self.pieces.append(("lit", bytes((0xFA, op))))      # not an AN_108 command
            return 0
        if bitmode:
            need = 1 + (1 if (do_tdi or do_tms) else 0)
            if end - at < need:
                return None
            nbits = (buf[at] & 7) + 1
            if do_tms:
                byte = buf[at + 1]
                pos = self._clock(nbits, tms_bits=byte & 0x7F, tdi_hold=byte >> 7, write_neg=write_neg)
            elif do_tdi:
                byte = buf[at + 1]
                bits = byte if lsb else _reverse_bits(byte >> (8 - nbits), nbits)
                pos = self._clock(nbits, tdi_bits=bits & ((1 << nbits) - 1), write_neg=write_neg)
            else:
                pos = self._clock(nbits, write_neg=write_neg)
            if do_tdo:
                self._read(pos, nbits, "bits_lsb" if lsb else "bits_msb")
            return need
        if end - at < 2:
            return None
        nbytes = (buf[at] | buf[at + 1] << 8) + 1
        need = 2 + (nbytes if do_tdi else 0)
        if end - at < need:
            return None
        if do_tdi:
            data = bytes(buf[at + 2:at + 2 + nbytes])
            if not lsb:
                data = data.translate(REVERSE)
            pos = self._clock(nbytes * 8, tdi_data=data, write_neg=write_neg)
        else:
            pos = self._clock(nbytes * 8, write_neg=write_neg)
        if do_tdo:
            self._read(pos, nbytes * 8, "bytes_lsb" if lsb else "bytes_msb")
        return need

    def _clock(self, n, tms_bits=None, tdi_bits=None, tdi_hold=None, tdi_data=None, write_neg=True):
        """Cycles of a shift command (loopback reads what goes out on TDI)."""
        if not self.low_dir & TCK:
            # No clock reaches the board: the reads see TDO as it stands.
            return ("still", self.tdi_line if self.loopback else self.last_tdo)
        if tdi_data is not None and write_neg:
            # Fast path for byte shifts: the bytes are the vector.
            pos = self.tms.length
            self.tms.append_repeat(self.tms_line if self.low_dir & TMS else 1, n)
            if self.low_dir & TDI:
                self.tdi.append_bytes(tdi_data)
            else:
                self.tdi.append_repeat(1, n)
            self.tdi_line = tdi_data[-1] >> 7
        else:
            if tdi_data is not None:
                tdi_bits = int.from_bytes(tdi_data, "little")
            pos = self._cycles(n, tms_bits, tdi_bits, tdi_hold, write_neg)
        if self.loopback:
            return ("loop", pos)
        return pos

    # --- clocking and answers ---------------------------------------------------------------

    def _run(self):
        nbits = self.tms.length
        tdi = self.tdi.getvalue()
        if nbits:
            tdo = self.link.shift(nbits, self.tms.getvalue(), tdi)
            self.last_tdo = extract(tdo, nbits - 1, 1)
        else:
            tdo = b""
        out = bytearray()
        for piece in self.pieces:
            out += self._answer(piece, tdo, tdi)
        return bytes(out)

    def _answer(self, piece, tdo, tdi):
        tag = piece[0]
        if tag == "lit":
            return piece[1]
        if tag == "gpio_low":
            pins = (self.low_val & self.low_dir) | (~self.low_dir & 0xFF & ~TDO)
            return bytes((pins | (TDO if self.last_tdo else 0),))
        _, pos, nbits, kind = piece
        source = tdo
        if isinstance(pos, tuple):
            if pos[0] == "loop":
                source, pos = tdi, pos[1]
            else:
                fill = 0xFF if pos[1] else 0
                return self._format(None, 0, nbits, kind, fill)
        return self._format(source, pos, nbits, kind)

    def _format(self, source, pos, nbits, kind, fill=None):
        if kind.startswith("bytes"):
            data = bytes([fill]) * (nbits // 8) if source is None else extract_bytes(source, pos, nbits // 8)
            if data:
                self.shift_reg = data[-1] if kind == "bytes_lsb" else REVERSE[data[-1]]
            return data if kind == "bytes_lsb" else data.translate(REVERSE)
        if source is None:
            bits = fill & ((1 << nbits) - 1)
        else:
            bits = extract(source, pos, nbits)
        # Bit reads shift into a byte register: LSB first enters at bit 7 (the bits end up in the
        # top of the byte), MSB first at bit 0; the rest of the byte is what the register held.
        if kind == "bits_lsb":
            self.shift_reg = ((bits << (8 - nbits)) | (self.shift_reg >> nbits)) & 0xFF
        else:
            self.shift_reg = ((self.shift_reg << nbits) | _reverse_bits(bits, nbits)) & 0xFF
        return bytes((self.shift_reg,))
