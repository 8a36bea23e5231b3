import TapWalkerCore
import TapWalkerDevice
import TapWalkerServices
import TapWalkerSim
import TapWalkerVirtualBoard

/// The device's own JTAG cable (`PinJTAGCable`) on the virtual ESP32's pins and SPI master,
/// driving the simulated ECP5 edge by edge: the 85F through GPIO and SPI (the digest must be the
/// `sim` cable's), the compressed 25F by GPIO alone, and a flash write through the board service.
/// Prints the cable's own instructions per TCK bit (bit-level path) and per byte (bulk path).
enum PinCableCheck {
    /// Loads `path` into a simulated `part` through `PinJTAGCable`; measured as `job`.
    static func program(_ path: UnsafePointer<CChar>, part: Part, spi: Bool, job: String)
        -> (SRAMProgrammer.Report, MeteredBoard, PinJTAGCable)?
    {
        guard let source = StdioSource(path: path) else { return nil }
        var options = SimOptions()
        options.part = part
        let board = MeteredBoard(options: options, spi: spi)
        let meter = JobMeter(job, .sramLoadPins)
        let cable = PinJTAGCable(pins: board.pins, spi: board.spi, clock: board.clock)
        let programmer = SRAMProgrammer(port: ECP5Port(walker: TapWalker(cable: cable)))
        let report = programmer.program(source)
        meter.finish(bits: cable.statistics.tckCycles, perByte: spi)
        return (report, board, cable)
    }

    /// The three jobs; false when one fails. `digest` is the `sim` cable's for the 85F.
    static func run(_ path85: UnsafePointer<CChar>, _ path25: UnsafePointer<CChar>?, digest: UInt64) -> Bool {
        let part85 = Part.with(idcode: 0x4111_3043)!
        guard let (report, board, cable) = program(path85, part: part85, spi: true, job: "SRAM load 85F pins+SPI") else {
            return false
        }
        let time = board.wire.statistics.simulatedMicroseconds ?? 0
        let cycles = cable.statistics.tckCycles
        print("embedded-check: pins+SPI: DONE \(report.done), \(cycles) TCK cycles, digest \(ASCII.hex(board.board.configurationDigest)), simulated \(time) µs against \(cycles * 40 / 1000) µs of bit time at 25 MHz")
        if let failure = report.failure ?? board.wire.violation {
            print("embedded-check: FAILED: pins+SPI: \(failure.message)")
            return false
        }
        guard report.done, board.board.configurationDigest == digest else {
            print("embedded-check: FAILED: pins+SPI: no DONE or a digest other than the sim cable's \(ASCII.hex(digest))")
            return false
        }
        if let path25 {
            let part25 = Part.with(idcode: 0x4111_1043)!
            guard let (r25, b25, c25) = program(path25, part: part25, spi: false, job: "SRAM load 25F compressed pins") else {
                return false
            }
            print("embedded-check: pins only: DONE \(r25.done), \(c25.statistics.tckCycles) TCK cycles, digest \(ASCII.hex(b25.board.configurationDigest))")
            guard r25.ok, r25.done, b25.wire.violation == nil else {
                print("embedded-check: FAILED: pins only: \((r25.failure ?? b25.wire.violation)?.message ?? "no DONE")")
                return false
            }
        }
        return flashWrite(path85)
    }

    /// The flash write of `flashRoundTrip` through the pins and SPI master.
    static func flashWrite(_ path: UnsafePointer<CChar>) -> Bool {
        guard let source = StdioSource(path: path) else { return false }
        let board = MeteredBoard(options: SimOptions(), spi: true)
        let cable = PinJTAGCable(pins: board.pins, spi: board.spi, clock: board.clock)
        let service = BoardService(cable: cable, lock: JobLock(mutex: NoMutex()), clock: board.clock)
        service.inputBufferLimit = FlashChip.sectorSize
        let meter = JobMeter("flash write pins+SPI", .flashWritePins)
        let result = service.writeFlash(source, at: 0)
        meter.finish()
        if let failure = result.failure ?? board.wire.violation {
            print("embedded-check: FAILED: flash write pins+SPI: \(failure.message)")
            return false
        }
        let report = result.report
        let done = result.access.reload?.done ?? false
        print("embedded-check: flash write pins+SPI: \(report.sectorsTotal) sectors, \(report.pagesProgrammed) pages, verified \(report.verified), boot DONE \(done), simulated \(board.wire.statistics.simulatedMicroseconds ?? 0) µs")
        return report.verified && done
    }
}
