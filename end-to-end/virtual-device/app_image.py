"""ESP-IDF application images built from the documented layout (docs/firmware-update.md, "The
image"), for the firmware-update tests: the 24-byte header, segments with 8-byte headers (the first
starting with the 256-byte application description), zero padding so that the XOR checksum byte
ends the image at a multiple of 16, and the SHA-256 of all of that appended. Keyword arguments
break one fact at a time. Stdlib only.
"""
import hashlib
import struct

CHIP_IDS = {"esp32c3": 5, "esp32c6": 13, "esp32p4": 18}
DESCRIPTION_MAGIC = 0xABCD5432


def build(version="2.0.1", project="tapwalker", chip="esp32c3", segments=(4096, 1000, 20),
          hash_appended=True, description_magic=DESCRIPTION_MAGIC):
    header = bytes([0xE9, len(segments), 0x02, 0x20]) + struct.pack("<I", 0x40380000)
    # WP pin, SPI pin drive, chip id, minimum revision (and full), maximum revision, reserved, hash flag.
    header += bytes([0xEE, 0, 0, 0]) + struct.pack("<HBHH", CHIP_IDS[chip], 3, 3, 199) + bytes(4)
    header += bytes([1 if hash_appended else 0])
    image = bytearray(header)
    checksum = 0xEF
    for i, length in enumerate(segments):
        data = bytearray((j * 31 + i * 7) & 0xFF for j in range(length))
        if i == 0:
            data[:256] = _description(version, project, description_magic)
        for b in data:
            checksum ^= b
        image += struct.pack("<II", 0x3C000000 + i * 0x10000, length) + data
    image += bytes(15 - len(image) % 16)
    image.append(checksum)
    if hash_appended:
        image += hashlib.sha256(image).digest()
    return bytes(image)


def _description(version, project, magic):
    d = bytearray(256)
    d[0:4] = struct.pack("<I", magic)
    for offset, text in ((16, version), (48, project), (112, "v5.5.1")):
        raw = text.encode()[:31]
        d[offset:offset + len(raw)] = raw
    return d


def restamped(image, version=None, chip=None):
    """A real image (as ESP-IDF's build wrote it) with another version in its application
    description, or another chip id in its header, and the XOR checksum and the appended SHA-256
    made right again: the same program, announced differently. The image must carry the hash."""
    image = bytearray(image)
    if image[0] != 0xE9 or image[23] != 1:
        raise ValueError("not an ESP-IDF app image with an appended SHA-256")
    body = image[:-32]
    if version is not None:
        start = 24 + 8 + 16    # image header, first segment's header, description's version field
        old = body[start:start + 32]
        new = bytearray(32)
        raw = version.encode()[:31]
        new[:len(raw)] = raw
        delta = 0
        for a, b in zip(old, new):
            delta ^= a ^ b
        body[start:start + 32] = new
        body[-1] ^= delta    # the checksum byte ends the padded segments
    if chip is not None:
        body[12:14] = struct.pack("<H", CHIP_IDS[chip])
    return bytes(body) + hashlib.sha256(body).digest()
