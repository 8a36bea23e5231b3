import Testing
import TapWalkerCore

/// CRC-32 and Adler-32 over buffers of every size class their fast paths split on (8-byte steps,
/// 3 × 256-byte and 3 × 2 KB lanes, the 5,552-byte Adler-32 block), against the standard check
/// values and against the plain definitions computed here one byte at a time.
@Suite("checksums (CRC-32, Adler-32)")
struct ChecksumTests {
    static let sizes = [0, 1, 7, 8, 9, 255, 767, 768, 769, 775, 1536, 5551, 5552, 5553, 6143, 6144, 6145, 6912, 12345, 100_000]

    static func bytes(_ count: Int) -> [UInt8] {
        var state: UInt32 = 2026
        return (0..<count).map { _ in
            state = state &* 1_103_515_245 &+ 12345
            return UInt8(truncatingIfNeeded: state >> 16)
        }
    }

    @Test("the check values of \"123456789\"")
    func checkValues() {
        var crc = CRC32()
        var adler = Adler32()
        Array("123456789".utf8).withUnsafeBytes { crc.update($0); adler.update($0) }
        #expect(crc.value == 0xCBF4_3926)
        #expect(adler.value == 0x091E_01DE)
    }

    @Test("CRC-32 of any length, whole or in two pieces, equals the bit-by-bit definition")
    func crc32() {
        for size in Self.sizes {
            let data = Self.bytes(size)
            var reference: UInt32 = 0xFFFF_FFFF
            for b in data {
                reference ^= UInt32(b)
                for _ in 0..<8 { reference = reference & 1 != 0 ? (reference >> 1) ^ 0xEDB8_8320 : reference >> 1 }
            }
            reference ^= 0xFFFF_FFFF
            var whole = CRC32()
            var pieces = CRC32()
            data.withUnsafeBytes { raw in
                whole.update(raw)
                pieces.update(UnsafeRawBufferPointer(rebasing: raw[0..<(size / 3)]))
                pieces.update(UnsafeRawBufferPointer(rebasing: raw[(size / 3)...]))
            }
            #expect(whole.value == reference, "size \(size)")
            #expect(pieces.value == reference, "size \(size) in two pieces")
        }
    }

    @Test("Adler-32 of any length equals the definition (sums modulo 65521 after every byte)")
    func adler32() {
        for size in Self.sizes + [200_000] {
            let data = Self.bytes(size)
            var a: UInt32 = 1, b: UInt32 = 0
            for byte in data {
                a = (a + UInt32(byte)) % 65521
                b = (b + a) % 65521
            }
            var adler = Adler32()
            data.withUnsafeBytes { adler.update($0) }
            #expect(adler.value == b << 16 | a, "size \(size)")
        }
    }
}
