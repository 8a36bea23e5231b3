/// The content of a simulated flash chip, held sparsely: 4 KB sectors are allocated on their first
/// write and an erased sector is absent (reads 0xFF), so a 16 MB chip holding a 2 MB image takes
/// about 2 MB (the rv32 lane runs the simulator in a few MB of emulated RAM, docs/rv32-lane.md).
/// Reads as a collection of `count` bytes, as the plain array it replaces did.
public struct FlashMemory: RandomAccessCollection, Equatable {
    public static let sectorBytes = 4096
    static let sectorShift = 12

    public let count: Int
    /// One entry per 4 KB sector; nil when every byte of it is 0xFF.
    private var sectors: [[UInt8]?]

    /// `count` bytes, all erased.
    public init(count: Int) {
        self.count = count
        sectors = [[UInt8]?](repeating: nil, count: (count + FlashMemory.sectorBytes - 1) / FlashMemory.sectorBytes)
    }

    public var startIndex: Int { 0 }
    public var endIndex: Int { count }

    public subscript(i: Int) -> UInt8 {
        get {
            precondition(i >= 0 && i < count, "flash address out of range")
            return sectors[i >> FlashMemory.sectorShift]?[i & (FlashMemory.sectorBytes - 1)] ?? 0xFF
        }
        set {
            precondition(i >= 0 && i < count, "flash address out of range")
            let s = i >> FlashMemory.sectorShift
            if sectors[s] == nil {
                if newValue == 0xFF { return }
                sectors[s] = [UInt8](repeating: 0xFF, count: FlashMemory.sectorBytes)
            }
            sectors[s]![i & (FlashMemory.sectorBytes - 1)] = newValue
        }
    }

    /// Bytes of sector storage allocated.
    public var allocatedBytes: Int {
        var n = 0
        for s in sectors where s != nil { n += FlashMemory.sectorBytes }
        return n
    }

    /// Sets `range` to 0xFF; whole sectors inside it are dropped.
    mutating func erase(_ range: Range<Int>) {
        var a = range.lowerBound
        while a < range.upperBound {
            let s = a >> FlashMemory.sectorShift
            let sectorStart = s << FlashMemory.sectorShift
            let end = Swift.min(range.upperBound, sectorStart + FlashMemory.sectorBytes)
            if a == sectorStart && end == sectorStart + FlashMemory.sectorBytes {
                sectors[s] = nil
            } else if sectors[s] != nil {
                for i in (a - sectorStart)..<(end - sectorStart) { sectors[s]![i] = 0xFF }
            }
            a = end
        }
    }

    /// Copies `bytes` to address 0 onwards; bytes of 0xFF in an absent sector leave it absent.
    mutating func write(_ bytes: UnsafeBufferPointer<UInt8>) {
        let n = Swift.min(bytes.count, count)
        var a = 0
        while a < n {
            let s = a >> FlashMemory.sectorShift
            let end = Swift.min(n, a + FlashMemory.sectorBytes)
            let chunk = UnsafeBufferPointer(rebasing: bytes[a..<end])
            if sectors[s] == nil && !chunk.contains(where: { $0 != 0xFF }) {
                a = end
                continue
            }
            if sectors[s] == nil { sectors[s] = [UInt8](repeating: 0xFF, count: FlashMemory.sectorBytes) }
            sectors[s]!.withUnsafeMutableBufferPointer { p in
                _ = UnsafeMutableBufferPointer(rebasing: p[0..<chunk.count]).update(fromContentsOf: chunk)
            }
            a = end
        }
    }

    /// Copies `buffer.count` bytes from `address` onwards (which must stay inside the chip).
    func copy(from address: Int, into buffer: UnsafeMutableRawBufferPointer) {
        var a = address
        var i = 0
        while i < buffer.count {
            let s = a >> FlashMemory.sectorShift
            let offset = a & (FlashMemory.sectorBytes - 1)
            let n = Swift.min(buffer.count - i, FlashMemory.sectorBytes - offset)
            let target = UnsafeMutableRawBufferPointer(rebasing: buffer[i..<(i + n)])
            if let sector = sectors[s] {
                sector.withUnsafeBytes { p in target.copyMemory(from: UnsafeRawBufferPointer(rebasing: p[offset..<(offset + n)])) }
            } else {
                target.initializeMemory(as: UInt8.self, repeating: 0xFF)
            }
            i += n
            a += n
        }
    }

    /// The whole content as one array (saving a flash image).
    public var bytes: [UInt8] {
        var all = [UInt8](repeating: 0xFF, count: count)
        all.withUnsafeMutableBytes { copy(from: 0, into: $0) }
        return all
    }

    public static func == (a: FlashMemory, b: FlashMemory) -> Bool {
        guard a.count == b.count else { return false }
        for s in 0..<a.sectors.count {
            switch (a.sectors[s], b.sectors[s]) {
            case (nil, nil): continue
            case (let x?, let y?): if x != y { return false }
            case (let x?, nil): if x.contains(where: { $0 != 0xFF }) { return false }
            case (nil, let y?): if y.contains(where: { $0 != 0xFF }) { return false }
            }
        }
        return true
    }
}
