/// The compare-first flash writer. For every 4 KB sector the image touches it reads the flash first
/// and then leaves the sector alone, programs it without erasing (every change clears bits), or
/// erases and programs it. Erases are merged into 32 KB or 64 KB when every sector of that block
/// needs one and the chip erases the block faster than its sectors one by one. Pages that are all
/// 0xFF after an erase are skipped. Bytes of partly covered sectors outside the image are kept.
/// Afterwards every changed sector is read back and, if wrong, done again (at most 3 times).
///
/// A write interrupted half-way (power cut, dropped link) is repaired by running it again: the
/// second run reads what is there and changes only what is still wrong.
public final class FlashWriter {
    public enum Action: UInt8, Sendable {
        case unchanged = 46  // "."
        case programmed = 119  // "w"
        case erased = 101  // "e"
    }

    public struct Report: Sendable {
        public var address = 0
        public var bytes = 0
        public var sectorsTotal = 0
        public var sectorsUnchanged = 0
        public var sectorsProgrammed = 0
        public var sectorsErased = 0
        public var erase4K = 0
        public var erase32K = 0
        public var erase64K = 0
        public var pagesProgrammed = 0
        public var bytesRead = 0
        public var bytesWritten = 0
        public var verified = false
        public var retries = 0
        /// One character per sector: '.' unchanged, 'w' programmed only, 'e' erased and programmed.
        public var map: [UInt8] = []

        public init() {}
    }

    public let flash: SPIFlash
    public static let attempts = 3

    public init(flash: SPIFlash) {
        self.flash = flash
    }

    /// Refuses, before changing anything, an image that does not fit or overlaps protection.
    public func check(count: Int, at address: Int) throws(TapWalkerError) {
        let chip = flash.chip
        guard address >= 0, address + count <= chip.size else {
            throw TapWalkerError(.usage, "an image of \(count) bytes at \(hex(address)) ends at \(hex(address + count)), past the end of the \(chip.size >> 20) MB \(chip.name) (\(hex(chip.size))); nothing was written")
        }
        let protected = try flash.protectedRange()
        if !protected.isEmpty, address < protected.upperBound, address + count > protected.lowerBound {
            throw TapWalkerError(.device, "the image \(hex(address))–\(hex(address + count - 1)) overlaps the protected range \(hex(protected.lowerBound))–\(hex(protected.upperBound - 1)) of the \(chip.name); nothing was written; `tapwalker flash unprotect` removes the protection")
        }
    }

    public func write(_ image: [UInt8], at address: Int, verify: Bool = true, progress: ProgressHandler? = nil)
        throws(TapWalkerError) -> Report
    {
        try check(count: image.count, at: address)
        var report = Report()
        try write(from: MemorySource(image), at: address, verify: verify, report: &report, progress: progress)
        return report
    }

    /// Writes what `source` delivers, one 64 KB block at a time as it arrives, so that an image of
    /// any size needs only a block's worth of memory (an FTP upload, a file on the device). The
    /// length is not known in advance, so each block is checked against the chip's end and its
    /// protection just before it is written. `report` holds the outcome so far, also when this
    /// throws: an input that fails or is cut off leaves the blocks before it written and verified,
    /// the rest of the flash untouched, and the error says so.
    public func write(
        from source: any ByteSource, at address: Int, verify: Bool = true, report: inout Report,
        progress: ProgressHandler? = nil
    ) throws(TapWalkerError) {
        report = Report()
        report.address = address
        let readBefore = flash.bytesRead, writtenBefore = flash.bytesWritten
        defer {
            report.bytesRead = flash.bytesRead - readBefore
            report.bytesWritten = flash.bytesWritten - writtenBefore
        }
        let sector = FlashChip.sectorSize
        var chunk = [UInt8](repeating: 0, count: 65536)
        var block = address / 65536 * 65536
        while true {
            // The image bytes of this block: from the image start (first block) to the block's end.
            let start = max(block, address)
            let wanted = block + 65536 - start
            var have = 0
            do throws(TapWalkerError) {
                while have < wanted {
                    let n = try chunk.withMutableBytes { (p) throws(TapWalkerError) -> Int in
                        try source.read(into: UnsafeMutableRawBufferPointer(rebasing: p[have..<wanted]))
                    }
                    if n == 0 { break }
                    have += n
                }
            } catch {
                throw TapWalkerError(error.kind, "\(error.message); \(writtenSoFar(address, start)) running the same write again finishes it and changes only what is still wrong")
            }
            if have == 0 { break }
            try check(count: start + have - address, at: address)
            let from = max(block, start / sector * sector)
            let to = (start + have + sector - 1) / sector * sector
            report.bytes += have
            report.sectorsTotal += (to - from) / sector
            do throws(TapWalkerError) {
                try writeBlock(Array(chunk[0..<have]), start, from, to, verify, &report)
            } catch where error.kind == .cable {
                // The link or the board went away mid-write: say what state the flash is in.
                throw TapWalkerError(.cable, "\(error.message); the flash holds the new image up to \(hex(from)) and old, new or erased data in \(hex(from))–\(hex(to - 1)); running the same write again finishes it and changes only what is still wrong")
            }
            progress?(Progress(phase: "writing", done: report.bytes, total: source.totalBytes))
            if have < wanted { break }
            block += 65536
        }
        report.verified = verify
    }

    private func writtenSoFar(_ address: Int, _ upTo: Int) -> String {
        upTo > address
            ? "the flash holds the new image in \(hex(address))–\(hex(upTo - 1)) and is unchanged after it;"
            : "nothing was written;"
    }

    /// The sectors [from, to) of one 64 KB block.
    private func writeBlock(_ image: [UInt8], _ address: Int, _ from: Int, _ to: Int, _ verify: Bool, _ report: inout Report)
        throws(TapWalkerError)
    {
        let sector = FlashChip.sectorSize
        let current = try flash.read(address: from, count: to - from)
        var target = current
        let lo = max(from, address), hi = min(to, address + image.count)
        for a in lo..<hi { target[a - from] = image[a - address] }

        var actions: [Action] = []
        var s = from
        while s < to {
            actions.append(classify(current[(s - from)..<(s - from + sector)], target[(s - from)..<(s - from + sector)]))
            s += sector
        }
        try apply(actions, from, current, target, &report)
        for a in actions {
            report.map.append(a.rawValue)
            switch a {
            case .unchanged: report.sectorsUnchanged += 1
            case .programmed: report.sectorsProgrammed += 1
            case .erased: report.sectorsErased += 1
            }
        }
        guard verify else { return }
        // Read back every changed sector; redo a wrong one from what it now holds.
        for (i, a) in actions.enumerated() where a != .unchanged {
            let at = from + i * sector
            let want = Array(target[(i * sector)..<((i + 1) * sector)])
            var attempt = 1
            while true {
                let got = try flash.read(address: at, count: sector)
                guard let bad = firstDifference(got, want) else { break }
                if attempt >= FlashWriter.attempts {
                    throw TapWalkerError(.device, "verify failed in sector \(hex(at)) after \(attempt) attempts: byte \(hex(at + bad)) reads \(hexByte(got[bad])) instead of \(hexByte(want[bad])); the sectors before it are written, the rest of the image is not; the chip may be worn or damaged")
                }
                attempt += 1
                report.retries += 1
                let redo = classify(got[...], want[...])
                try apply([redo], at, got, want, &report)
            }
        }
    }

    private func classify(_ current: ArraySlice<UInt8>, _ target: ArraySlice<UInt8>) -> Action {
        var same = true
        for (c, t) in zip(current, target) where c != t {
            same = false
            if c & t != t { return .erased }  // a bit must go 0 → 1: only an erase does that
        }
        return same ? .unchanged : .programmed
    }

    /// Erases (merged where it pays) and programs the sectors starting at `from`.
    private func apply(_ actions: [Action], _ from: Int, _ current: [UInt8], _ target: [UInt8], _ report: inout Report)
        throws(TapWalkerError)
    {
        let sector = FlashChip.sectorSize
        let chip = flash.chip
        // Erase plan: whole 64 KB block, else whole 32 KB halves, else 4 KB sectors.
        var erasedBy = [Bool](repeating: false, count: actions.count)
        func allErase(_ start: Int, _ count: Int) -> Bool {
            guard (from + start * sector) % (count * sector) == 0, start + count <= actions.count else { return false }
            for k in start..<(start + count) where actions[k] != .erased { return false }
            return true
        }
        var i = 0
        while i < actions.count {
            guard actions[i] == .erased else { i += 1; continue }
            var done = false
            for size in [65536, 32768] {
                let n = size / sector
                if let kind = chip.erase(size: size), let small = chip.erase(size: sector),
                   kind.timing.typical < small.timing.typical * UInt32(n), allErase(i, n)
                {
                    try flash.erase(kind, address: from + i * sector)
                    if size == 65536 { report.erase64K += 1 } else { report.erase32K += 1 }
                    for k in i..<(i + n) { erasedBy[k] = true }
                    i += n
                    done = true
                    break
                }
            }
            if !done {
                try flash.erase(chip.erase(size: sector)!, address: from + i * sector)
                report.erase4K += 1
                erasedBy[i] = true
                i += 1
            }
        }
        // Program: after an erase, every page not all 0xFF; otherwise every page that differs.
        let page = chip.pageSize
        for (k, a) in actions.enumerated() where a != .unchanged {
            var p = k * sector
            while p < (k + 1) * sector {
                let want = target[p..<(p + page)]
                let needed = erasedBy[k] ? want.contains(where: { $0 != 0xFF }) : !want.elementsEqual(current[p..<(p + page)])
                if needed {
                    try flash.programPage(address: from + p, want)
                    report.pagesProgrammed += 1
                }
                p += page
            }
        }
    }

    private func firstDifference(_ a: [UInt8], _ b: [UInt8]) -> Int? {
        for i in 0..<min(a.count, b.count) where a[i] != b[i] { return i }
        return nil
    }
}

func hex(_ v: Int) -> String { ASCII.hex(UInt32(truncatingIfNeeded: v), digits: 6) }
func hexByte(_ v: UInt8) -> String { ASCII.hex(v, digits: 2) }
