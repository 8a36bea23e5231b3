/// Loads a bitstream into the ECP5's configuration SRAM over JTAG.
///
/// The sequence is the vendor's (Diamond/ecppack SVF, docs/ecp5.md §1): IDCODE → PRELOAD → ISC_ENABLE
/// → status check → ISC_ERASE → status check → LSC_INIT_ADDRESS → LSC_BITSTREAM_BURST + data →
/// USERCODE → ISC_DISABLE → BYPASS → status: DONE and no error. Two things differ: BUSY is polled
/// instead of sleeping fixed times, and the bitstream's VERIFY_ID is checked against the chip before
/// anything is erased. The input is streamed; only its first bytes (up to VERIFY_ID) are held back.
///
/// Every byte is checked on its way to the device (the same configuration engine the device runs),
/// and the burst stops at the first problem: the bytes up to the one that revealed it are sent, so
/// that the device reports the same error, and nothing after. Input never runs past the part's
/// `maximumBitstreamBytes`. To refuse a damaged file before the SRAM is erased, the whole of it
/// has to be read first: `program(_:checkingFirst:options:progress:)` does that for inputs that can
/// be read twice (a local file).
public final class SRAMProgrammer {
    public struct Options: Sendable {
        /// Send a bitstream whose VERIFY_ID names another part (the device will then refuse it).
        public var force = false
        /// How consecutive chunks of the burst are joined. Real devices accept all three; the
        /// alternatives exist to prove it (tests) and for cables that cannot stay in Shift-DR.
        public enum Split: Sendable { case continuous, pauseDR, updateDR }
        public var split = Split.continuous
        /// Bytes read from the input and shifted at a time.
        public var chunkBytes = 4096
        /// How far into the input VERIFY_ID may be (the comment header comes first).
        public var prefixLimit = 16 * 1024

        public init(force: Bool = false, split: Split = .continuous, chunkBytes: Int = 4096) {
            self.force = force
            self.split = split
            self.chunkBytes = chunkBytes
        }
    }

    /// What happened, whether it worked or not.
    public struct Report: Sendable {
        public var idcode: UInt32?
        public var part: Part?
        /// The bitstream as far as it was read, checked on the way through.
        public var bitstream: BitstreamInfo?
        public var status: StatusRegister?
        public var usercode: UInt32?
        public var bytesSent = 0
        /// False when the SRAM was left untouched (refused before ISC_ERASE).
        public var sramTouched = false
        /// The burst stopped at a problem in the input before its end.
        public var stoppedEarly = false
        public var failure: TapWalkerError?

        public var ok: Bool { failure == nil }
        public var done: Bool { status?.configured ?? false }
    }

    public let port: ECP5Port

    public init(port: ECP5Port) {
        self.port = port
    }

    /// Programs `source` into SRAM. Never throws: every outcome, including cable failures, is in the
    /// report so that callers can show the status the device was left in.
    /// `part`: the board as its caller identified it a moment ago (the board service does, to check
    /// the input first), so the IDCODE is not read again; nil: read now.
    public func program(_ source: any ByteSource, on part: Part? = nil, options: Options = Options(), progress: ProgressHandler? = nil)
        -> Report
    {
        program(source, check: nil, known: part, options: options, progress: progress)
    }

    /// Reads all of `check` through the checker, as the board's part takes it, before anything is
    /// erased, and programs `source` (the same bytes read again, e.g. the file opened a second
    /// time) only if it is a valid bitstream for the board. `report.bitstream` then describes the
    /// pass over `source`, or `check` if it was refused.
    public func program(
        _ source: any ByteSource, checkingFirst check: any ByteSource, options: Options = Options(),
        progress: ProgressHandler? = nil
    ) -> Report {
        program(source, check: check, known: nil, options: options, progress: progress)
    }

    private func program(
        _ source: any ByteSource, check: (any ByteSource)?, known: Part?, options: Options, progress: ProgressHandler?
    ) -> Report {
        var report = Report()
        report.part = known
        do throws(TapWalkerError) {
            try run(source, check, options, progress, &report)
        } catch {
            report.failure = error
            if report.status == nil, report.idcode != nil {
                report.status = try? port.readStatus()
            }
        }
        return report
    }

    private func run(
        _ source: any ByteSource, _ check: (any ByteSource)?, _ options: Options, _ progress: ProgressHandler?,
        _ report: inout Report
    ) throws(TapWalkerError) {
        // The board is identified here unless the caller did (`report.part` set).
        if report.part == nil { try identify(&report) }
        guard let part = report.part else { return }
        let idcode = part.idcode
        report.idcode = idcode

        if let check {
            let info = try BitstreamInspector.inspect(check, for: part, progress: progress)
            report.bitstream = info
            if let error = info.notABitstream { throw error }
            try refuse(info.idcode, info.problem, name: check.name, idcode: idcode, part: part, options, whole: true)
        }

        // Read up to VERIFY_ID and decide before touching the device. The checker takes the board's
        // part, so a VERIFY_ID for another part is a problem at VERIFY_ID: with `force` the burst
        // stops right after it, once the device has refused it too.
        let tracker = BitstreamInspector.Tracker(name: source.name, part: part)
        var held: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: max(options.chunkBytes, 1))
        var ended = false
        while tracker.engineState.verifiedID == nil && tracker.engineState.problem == nil
            && tracker.engineState.framesDeclared == 0 && held.count < options.prefixLimit
        {
            let n = try read(source, into: &chunk)
            if n == 0 { ended = true; break }
            chunk.withUnsafeBytes { tracker.consume(UnsafeRawBufferPointer(rebasing: $0[0..<n])) }
            held.append(contentsOf: chunk[0..<n])
        }
        report.bitstream = tracker.finish()
        if held.isEmpty {
            throw TapWalkerError(.input, "\(source.name) is empty; nothing was written")
        }
        if tracker.engineState.preambleOffset == nil {
            throw TapWalkerError(.input, "\(source.name) is not an ECP5 bitstream: no preamble (FF FF BD B3) in its first \(held.count) bytes; nothing was written")
        }
        try refuse(tracker.engineState.verifiedID, tracker.engineState.problem, name: source.name, idcode: idcode, part: part, options, whole: false)

        // A device still booting from flash would ignore ISC_ENABLE: wait for it first.
        try port.waitUntilReady(after: "power-up", timeoutMicroseconds: ECP5Port.bootTimeoutMicroseconds)
        // From here on the SRAM changes.
        try port.preload(part)
        try port.command(.iscEnable, operand: 0x00)
        try port.waitUntilReady(after: "ISC_ENABLE")
        var status = try port.readStatus()
        // Diamond's check after ISC_ENABLE; openFPGALoader additionally requires ISC enable (bit 9).
        guard status.raw & 0x0002_4040 == 0, status.has(.iscEnable) else {
            report.status = status
            throw TapWalkerError(.device, "the FPGA did not enter configuration mode (status \(ASCII.hex(status.raw)): \(status.summary)); nothing was written")
        }
        report.sramTouched = true
        try port.command(.iscErase, operand: 0x01)
        try port.waitUntilReady(after: "ISC_ERASE")
        status = try port.readStatus()
        guard status.raw & 0xB000 == 0 else {
            report.status = status
            throw TapWalkerError(.device, "erasing the SRAM failed (status \(ASCII.hex(status.raw)): \(status.summary))")
        }
        try port.command(.initAddress, operand: 0x01)
        try port.walker.shiftIR(UInt32(ECP5Instruction.bitstreamBurst.rawValue), length: ECP5Instruction.length)
        try port.walker.idle(clocks: ECP5Port.idleClocks)

        // Stream: always one chunk held back so the last one can leave Shift-DR on its final bit, and
        // checked before it is sent, so that the burst ends at the byte that reveals a problem.
        var pending = held
        var pendingCount = held.count
        let total = source.totalBytes
        do throws(TapWalkerError) {
            while true {
                if let problem = tracker.engineState.problem {
                    // Up to the byte that revealed it (a CRC is reported at its first byte).
                    let end = min(max(problem.offset + 2 - report.bytesSent, 0), pendingCount)
                    try send(pending, count: end, last: true, options.split)
                    report.bytesSent += end
                    report.stoppedEarly = true
                    break
                }
                var n = 0
                if !ended {
                    if chunk.count < options.chunkBytes { chunk = [UInt8](repeating: 0, count: max(options.chunkBytes, 1)) }
                    n = try read(source, into: &chunk)
                    if n == 0 { ended = true }
                }
                if n == 0 {
                    try send(pending, count: pendingCount, last: true, options.split)
                    report.bytesSent += pendingCount
                    break
                }
                chunk.withUnsafeBytes { tracker.consume(UnsafeRawBufferPointer(rebasing: $0[0..<n])) }
                if let problem = tracker.engineState.problem, problem.offset + 2 <= report.bytesSent + pendingCount {
                    continue  // the pending bytes already reach it: they end the burst
                }
                try send(pending, count: pendingCount, last: false, options.split)
                report.bytesSent += pendingCount
                progress?(Progress(phase: "programming", done: report.bytesSent, total: total))
                swap(&pending, &chunk)
                pendingCount = n
            }
            progress?(Progress(phase: "programming", done: report.bytesSent, total: total))
        } catch {
            report.bitstream = tracker.finish()
            try leaveUnconfigured()
            report.status = try? port.readStatus()
            throw error.rephrased("\(error.message); \(report.bytesSent) bytes had been sent, and the FPGA was erased and left unconfigured")
        }
        report.bitstream = tracker.finish()

        try port.walker.idle(clocks: 100)
        report.usercode = try port.readUserCode()
        try port.command(.iscDisable)
        try port.waitUntilReady(after: "ISC_DISABLE")
        try port.command(.bypass)
        status = try port.readStatus()
        report.status = status
        if !status.done || status.hasError {
            throw TapWalkerError(.device, failureMessage(status, report.bitstream, stopped: report.stoppedEarly))
        }
        if report.stoppedEarly, let problem = report.bitstream?.problem {
            // Only the checker's length limit stops a burst the device then accepts.
            throw TapWalkerError(.data, "\(source.name) has a problem at byte \(problem.offset): \(problem.message); the FPGA reached DONE with the bytes before it, and the rest was not sent")
        }
    }

    /// Reads the IDCODE into `report` and the part it names, or throws for a chip that is no ECP5.
    private func identify(_ report: inout Report) throws(TapWalkerError) {
        try port.reset()
        let id = try port.readIDCODE()
        report.idcode = id
        guard let part = Part.with(idcode: id) else { throw TapWalkerError(.device, noECP5Message(id)) }
        report.part = part
    }

    /// Refuses, before anything is erased, a bitstream for another part (unless `force`) or one
    /// with a problem. `whole`: the problem comes from the whole input, not only its first bytes.
    private func refuse(
        _ fileID: UInt32?, _ problem: ConfigurationEngine.Problem?, name: String, idcode: UInt32, part: Part,
        _ options: Options, whole: Bool
    ) throws(TapWalkerError) {
        if let fileID, fileID != idcode, !options.force {
            let named = Part.with(idcode: fileID).map { "\($0.name) (\(ASCII.hex(fileID)))" } ?? "IDCODE \(ASCII.hex(fileID))"
            throw TapWalkerError(.data, "bitstream is for \(named) but the board is \(part.name) (\(ASCII.hex(idcode))); nothing was written", remedy: .force)
        }
        if let problem, problem.code != .id || !options.force {
            if whole {
                var where_ = "at byte \(problem.offset)"
                if let frame = problem.frame { where_ += " (frame \(frame))" }
                throw TapWalkerError(.data, "\(name) is not a valid bitstream for \(part.name): \(where_): \(problem.message); nothing was written")
            }
            throw TapWalkerError(.data, "\(name) is damaged at byte \(problem.offset): \(problem.message); nothing was written")
        }
    }

    private func read(_ source: any ByteSource, into chunk: inout [UInt8]) throws(TapWalkerError) -> Int {
        try chunk.withMutableBytes { (p) throws(TapWalkerError) in try source.read(into: p) }
    }

    private func send(_ bytes: [UInt8], count: Int, last: Bool, _ split: Options.Split) throws(TapWalkerError) {
        let end: TAPState
        switch split {
        case .continuous: end = last ? .runTestIdle : .shiftDR
        case .pauseDR: end = last ? .runTestIdle : .pauseDR
        case .updateDR: end = .runTestIdle
        }
        if count == 0 {
            if last { try port.walker.move(to: .runTestIdle) }
            return
        }
        try bytes.withBytes { (p) throws(TapWalkerError) in
            try port.walker.shiftDRBytesMSBFirst(UnsafeRawBufferPointer(rebasing: p[0..<count]), end: end)
        }
    }

    /// After an interrupted burst: erase and wake up empty, so that no half-written configuration
    /// is left behind looking like a design.
    private func leaveUnconfigured() throws(TapWalkerError) {
        try port.walker.move(to: .runTestIdle)
        try port.command(.iscErase, operand: 0x01)
        try port.waitUntilReady(after: "ISC_ERASE")
        try port.command(.iscDisable)
        try port.waitUntilReady(after: "ISC_DISABLE")
    }

    private func failureMessage(_ status: StatusRegister, _ file: BitstreamInfo?, stopped: Bool) -> String {
        var s = "the FPGA did not reach DONE: status \(ASCII.hex(status.raw)) (\(status.summary))"
        if status.bse != .none {
            s += "; \(status.bse.meaning); \(status.bse.advice())"
        }
        if let file, let problem = file.problem {
            s += "; the input itself has a problem at byte \(problem.offset)"
            if let frame = problem.frame { s += " (frame \(frame))" }
            s += ": \(problem.message)"
            if stopped { s += "; the burst stopped there" }
        }
        return s
    }
}

/// The message for an IDCODE that is no ECP5, shared by every command that looks for one.
public func noECP5Message(_ idcode: UInt32) -> String {
    // TDO that never changes reads as all zeros or all ones: that is no device, not a part.
    if idcode == 0 || idcode == 0xFFFF_FFFF {
        return "no JTAG device answers: TDO stuck at \(idcode == 0 ? "0" : "1") (IDCODE reads \(ASCII.hex(idcode))): check power, wiring and the cable, or lower the TCK frequency; nothing was written"
    }
    return "the device's IDCODE \(ASCII.hex(idcode)) is not an ECP5; nothing was written"
}
