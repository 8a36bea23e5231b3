"""Bit vectors for whole-cycle JTAG (XVC order: bit k of a vector is bit k%8 of byte k//8).

The device models collect a whole USB transfer's TCK cycles here and clock them in one exchange.
Bits are appended as Python ints (any width, LSB first) so that a 64 KB byte shift is one
int.from_bytes, not a loop over bits; complete bytes move to a bytearray as they fill.
"""

# Bit-reversal of every byte value, for MSB-first shifts (bytes.translate).
REVERSE = bytes(int(f"{i:08b}"[::-1], 2) for i in range(256))


class BitWriter:
    def __init__(self):
        self.buf = bytearray()
        self.acc = 0
        self.accn = 0

    @property
    def length(self):
        return len(self.buf) * 8 + self.accn

    def append(self, value, nbits):
        """Appends the low nbits of value, bit 0 first."""
        if nbits <= 0:
            return
        self.acc |= (value & ((1 << nbits) - 1)) << self.accn
        self.accn += nbits
        if self.accn >= 8:
            k = self.accn // 8
            self.buf += (self.acc & ((1 << (8 * k)) - 1)).to_bytes(k, "little")
            self.acc >>= 8 * k
            self.accn -= 8 * k

    def append_bytes(self, data):
        """Appends whole bytes, bit 0 of each byte first."""
        if self.accn == 0:
            self.buf += data
        else:
            self.append(int.from_bytes(data, "little"), 8 * len(data))

    def append_repeat(self, bit, nbits):
        """nbits copies of one bit value."""
        if nbits <= 0:
            return
        if self.accn == 0 and nbits >= 8:
            whole = nbits // 8
            self.buf += (b"\xff" if bit else b"\x00") * whole
            nbits -= whole * 8
        self.append((1 << nbits) - 1 if bit else 0, nbits)

    def getvalue(self):
        if self.accn:
            return bytes(self.buf) + self.acc.to_bytes(1, "little")
        return bytes(self.buf)


def extract(data, pos, nbits):
    """Bits [pos, pos+nbits) of a vector as an int (bit 0 = the bit at pos)."""
    if nbits <= 0:
        return 0
    first = pos // 8
    last = (pos + nbits + 7) // 8 + 1
    return (int.from_bytes(data[first:last], "little") >> (pos % 8)) & ((1 << nbits) - 1)


def extract_bytes(data, pos, nbytes):
    """8*nbytes bits from pos, as bytes (LSB-first order, as shifted)."""
    if pos % 8 == 0:
        return bytes(data[pos // 8: pos // 8 + nbytes])
    return extract(data, pos, nbytes * 8).to_bytes(nbytes, "little")
