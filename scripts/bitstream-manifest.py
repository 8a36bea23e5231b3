#!/usr/bin/env python3
"""Parse ECP5 .bit files and write Examples/manifest.tsv.

The parser walks the file the way the configuration engine does (format as documented by
Project Trellis and the project's ECP5 facts notes, section 3): the FF 00 header strings, the
preamble FF FF BD B3, then command by command using each opcode's documented operand length.
Every CRC16 in the stream is checked, compressed frames are decoded bit by bit, and an unknown
opcode or a bad CRC is an error, so the counts below come from a real walk, not a byte grep.

Usage: bitstream-manifest.py [--manifest OUT.tsv] [--ram-rom rom.hex] FILE.bit... [FILE.svf...]
If both X.bit and X-compressed.bit are given, the decompressed frames and the EBR data of the
compressed file are also compared with those of the uncompressed one. For X.svf (as written by
ecppack --svf) the data shifted after LSC_BITSTREAM_BURST (7A) is decoded and compared with X.bit,
and the IDCODE and USERCODE values the SVF expects are printed.
"""
import argparse
import hashlib
import os
import re
import sys

PREAMBLE = b"\xff\xff\xbd\xb3"

# IDCODE -> (part name, bytes per frame, frame count); facts file section 1.
PARTS = {0x21111043: ("LFE5U-12F", 74, 7562)}
for size, low, bpf, frames in (("25", 0x1111043, 74, 7562), ("45", 0x1112043, 106, 9470),
                               ("85", 0x1113043, 142, 13294)):
    for top, family in ((0x4, "LFE5U"), (0x0, "LFE5UM"), (0x8, "LFE5UM5G")):
        PARTS[(top << 28) | low] = (f"{family}-{size}F", bpf, frames)

OPCODE_NAMES = {
    0x3B: "LSC_RESET_CRC", 0xE2: "VERIFY_ID", 0x02: "LSC_WRITE_COMP_DIC", 0x22: "LSC_PROG_CNTRL0",
    0x46: "LSC_INIT_ADDRESS", 0xB4: "LSC_WRITE_ADDRESS", 0x82: "LSC_PROG_INCR_RTI",
    0xB8: "LSC_PROG_INCR_CMP", 0xA2: "LSC_PROG_SED_CRC", 0xC2: "ISC_PROGRAM_USERCODE",
    0xCE: "ISC_PROGRAM_SECURITY", 0xF6: "LSC_EBR_ADDRESS", 0xB2: "LSC_EBR_WRITE",
    0x5E: "ISC_PROGRAM_DONE", 0x79: "SPI_MODE", 0x7E: "JUMP",
}
# Opcodes whose operand is just the 3 info bytes plus a fixed payload.
FIXED_PAYLOAD = {0x3B: 0, 0xE2: 4, 0x02: 8, 0x22: 4, 0x46: 0, 0xB4: 4, 0xA2: 4, 0xC2: 4,
                 0xCE: 0, 0xF6: 4, 0x5E: 0, 0x79: 0, 0x7E: 4}


class BitstreamError(Exception):
    pass


def crc16_update(crc, data):
    """CRC-16/BUYPASS: poly 0x8005, init 0, not reflected, no final XOR."""
    for byte in data:
        crc ^= byte << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x8005) if crc & 0x8000 else (crc << 1)
            crc &= 0xFFFF
    return crc


assert crc16_update(0, b"123456789") == 0xFEE8


class BitReader:
    def __init__(self, data, pos):
        self.data, self.byte, self.bit = data, pos, 0

    def read(self, n):
        value = 0
        for _ in range(n):
            if self.byte >= len(self.data):
                raise BitstreamError("compressed frame runs past end of file")
            value = (value << 1) | ((self.data[self.byte] >> (7 - self.bit)) & 1)
            self.bit += 1
            if self.bit == 8:
                self.byte, self.bit = self.byte + 1, 0
        return value

    def align(self):
        if self.bit:
            self.byte, self.bit = self.byte + 1, 0
        return self.byte


def decompress_frame(data, pos, out_len, dictionary):
    """Decode one compressed frame starting at pos; return (bytes, position after padding)."""
    reader, out = BitReader(data, pos), bytearray()
    while len(out) < out_len:
        if reader.read(1) == 0:
            out.append(0)
        elif reader.read(1) == 1:
            out.append(reader.read(8))
        elif reader.read(1) == 0:
            out.append(1 << reader.read(3))
        else:
            if dictionary is None:
                raise BitstreamError("dictionary code before LSC_WRITE_COMP_DIC")
            out.append(dictionary[reader.read(3)])
    return bytes(out), reader.align()


def parse(path):
    data = open(path, "rb").read()
    info = {"path": path, "bytes": len(data), "sha256": hashlib.sha256(data).hexdigest(),
            "header": [], "commands": {}, "idcode": None, "usercode": None, "compressed": False,
            "frames": [], "ebr": [], "ebr_writes": 0, "crc_checks": 0}
    # Header: FF 00, NUL-terminated strings, FF.
    if data[:2] != b"\xff\x00":
        raise BitstreamError("file does not start with FF 00")
    pos = 2
    while data[pos] != 0xFF:
        end = data.index(b"\x00", pos)
        info["header"].append(data[pos:end].decode("ascii"))
        pos = end + 1
    pos += 1
    pre = data.find(PREAMBLE, pos)
    if pre < 0:
        raise BitstreamError("no preamble FF FF BD B3")
    info["junk_before_preamble"] = pre - pos
    info["body_bytes"] = len(data) - pre
    pos = pre + len(PREAMBLE)

    crc, dictionary, frame_bytes, done_at = 0, None, None, None
    current_ebr = None

    def take(n):
        nonlocal pos, crc
        if pos + n > len(data):
            raise BitstreamError(f"truncated at 0x{pos:x}")
        chunk = data[pos:pos + n]
        crc = crc16_update(crc, chunk)
        pos += n
        return chunk

    def check_crc(what):
        nonlocal pos, crc
        stored = int.from_bytes(data[pos:pos + 2], "big")
        if stored != crc:
            raise BitstreamError(f"CRC mismatch in {what} at 0x{pos:x}: stored 0x{stored:04x}, "
                                 f"computed 0x{crc:04x}")
        info["crc_checks"] += 1
        pos += 2
        crc = 0

    while pos < len(data):
        op = data[pos]
        if op == 0xFF:  # dummy at command position: skipped, not in the CRC
            pos += 1
            continue
        if done_at is not None:
            raise BitstreamError(f"opcode 0x{op:02x} after ISC_PROGRAM_DONE at 0x{pos:x}")
        start = pos
        take(1)
        name = OPCODE_NAMES.get(op)
        if name is None:
            raise BitstreamError(f"unknown opcode 0x{op:02x} at 0x{start:x}")
        info["commands"][name] = info["commands"].get(name, 0) + 1
        operand = take(3)
        # Info bit 23 = "CRC16 follows the operands"; for frame data (82/B8) it instead means a
        # CRC after every frame, handled in the frame loop.
        crc_follows = bool(operand[0] & 0x80) and op not in (0x82, 0xB8)
        if op == 0x3B:
            crc = 0
        elif op in (0x82, 0xB8):
            if info["idcode"] is None:
                raise BitstreamError("frame data before VERIFY_ID")
            if operand[0] != 0x91:
                raise BitstreamError(f"unsupported frame flag 0x{operand[0]:02x}")
            count = int.from_bytes(operand[1:], "big")
            if count != frame_count:
                raise BitstreamError(f"{count} frames, expected {frame_count} for this IDCODE")
            compressed = op == 0xB8
            info["compressed"] |= compressed
            padded = (frame_bytes + 7) // 8 * 8
            for _ in range(count):
                if compressed:
                    frame, end = decompress_frame(data, pos, padded, dictionary)
                    if any(frame[:padded - frame_bytes]):
                        raise BitstreamError("non-zero padding in compressed frame")
                    frame = frame[padded - frame_bytes:]
                    take(end - pos)
                else:
                    frame = take(frame_bytes)
                info["frames"].append(frame)
                check_crc("frame")
                take(1)  # the dummy byte after the frame belongs to the next CRC
        elif op == 0xB2:
            count = int.from_bytes(operand[1:], "big")
            payload = take(count * 9)
            info["ebr_writes"] += 1
            info["ebr"].append((current_ebr, payload))
        else:
            payload = take(FIXED_PAYLOAD[op])
            value = int.from_bytes(payload, "big") if payload else None
            if op == 0xE2:
                if info["idcode"] is not None:
                    raise BitstreamError("second VERIFY_ID")
                info["idcode"] = value
                if value not in PARTS:
                    raise BitstreamError(f"unknown IDCODE 0x{value:08x}")
                _, frame_bytes, frame_count = PARTS[value]
            elif op == 0xC2:
                info["usercode"] = value
            elif op == 0x02:
                dictionary = list(reversed(payload))  # pattern7 first ... pattern0 last
            elif op == 0xF6:
                current_ebr = value
            elif op == 0x5E:
                done_at = start
        if crc_follows:
            check_crc(name)
    if done_at is None:
        raise BitstreamError("no ISC_PROGRAM_DONE")
    info["trailer_bytes"] = len(data) - done_at - 4
    return info


def bit_reverse(byte):
    return int(f"{byte:08b}"[::-1], 2)


def check_svf(path, bit_info):
    """Decode the burst data of an ecppack SVF and compare it with the .bit file."""
    text = open(path).read()
    start = text.index("SIR\t8\tTDI  (7A);")
    end = text.index("SIR\t8\tTDI  (FF);", start)
    burst = bytearray()
    for m in re.finditer(r"SDR\s+(\d+)\s+TDI\s+\(([0-9A-Fa-f\s]+)\)", text[start:end]):
        row = bytes.fromhex(re.sub(r"\s", "", m.group(2)))
        if len(row) * 8 != int(m.group(1)):
            raise BitstreamError(f"SDR length {m.group(1)} does not match its data")
        # SVF hex is written last bit first; each file byte is shifted MSB first.
        burst += bytes(bit_reverse(b) for b in reversed(row))
    expects = {}
    for op, name in (("E0", "IDCODE"), ("C0", "USERCODE")):
        m = re.search(r"SIR\s+8\s+TDI\s+\(" + op + r"\);(?:\s*RUNTEST[^;]*;)?\s*SDR\s+32\s+TDI\s+"
                      r"\(\w+\)\s+TDO\s+\((\w+)\)\s+MASK\s+\((\w+)\)", text)
        expects[name] = f"TDO 0x{m.group(1)} mask 0x{m.group(2)}" if m else "not checked"
    data = open(bit_info["path"], "rb").read()
    return bytes(burst) == data, len(burst), expects


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--manifest", help="write the TSV manifest here")
    ap.add_argument("--ram-rom", help="rom.hex of the ram design: check that the EBR init data of "
                    "ram-*.bit holds it (2048 9-bit words packed MSB first, low 8 bits = data)")
    ap.add_argument("files", nargs="+")
    args = ap.parse_args()

    parsed, failed = {}, False
    svfs = [p for p in args.files if p.endswith(".svf")]
    for path in [p for p in args.files if not p.endswith(".svf")]:
        try:
            info = parse(path)
        except (BitstreamError, ValueError, IndexError) as exc:
            print(f"{path}: ERROR: {exc}", file=sys.stderr)
            failed = True
            continue
        parsed[path] = info
        part = PARTS[info["idcode"]][0]
        header = "; ".join(info["header"]) or "(none)"
        print(f"{os.path.basename(path)}: {info['bytes']} bytes (body {info['body_bytes']}), "
              f"{part} IDCODE 0x{info['idcode']:08x}, USERCODE "
              + (f"0x{info['usercode']:08x}" if info["usercode"] is not None else "none")
              + f", {'compressed' if info['compressed'] else 'uncompressed'}, "
              f"{len(info['frames'])} frames, {info['ebr_writes']} EBR writes, "
              f"{info['crc_checks']} CRCs ok")
        print(f"    header strings: {header}")
        print("    commands: " + ", ".join(f"{k}×{v}" for k, v in info["commands"].items()))
        for address, payload in info["ebr"]:
            print(f"    EBR write: LSC_EBR_ADDRESS 0x{address:08x} (EBR {address >> 11}, word "
                  f"{address & 0x7FF}), {len(payload) // 9} frames of 9 bytes")
        if not info["header"]:
            print("    WARNING: no header strings", file=sys.stderr)

    if args.ram_rom:
        rom = [int(tok, 16) for line in open(args.ram_rom) if not line.lstrip().startswith("//")
               for tok in line.split()]
        for path, info in parsed.items():
            if not os.path.basename(path).startswith("ram-"):
                continue
            ebr_bits = "".join(f"{b:08b}" for _, payload in info["ebr"] for b in payload)
            words = [int(ebr_bits[i:i + 9], 2) for i in range(0, len(ebr_bits), 9)]
            same = (len(info["ebr"]) == 1 and len(words) == 2048
                    and words == rom + [0] * (2048 - len(rom)))
            print(f"{os.path.basename(path)}: EBR init data {'holds' if same else 'DOES NOT HOLD'} "
                  f"{os.path.basename(args.ram_rom)} ({len(rom)} bytes, rest zero)")
            failed |= not same

    # Cross-check X-compressed.bit against X.bit.
    for path, info in parsed.items():
        if not path.endswith("-compressed.bit"):
            continue
        plain = parsed.get(path[: -len("-compressed.bit")] + ".bit")
        if plain is None:
            continue
        same = (plain["frames"] == info["frames"] and plain["ebr"] == info["ebr"]
                and plain["idcode"] == info["idcode"] and plain["usercode"] == info["usercode"])
        print(f"{os.path.basename(path)}: decompressed frames/EBR/IDCODE/USERCODE "
              f"{'match' if same else 'DIFFER FROM'} {os.path.basename(plain['path'])}")
        failed |= not same

    for path in svfs:
        bit_info = parsed.get(path[: -len(".svf")] + ".bit")
        if bit_info is None:
            print(f"{path}: ERROR: no matching .bit file given", file=sys.stderr)
            failed = True
            continue
        same, length, expects = check_svf(path, bit_info)
        usercode = bit_info["usercode"]
        print(f"{os.path.basename(path)}: {os.path.getsize(path)} bytes; burst data ({length} bytes) "
              f"{'equals' if same else 'DIFFERS FROM'} {os.path.basename(bit_info['path'])}; "
              f"expects IDCODE {expects['IDCODE']}, USERCODE {expects['USERCODE']}"
              + (f" (bitstream programs USERCODE 0x{usercode:08x})" if usercode is not None else ""))
        failed |= not same

    if args.manifest and not failed:
        with open(args.manifest, "w") as out:
            out.write("file\tdesign\tpart\tidcode\tcompressed\tusercode\tbytes\tebr_writes\tsha256\n")
            for path, info in sorted(parsed.items(), key=lambda kv: os.path.basename(kv[0])):
                base = os.path.basename(path)
                design = base.split("-")[0]
                usercode = f"0x{info['usercode']:08X}" if info["usercode"] is not None else "-"
                out.write(f"{base}\t{design}\t{PARTS[info['idcode']][0]}\t0x{info['idcode']:08X}\t"
                          f"{'yes' if info['compressed'] else 'no'}\t{usercode}\t{info['bytes']}\t"
                          f"{info['ebr_writes']}\t{info['sha256']}\n")
        print(f"wrote {args.manifest} ({len(parsed)} files)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
