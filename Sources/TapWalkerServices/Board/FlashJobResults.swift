import TapWalkerCore

/// `flash info`: the chip, its registers decoded by the chip's own table, and what is protected.
public struct FlashInfoResult: Sendable {
    public var access = FlashAccess()
    public var registers: ProtectionRegisters?
    /// The protected range; empty when nothing is protected, nil when unknown.
    public var protected: Range<Int>?
    public var failure: TapWalkerError?

    public init() {}

    /// "SRP=0 SEC=0 TB=0 BP=0 WEL=0 BUSY=0; SR2 0x00: CMP=0 LB=0 QE=0 SRL=0".
    public var registerText: String {
        guard let registers, let scheme = access.chip?.protection else { return "" }
        var main = "", extra = ""
        for field in scheme.fields {
            let text = "\(field.name)=\(field.value(in: registers))" + (field.oneTime ? " (one-time)" : "")
            if field.register == .status { main += (main.isEmpty ? "" : " ") + text } else { extra += (extra.isEmpty ? "" : " ") + text }
        }
        if scheme == .unknown { main += " (this chip was identified by SFDP; its protection bits are not known)" }
        guard let name = scheme.extraRegisterName else { return main }
        let value = scheme == .winbond ? registers.status2 : registers.extra
        return main + "; \(name) \(ASCII.hex(value, digits: 2)): " + extra
    }

    public var lines: [String] {
        var lines: [String] = []
        if let chip = access.chip {
            lines.append("chip:      \(chip.name), JEDEC ID \(ASCII.hex(access.jedecID ?? chip.jedecID, digits: 6)), \(chip.size >> 20) MB")
        }
        if let registers { lines.append("status:    \(ASCII.hex(registers.status, digits: 2))  \(registerText)") }
        if let protected {
            lines.append("protected: " + (protected.isEmpty ? "nothing" : "\(BoardText.range(protected)) (\(protected.count / 1024) KB)"))
        }
        if let line = access.reloadLine { lines.append(line) }
        return lines
    }
}

/// `flash write` and `flash@ADDR`: the writer's report, the exact range written, whether the input
/// ran past the end of the flash, and what the boot-image check found.
public struct FlashWriteResult: Sendable {
    public var access = FlashAccess()
    public var address = 0
    public var report = FlashWriter.Report()
    /// The input's name.
    public var input = ""
    /// The bytes of the flash the job wrote and verified (every block before a failure).
    public var written: Range<Int> = 0..<0
    /// The input went on past the end of the flash (or the start of a protected range) and was cut there.
    public var cutAt: Int?
    public var microseconds: UInt64 = 0
    public var failure: TapWalkerError?

    public init() {}

    /// The image's bytes the flash holds from the address on, written (and verified, when the
    /// writer verifies) sector by sector in order: the writer's own account, not the bytes it took.
    static func writtenRange(_ report: FlashWriter.Report, at address: Int) -> Range<Int> {
        address..<(address + report.bytesDone)
    }

    /// "flash@0x200000: 581412 bytes in 2.1 s, 143 sectors: 0 unchanged, 0 written, 143 erased,
    /// verified; FPGA reloaded from flash: DONE".
    public var summary: String {
        var line = "flash@\(BoardText.address(address)): \(report.bytes) bytes in \(BoardText.seconds(microseconds)), "
        line += "\(report.sectorsTotal) sectors: \(report.sectorsUnchanged) unchanged, \(report.sectorsProgrammed) written, \(report.sectorsErased) erased"
        line += report.verified ? ", verified" : ", not verified"
        if let reload = access.reload { line += reload.done ? "; FPGA reloaded from flash: DONE" : "; FPGA reloaded from flash: not DONE" }
        return line
    }

    /// The one line a line-based front end (an FTP reply, the serial console) gives: the summary,
    /// or the failure prefixed with the address ("flash@0x200000: …").
    public func line() throws(TapWalkerError) -> String {
        guard let failure else { return summary }
        throw failure.rephrased("flash@\(BoardText.address(address)): \(failure.message)")
    }

    /// The writer's outcome in detail (the command line's text output).
    public func detailLines(verbose: Bool) -> [String] {
        let r = report
        var lines: [String] = []
        if verbose { lines.append("map:      \(String(decoding: r.map, as: UTF8.self))   (. unchanged, w programmed, e erased)") }
        lines.append("sectors:  \(r.sectorsTotal) total: \(r.sectorsUnchanged) unchanged, \(r.sectorsProgrammed) programmed, \(r.sectorsErased) erased")
        lines.append("erases:   \(r.erase4K) × 4 KB, \(r.erase32K) × 32 KB, \(r.erase64K) × 64 KB; \(r.pagesProgrammed) pages programmed")
        lines.append("traffic:  \(r.bytesRead) bytes read, \(r.bytesWritten) bytes written" + (r.verified ? ", verified" : ", not verified") + (r.retries > 0 ? ", \(r.retries) sectors redone" : ""))
        if let reload = access.reload, !reload.done, let why = reload.explanation { lines.append("note:     \(why)") }
        return lines
    }
}

/// `flash read`.
public struct FlashReadResult: Sendable {
    public var access = FlashAccess()
    public var address = 0
    public var bytes = 0
    public var failure: TapWalkerError?

    public init() {}
}

/// `flash verify`: the image against the flash, sector by sector.
public struct FlashVerifyResult: Sendable {
    public var access = FlashAccess()
    public var address = 0
    public var bytes = 0
    public var input = ""
    public var sectorsTotal = 0
    public var sectorsMatching = 0
    public var sectorsDiffering = 0
    public var firstDifference: Int?
    public var failure: TapWalkerError?

    public init() {}

    public var matches: Bool { failure == nil && sectorsDiffering == 0 }
}

/// `flash erase`.
public struct FlashEraseResult: Sendable {
    public var access = FlashAccess()
    public var address = 0
    public var length = 0
    public var wholeChip = false
    public var report = FlashWriter.Report()
    public var failure: TapWalkerError?

    public init() {}

    public var summary: String {
        wholeChip ? "erased the whole chip"
            : "erased: \(report.erase4K) × 4 KB, \(report.erase32K) × 32 KB, \(report.erase64K) × 64 KB"
    }
}

/// `flash protect` and `unprotect`.
public struct FlashProtectionResult: Sendable {
    public var access = FlashAccess()
    public var before: Range<Int>?
    public var after: Range<Int>?
    /// The chip's one-time top/bottom bit was set (permanently).
    public var otpChanged = false
    /// The range was refused because it needs the chip's one-time top/bottom bit.
    public var needsOneTimeBottom = false
    public var failure: TapWalkerError?

    public init() {}

    public var summary: String {
        guard let after else { return "" }
        return after.isEmpty ? "nothing is protected now" : "protected \(BoardText.address(after.lowerBound)):\(BoardText.address(after.upperBound))"
    }
}

/// `sd@ADDR`: a raw image onto the SD card, in whole 512-byte blocks.
public struct SDWriteResult: Sendable {
    public var card = ""
    /// The offset as asked for (negative: from the end of the card).
    public var offset = 0
    /// The first byte of the card written.
    public var start = 0
    /// The bytes of the card the job changed.
    public var written: Range<Int> = 0..<0
    public var microseconds: UInt64 = 0
    public var failure: TapWalkerError?
    /// What happened to the card's mounted file system around the write (released, mounted
    /// again), or nil when none was mounted.
    public var fileSystem: String?

    public init() {}

    public var summary: String {
        "sd@\(offset): \(written.count) bytes at byte \(start) (block \(start / SDCardWriter.blockSize)) of \(card) in \(BoardText.seconds(microseconds))"
            + (fileSystem.map { "; \($0)" } ?? "")
    }
}
