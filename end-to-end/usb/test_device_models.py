"""The device models' protocol engines, driven directly (no USB) against the strict simulated board:
the answers AN_108 and the FT231X datasheet describe, and the failures a careless host would see on
a real board (data on the wrong clock edge, a TDO read at the wrong moment).

Run: /usr/bin/python3 -m unittest discover -s end-to-end/usb -p 'test_*.py' -v   (after swift build)
"""

import os
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from bitbang import FT231X_PINS, BitbangEngine  # noqa: E402
from board_link import RbbLink, XvcLink  # noqa: E402
from cmsis_dap import CmsisDapDevice  # noqa: E402
from dirtyjtag import DirtyJtagDevice  # noqa: E402
from mpsse import MpsseEngine  # noqa: E402
from usb_emulator import Board  # noqa: E402

TAPWALKER = os.path.join(os.path.dirname(os.path.dirname(HERE)), ".build", "debug", "tapwalker")
IDCODE_45F = 0x41112043

# MPSSE: TCK, TDI, TMS outputs with TMS high; TMS 1x5 (Test-Logic-Reset) then 0,1,0,0 (Shift-DR,
# where IDCODE is selected after reset).
GPIO_INIT = bytes((0x80, 0x08, 0x0B))
TO_SHIFT_DR = bytes((0x4B, 4, 0x1F, 0x4B, 3, 0x02))
READ_32 = bytes((0x39, 3, 0, 0, 0, 0, 0, 0x87))


class BoardTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        cls.board = Board(TAPWALKER, ["--part", "45f"], cls.tmp.name)

    @classmethod
    def tearDownClass(cls):
        cls.board.stop()
        cls.tmp.cleanup()

    def mpsse(self):
        engine = MpsseEngine(XvcLink(self.board.xvc))
        self.addCleanup(engine.link.close)
        return engine


class MpsseTest(BoardTest):
    def test_reads_the_idcode_in_shift_dr(self):
        out, immediate = self.mpsse().feed(GPIO_INIT + TO_SHIFT_DR + READ_32)
        self.assertEqual(int.from_bytes(out, "little"), IDCODE_45F)
        self.assertTrue(immediate)

    def test_a_command_split_across_transfers_gives_the_same_answer(self):
        engine = self.mpsse()
        stream = GPIO_INIT + TO_SHIFT_DR + READ_32
        answers = b"".join(engine.feed(stream[i:i + 3])[0] for i in range(0, len(stream), 3))
        self.assertEqual(int.from_bytes(answers, "little"), IDCODE_45F)

    def test_tms_written_on_the_rising_edge_arrives_a_cycle_late_and_misses_shift_dr(self):
        # 0x4A clocks TMS out on the rising edge: the TAP samples the level from before the edge,
        # so the walk ends one state short and the 32 bits read are not the IDCODE.
        wrong_edge = bytes((0x4A, 4, 0x1F, 0x4A, 3, 0x02))
        out, _ = self.mpsse().feed(GPIO_INIT + wrong_edge + READ_32)
        self.assertNotEqual(int.from_bytes(out, "little"), IDCODE_45F)

    def test_without_tck_as_an_output_nothing_reaches_the_board(self):
        out, _ = self.mpsse().feed(bytes((0x80, 0x08, 0x0A)) + TO_SHIFT_DR + READ_32)
        self.assertNotEqual(int.from_bytes(out, "little"), IDCODE_45F)

    def test_bit_reads_fill_the_byte_from_the_top_lsb_first_and_from_the_bottom_msb_first(self):
        engine = self.mpsse()
        # IDCODE 0x...2043, first bit first: 1,1,0 then 0,0,0,1,0,0,0.
        out, _ = engine.feed(GPIO_INIT + TO_SHIFT_DR + bytes((0x2A, 2, 0x26, 6, 0x87)))
        lsb, msb = out
        self.assertEqual(lsb >> 5, 0b011)               # LSB first: the first bit ends at bit 5
        self.assertEqual(msb & 0x7F, 0b0001000)         # MSB first: the first bit ends at bit 6

    def test_unknown_opcodes_answer_fa_and_the_engine_goes_on(self):
        out, _ = self.mpsse().feed(bytes((0xAA, 0xAB)) + GPIO_INIT + TO_SHIFT_DR + READ_32)
        self.assertEqual(out[:4], bytes((0xFA, 0xAA, 0xFA, 0xAB)))
        self.assertEqual(int.from_bytes(out[4:], "little"), IDCODE_45F)

    def test_gpio_and_loopback(self):
        engine = self.mpsse()
        out, _ = engine.feed(GPIO_INIT + bytes((0x81, 0x84, 0x39, 1, 0, 0x5A, 0xC3, 0x85, 0x87)))
        self.assertEqual(out[0] & 0x0B, 0x08)          # the outputs as driven
        self.assertEqual(out[1:], bytes((0x5A, 0xC3)))  # loopback returns what went out on TDI

    def test_clock_divisor_sets_the_cycle_time(self):
        engine = self.mpsse()
        engine.feed(bytes((0x8A, 0x86, 0x02, 0x00)))
        self.assertEqual(engine.hz, 10_000_000)        # 60 MHz / ((1 + 2) * 2)
        engine.feed(bytes((0x8B,)))
        self.assertEqual(engine.hz, 2_000_000)         # 12 MHz / ((1 + 2) * 2)


class SyncBitbangTest(BoardTest):
    """FT231X synchronous bit-bang with the ULX3S pins: each answer is the pins before the byte."""

    TCK, TMS, TDI, TDO = FT231X_PINS["tck"], FT231X_PINS["tms"], FT231X_PINS["tdi"], FT231X_PINS["tdo"]

    def engine(self):
        engine = BitbangEngine(RbbLink(self.board.rbb), FT231X_PINS)
        engine.set_direction(self.TCK | self.TMS | self.TDI)
        self.addCleanup(engine.link.close)
        return engine

    def clocks(self, tms_bits):
        out = bytearray()
        for tms in tms_bits:
            level = self.TMS if tms else 0
            out += bytes((level, level | self.TCK))
        return bytes(out)

    def test_reads_the_idcode_from_the_answers_to_the_rising_edges(self):
        engine = self.engine()
        data = self.clocks([1, 1, 1, 1, 1, 0, 1, 0, 0]) + self.clocks([0] * 32) + bytes((0,))
        answers = engine.write(data, sync=True)
        self.assertEqual(len(answers), len(data))
        # The answer to each TCK-high byte is the pins just before it: TDO as that edge samples it.
        bits = [1 if answers[18 + 2 * k + 1] & self.TDO else 0 for k in range(32)]
        self.assertEqual(sum(b << k for k, b in enumerate(bits)), IDCODE_45F)

    def test_the_answer_to_a_falling_edge_still_shows_the_old_tdo(self):
        engine = self.engine()
        engine.write(self.clocks([1, 1, 1, 1, 1, 0, 1, 0, 0]), sync=True)
        # In Shift-DR: TDO shows bit 0 (1); the first rising edge shifts, its falling edge brings
        # bit 1 (1) out, the second brings bit 2 (0).
        answers = engine.write(bytes((0, self.TCK, 0, self.TCK, 0, 0)), sync=True)
        tdo = [1 if a & self.TDO else 0 for a in answers]
        self.assertEqual(tdo[1:], [1, 1, 1, 1, 0])
        self.assertEqual(answers[1] & self.TCK, 0)     # pins before the byte: TCK still low

    def test_asynchronous_mode_answers_nothing(self):
        self.assertEqual(self.engine().write(self.clocks([1, 1, 1]), sync=False), b"")


class CmsisDapTest(BoardTest):
    # DAP_JTAG_Sequence: TMS 1 x5, 0, 1, 0, 0 (to Shift-DR), then 32 cycles capturing TDO.
    TO_SHIFT_DR = bytes((0x45, 0x00, 0x01, 0x00, 0x41, 0x00, 0x02, 0x00))
    READ_32 = bytes((0x80 | 32, 0, 0, 0, 0))

    def probe(self):
        probe = CmsisDapDevice(XvcLink(self.board.xvc), "S1")
        self.addCleanup(probe.closed)
        return probe

    def ask(self, probe, *packets):
        for packet in packets:
            probe.bulk_out(0x01, packet)
        answers = []
        while True:
            answer = probe.bulk_in(0x81, 512, 0)
            if answer is None:
                return answers
            answers.append(answer)

    def test_info_and_connect(self):
        probe = self.probe()
        answers = self.ask(probe, b"\x00\xff", b"\x00\xfe", b"\x00\xf0", b"\x00\x03", b"\x02\x01", b"\x02\x00")
        self.assertEqual(answers, [b"\x00\x02\x00\x02", b"\x00\x01\x08", b"\x00\x01\x12",
                                   b"\x00\x03S1\x00", b"\x02\x00", b"\x02\x02"])

    def test_jtag_sequence_reads_the_idcode(self):
        probe = self.probe()
        answers = self.ask(probe, b"\x02\x02", b"\x14\x05" + self.TO_SHIFT_DR + self.READ_32)
        self.assertEqual(answers[1][:2], b"\x14\x00")
        self.assertEqual(int.from_bytes(answers[1][2:], "little"), IDCODE_45F)

    def test_without_connect_no_cycle_reaches_the_board(self):
        answers = self.ask(self.probe(), b"\x14\x05" + self.TO_SHIFT_DR + self.READ_32)
        self.assertNotEqual(int.from_bytes(answers[0][2:], "little"), IDCODE_45F)

    def test_queued_packets_answer_when_an_unqueued_one_arrives(self):
        probe = self.probe()
        queued = [b"\x7e\x01\x14\x04" + self.TO_SHIFT_DR, b"\x7e\x01\x14\x01" + self.READ_32]
        self.assertEqual(self.ask(probe, b"\x02\x02", *queued), [b"\x02\x02"])
        answers = self.ask(probe, b"\x03")
        self.assertEqual(answers[0], b"\x7f\x01\x14\x00")
        self.assertEqual(answers[1][:4], b"\x7f\x01\x14\x00")
        self.assertEqual(int.from_bytes(answers[1][4:], "little"), IDCODE_45F)
        self.assertEqual(answers[2], b"\x03\x00")

    def test_unknown_and_truncated_commands_answer_ff(self):
        self.assertEqual(self.ask(self.probe(), b"\x55", b"\x14\x01\x88"), [b"\xff", b"\xff"])


class DirtyJtagTest(BoardTest):
    def test_info_clk_and_xfer_read_the_idcode_msb_first(self):
        probe = DirtyJtagDevice(XvcLink(self.board.xvc), "D1")
        self.addCleanup(probe.closed)
        probe.bulk_out(0x01, b"\x01\x00")
        self.assertTrue(probe.bulk_in(0x82, 64, 0).startswith(b"DJTAG2\n"))
        # CLK: 5 cycles TMS high, 1 low, 1 high, 2 low (Shift-DR); XFER 32 bits.
        probe.bulk_out(0x01, bytes((0x06, 0x10, 5, 0x06, 0x00, 1, 0x06, 0x10, 1, 0x06, 0x00, 2, 0x00)))
        probe.bulk_out(0x01, bytes((0x03, 32, 0, 0, 0, 0)))
        answer = probe.bulk_in(0x82, 32, 0)
        self.assertEqual(len(answer), 4)
        self.assertEqual(int.from_bytes(bytes(int(f"{b:08b}"[::-1], 2) for b in answer), "little"), IDCODE_45F)
        self.assertIsNone(probe.bulk_in(0x82, 32, 0))


if __name__ == "__main__":
    unittest.main()
