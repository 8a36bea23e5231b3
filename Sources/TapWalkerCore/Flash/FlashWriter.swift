/// The compare-first flash writer. It streams the image one 4 KB sector at a time: reads the
/// sector from the flash, then leaves it alone, programs it without erasing (every change clears
/// bits), or erases and programs it, and reads it back before going on to the next (at most 3
/// attempts). Pages that are all 0xFF after an erase are skipped. Bytes of partly covered sectors
/// outside the image are kept.
///
/// Erases are merged into 32 KB or 64 KB where `ErasePlan` finds that faster: when the first
/// sector of an aligned block needs an erase, the writer reads the block's other sectors ahead
/// (keeping only what each needs, not their content) and, if a block erase wins, programs the
/// block's sectors as the stream delivers them. A block erase only covers sectors the image is
/// known to replace whole, so an input of unknown length gets 4 KB erases over old data.
///
/// Memory: two sector buffers here and a sector-long read in the SPI bridge, whatever the size
/// of the image.
///
/// The report says at every moment what the flash holds: the image bytes written so far (in
/// order, each sector read back), a sector that was being changed, sectors erased ahead by a
/// block erase, and that the rest is untouched. A write interrupted half-way (power cut, dropped
/// link) is repaired by running it again: the second run reads what is there and changes only
/// what is still wrong.
public final class FlashWriter {
    public enum Action: UInt8, Sendable {
        case unchanged = 46  // "."
        case programmed = 119  // "w"
        case erased = 101  // "e"
    }

    public struct Report: Sendable {
        public var address = 0
        /// Image bytes taken from the input.
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
        /// The whole image was written and read back.
        public var verified = false
        public var retries = 0
        /// One character per sector: '.' unchanged, 'w' programmed only, 'e' erased and programmed.
        public var map: [UInt8] = []
        /// Whether each sector is read back before the next is written.
        public var verifying = false
        /// Image bytes the flash holds from `address` on: `address ..< address + bytesDone`, written
        /// (and read back equal, when `verifying`) sector by sector in order.
        public var bytesDone = 0
        /// The input went on past the end of the flash: what fitted is written, the rest is not.
        public var cutAtEndOfFlash = false
        /// A sector the write was changing when it stopped: it may hold old, new or erased data.
        public var unsettled: Range<Int> = 0..<0
        /// Flash erased by a 32/64 KB erase ahead of the image and not yet written again.
        public var erasedNotWritten: Range<Int> = 0..<0

        public init() {}

        /// The first and last flash byte of the image written (and verified), nil when none is.
        public var firstByteDone: Int? { bytesDone > 0 ? address : nil }
        public var lastByteDone: Int? { bytesDone > 0 ? address + bytesDone - 1 : nil }

        /// What the flash holds, for messages: "bytes 0x200000–0x20ffff are written and verified,
        /// the rest of the flash is untouched".
        public var outcome: String {
            var parts: [String] = []
            if let first = firstByteDone, let last = lastByteDone {
                parts.append("bytes \(hex(first))–\(hex(last)) are written" + (verifying ? " and verified" : " (not verified)"))
            }
            if !unsettled.isEmpty {
                parts.append("\(hex(unsettled.lowerBound))–\(hex(unsettled.upperBound - 1)) may hold old, new or erased data")
            }
            if !erasedNotWritten.isEmpty {
                parts.append("\(hex(erasedNotWritten.lowerBound))–\(hex(erasedNotWritten.upperBound - 1)) are erased")
            }
            if parts.isEmpty { return "nothing was written" }
            var text = ""
            for (i, p) in parts.enumerated() { text += (i == 0 ? "" : ", ") + p }
            return text + ", the rest of the flash is untouched"
        }
    }

    public let flash: SPIFlash
    public static let attempts = 3
    /// The writer's own buffers: the sector as the flash holds it and as it should be.
    public static let bufferBytes = 2 * FlashChip.sectorSize

    public init(flash: SPIFlash) {
        self.flash = flash
    }

    private static let runAgain = "; running the same write again finishes it and changes only what is still wrong"

    /// Refuses, before changing anything, an image that does not fit or overlaps protection.
    /// `streamed`: the input is a stream whose length is not known yet and `streamed` bytes of
    /// it have arrived; only its start (`count` 1) must fit, and the message names what is known.
    public func check(count: Int, at address: Int, streamed: Int? = nil) throws(TapWalkerError) {
        let chip = flash.chip
        if let streamed, address >= chip.size {
            throw TapWalkerError(.usage, "an image of at least \(streamed) bytes at \(hex(address)) starts past the end of the \(chip.size >> 20) MB \(chip.name) (\(hex(chip.size))); nothing was written")
        }
        guard address >= 0, address + count <= chip.size else {
            throw TapWalkerError(.usage, "an image of \(count) bytes at \(hex(address)) ends at \(hex(address + count)), past the end of the \(chip.size >> 20) MB \(chip.name) (\(hex(chip.size))); nothing was written")
        }
        let protected = try flash.protectedRange()
        if !protected.isEmpty, address < protected.upperBound, address + count > protected.lowerBound {
            throw protectedError(address..<(address + count), protected)
        }
    }

    public func write(_ image: [UInt8], at address: Int, verify: Bool = true, progress: ProgressHandler? = nil)
        throws(TapWalkerError) -> Report
    {
        try check(count: image.count, at: address)
        var report = Report()
        try stream(MemorySource(image), at: address, verify: verify, preview: image, report: &report, progress: progress)
        return report
    }

    /// Writes what `source` delivers, a sector at a time as it arrives, so that an image of any
    /// size needs only a sector's worth of memory (an FTP upload, a file on the device). An image
    /// over a protected range is refused before anything changes when its length is known, else
    /// when it reaches the range; an input longer than the flash is written up to the end of the
    /// flash and then refused (`cutAtEndOfFlash`). `report` holds the outcome so far, also when
    /// this throws, and the error message ends with `Report.outcome`.
    public func write(
        from source: any ByteSource, at address: Int, verify: Bool = true, report: inout Report,
        progress: ProgressHandler? = nil
    ) throws(TapWalkerError) {
        try stream(source, at: address, verify: verify, preview: nil, report: &report, progress: progress)
    }

    /// One write's state: the two sector buffers, the image's end when known, how far a block
    /// erase has cleared ahead, and the whole image when it is in memory (`preview`).
    private final class Pass {
        let address: Int
        let knownEnd: Int?
        let protected: Range<Int>
        let verify: Bool
        let preview: [UInt8]?
        var want: [UInt8]
        var have: [UInt8]
        var erasedUntil = 0
        /// The sector at hand differs in at least half its pages: the image is replaced rather
        /// than edited, so the block's other sectors with data will likely need an erase too.
        var rewriting = false

        init(address: Int, knownEnd: Int?, protected: Range<Int>, verify: Bool, preview: [UInt8]?) {
            self.address = address
            self.knownEnd = knownEnd
            self.protected = protected
            self.verify = verify
            self.preview = preview
            want = [UInt8](repeating: 0xFF, count: FlashChip.sectorSize)
            have = [UInt8](repeating: 0xFF, count: FlashChip.sectorSize)
        }
    }

    private func stream(
        _ source: any ByteSource, at address: Int, verify: Bool, preview: [UInt8]?, report: inout Report,
        progress: ProgressHandler?
    ) throws(TapWalkerError) {
        report = Report()
        report.address = address
        report.verifying = verify
        let readBefore = flash.bytesRead, writtenBefore = flash.bytesWritten
        defer {
            report.bytesRead = flash.bytesRead - readBefore
            report.bytesWritten = flash.bytesWritten - writtenBefore
        }
        let chip = flash.chip
        let sector = FlashChip.sectorSize
        guard address >= 0, address <= chip.size else {
            throw TapWalkerError(.usage, "the address \(hex(address)) is outside the \(chip.size >> 20) MB \(chip.name) (\(hex(0))–\(hex(chip.size - 1))); nothing was written")
        }
        guard chip.erase(size: sector) != nil else {
            throw TapWalkerError(.device, "the \(chip.name) has no 4 KB erase, which the compare-first writer needs; nothing was written")
        }
        let protected = try flash.protectedRange()
        let knownEnd = source.totalBytes.map { address + $0 }
        if let knownEnd, !protected.isEmpty, address < protected.upperBound, min(knownEnd, chip.size) > protected.lowerBound {
            throw protectedError(address..<min(knownEnd, chip.size), protected)
        }
        let pass = Pass(address: address, knownEnd: knownEnd, protected: protected, verify: verify, preview: preview)
        var s = address / sector * sector
        while s < chip.size {
            let lo = max(address - s, 0)
            let n: Int
            do throws(TapWalkerError) {
                n = try fill(source, pass, from: lo)
            } catch {
                throw error.rephrased("\(error.message); \(report.outcome)\(FlashWriter.runAgain)")
            }
            if n == 0 { break }
            let hi = lo + n
            report.bytes += n
            if !protected.isEmpty, s + lo < protected.upperBound, s + hi > protected.lowerBound {
                throw TapWalkerError(.device, "the image reaches the protected range \(hex(protected.lowerBound))–\(hex(protected.upperBound - 1)) of the \(chip.name) at \(hex(max(s + lo, protected.lowerBound))); \(report.outcome)", remedy: .unprotect)
            }
            report.sectorsTotal += 1
            do throws(TapWalkerError) {
                try writeSector(s, lo, hi, pass, &report)
            } catch {
                // The link or the board went away: the same write again repairs it. (A verify
                // failure or a refused protection is not repaired by repeating.)
                throw error.rephrased("\(error.message); \(report.outcome)\(error.kind == .cable ? FlashWriter.runAgain : "")")
            }
            report.bytesDone += n
            progress?(Progress(phase: "writing", done: report.bytes, total: source.totalBytes))
            if hi < sector { break }
            s += sector
        }
        if s >= chip.size {
            // The flash is full: one more byte from the input means the image does not fit.
            var probe: [UInt8] = [0]
            let more: Int
            do throws(TapWalkerError) {
                more = try probe.withMutableBytes { (p) throws(TapWalkerError) -> Int in try source.read(into: p) }
            } catch {
                throw error.rephrased("\(error.message); \(report.outcome)")
            }
            if more > 0 {
                report.bytes += more
                report.cutAtEndOfFlash = true
                throw TapWalkerError(.usage, "the image runs past the end of the \(chip.size >> 20) MB \(chip.name) at \(hex(chip.size)): \(report.outcome); the rest of the image was not written")
            }
        }
        if !report.erasedNotWritten.isEmpty, let total = source.totalBytes {
            // A block was erased for an image as long as announced, and the input ended sooner.
            throw TapWalkerError(.input, "\(source.name) ended after \(report.bytes) of the \(total) bytes it announced; \(report.outcome)")
        }
        report.verified = verify
    }

    /// Reads image bytes into the sector buffer from `from` to the sector's end or the input's end.
    private func fill(_ source: any ByteSource, _ pass: Pass, from: Int) throws(TapWalkerError) -> Int {
        var have = from
        while have < FlashChip.sectorSize {
            let n = try pass.want.withMutableBytes { (p) throws(TapWalkerError) -> Int in
                try source.read(into: UnsafeMutableRawBufferPointer(rebasing: p[have...]))
            }
            if n == 0 { break }
            have += n
        }
        return have - from
    }

    /// The sector at `s`, whose image bytes are `want[lo..<hi]`.
    private func writeSector(_ s: Int, _ lo: Int, _ hi: Int, _ pass: Pass, _ report: inout Report) throws(TapWalkerError) {
        let sector = FlashChip.sectorSize
        let action: Action
        let preErased = s < pass.erasedUntil
        if preErased {
            // Cleared by the block erase at the block's start (the image covers the sector whole;
            // an input that ended early leaves the rest erased).
            for i in hi..<sector { pass.want[i] = 0xFF }
            report.unsettled = s..<(s + sector)
            try program(s, pass, erased: true, &report)
            action = .erased
        } else {
            try pass.have.withMutableBytes { (p) throws(TapWalkerError) in try flash.read(address: s, into: p) }
            for i in 0..<lo { pass.want[i] = pass.have[i] }
            for i in hi..<sector { pass.want[i] = pass.have[i] }
            action = classify(pass.have[...], pass.want[...])
            switch action {
            case .unchanged:
                break
            case .programmed:
                report.unsettled = s..<(s + sector)
                try program(s, pass, erased: false, &report)
            case .erased:
                pass.rewriting = differingPages(pass) * 2 >= sector / flash.chip.pageSize
                let kind = try chooseErase(s, pass, &report)
                report.unsettled = s..<(s + sector)
                try flash.erase(kind, address: s)
                switch kind.size {
                case 65536: report.erase64K += 1
                case 32768: report.erase32K += 1
                default: report.erase4K += 1
                }
                if kind.size > sector {
                    pass.erasedUntil = s + kind.size
                    report.erasedNotWritten = (s + sector)..<(s + kind.size)
                }
                try program(s, pass, erased: true, &report)
            }
        }
        report.map.append(action.rawValue)
        switch action {
        case .unchanged: report.sectorsUnchanged += 1
        case .programmed: report.sectorsProgrammed += 1
        case .erased: report.sectorsErased += 1
        }
        if action != .unchanged, pass.verify { try verifySector(s, pass, &report) }
        report.unsettled = 0..<0
        if s < pass.erasedUntil {
            // What of the erased block is still blank: the sectors after this one and, when the
            // input ended inside this erased sector, the rest of it.
            let from = preErased ? s + hi : s + sector
            report.erasedNotWritten = from < pass.erasedUntil ? from..<pass.erasedUntil : 0..<0
        }
    }

    /// The erase for the sector at `s`, which needs one: a block erase starting at `s` when the
    /// plan finds it faster, judged from the block's other sectors read ahead (only what each
    /// needs is kept), else 4 KB.
    private func chooseErase(_ s: Int, _ pass: Pass, _ report: inout Report) throws(TapWalkerError) -> FlashChip.EraseKind {
        let chip = flash.chip
        let sector = FlashChip.sectorSize
        let small = chip.erase(size: sector)!
        guard let knownEnd = pass.knownEnd else { return small }
        var upper = min(knownEnd, chip.size) / sector * sector
        if !pass.protected.isEmpty, pass.protected.lowerBound >= s { upper = min(upper, pass.protected.lowerBound) }
        var largest = 0
        for e in chip.erases where e.size > sector && s % e.size == 0 && s + e.size <= upper { largest = max(largest, e.size) }
        guard largest > 0 else { return small }
        var needs: [ErasePlan.Need] = [.erase]
        for k in 1..<(largest / sector) {
            let a = s + k * sector
            try pass.have.withMutableBytes { (p) throws(TapWalkerError) in try flash.read(address: a, into: p) }
            if let image = pass.preview {
                switch classify(pass.have[...], image[(a - pass.address)..<(a - pass.address + sector)]) {
                case .unchanged: needs.append(.none)
                case .programmed: needs.append(.program)
                case .erased: needs.append(.erase)
                }
            } else if !pass.have.contains(where: { $0 != 0xFF }) {
                needs.append(.program)
            } else {
                needs.append(pass.rewriting ? .erase : .none)
            }
        }
        let plan = ErasePlan(chip: chip).erases(for: needs, at: s, erasable: s..<upper)
        return plan.first?.kind ?? small
    }

    /// Programs the sector's pages: after an erase every page not all 0xFF, else every page that
    /// differs from what the flash holds (`have`).
    private func program(_ s: Int, _ pass: Pass, erased: Bool, _ report: inout Report) throws(TapWalkerError) {
        let page = flash.chip.pageSize
        var p = 0
        while p < FlashChip.sectorSize {
            let want = pass.want[p..<(p + page)]
            let needed = erased ? want.contains(where: { $0 != 0xFF }) : !want.elementsEqual(pass.have[p..<(p + page)])
            if needed {
                try flash.programPage(address: s + p, want)
                report.pagesProgrammed += 1
            }
            p += page
        }
    }

    /// Reads the sector back; redoes a wrong one from what it now holds.
    private func verifySector(_ s: Int, _ pass: Pass, _ report: inout Report) throws(TapWalkerError) {
        var attempt = 1
        while true {
            try pass.have.withMutableBytes { (p) throws(TapWalkerError) in try flash.read(address: s, into: p) }
            guard let bad = firstDifference(pass.have, pass.want) else { return }
            if attempt >= FlashWriter.attempts {
                throw TapWalkerError(.device, "verify failed in sector \(hex(s)) after \(attempt) attempts: byte \(hex(s + bad)) reads \(hexByte(pass.have[bad])) instead of \(hexByte(pass.want[bad])); the chip may be worn or damaged")
            }
            attempt += 1
            report.retries += 1
            if classify(pass.have[...], pass.want[...]) == .erased {
                try flash.erase(flash.chip.erase(size: FlashChip.sectorSize)!, address: s)
                report.erase4K += 1
                try program(s, pass, erased: true, &report)
            } else {
                try program(s, pass, erased: false, &report)
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

    private func differingPages(_ pass: Pass) -> Int {
        let page = flash.chip.pageSize
        var n = 0
        var p = 0
        while p < FlashChip.sectorSize {
            if !pass.want[p..<(p + page)].elementsEqual(pass.have[p..<(p + page)]) { n += 1 }
            p += page
        }
        return n
    }

    private func firstDifference(_ a: [UInt8], _ b: [UInt8]) -> Int? {
        for i in 0..<min(a.count, b.count) where a[i] != b[i] { return i }
        return nil
    }

    private func protectedError(_ image: Range<Int>, _ protected: Range<Int>) -> TapWalkerError {
        TapWalkerError(.device, "the image \(hex(image.lowerBound))–\(hex(image.upperBound - 1)) overlaps the protected range \(hex(protected.lowerBound))–\(hex(protected.upperBound - 1)) of the \(flash.chip.name); nothing was written", remedy: .unprotect)
    }
}

/// Every digit, however large (never cut to 32 bits).
func hex(_ v: Int) -> String { v < 0 ? "-" + ASCII.hex(UInt64(v.magnitude), digits: 6) : ASCII.hex(UInt64(v), digits: 6) }
func hexByte(_ v: UInt8) -> String { ASCII.hex(v, digits: 2) }
