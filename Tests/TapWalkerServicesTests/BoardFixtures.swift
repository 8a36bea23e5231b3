import Foundation
import TapWalkerCore
import TapWalkerServices
import TapWalkerSim

/// A simulated board whose flash holds a real bitstream at 0 and which has booted from it, as a
/// board on the desk runs its design; and the board service on it.
struct BoardFixture {
    static let examples = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Examples")

    static func example(_ name: String) -> [UInt8] {
        [UInt8](try! Data(contentsOf: examples.appendingPathComponent(name)))
    }

    let sim: SimCable
    let board: BoardService
    let flash: SimulatedFlash

    /// An LFE5U-25F running blink-25f.bit, booted from its W25Q128JV (or a blank flash).
    init(part: String = "25f", chip: String = "w25q128jv", booted: Bool = true, cable wrap: ((SimCable) -> any Cable)? = nil) {
        var options = try! SimOptions.parse("part=\(part),flash=\(chip)")
        options.tck = SimOptions.maximumTCK
        sim = SimCable(options: options)
        flash = sim.board.flash!
        if booted {
            flash.load(Examples.bytes("blink-\(part).bit"))
            sim.board.powerUpSettled()
        }
        board = BoardService(cable: wrap?(sim) ?? sim, lock: JobLock(mutex: NoMutex()), clock: ManualClock())
    }

    /// DONE as the FPGA reports it now.
    var done: Bool { sim.board.statusNow.done }
    var image: [UInt8] { flash.memory.bytes }
}

final class UnsharedMutex: PlatformMutex {
    func lock() {}
    func unlock() {}
}

/// Bytes in memory whose length is not known in advance, as an upload or a pipe.
final class StreamSource: ByteSource {
    private let bytes: [UInt8]
    private var position = 0
    let name: String
    init(_ bytes: [UInt8], name: String = "the upload") {
        self.bytes = bytes
        self.name = name
    }
    var totalBytes: Int? { nil }
    func read(into buffer: UnsafeMutableRawBufferPointer) throws(TapWalkerError) -> Int {
        let n = min(buffer.count, bytes.count - position, 4096)
        for i in 0..<n { buffer[i] = bytes[position + i] }
        position += n
        return n
    }
}

/// A cable that fails as a dropped connection does after `after` TCK cycles.
final class DroppingCable: Cable {
    let inner: SimCable
    var left: Int
    init(_ inner: SimCable, after bits: Int) {
        self.inner = inner
        left = bits
    }
    private func spend(_ bits: Int) throws(TapWalkerError) {
        left -= bits
        if left < 0 { throw TapWalkerError(.cable, "the connection to the board was lost") }
    }
    func clock(bits: Int, tms: UnsafeRawBufferPointer, tdi: UnsafeRawBufferPointer, tdo: UnsafeMutableRawBufferPointer?) throws(TapWalkerError) {
        try spend(bits)
        try inner.clock(bits: bits, tms: tms, tdi: tdi, tdo: tdo)
    }
    func shiftBytesMSBFirst(_ bytes: UnsafeRawBufferPointer) throws(TapWalkerError) {
        try spend(bytes.count * 8)
        try inner.shiftBytesMSBFirst(bytes)
    }
    func wait(microseconds: UInt32) throws(TapWalkerError) { try inner.wait(microseconds: microseconds) }
    var frequency: UInt32 { inner.frequency }
    func setFrequency(_ hertz: UInt32) throws(TapWalkerError) -> UInt32 { try inner.setFrequency(hertz) }
    var statistics: CableStatistics { inner.statistics }
}

/// An SD card in memory.
final class MemoryCard: SDCard {
    var bytes: [UInt8]
    var writes: [Range<Int>] = []
    init(blocks: Int) { bytes = [UInt8](repeating: 0xA5, count: blocks * 512) }
    var name: String { "card.img" }
    func size() throws(TapWalkerError) -> Int { bytes.count }
    func write(at offset: Int, _ data: UnsafeRawBufferPointer) throws(TapWalkerError) {
        writes.append(offset..<(offset + data.count))
        for i in 0..<data.count { bytes[offset + i] = data[i] }
    }
    func read(at offset: Int, into buffer: UnsafeMutableRawBufferPointer) throws(TapWalkerError) {
        for i in 0..<buffer.count { buffer[i] = bytes[offset + i] }
    }
    func flush() throws(TapWalkerError) {}
    func mount() throws(TapWalkerError) -> String { "mounted" }
    func unmount() throws(TapWalkerError) -> String { "released" }
}

/// Named files in memory, for passthru lookups.
final class MemoryFiles: BoardFileSystem {
    var files: [String: [UInt8]] = [:]
    func isFile(_ path: String) -> Bool { files[path] != nil }
    func open(_ path: String) throws(TapWalkerError) -> any ByteSource {
        guard let bytes = files[path] else { throw TapWalkerError(.input, "no \(path)") }
        return MemorySource(bytes, name: path)
    }
}
