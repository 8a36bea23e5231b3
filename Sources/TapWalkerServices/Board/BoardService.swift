import TapWalkerCore

/// Every job a front end runs on a board, with one policy for all of them (`BoardPolicy`): the
/// command line, the FTP server and the firmware call these and render the typed results; none
/// of them drives the JTAG port or the flash itself.
///
/// - Nothing that can be checked without the board is checked after touching it: inputs are read
///   ahead and checked (an SRAM load whole, when it fits the part's largest bitstream; an image for
///   flash address 0 as a bitstream for the board's part) before the SRAM is cleared.
/// - Every flash job, on every exit path, ends with the FPGA reloaded from flash unless the design
///   was kept running or no reload was asked for.
/// - Results say exactly what changed, also when the job failed.
///
/// Jobs never throw: the outcome, failure included, is in the result. Where several clients share
/// the board, a front end runs its jobs inside `holding`.
public final class BoardService {
    public let cable: any Cable
    public let lock: JobLock
    public let sdCard: (any SDCard)?
    let clock: any ServiceClock
    /// How many bytes of an input may be held to check it before the board is touched; nil: the
    /// part's largest bitstream. A device with less memory sets a smaller bound, and inputs larger
    /// than it are checked on their way through instead.
    public var inputBufferLimit: Int?
    /// Opens http:// and https:// inputs (`openURL`); nil: URLs are refused.
    public var urls: (any URLOpener)?
    /// The longest SVF vector played (docs/svf.md §7); a device sets a smaller bound.
    public var svfMaxVectorBits = SVFPlayResult.hostMaxVectorBits
    /// Admission by memory on a device: a compressed input's decoder is admitted when the input
    /// turns out compressed (`admitDecoder`); nil on a host.
    public var memory: HeapAdmission?

    public init(cable: any Cable, lock: JobLock, sdCard: (any SDCard)? = nil, clock: any ServiceClock) {
        self.cable = cable
        self.lock = lock
        self.sdCard = sdCard
        self.clock = clock
        lock.beforeRelease = { [cable] in cable.releaseBuffers() }
    }

    /// Runs `job` with the board held for `who` ("FTP client 10.0.0.5:51234 uploading to fpga"),
    /// the cable's buffers given back after; `.failure` naming the holder, nothing run, when
    /// another job has it.
    public func holding<T, E: Error>(_ who: String, _ job: () throws(E) -> T) throws(E) -> Result<T, BoardBusy> {
        try lock.holding(who, job)
    }

    func newPort() -> ECP5Port { ECP5Port(walker: TapWalker(cable: cable)) }

    /// How much of a flash image is read ahead before the flash changes: an image that ends within
    /// it is known whole, so one that does not fit is refused with nothing written. 64 KB on a host;
    /// `inputBufferLimit` lowers it on a device.
    private var heldFlashInput: Int { min(inputBufferLimit ?? 65536, 65536) }

    func inputLimit(_ part: Part) -> Int { min(inputBufferLimit ?? part.maximumBitstreamBytes, part.maximumBitstreamBytes) }

    /// The IDCODE and the part it names; reading it changes nothing.
    private func readPart(_ port: ECP5Port, _ idcode: inout UInt32?) throws(TapWalkerError) -> Part {
        try port.reset()
        let id = try port.readIDCODE()
        idcode = id
        guard let part = Part.with(idcode: id) else { throw TapWalkerError(.device, noECP5Message(id)) }
        return part
    }

    // MARK: - FPGA

    /// IDCODE, part, status register and USERCODE.
    public func identify() -> BoardIdentity {
        var result = BoardIdentity()
        do throws(TapWalkerError) {
            let port = newPort()
            result.part = try readPart(port, &result.idcode)
            result.status = try port.readStatus()
            result.usercode = try port.readUserCode()
        } catch {
            // Nothing is written by identifying, so the usual "nothing was written" is left out.
            // (Bytes compared, not Strings: Unicode comparison is not available in Embedded Swift.)
            let suffix = Array("; nothing was written".utf8)
            let message = Array(error.message.utf8)
            let trimmed = message.count >= suffix.count && Array(message.suffix(suffix.count)) == suffix
            result.failure = error.rephrased(trimmed ? String(decoding: message.dropLast(suffix.count), as: UTF8.self) : error.message)
        }
        return result
    }

    /// Boots the FPGA from its flash (LSC_REFRESH); fails unless it comes up DONE.
    public func reload() -> BoardIdentity {
        var result = BoardIdentity()
        do throws(TapWalkerError) {
            let port = newPort()
            result.part = try readPart(port, &result.idcode)
            let reload = try FlashSession.reload(port)
            result.status = reload.status
            result.usercode = try port.readUserCode()
            if let why = reload.explanation { throw TapWalkerError(.device, why) }
        } catch {
            result.failure = error
        }
        return result
    }

    /// Loads `source` into the SRAM. Checked whole before ISC_ERASE when it fits the buffer; a
    /// bitstream for another part is refused unless `force`.
    public func loadSRAM(_ arriving: any ByteSource, force: Bool = false, progress: ProgressHandler? = nil) -> SRAMLoadResult {
        loadSRAM(arriving, on: nil, force: force, progress: progress)
    }

    /// `loadSRAM` on a board already identified through `known`'s port as its part (nil: identified
    /// now). The port comes along: its walker knows the state the identification left the TAP in.
    private func loadSRAM(_ arriving: any ByteSource, on known: (port: ECP5Port, part: Part)?, force: Bool,
                          progress: ProgressHandler?) -> SRAMLoadResult {
        let source = inflating(arriving)
        var result = SRAMLoadResult()
        result.input = source.name
        let started = clock.microseconds()
        let port = known?.port ?? newPort()
        do throws(TapWalkerError) {
            let decoder = try admitDecoder(source)
            defer { finishDecoder(decoder) }
            let part: Part
            if let known { part = known.part; result.idcode = known.part.idcode } else { part = try readPart(port, &result.idcode) }
            result.part = part
            // A forced load may be another part's bitstream: bound it by the largest of any part.
            var limit = inputLimit(part)
            if force { for p in Part.all { limit = max(limit, min(inputBufferLimit ?? p.maximumBitstreamBytes, p.maximumBitstreamBytes)) } }
            let input = try BoardPolicy.readAhead(source, limit: limit, track: false)
            try BoardPolicy.refuseSVF(input)
            result.checkedBeforeErase = try BoardPolicy.checkSRAMInput(input, part: part, limit: limit, force: force)
            result.take(SRAMProgrammer(port: port).program(input, on: part, options: .init(force: force), progress: progress))
            if let failure = result.failure { throw failure }
        } catch {
            result.failure = error
            // A load refused before the erase leaves the FPGA as it was: show how that is.
            if result.status == nil, result.idcode != nil { result.status = try? port.readStatus() }
            if error.kind == .cable {
                result.failure = TapWalkerError(.cable, result.sramTouched
                    ? "\(error.message); the FPGA's SRAM was being loaded, so it may be erased or half configured (not DONE); loading again finishes the job"
                    : "\(error.message); the FPGA was not changed yet; loading again does the job")
            }
        }
        // Set here, not in a defer: a defer runs after the returned copy is taken.
        result.microseconds = clock.microseconds() - started
        return result
    }

    /// Loads the passthru bitstream for the FPGA's IDCODE from `directory` of `files`.
    public func loadPassthru(from directory: String, files: any BoardFileSystem, progress: ProgressHandler? = nil) -> SRAMLoadResult {
        var result = SRAMLoadResult()
        do throws(TapWalkerError) {
            let port = newPort()
            let part = try readPart(port, &result.idcode)
            result.part = part
            let path = try PassthruLookup.find(idcode: part.idcode, in: directory, files: files)
            result.input = path
            result = loadSRAM(try files.open(path), on: (port, part), force: false, progress: progress)
            result.input = path
        } catch {
            result.failure = error
        }
        return result
    }

    // MARK: - Flash

    /// Runs `body` on the flash: identifies the FPGA, runs `precheck` (anything that can be checked
    /// before the running design is stopped), opens the flash, runs the boot check when asked
    /// (`checksBoot`, after `body`, also when it failed), and then, whatever happened, leaves the
    /// flash write-disabled and reloads the FPGA (unless the options say not to).
    /// `changes`: what a job cut short may have left in the flash ("the flash from 0x… may be
    /// partly written"), said when the cable fails.
    func flashJob(
        _ options: FlashJobOptions, _ access: inout FlashAccess, checksBoot: Bool = false, changes: String? = nil,
        precheck: (Part) throws(TapWalkerError) -> Void = { _ in },
        _ body: (FlashSession) throws(TapWalkerError) -> Void
    ) throws(TapWalkerError) {
        let port = newPort()
        let part = try readPart(port, &access.idcode)
        access.part = part
        do throws(TapWalkerError) {
            try precheck(part)
        } catch {
            // Refused before anything changed: the FPGA runs what it ran; report it as it is.
            access.status = try? port.readStatus()
            throw error
        }
        var failure: TapWalkerError?
        var session: FlashSession?
        do throws(TapWalkerError) {
            access.sramCleared = !options.keepRunning
            let opened = try FlashSession(port: port, on: part, options: .init(keepRunning: options.keepRunning, reload: false))
            session = opened
            access.chip = opened.flash.chip
            access.jedecID = opened.flash.jedecID
            try body(opened)
        } catch {
            failure = error
        }
        if checksBoot, let session, failure?.kind != .cable {
            do throws(TapWalkerError) {
                access.boot = try ColdBoot(flash: session.flash, part: part).check()
            } catch {
                if failure == nil { failure = error }
            }
        }
        // Restore what was running, on every path.
        do throws(TapWalkerError) {
            if let session { _ = try session.close() } else { try port.command(.bypass) }
            if options.reloads {
                let reload = try FlashSession.reload(port)
                access.reload = reload
                access.status = reload.status
            } else {
                access.status = try port.readStatus()
            }
        } catch {
            if failure == nil { failure = error }
        }
        guard let failure else { return }
        // A lost cable: say what the job may have left behind, and that running it again mends it.
        guard failure.kind == .cable else { throw failure }
        var state = changes.map { "; \($0)" } ?? ""
        if access.sramCleared, access.reload == nil {
            state += "; the FPGA's SRAM was cleared to reach the flash and it was not reloaded, so it may run no design"
        }
        if state.isEmpty { throw failure }
        throw TapWalkerError(.cable, "\(failure.message)\(state); running the same job again finishes it")
    }

    /// The flash chip, its registers decoded and its protected range.
    public func flashInfo(_ options: FlashJobOptions = FlashJobOptions()) -> FlashInfoResult {
        var result = FlashInfoResult()
        do throws(TapWalkerError) {
            try flashJob(options, &result.access) { (session) throws(TapWalkerError) in
                let flash = session.flash
                let registers = try flash.readProtectionRegisters()
                result.registers = registers
                result.protected = flash.chip.protection.protectedRange(registers, size: flash.chip.size)
            }
        } catch {
            result.failure = error
        }
        return result
    }

    /// Writes `source` at `address`, compare-first and verified. An image at 0 must be a bitstream
    /// for the board's part (unless `force`), checked before the flash changes as far as the input
    /// can be held, and after writing as a whole; a FPGA that does not boot from it fails the job.
    /// An input that runs past the end of the flash (or into a protected range) is written up to
    /// there, and the job fails saying exactly which bytes were written.
    public func writeFlash(_ arriving: any ByteSource, at address: Int, options: FlashJobOptions = FlashJobOptions(),
                           progress: ProgressHandler? = nil) -> FlashWriteResult {
        let source = inflating(arriving)
        var result = FlashWriteResult()
        result.address = address
        result.input = source.name
        let started = clock.microseconds()
        var input: PrefetchedSource?
        var boardPart: Part?
        do throws(TapWalkerError) {
            let decoder = try admitDecoder(source)
            defer { finishDecoder(decoder) }
            try flashJob(options, &result.access, checksBoot: address == BoardPolicy.bootAddress,
                         changes: "the flash from \(BoardText.address(address)) may be partly written",
                         precheck: { (part) throws(TapWalkerError) in
                boardPart = part
                guard address >= 0 else { throw TapWalkerError(.usage, "a flash address cannot be negative; nothing was written") }
                let boot = address == BoardPolicy.bootAddress
                // Read ahead: an input that cannot be read, or is empty, never stops the design.
                let ahead = try BoardPolicy.readAhead(source, limit: boot ? inputLimit(part) : heldFlashInput, track: boot)
                input = ahead
                if ahead.prefix.isEmpty { throw TapWalkerError(.input, "\(source.name) is empty; nothing was written") }
                try BoardPolicy.refuseSVF(ahead)
                if boot && !options.force {
                    // Refused as a boot image: overriding this check writes it anyway.
                    do throws(TapWalkerError) {
                        try BoardPolicy.checkBootImage(ahead, part: part)
                    } catch {
                        throw TapWalkerError(error.kind, error.message, remedy: .force)
                    }
                }
            }) { (session) throws(TapWalkerError) in
                guard let input else { return }
                let flash = session.flash
                let writer = FlashWriter(flash: flash)
                let address = options.primaryOnly ? try primaryAddress(flash, input, boardPart, force: options.force) : address
                result.address = address
                // Whatever is known of the length is checked against the chip and its protection first.
                // (A stream's length is not known: its start must fit, and what has arrived is named.)
                try writer.check(count: max(input.totalBytes ?? 1, 1), at: address, streamed: input.totalBytes == nil ? input.prefix.count : nil)
                let protected = try flash.protectedRange()
                var end = flash.chip.size
                var endName = "the end of the \(flash.chip.size >> 20) MB \(flash.chip.name) (\(BoardText.address(end)))"
                if !protected.isEmpty, protected.lowerBound > address, protected.lowerBound < end {
                    end = protected.lowerBound
                    endName = "the protected range \(BoardText.range(protected)) of the \(flash.chip.name)"
                }
                let limited = RegionLimitedSource(input, limit: end - address)
                defer { result.written = FlashWriteResult.writtenRange(result.report, at: address) }
                try writer.write(from: limited, at: address, verify: options.verify, report: &result.report, progress: progress)
                if limited.cut {
                    result.cutAt = end
                    let written = FlashWriteResult.writtenRange(result.report, at: address)
                    throw TapWalkerError(.usage, "\(input.name) runs past \(endName): bytes \(BoardText.range(written)) were written\(options.verify ? " and verified" : ""), the rest of the input was not written")
                }
            }
            if address == BoardPolicy.bootAddress, let part = result.access.part {
                // The boot check read the flash as the FPGA will, and its word decides: a golden
                // image may still save the board, and the FPGA stops reading at the end of the
                // stream, so what follows it (the next image of a multiboot layout) does not
                // matter (docs/ecp5.md §6).
                if let boot = result.access.boot, let why = boot.primary.reason {
                    let warning = boot.loaded == nil ? ": \(BoardPolicy.bootWarning(part))" : ""
                    throw TapWalkerError(.data, "the flash was written, but the FPGA would not boot the image at \(BoardText.address(boot.primary.imageAddress)): \(why)\(BootCheckText.fallbackClause(boot))\(warning)")
                }
                // Without a boot check (the flash could not be read back), the stream as written.
                if result.access.boot == nil, let tracker = input?.tracker, let problem = BoardPolicy.bootImageProblem(tracker.finish(), part: part) {
                    throw TapWalkerError(.data, "\(problem): \(BoardPolicy.bootWarning(part))")
                }
                if let reload = result.access.reload, let why = reload.explanation {
                    throw TapWalkerError(.device, "the flash was written, but \(why); \(BoardPolicy.bootWarning(part))")
                }
            }
        } catch {
            result.failure = error
        }
        // Set here, not in a defer: a defer runs after the returned copy is taken.
        result.microseconds = clock.microseconds() - started
        return result
    }

    /// Reads `count` bytes (nil: to the end of the chip) from `address`, handing them to `sink` in
    /// blocks of one read transaction (a 4 KB sector), so that a dump needs no more buffer than that.
    public func readFlash(at address: Int, count: Int?, options: FlashJobOptions = FlashJobOptions(), progress: ProgressHandler? = nil,
                          into sink: ([UInt8]) throws(TapWalkerError) -> Void) -> FlashReadResult {
        var result = FlashReadResult()
        result.address = address
        do throws(TapWalkerError) {
            try flashJob(options, &result.access, precheck: { (_) throws(TapWalkerError) in
                guard address >= 0, (count ?? 1) > 0 else { throw TapWalkerError(.usage, "the address cannot be negative and the length must be positive") }
            }) { (session) throws(TapWalkerError) in
                let flash = session.flash
                let size = flash.chip.size
                let total = count ?? (size - min(address, size))
                guard total > 0, address + total <= size else {
                    throw TapWalkerError(.usage, "reading \(total) bytes at \(BoardText.address(address)) does not fit the \(size >> 20) MB \(flash.chip.name)")
                }
                while result.bytes < total {
                    let block = try flash.read(address: address + result.bytes, count: min(SPIFlash.readTransactionBytes, total - result.bytes))
                    try sink(block)
                    result.bytes += block.count
                    progress?(Progress(phase: "reading", done: result.bytes, total: total))
                }
            }
        } catch {
            result.failure = error
        }
        return result
    }

    /// Compares the flash at `address` with `source`, sector by sector; fails naming the first difference.
    public func verifyFlash(_ arriving: any ByteSource, at address: Int, options: FlashJobOptions = FlashJobOptions(),
                            progress: ProgressHandler? = nil) -> FlashVerifyResult {
        let source = inflating(arriving)
        var result = FlashVerifyResult()
        result.address = address
        result.input = source.name
        do throws(TapWalkerError) {
            var input: PrefetchedSource?
            try flashJob(options, &result.access, precheck: { (_) throws(TapWalkerError) in
                guard address >= 0 else { throw TapWalkerError(.usage, "a flash address cannot be negative") }
                let ahead = try PrefetchedSource(source, limit: heldFlashInput, track: false)
                if ahead.prefix.isEmpty { throw TapWalkerError(.input, "\(source.name) is empty; nothing to compare") }
                try BoardPolicy.refuseSVF(ahead)
                input = ahead
            }) { (session) throws(TapWalkerError) in
                guard let input else { return }
                let flash = session.flash
                let sector = FlashChip.sectorSize
                var chunk = [UInt8](repeating: 0, count: sector)
                while true {
                    let want = sector - (address + result.bytes) % sector
                    let have = try input.fill(&chunk, count: want)
                    if have == 0 { break }
                    let at = address + result.bytes
                    guard at + have <= flash.chip.size else {
                        throw TapWalkerError(.usage, "\(source.name) does not fit the \(flash.chip.size >> 20) MB \(flash.chip.name) at \(BoardText.address(address))")
                    }
                    let got = try flash.read(address: at, count: have)
                    result.sectorsTotal += 1
                    var same = true
                    for k in 0..<have where got[k] != chunk[k] {
                        same = false
                        if result.firstDifference == nil { result.firstDifference = at + k }
                        break
                    }
                    if same { result.sectorsMatching += 1 } else { result.sectorsDiffering += 1 }
                    result.bytes += have
                    progress?(Progress(phase: "verifying", done: result.bytes, total: input.totalBytes))
                    if have < want { break }
                }
            }
            if let at = result.firstDifference {
                throw TapWalkerError(.data, "the flash differs from \(source.name): first at \(BoardText.address(at))")
            }
        } catch {
            result.failure = error
        }
        return result
    }

    /// Erases `length` bytes at `address` (multiples of 4 KB; only sectors not already blank), or
    /// the whole chip when `address` is nil (refused while anything is protected).
    public func eraseFlash(at address: Int?, length: Int, options: FlashJobOptions = FlashJobOptions(),
                           progress: ProgressHandler? = nil) -> FlashEraseResult {
        var result = FlashEraseResult()
        result.wholeChip = address == nil
        result.address = address ?? 0
        result.length = length
        let erased = address.map { "the flash from \(BoardText.address($0)) may be partly erased" } ?? "the flash may be partly erased"
        do throws(TapWalkerError) {
            try flashJob(options, &result.access, changes: erased, precheck: { (_) throws(TapWalkerError) in
                guard let address else { return }
                let sector = FlashChip.sectorSize
                guard address >= 0, address % sector == 0, length % sector == 0, length > 0 else {
                    throw TapWalkerError(.usage, "the address and length of an erase must be multiples of 4 KB (0x1000); nothing was erased")
                }
            }) { (session) throws(TapWalkerError) in
                let flash = session.flash
                guard let address else {
                    let protected = try flash.protectedRange()
                    guard protected.isEmpty else {
                        throw TapWalkerError(.device, "the \(flash.chip.name) protects \(BoardText.range(protected)); the chip refuses a chip erase; nothing was erased")
                    }
                    try flash.eraseChip()
                    result.length = flash.chip.size
                    return
                }
                // Erasing is writing 0xFF: the compare-first writer skips blank sectors and merges erases.
                let writer = FlashWriter(flash: flash)
                try writer.check(count: length, at: address)
                try writer.write(from: BlankSource(count: length), at: address, report: &result.report, progress: progress)
            }
        } catch {
            result.failure = error
        }
        return result
    }

    /// Protects exactly `range` by the chip's own table; sets the chip's one-time top/bottom bit
    /// only when `setOneTimeBottom` (permanent). An empty range removes the protection.
    public func protectFlash(_ range: Range<Int>, setOneTimeBottom: Bool = false, options: FlashJobOptions = FlashJobOptions()) -> FlashProtectionResult {
        var result = FlashProtectionResult()
        do throws(TapWalkerError) {
            try flashJob(options, &result.access) { (session) throws(TapWalkerError) in
                let flash = session.flash
                let scheme = flash.chip.protection
                let size = flash.chip.size
                var current = try flash.readProtectionRegisters()
                result.before = scheme.protectedRange(current, size: size)
                var wanted = scheme.registers(protecting: range, size: size, from: current)
                if wanted == nil, setOneTimeBottom, !scheme.otpBottom(current) {
                    try flash.setBottomProtectionOTP()
                    result.otpChanged = true
                    current = try flash.readProtectionRegisters()
                    wanted = scheme.registers(protecting: range, size: size, from: current)
                }
                guard let wanted else {
                    var why = "the \(flash.chip.name) cannot protect exactly \(BoardText.address(range.lowerBound)):\(BoardText.address(range.upperBound)) by its protection table"
                    if range.lowerBound == 0, !scheme.otpBottom(current),
                       scheme.registers(protecting: (size - range.count)..<size, size: size, from: current) != nil {
                        why += "; a range at the bottom needs the chip's one-time top/bottom bit"
                        result.needsOneTimeBottom = true
                    }
                    throw TapWalkerError(.usage, why + "; nothing was changed")
                }
                try flash.writeProtection(wanted)
                result.after = try flash.protectedRange()
            }
        } catch {
            result.failure = error
        }
        return result
    }

    /// Removes the block protection (one-time bits stay as they are).
    public func unprotectFlash(options: FlashJobOptions = FlashJobOptions()) -> FlashProtectionResult {
        protectFlash(0..<0, options: options)
    }

    // MARK: - SD card

    /// A raw image onto the SD card at byte `offset` (negative: from the end), in whole blocks.
    public func writeSD(_ arriving: any ByteSource, offset: Int, progress: ProgressHandler? = nil) -> SDWriteResult {
        let source = inflating(arriving)
        guard let card = sdCard else {
            var result = SDWriteResult()
            result.offset = offset
            result.failure = TapWalkerError(.usage, "sd@\(offset): this server has no SD card; nothing was written")
            return result
        }
        let decoder: HeapAdmission.Ticket?
        do throws(TapWalkerError) {
            decoder = try admitDecoder(source)
        } catch {
            var result = SDWriteResult()
            result.card = card.name
            result.offset = offset
            result.start = offset
            result.failure = error
            return result
        }
        defer { finishDecoder(decoder) }
        return SDCardWriter.write(source, to: card, offset: offset, clock: clock, progress: progress)
    }
}

/// `count` bytes of 0xFF: what an erase writes.
final class BlankSource: ByteSource {
    private var left: Int
    init(count: Int) { left = count }
    var name: String { "erase" }
    var totalBytes: Int? { left }
    func read(into buffer: UnsafeMutableRawBufferPointer) throws(TapWalkerError) -> Int {
        let n = min(buffer.count, left)
        for i in 0..<n { buffer[i] = 0xFF }
        left -= n
        return n
    }
}
