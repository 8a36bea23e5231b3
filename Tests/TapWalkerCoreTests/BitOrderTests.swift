import Testing
@testable import TapWalkerCore

@Test func copyBitsMatchesBitByBitCopyAtEveryAlignment() {
    var rng = SystemRandomNumberGenerator()
    let source = (0..<40).map { _ in UInt8.random(in: 0...255, using: &rng) }
    for from in 0..<17 {
        for at in 0..<17 {
            for count in [0, 1, 5, 8, 9, 63, 200] {
                var expected = (0..<40).map { _ in UInt8.random(in: 0...255, using: &rng) }
                var actual = expected
                for k in 0..<count {
                    let bit = source[(from + k) / 8] >> UInt8((from + k) % 8) & 1
                    let d = at + k
                    expected[d / 8] = expected[d / 8] & ~UInt8(1 << (d % 8)) | bit << UInt8(d % 8)
                }
                source.withUnsafeBytes { s in
                    actual.withUnsafeMutableBytes { t in BitOrder.copyBits(s, from: from, to: t, at: at, count: count) }
                }
                #expect(actual == expected, "from \(from) at \(at) count \(count)")
            }
        }
    }
}
