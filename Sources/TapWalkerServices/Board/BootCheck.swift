import TapWalkerCore

/// `flash boot-check`: what the FPGA would boot from the flash, read as the FPGA reads it.
public struct BootCheckResult: Sendable {
    public var access = FlashAccess()
    public var failure: TapWalkerError?

    public init() {}

    public var boot: ColdBootOutcome? { access.boot }
}

/// `flash multiboot`: the dual-boot layout written, and the boot checks around it.
public struct MultibootResult: Sendable {
    public var access = FlashAccess()
    public var layout: MultibootLayout?
    /// Each region written: what, where, and the writer's report.
    public var writes: [(name: String, address: Int, report: FlashWriter.Report)] = []
    /// The boot check of the layout in memory with the primary image damaged on purpose.
    public var rehearsal: ColdBootOutcome?
    public var failure: TapWalkerError?

    public init() {}
}

extension BoardService {
    /// Reads the flash and runs the cold boot the FPGA would run (`ColdBoot`), both paths, without
    /// configuring the FPGA from it; the job's closing reload is the FPGA's own boot as usual.
    public func checkBoot(_ options: FlashJobOptions = FlashJobOptions()) -> BootCheckResult {
        var result = BootCheckResult()
        do throws(TapWalkerError) {
            try flashJob(options, &result.access, checksBoot: true) { (_) throws(TapWalkerError) in }
            if let boot = result.access.boot, boot.loaded == nil {
                throw TapWalkerError(.data, "the FPGA would boot nothing from this flash: \(boot.primary.reason ?? "")\(BootCheckText.fallbackClause(boot))")
            }
        } catch {
            result.failure = error
        }
        return result
    }

    /// Where `flash write --primary` writes: the primary image's address (0, or where a JUMP at 0
    /// points), refusing before anything changes an image that would reach the golden image or
    /// the jump table (unless `force`).
    func primaryAddress(_ flash: SPIFlash, _ input: PrefetchedSource, _ part: Part?, force: Bool) throws(TapWalkerError) -> Int {
        guard let part else { return 0 }
        let before = try ColdBoot(flash: flash, part: part).check()
        let address = before.primary.jumps.first ?? 0
        guard let golden = before.fallback, !force else { return address }
        let count = input.totalBytes ?? part.maximumBitstreamBytes
        let goldenEnd = golden.imageAddress + (golden.size ?? part.maximumBitstreamBytes)
        let table = flash.chip.size - ColdBoot.jumpTableBytes
        if address < goldenEnd && address + count > golden.imageAddress || address + count > table {
            throw TapWalkerError(.usage, "\(input.name) (\(count) bytes at \(BoardText.address(address))) would overwrite the golden image at \(BoardText.address(golden.imageAddress)) or the jump table at \(BoardText.address(table)); nothing was written", remedy: .force)
        }
        return address
    }

    /// Writes the dual-boot layout (`MultibootLayout`): checks both images as boot images and
    /// rehearses the layout in memory with the primary damaged (the golden image must then
    /// load) before the flash changes, writes each region compare-first, then checks the boot.
    public func writeMultiboot(golden: any ByteSource, primary: any ByteSource, primaryAddress: Int, goldenAddress: Int?,
                               options: FlashJobOptions = FlashJobOptions(), progress: ProgressHandler? = nil) -> MultibootResult {
        var result = MultibootResult()
        var images: [[UInt8]] = []
        var boardPart: Part?
        do throws(TapWalkerError) {
            try flashJob(options, &result.access, checksBoot: true,
                         changes: "the flash may hold part of the new layout (the primary, the golden image or the jump table)",
                         precheck: { (part) throws(TapWalkerError) in
                boardPart = part
                for source in [inflating(primary), inflating(golden)] {
                    let ahead = try PrefetchedSource(source, limit: inputLimit(part), track: false)
                    try BoardPolicy.refuseSVF(ahead)
                    if !options.force { try BoardPolicy.checkBootImage(ahead, part: part) }
                    guard ahead.complete else { throw TapWalkerError(.input, "\(source.name) is longer than any bitstream for \(part.name); nothing was written") }
                    images.append(ahead.prefix)
                }
            }) { (session) throws(TapWalkerError) in
                let flash = session.flash
                let layout = try MultibootLayout(flashSize: flash.chip.size, primaryAddress: primaryAddress, primaryBytes: images[0].count,
                                                 goldenAddress: goldenAddress, goldenBytes: images[1].count, room: boardPart?.maximumBitstreamBytes ?? 0)
                result.layout = layout
                if let part = boardPart, !options.force {
                    result.rehearsal = try MultibootLayout.rehearse(layout, primary: images[0], golden: images[1], part: part)
                }
                let writer = FlashWriter(flash: flash)
                var regions = [("golden", layout.goldenAddress, images[1]), ("primary", layout.primaryAddress, images[0])]
                for jump in layout.jumps { regions.append(("jump", jump.address, jump.bytes)) }
                for (name, at, bytes) in regions {
                    let report = try writer.write(bytes, at: at, verify: options.verify, progress: progress)
                    result.writes.append((name, at, report))
                }
            }
            if let boot = result.access.boot, let why = boot.primary.reason {
                throw TapWalkerError(.data, "the layout was written, but the FPGA would not boot its primary image: \(why)\(BootCheckText.fallbackClause(boot))")
            }
            if let boot = result.access.boot, boot.fallback?.loads != true {
                throw TapWalkerError(.data, "the layout was written, but the golden image would not load: \(boot.fallback?.reason ?? "no jump table")")
            }
        } catch {
            result.failure = error
        }
        return result
    }
}

extension MultibootLayout {
    /// The layout in memory with one byte of the primary image's frames flipped: the boot check
    /// must then fall back to the golden image. Refuses a layout whose golden image would not save
    /// the board.
    static func rehearse(_ layout: MultibootLayout, primary: [UInt8], golden: [UInt8], part: Part) throws(TapWalkerError) -> ColdBootOutcome {
        var damaged = primary
        damaged[damaged.count / 2] ^= 0x10
        var pieces = [(layout.primaryAddress, damaged), (layout.goldenAddress, golden)]
        for jump in layout.jumps { pieces.append((jump.address, jump.bytes)) }
        let outcome = try ColdBoot(flash: MemoryBootFlash(size: layout.flashSize, pieces: pieces), part: part).check()
        guard outcome.loaded?.start != 0, outcome.loaded?.imageAddress == layout.goldenAddress else {
            throw TapWalkerError(.data, "with the primary image damaged, the FPGA would not fall back to the golden image (\(outcome.fallback?.reason ?? outcome.primary.reason ?? "")); nothing was written")
        }
        return outcome
    }
}
