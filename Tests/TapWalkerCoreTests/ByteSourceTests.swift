import Testing
@testable import TapWalkerCore

/// Delivers `bytes` in reads of at most `step`, announcing `total`.
private final class SteppedSource: ByteSource {
    let bytes: [UInt8]
    let step: Int
    let totalBytes: Int?
    var position = 0
    let name = "stepped"
    init(_ bytes: [UInt8], step: Int, total: Int?) {
        self.bytes = bytes
        self.step = step
        self.totalBytes = total
    }
    func read(into buffer: UnsafeMutableRawBufferPointer) throws(TapWalkerError) -> Int {
        let n = min(buffer.count, bytes.count - position, step)
        for i in 0..<n { buffer[i] = bytes[position + i] }
        position += n
        return n
    }
}

@Test func readAllReturnsExactlyTheStreamWhateverItsAnnouncedLength() throws {
    let bytes = (0..<100_000).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 >> 8) }
    let tooLarge = TapWalkerError(.usage, "too large")
    for total in [nil, 100_000, 10, 1_000_000] as [Int?] {
        for step in [1, 4095, 70_000] {
            let got = try SteppedSource(bytes, step: step, total: total).readAll(limit: 200_000, tooLarge: tooLarge)
            #expect(got == bytes, "total \(String(describing: total)), step \(step)")
        }
    }
    #expect(try SteppedSource([], step: 10, total: nil).readAll(limit: 10, tooLarge: tooLarge).isEmpty)
}

@Test func readAllRefusesOneByteOverTheLimit() throws {
    let tooLarge = TapWalkerError(.usage, "too large")
    let bytes = [UInt8](repeating: 7, count: 5000)
    #expect(try SteppedSource(bytes, step: 3000, total: nil).readAll(limit: 5000, tooLarge: tooLarge) == bytes)
    for total in [nil, 5000] as [Int?] {
        #expect(throws: TapWalkerError.self) {
            _ = try SteppedSource(bytes, step: 3000, total: total).readAll(limit: 4999, tooLarge: tooLarge)
        }
    }
}
