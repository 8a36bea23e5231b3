import TapWalkerCore

/// The HTTP routes' board jobs, run by the board service under its one-job lock and rendered as
/// the command line's `--json` objects (`JSONObject.result()` and the same `add` methods), with
/// `message` (the line the command line prints on success) and `advice` (the status register's
/// BSE advice) for the page. The policy is the board service's: nothing is re-checked here.
public final class HTTPBoardService: HTTPBoardActions {
    public let board: BoardService
    private let mutex: any PlatformMutex
    /// The flash chip and its protection as the last flash job through this server found them:
    /// reading them takes a flash job, which stops the running design, so `GET /api/board` reports
    /// these unless asked to look (`flash=1`).
    private var knownChip: FlashChip?
    private var knownProtection: Range<Int>?

    public init(board: BoardService, mutex: any PlatformMutex) {
        self.board = board
        self.mutex = mutex
    }

    /// Runs `body` holding the board as `holder`, or answers busy naming who holds it.
    private func holding(_ holder: String, _ body: () -> HTTPBoardAnswer) -> HTTPBoardAnswer {
        switch board.holding(holder, body) {
        case .success(let answer): return answer
        case .failure(let busy): return .busy(holder: busy.holder)
        }
    }

    private func remember(_ access: FlashAccess, protection: Range<Int>? = nil) {
        mutex.lock()
        if let chip = access.chip { knownChip = chip }
        if let protection { knownProtection = protection }
        mutex.unlock()
    }

    // MARK: - GET /api/board

    /// The board; with `readFlash`, the flash chip and protection are read now (a flash job: the
    /// FPGA is reloaded from flash after, as `tapwalker flash info` does).
    public func describe(holder: String, readFlash: Bool) -> HTTPBoardAnswer {
        holding(holder) {
            let identity = board.identify()
            if let failure = identity.failure { return failed(failure, status: identity.status) }
            var info: FlashInfoResult?
            if readFlash {
                let result = board.flashInfo()
                if let failure = result.failure { return failed(failure, status: result.access.status) }
                remember(result.access, protection: result.protected)
                info = result
            }
            mutex.lock()
            let chip = knownChip
            let protection = knownProtection
            mutex.unlock()
            let status = info?.access.status ?? identity.status
            var out = JSONObject()
            out["ok"] = .bool(true)
            out["part"] = .optional(identity.part?.name)
            out["idcode"] = identity.idcode.map { .int(Int($0)) } ?? .null
            out["done"] = status.map { .bool($0.configured) } ?? .null
            out["status"] = .hex(status?.raw)
            out["status_text"] = .optional(status?.summary)
            var lines = identity.statusLines
            if readFlash, let status { var id = identity; id.status = status; lines = id.statusLines }
            out["status_lines"] = .array(lines.map { .string($0) })
            out["usercode"] = identity.usercode.map { .int(Int($0)) } ?? .null
            out["flash"] = .optional(chip?.name)
            out["protection"] = protection.map { .string($0.isEmpty ? "none" : BoardText.range($0)) } ?? .null
            // Held by this request now; another holder would have been answered 409 naming it.
            out["holder"] = .null
            // The cable's totals since it was opened (a simulated board also gives its time).
            out.addStatistics(board.cable)
            return .done(json: out.serialized())
        }
    }

    // MARK: - Jobs

    public func openURL(_ url: String) throws(TapWalkerError) -> any ByteSource { try board.openURL(url) }

    public func run(_ job: HTTPBoardJob, input: any ByteSource, holder: String, events: HTTPJobEvents) -> HTTPBoardAnswer {
        let progress: ProgressHandler = { events.progress(bytes: $0.done, total: $0.total) }
        switch job {
        case .sram:
            return holding("\(holder) loading the FPGA") {
                let before = board.cable.statistics
                events.start(job: "fpga", holder: holder)
                let result = board.loadSRAM(input, progress: progress)
                var out = JSONObject.result()
                out.add(result)
                out.addStatistics(from: before, to: board.cable.statistics)
                return answer(out, failure: result.failure, status: result.status, message: result.summary)
            }
        case .flash(let address):
            return holding("\(holder) writing flash@\(BoardText.address(address))") {
                let before = board.cable.statistics
                events.start(job: "flash@\(BoardText.address(address))", holder: holder)
                let result = board.writeFlash(input, at: address, progress: progress)
                remember(result.access)
                var out = JSONObject.result()
                out.add(result)
                out.addStatistics(from: before, to: board.cable.statistics)
                return answer(out, failure: result.failure, status: result.access.status, message: result.summary)
            }
        case .sd(let offset):
            return holding("\(holder) writing sd@\(offset)") {
                let before = board.cable.statistics
                events.start(job: "sd@\(offset)", holder: holder)
                let result = board.writeSD(input, offset: offset, progress: progress)
                var out = JSONObject.result()
                out["addr"] = .int(result.start)
                out["bytes"] = .int(result.written.count)
                out["written"] = JSONObject.range(result.written)
                out["file_system"] = .optional(result.fileSystem)
                out.addStatistics(from: before, to: board.cable.statistics)
                return answer(out, failure: result.failure, status: nil, message: result.summary)
            }
        case .bootCheck:
            return holding("\(holder) checking the boot from flash") {
                let before = board.cable.statistics
                events.start(job: "boot check", holder: holder)
                let result = board.checkBoot()
                remember(result.access)
                var out = JSONObject.result()
                out.add(result.access)
                out.addStatistics(from: before, to: board.cable.statistics)
                let message = result.boot.map { BootCheckText.lines($0).joined(separator: "\n") } ?? ""
                return answer(out, failure: result.failure, status: result.access.status, message: message)
            }
        case .reload:
            return holding("\(holder) reloading the FPGA") {
                let before = board.cable.statistics
                events.start(job: "reload", holder: holder)
                let result = board.reload()
                var out = JSONObject.result()
                out.add(result)
                out.addStatistics(from: before, to: board.cable.statistics)
                let message = "FPGA reloaded from flash: DONE (status \(ASCII.hex(result.status?.raw ?? 0)), usercode \(ASCII.hex(result.usercode ?? 0)))"
                return answer(out, failure: result.failure, status: result.status, message: message)
            }
        case .mountSD:
            return holding("\(holder) mounting the SD card") { sdFileSystem(mount: true) }
        case .releaseSD:
            return holding("\(holder) releasing the SD card") { sdFileSystem(mount: false) }
        }
    }

    /// Mounts or releases the card's file system: {"ok":true,"message":"…"}, or why not.
    private func sdFileSystem(mount: Bool) -> HTTPBoardAnswer {
        guard let card = board.sdCard else {
            return answer(JSONObject.result(), failure: TapWalkerError(.usage, "this server has no SD card"), status: nil, message: "")
        }
        do throws(TapWalkerError) {
            let message = mount ? try card.mount() : try card.unmount()
            return answer(JSONObject.result(), failure: nil, status: nil, message: message)
        } catch {
            return answer(JSONObject.result(), failure: error, status: nil, message: "")
        }
    }

    public func readFlash(
        address: Int, length: Int, holder: String, events: HTTPJobEvents,
        output: (UnsafeRawBufferPointer) throws(TapWalkerError) -> Void
    ) -> HTTPBoardAnswer {
        holding("\(holder) reading flash@\(BoardText.address(address))") {
            events.start(job: "flash dump", holder: holder)
            let result = board.readFlash(at: address, count: length, progress: { events.progress(bytes: $0.done, total: $0.total) }) {
                (block) throws(TapWalkerError) in
                try block.withBytes { (p) throws(TapWalkerError) in try output(p) }
            }
            remember(result.access)
            var out = JSONObject.result()
            out.add(result.access)
            out["addr"] = .int(result.address)
            out["bytes"] = .int(result.bytes)
            return answer(out, failure: result.failure, status: result.access.status,
                          message: "flash@\(BoardText.address(address)): \(result.bytes) bytes read")
        }
    }

    // MARK: - Rendering

    /// `out` with `ok`, `error` and `message`, and the BSE advice of `status` when it has an error.
    private func answer(_ out: JSONObject, failure: TapWalkerError?, status: StatusRegister?, message: String) -> HTTPBoardAnswer {
        var out = out
        let advice = status?.bseAdvice
        out["advice"] = .optional(advice)
        if let failure {
            out["ok"] = .bool(false)
            out["error"] = .string(failure.message)
            return .failed(status: HTTPBoardService.httpStatus(failure), json: out.serialized())
        }
        out["ok"] = .bool(true)
        out["message"] = .string(message)
        return .done(json: out.serialized())
    }

    private func failed(_ failure: TapWalkerError, status: StatusRegister?) -> HTTPBoardAnswer {
        var out = JSONObject.result()
        out.add(status: status)
        return answer(out, failure: failure, status: status, message: "")
    }

    /// 422 for what the input or the request got wrong (a wrong part, a bad address, an input
    /// past the end of the flash), 502 when the cable failed, 500 when the board did.
    static func httpStatus(_ error: TapWalkerError) -> Int {
        switch error.kind {
        case .usage, .input, .data: return 422
        case .cable: return 502
        case .device: return 500
        }
    }
}
