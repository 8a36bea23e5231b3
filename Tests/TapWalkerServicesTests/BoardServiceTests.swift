import Foundation
import TapWalkerCore
import TapWalkerServices
import TapWalkerSim
import Testing

/// The board service against the simulated board: every job's result, and the policy that a
/// running design survives every refused job and a flash is never changed by a refused one.
@Suite("BoardService")
struct BoardServiceTests {
    let blink = Examples.bytes("blink-25f.bit")

    @Test("identify reads IDCODE, part, status and USERCODE without stopping the design")
    func identify() {
        let f = BoardFixture()
        let identity = f.board.identify()
        #expect(identity.failure == nil)
        #expect(identity.idcode == 0x4111_1043 && identity.part?.name == "LFE5U-25F")
        #expect(identity.status?.done == true && identity.usercode != nil)
        #expect(f.done)
    }

    /// Every reason a flash job is refused, each on a board running its design: the design still
    /// runs afterwards and no byte of the flash changed.
    @Test("a refused flash job leaves the design running and the flash byte-identical")
    func refusedFlashJobs() {
        let noise = (0..<5000).map { UInt8(truncatingIfNeeded: $0 &* 131 &+ 7) }
        let jobs: [(String, (BoardService) -> TapWalkerError?)] = [
            ("wrong part at 0", { $0.writeFlash(MemorySource(Examples.bytes("blink-85f.bit")), at: 0).failure }),
            ("truncated at 0", { $0.writeFlash(MemorySource(Array(blink.prefix(300_000))), at: 0).failure }),
            ("truncated stream at 0", { $0.writeFlash(StreamSource(Array(blink.prefix(300_000))), at: 0).failure }),
            ("not a bitstream at 0", { $0.writeFlash(MemorySource(noise), at: 0).failure }),
            ("empty input", { $0.writeFlash(MemorySource([]), at: 0x200000).failure }),
            ("does not fit", { $0.writeFlash(MemorySource(noise), at: 0xFFF000).failure }),
            ("negative address", { $0.writeFlash(MemorySource(noise), at: -4096).failure }),
            ("erase not aligned", { $0.eraseFlash(at: 0x1001, length: 4096).failure }),
            ("read past the end", { $0.readFlash(at: 0xFFF000, count: 8192) { _ in }.failure }),
            ("protect a range the chip has no entry for", { $0.protectFlash(0x1000..<0x3000).failure }),
            ("verify a different image", { $0.verifyFlash(MemorySource(noise), at: 0).failure }),
        ]
        for (name, job) in jobs {
            let f = BoardFixture()
            let before = f.image
            #expect(f.done)
            let failure = job(f.board)
            #expect(failure != nil, "\(name) was not refused")
            #expect(f.done, "\(name): the design stopped")
            let unchanged = f.image == before
            #expect(unchanged, "\(name): the flash changed")
        }
    }

    @Test("protected ranges refuse writes and a chip erase; protect and unprotect keep the design running")
    func protection() {
        let f = BoardFixture()
        let protect = f.board.protectFlash(0..<0x200000)
        #expect(protect.failure == nil && protect.after == 0..<0x200000)
        #expect(f.done)
        let before = f.image
        let write = f.board.writeFlash(MemorySource(blink), at: 0)
        #expect(write.failure?.message.contains("protected range") == true)
        #expect(f.board.eraseFlash(at: nil, length: 0).failure != nil)
        let unchanged = f.image == before
        #expect(unchanged && f.done)
        let unprotect = f.board.unprotectFlash()
        #expect(unprotect.failure == nil && unprotect.after?.isEmpty == true && unprotect.before == 0..<0x200000)
        #expect(f.done)
    }

    @Test("--no-reload and --keep-running decide what the FPGA runs after a flash job")
    func reloadOptions() {
        let f = BoardFixture()
        let info = f.board.flashInfo(FlashJobOptions(noReload: true))
        #expect(info.failure == nil && info.access.reload == nil && info.access.done == false)
        #expect(!f.done)
        let back = f.board.reload()
        #expect(back.failure == nil && f.done)
    }

    @Test("flash info decodes the chip's registers by its table")
    func flashInfo() {
        let f = BoardFixture(chip: "is25lp128")
        let info = f.board.flashInfo()
        #expect(info.failure == nil)
        #expect(info.access.chip?.name.contains("IS25LP128") == true)
        #expect(info.protected?.isEmpty == true)
        #expect(info.registerText.contains("BP=0") && info.registerText.contains("TBS=0 (one-time)"))
        #expect(info.access.reload?.done == true)
    }

    @Test("a write at 0 of a complete bitstream for the part boots; elsewhere any data goes")
    func writes() {
        let f = BoardFixture(booted: false)
        let boot = f.board.writeFlash(StreamSource(blink), at: 0)
        #expect(boot.failure == nil, "\(boot.failure?.message ?? "")")
        #expect(boot.written == 0..<blink.count && boot.access.reload?.done == true)
        let holds = Array(f.image.prefix(blink.count)) == blink
        #expect(holds)
        let data = (0..<10_000).map { UInt8(truncatingIfNeeded: $0) }
        let other = f.board.writeFlash(MemorySource(data), at: 0x200000)
        #expect(other.failure == nil && other.written == 0x200000..<(0x200000 + data.count))
        let verify = f.board.verifyFlash(MemorySource(data), at: 0x200000)
        #expect(verify.matches && verify.bytes == data.count)
        var back: [UInt8] = []
        let read = f.board.readFlash(at: 0x200000, count: data.count) { back += $0 }
        let same = back == data
        #expect(read.failure == nil && same)
    }

    @Test("a forced image at 0 that is not a bitstream fails with the boot warning")
    func forcedBootImage() {
        let f = BoardFixture()
        let noise = [UInt8](repeating: 0x5A, count: 8192)
        let r = f.board.writeFlash(MemorySource(noise), at: 0, options: FlashJobOptions(force: true))
        #expect(r.failure?.message.contains("will not boot") == true)
        #expect(r.failure?.message.contains("to recover") == true)
        #expect(r.written == 0..<8192)
        #expect(!f.done)
    }

    @Test("a stream of unknown length at the end of the flash is refused naming what is known of its size, not 1 byte")
    func streamAtTheEnd() {
        let f = BoardFixture()
        let big = f.board.writeFlash(StreamSource([UInt8](repeating: 0x42, count: 582_369)), at: 0x1000000)
        let message = big.failure?.message ?? ""
        #expect(message.contains("an image of at least ") && !message.contains("an image of 1 bytes") && message.contains("nothing was written"), "\(message)")
        // Held whole (short): its exact size.
        let small = f.board.writeFlash(StreamSource([UInt8](repeating: 0x42, count: 5000)), at: 0x1000000)
        #expect(small.failure?.message.contains("an image of 5000 bytes at 0x1000000") == true, "\(small.failure?.message ?? "")")
    }

    @Test("a stream that runs past the end of the flash is written up to the end, and the result says exactly what")
    func pastTheEnd() {
        let f = BoardFixture()
        // Longer than the 64 KB read ahead, so its length is not known when the writing starts.
        let data = [UInt8](repeating: 0x42, count: 0x20000)
        let r = f.board.writeFlash(StreamSource(data), at: 0xFF0000)
        #expect(r.written == 0xFF0000..<0x1000000)
        #expect(r.cutAt == 0x1000000)
        let message = r.failure?.message ?? ""
        #expect(message.contains("0xff0000–0xffffff were written and verified"), "\(message)")
        #expect(!message.contains("nothing was written"))
        let written = Array(f.image[0xFF0000..<0x1000000]) == [UInt8](repeating: 0x42, count: 0x10000)
        #expect(written)
        #expect(f.done)
        // Short enough to be held whole: refused before anything is written.
        let before = f.image
        let short = f.board.writeFlash(StreamSource([UInt8](repeating: 0x17, count: 12_288)), at: 0xFFE000)
        #expect(short.failure?.message.contains("nothing was written") == true && short.written.isEmpty)
        let unchanged = f.image == before
        #expect(unchanged)
    }

    @Test("an SRAM load of a bitstream prefix is refused before the erase; a whole one loads")
    func sramLoads() {
        let f = BoardFixture()
        let prefix = f.board.loadSRAM(MemorySource(Array(blink.prefix(1000))))
        #expect(prefix.failure != nil && !prefix.sramTouched)
        #expect(f.done, "the running design survives")
        let wrong = f.board.loadSRAM(MemorySource(Examples.bytes("blink-85f.bit")))
        #expect(wrong.failure?.message.contains("LFE5U-85F") == true && !wrong.sramTouched && f.done)
        var long = blink
        long += [UInt8](repeating: 0, count: Part.named("25f")!.maximumBitstreamBytes)
        let tooLong = f.board.loadSRAM(StreamSource(long))
        #expect(tooLong.failure?.message.contains("more than") == true && !tooLong.sramTouched && f.done)
        let ok = f.board.loadSRAM(StreamSource(Examples.bytes("ram-25f.bit")))
        #expect(ok.failure == nil && ok.checkedBeforeErase && ok.done)
    }

    @Test("an SRAM load identifies the board once: it costs the TCK cycles of the programmer alone, which reads the IDCODE itself")
    func identifiedOnce() {
        let bits = Examples.bytes("ram-25f.bit")
        let alone = BoardFixture()
        let before = alone.sim.statistics.tckCycles
        let report = SRAMProgrammer(port: ECP5Port(walker: TapWalker(cable: alone.sim))).program(MemorySource(bits))
        #expect(report.ok && report.done)
        let programmerCycles = alone.sim.statistics.tckCycles - before
        let f = BoardFixture()
        let start = f.sim.statistics.tckCycles
        let loaded = f.board.loadSRAM(MemorySource(bits))
        #expect(loaded.failure == nil && loaded.done && loaded.idcode == Part.named("25f")!.idcode)
        #expect(f.sim.statistics.tckCycles - start == programmerCycles, "IDCODE read once, by the service")
    }

    @Test("the service takes inputs as they arrive: gzip and zlib inflated, SVF text refused by content before anything changes")
    func inputsAsTheyArrive() throws {
        let f = BoardFixture()
        let bits = Examples.bytes("ram-25f.bit")
        for format in [CompressedStream.Format.gzip, .zlib] {
            let packed = try Deflater.compress(bits, windowBits: 15, format: format)
            let loaded = f.board.loadSRAM(StreamSource(packed))
            #expect(loaded.failure == nil && loaded.done, "\(format): \(loaded.failure?.message ?? "")")
        }
        let booted = BoardFixture()
        let image = booted.image
        let svf = Examples.bytes("blink-25f.svf")
        let gzSVF = try Deflater.compress(svf, windowBits: 15, format: .gzip)
        for input in [StreamSource(svf, name: "blink.bit"), StreamSource(gzSVF, name: "blink.bit.gz")] {
            let sram = booted.board.loadSRAM(input)
            #expect(sram.failure?.message.contains("\(input.name) is an SVF file") == true && !sram.sramTouched, "\(sram.failure?.message ?? "")")
            #expect(sram.failure?.message.contains("--") == false, "no command-line flag in a message every front end shows")
        }
        let flash = booted.board.writeFlash(StreamSource(svf, name: "blink.svf"), at: 0x200000)
        #expect(flash.failure?.message.contains("blink.svf is an SVF file") == true, "\(flash.failure?.message ?? "")")
        #expect(booted.done && booted.image == image, "the design runs on and the flash is unchanged")
    }

    @Test("with a device's small read-ahead, an input whose announced size is past the part's bound is refused before the erase")
    func announcedSizeBound() {
        let f = BoardFixture()
        f.board.inputBufferLimit = 16384
        var long = blink
        long += [UInt8](repeating: 0xFF, count: Part.named("25f")!.maximumBitstreamBytes)
        // MemorySource announces its size, as a file or a download with Content-Length does.
        let tooLong = f.board.loadSRAM(MemorySource(long, name: "big.bit"))
        #expect(tooLong.failure?.message.contains("big.bit has \(long.count) bytes, more than any LFE5U-25F bitstream holds") == true, "\(tooLong.failure?.message ?? "")")
        #expect(!tooLong.sramTouched && f.done, "the running design survives")
        // Without an announced size the same input is checked on its way through, as before.
        let ok = f.board.loadSRAM(MemorySource(blink))
        #expect(ok.failure == nil && ok.done && !ok.checkedBeforeErase)
    }

    @Test("every real bitstream fits its part's largest bitstream, so the bound refuses none of them")
    func bitstreamBound() throws {
        let manifest = try String(contentsOf: Examples.url("manifest.tsv"), encoding: .utf8)
        let rows = manifest.split(separator: "\n").dropFirst().map { $0.split(separator: "\t").map(String.init) }
        #expect(rows.count >= 16)
        for row in rows {
            let part = try #require(Part.named(row[2]), "\(row)")
            let bytes = try #require(Int(row[6]))
            #expect(bytes < part.maximumBitstreamBytes, "\(row[0]): \(bytes) bytes")
            #expect(part.maximumBitstreamBytes < 3 * part.frames * part.bytesPerFrame, "\(part.name): the bound stays near the part's size")
        }
    }

    @Test("passthru picks the file for the FPGA's IDCODE")
    func passthru() {
        let f = BoardFixture(booted: false)
        let files = MemoryFiles()
        let missing = f.board.loadPassthru(from: "/p", files: files)
        #expect(missing.failure?.message.contains("/p/passthru41111043.bit") == true)
        files.files["/p/passthru41111043.bit.gz"] = blink
        let r = f.board.loadPassthru(from: "/p", files: files)
        #expect(r.failure == nil && r.input == "/p/passthru41111043.bit.gz" && f.done)
    }

    @Test("SD writes change whole blocks only and never claim an overflowing upload")
    func sdCard() {
        let card = MemoryCard(blocks: 8)
        let f = BoardFixture()
        let board = BoardService(cable: f.sim, lock: JobLock(mutex: NoMutex()), sdCard: card, clock: ManualClock())
        let over = board.writeSD(MemorySource([UInt8](repeating: 1, count: 1024)), offset: -512)
        #expect(over.failure != nil)
        #expect(over.written == 3584..<4096)
        #expect(card.writes.allSatisfy { $0.lowerBound % 512 == 0 && $0.count % 512 == 0 })
        let last = Array(card.bytes[3584..<4096]) == [UInt8](repeating: 1, count: 512)
        #expect(last)
        // A partial last block keeps the rest of the block as it was.
        let part = board.writeSD(MemorySource([UInt8](repeating: 2, count: 700)), offset: 0)
        #expect(part.failure == nil && part.written == 0..<700)
        #expect(card.writes.last == 0..<1024)
        let kept = Array(card.bytes[700..<1024]) == [UInt8](repeating: 0xA5, count: 324)
        #expect(kept)
    }

    @Test("a cable that drops mid-write is a cable error that says running the job again finishes it")
    func droppedCable() {
        let f = BoardFixture(booted: true, cable: { DroppingCable($0, after: 3_000_000) })
        let data = (0..<300_000).map { UInt8(truncatingIfNeeded: $0 &* 7) }
        let r = f.board.writeFlash(MemorySource(data), at: 0x200000)
        #expect(r.failure?.kind == .cable)
        #expect(r.failure?.message.contains("again") == true, "\(r.failure?.message ?? "")")
    }

    @Test("holding runs a job with the board held and gives it back after a throw; a busy board runs nothing and names its holder")
    func holding() throws {
        let f = BoardFixture(booted: false)
        var ran = false
        let busy = f.board.holding("the serial console running prog") { () -> Int in
            #expect(f.board.lock.currentHolder == "the serial console running prog")
            let inner = f.board.holding("FTP client 10.0.0.9:1 uploading to fpga") { () -> Int in ran = true; return 1 }
            guard case .failure(let refusal) = inner else { Issue.record("a second job ran while the board was held"); return 0 }
            #expect(refusal.holder == "the serial console running prog")
            #expect(refusal.message == "the board is busy: the serial console running prog; nothing was done, try again when it is free")
            return 2
        }
        #expect(!ran)
        #expect((try? busy.get()) == 2)
        #expect(f.board.lock.currentHolder == nil)
        #expect(throws: TapWalkerError.self) {
            _ = try f.board.holding("a job that fails") { () throws(TapWalkerError) -> Int in throw TapWalkerError(.cable, "cut") }
        }
        #expect(f.board.lock.currentHolder == nil, "the board is given back when the job throws")
    }

    @Test("a stored input is a regular file of the store, confined to it, relative to the directory; a URL needs a URL opener")
    func storedInputs() throws {
        let f = BoardFixture(booted: false)
        let store = MemoryFileStore()
        store.directories.insert("/bits")
        store.files["/bits/blink.bit"] = [1, 2, 3]
        let source = try f.board.openInput("blink.bit", in: store, directory: Array("/bits".utf8))
        #expect(source.name == "/bits/blink.bit" && source.totalBytes == 3)
        #expect(try BoardService.storedPath("../bits/blink.bit", in: store, directory: Array("/bits".utf8)) == "/bits/blink.bit")
        func refusal(_ name: String) -> TapWalkerError? {
            do { _ = try f.board.openInput(name, in: store); return nil } catch { return error }
        }
        #expect(refusal("/bits")?.message == "/bits is a directory; nothing was done")
        #expect(refusal("/nothing.bit")?.kind == .input)
        #expect(refusal("")?.kind == .usage)
        #expect(refusal("/../../etc/passwd") != nil, "nothing outside the store")
        #expect(refusal("http://10.0.0.2/blink.bit")?.message == "this server does not fetch URLs; nothing was done")
    }
}
