"""FTDI bit-bang (asynchronous and synchronous) on the board's JTAG pins, edge by edge.

Each written byte sets the output pins. In synchronous mode the chip answers every written byte
with the pins as they were just before that byte was applied; in asynchronous mode it answers
nothing here (the host reads pins with the 0x0C request). The pins reach the board through
remote_bitbang, which sees every TCK edge; TDO is read back once after each falling edge (TDO only
changes there), so every answer shows TDO as it is on the pin at that moment
(docs/usb-cables.md, "FT231X bit-bang").
"""

# openFPGALoader's ULX3S map on the FT231X, and the MPSSE chips' JTAG pins in bit-bang.
FT231X_PINS = {"tck": 0x20, "tms": 0x40, "tdi": 0x80, "tdo": 0x08}
MPSSE_PINS = {"tck": 0x01, "tdi": 0x02, "tdo": 0x04, "tms": 0x08}


class BitbangEngine:
    def __init__(self, link, pins):
        self.link = link
        self.pins = pins
        self.value = 0
        self.direction = 0
        self.levels = None       # (tck, tms, tdi) as the board last saw them; None before any
        self.tdo = None          # TDO on the pin now (None: not read yet)
        self._table()

    def set_direction(self, mask):
        self.direction = mask
        self._table()

    def _table(self):
        """Per byte value: the remote_bitbang command of the levels it puts on TCK/TMS/TDI. A pin
        that is not an output does not drive the board: TMS/TDI read high (the ECP5's pull-ups),
        TCK stays low (no edges)."""
        p, d = self.pins, self.direction

        def level(b, pin, undriven):
            return undriven if not d & pin else (1 if b & pin else 0)

        self.command = bytes(ord("0") + 4 * level(b, p["tck"], 0) + 2 * level(b, p["tms"], 1) + level(b, p["tdi"], 1)
                             for b in range(256))

    def link_closed(self):
        """A new remote_bitbang session starts with TCK low and TDO unknown."""
        self.levels = None
        self.tdo = None

    def pins_now(self, value=None):
        """The byte the chip reads on its pins: outputs as driven, TDO from the board, the other
        inputs high."""
        value = self.value if value is None else value
        d = self.direction
        pins = (value & d) | (0xFF & ~d & ~self.pins["tdo"])
        if not d & self.pins["tdo"] and self._tdo():
            pins |= self.pins["tdo"]
        return pins

    def _tdo(self):
        if self.tdo is None:
            self.tdo = self.link.exchange(b"R", 1)[0]
        return self.tdo

    def write(self, data, sync):
        """Applies the bytes in order; in synchronous mode returns one pin byte per byte."""
        if not data:
            return b""
        commands = bytearray()
        reads = 0
        # For each byte: which TDO it sees (an index into the reads, or -1 for the level known before).
        sees = [] if sync else None
        known = self.tdo
        if known is None:
            commands += b"R"
            reads = 1
        current = -1 if known is not None else 0
        cmd_table = self.command
        last = self.levels
        for b in data:
            if sync:
                sees.append(current)
            c = cmd_table[b]
            if c != last:
                commands.append(c)
                if last is not None and (last - 48) & 4 and not (c - 48) & 4:
                    # Falling edge: TDO moves to the next bit; read it for what follows.
                    commands += b"R"
                    current = reads
                    reads += 1
                last = c
        self.levels = last
        answers = b""
        if commands:
            answers = self.link.exchange(bytes(commands), reads)
            if reads:
                self.tdo = answers[-1]
        before_value = self.value
        self.value = data[-1]
        if not sync:
            return b""
        return self._replies(data, sees, answers, known, before_value)

    def _replies(self, data, sees, answers, known, before_value):
        tdo_pin = self.pins["tdo"]
        tdo_input = not self.direction & tdo_pin
        out = bytearray(len(data))
        prev = before_value
        for k, b in enumerate(data):
            pins = (prev & self.direction) | (0xFF & ~self.direction & ~tdo_pin)
            if tdo_input:
                idx = sees[k]
                level = known if idx < 0 else answers[idx]
                if level:
                    pins |= tdo_pin
            out[k] = pins
            prev = b
        return bytes(out)
