import TapWalkerCore

/// One sector held in memory and written back when another is needed or on `flush`: the volume's
/// whole working memory is two of these (one for the allocation table, one for directories and
/// partial data sectors). `mirrors` are the other copies the same bytes go to (the second FAT).
final class FATSectorCache {
    static let bytes = 512
    private let device: any FATSectors
    private var buffer = [UInt8](repeating: 0, count: FATSectorCache.bytes)
    private(set) var sector = -1
    private var dirty = false
    /// Sector distances to the copies a write also goes to (the FAT's second copy: +FATSz).
    private var mirrors: [Int] = []

    init(_ device: any FATSectors) {
        self.device = device
    }

    /// Makes `sector` the cached one; `mirrors`: where its copies lie, relative to it.
    func load(_ sector: Int, mirrors: [Int] = []) throws(TapWalkerError) {
        guard sector != self.sector else { return }
        try flush()
        self.sector = -1
        try buffer.withMutableBytes { (p) throws(TapWalkerError) in try device.read(sector: sector, into: p) }
        self.sector = sector
        self.mirrors = mirrors
    }

    /// Makes `sector` the cached one without reading it: every byte will be written.
    func replace(_ sector: Int, filling byte: UInt8 = 0) throws(TapWalkerError) {
        try flush()
        for i in 0..<buffer.count { buffer[i] = byte }
        self.sector = sector
        mirrors = []
        dirty = true
    }

    subscript(offset: Int) -> UInt8 {
        get { buffer[offset] }
        set {
            buffer[offset] = newValue
            dirty = true
        }
    }

    func read16(_ offset: Int) -> Int { Int(buffer[offset]) | Int(buffer[offset + 1]) << 8 }
    func read32(_ offset: Int) -> Int { read16(offset) | read16(offset + 2) << 16 }
    func write16(_ offset: Int, _ value: Int) {
        self[offset] = UInt8(truncatingIfNeeded: value)
        self[offset + 1] = UInt8(truncatingIfNeeded: value >> 8)
    }
    func write32(_ offset: Int, _ value: Int) {
        write16(offset, value & 0xFFFF)
        write16(offset + 2, (value >> 16) & 0xFFFF)
    }

    func copy(from offset: Int, into target: UnsafeMutableRawBufferPointer) {
        buffer.withUnsafeBytes { p in
            target.copyMemory(from: UnsafeRawBufferPointer(rebasing: p[offset..<(offset + target.count)]))
        }
    }

    func copy(_ source: UnsafeRawBufferPointer, to offset: Int) {
        buffer.withUnsafeMutableBytes { p in
            UnsafeMutableRawBufferPointer(rebasing: p[offset..<(offset + source.count)]).copyMemory(from: source)
        }
        dirty = true
    }

    /// Writes the sector back (and to its mirrors) if it changed.
    func flush() throws(TapWalkerError) {
        guard dirty, sector >= 0 else { return }
        let at = sector
        let copies = mirrors
        try buffer.withBytes { (p) throws(TapWalkerError) in
            try device.write(sector: at, p)
            for m in copies { try device.write(sector: at + m, p) }
        }
        dirty = false
    }

    /// Forgets the cached sector (the device was written behind the cache's back).
    func drop() {
        sector = -1
        dirty = false
    }
}
