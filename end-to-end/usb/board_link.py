"""The emulated cables' wires to the simulated board (`tapwalker sim`).

Each emulated device talks to the board through one of the simulator's network JTAG servers, chosen
by what the device does on its pins (docs/usb-cables.md, "The emulator"):

- XvcLink: whole TCK cycles (TMS and TDI set, rising edge, TDO sampled at that edge). MPSSE shifts,
  DAP_JTAG_Sequence and DirtyJTAG's XFER/CLK are whole cycles.
- RbbLink: pins set one at a time (remote_bitbang), for bit-bang where the host moves TCK, TMS and
  TDI itself and reads TDO between edges.

The simulator serves one client at a time, so a link connects when its device first needs the board
and disconnects when the USB client closes the device (or when told to), letting the next client
(another device, or `tapwalker detect --cable xvc://…` run by a test afterwards) in.
"""

import socket
import threading


def _connect(address):
    host, port = address.rsplit(":", 1)
    s = socket.create_connection((host, int(port)), timeout=60)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return s


def _recv_exact(sock, n):
    buf = bytearray(n)
    view = memoryview(buf)
    got = 0
    while got < n:
        k = sock.recv_into(view[got:], n - got)
        if k == 0:
            raise ConnectionError("the simulated board closed the connection")
        got += k
    return bytes(buf)


class BoardGone(Exception):
    """The simulator is not reachable: the emulated device answers as a cable whose target vanished."""


class XvcLink:
    """XVC 1.0 client: `shift` clocks whole TCK cycles and returns TDO sampled at each rising edge."""

    # Shifts in flight before their answers are read: bounds what sits in the socket buffers.
    WINDOW = 8

    def __init__(self, address):
        self.address = address
        self.sock = None
        self.max_bits = 0
        self.hz = None
        self.wanted_hz = None
        self.lock = threading.Lock()
        self.cycles = 0

    def _open(self):
        if self.sock is not None:
            return
        try:
            self.sock = _connect(self.address)
            self.sock.sendall(b"getinfo:")
            reply = b""
            while not reply.endswith(b"\n"):
                reply += _recv_exact(self.sock, 1)
        except OSError as e:
            self.sock = None
            raise BoardGone(str(e)) from e
        vector_bytes = int(reply.split(b":")[1])
        self.max_bits = min(vector_bytes, 4096) * 8
        self.hz = None
        if self.wanted_hz:
            self._settck(self.wanted_hz)

    def _settck(self, hz):
        period = max(1, round(1e9 / hz))
        self.sock.sendall(b"settck:" + period.to_bytes(4, "little"))
        _recv_exact(self.sock, 4)
        self.hz = hz

    def set_frequency(self, hz):
        """The cable's TCK, so that the simulated time is the time the board would take."""
        # The simulated board runs TCK up to 25 MHz; a faster cable is clocked at that.
        self.wanted_hz = max(1, min(int(hz), 25_000_000))
        if self.sock is not None and self.hz != self.wanted_hz:
            with self.lock:
                self._settck(self.wanted_hz)

    def shift(self, nbits, tms, tdi):
        """Clocks nbits cycles (TMS/TDI bit k in byte k//8, bit k%8) and returns the TDO bytes."""
        if nbits <= 0:
            return b""
        with self.lock:
            self._open()
            self.cycles += nbits
            nbytes = (nbits + 7) // 8
            chunk = self.max_bits // 8
            out = bytearray()
            pending = []
            pos = 0
            try:
                while pos < nbytes:
                    end = min(nbytes, pos + chunk)
                    bits = min(nbits - pos * 8, (end - pos) * 8)
                    self.sock.sendall(b"shift:" + bits.to_bytes(4, "little") + tms[pos:end] + tdi[pos:end])
                    pending.append(end - pos)
                    pos = end
                    if len(pending) >= self.WINDOW:
                        out += _recv_exact(self.sock, pending.pop(0))
                for n in pending:
                    out += _recv_exact(self.sock, n)
            except OSError as e:
                self.close()
                raise BoardGone(str(e)) from e
            return bytes(out)

    def close(self):
        if self.sock is not None:
            try:
                self.sock.close()
            except OSError:
                pass
            self.sock = None


class RbbLink:
    """remote_bitbang client: pin levels one write at a time, TDO read between edges."""

    def __init__(self, address):
        self.address = address
        self.sock = None
        self.lock = threading.Lock()
        self.edges = 0

    def _open(self):
        if self.sock is None:
            try:
                self.sock = _connect(self.address)
            except OSError as e:
                raise BoardGone(str(e)) from e

    def exchange(self, commands, reads):
        """Sends remote_bitbang command bytes holding `reads` R commands; returns their answers
        as a bytes of 0/1 values."""
        with self.lock:
            self._open()
            try:
                self.sock.sendall(commands)
                answers = _recv_exact(self.sock, reads) if reads else b""
            except OSError as e:
                self.close()
                raise BoardGone(str(e)) from e
            return answers.translate(_ASCII_BIT)

    def close(self):
        if self.sock is not None:
            try:
                self.sock.sendall(b"Q")
            except OSError:
                pass
            try:
                self.sock.close()
            except OSError:
                pass
            self.sock = None


class NoTarget:
    """Nothing behind the cable's JTAG pins: TDO stuck at one level whatever is clocked. Stands in
    for either link (jtag=none0|none1, and the FTDI channels the board is not wired to)."""

    def __init__(self, level):
        self.level = level
        self.cycles = 0

    def shift(self, nbits, tms, tdi):
        self.cycles += nbits
        return (b"\xff" if self.level else b"\x00") * ((nbits + 7) // 8)

    def exchange(self, commands, reads):
        return bytes((self.level,)) * reads

    def set_frequency(self, hz):
        pass

    def close(self):
        pass


_ASCII_BIT = bytes((1 if i == ord("1") else 0) for i in range(256))
