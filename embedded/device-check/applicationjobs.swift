// The device application's board jobs on the emulated CPU: the console's `prog FILE` loads a real
// bitstream into the SRAM of a simulated ECP5, and `flash FILE ADDR` writes it to the simulated
// SPI flash behind it, both through the cable the firmware drives, `PinJTAGCable`, over the
// virtual ESP32's GPIO bundle and SPI master (TapWalkerVirtualBoard) moving the simulated board's
// pins edge by edge. The file comes from the in-memory file system. Every call into the virtual
// pins, SPI master and clock is bracketed by the meters (embedded/check/meteredboard.swift) and
// every read of the in-memory file too, so a job's figures are the application's own: the heap it
// held at most and its instructions, each measured from the console line that starts it to the
// next line the console reads (one pass of the main loop besides the job). The image is written
// at the boot address, so the reload after the write boots the FPGA from it, and `status` after
// each job reads DONE over JTAG.
import TapWalkerCore
import TapWalkerServices
import TapWalkerDevice
import TapWalkerSim
import TapWalkerVirtualBoard

/// A serial console typed one line at a time: each read hands over one line and first tells
/// `marked` how many lines were handed over before it, so that the caller can close the figures
/// of the job the previous line started.
final class LineConsole: ConsolePort {
    var lines: [String]
    var output: [UInt8] = []
    var handed = 0
    let marked: (Int) -> Void
    init(_ lines: [String], marked: @escaping (Int) -> Void) {
        self.lines = lines
        self.marked = marked
    }
    func read(into buffer: UnsafeMutableRawBufferPointer, timeoutMilliseconds: Int) -> Int? {
        guard !lines.isEmpty else { return nil }
        marked(handed)
        let line = Array(lines.removeFirst().utf8) + [0x0D]
        precondition(line.count <= buffer.count)
        for (i, b) in line.enumerated() { buffer[i] = b }
        handed += 1
        return line.count
    }
    func write(_ text: String) { output += Array(text.utf8) }
}

/// One console job's figures: heap above what was live at its start, TapWalker's own
/// instructions (the virtual board's, the file reads' and the brackets' own subtracted), and the
/// TCK cycles it shifted.
struct ConsoleJobMeter {
    let heapAtStart = meter_heap_live()
    let calls = meter_simulator_calls() + meter_input_calls()
    let excluded = meter_simulator_instructions() + meter_input_instructions()
    let cycles: UInt64
    let start = meter_instructions()

    init(cycles: UInt64) {
        meter_heap_restart()
        self.cycles = cycles
    }

    /// The figures from the start to now, as one line of the check's output.
    func line(_ name: String, cycles now: UInt64, bracketCost: UInt64) -> String {
        let end = meter_instructions()
        let heap = meter_heap_peak() - heapAtStart
        let bits = now - cycles
        var text = "device-check: device application \(name): heap \(heap) B at most, \(bits) TCK bits"
        if end > 0 {
            let calls = meter_simulator_calls() + meter_input_calls() - self.calls
            let excluded = meter_simulator_instructions() + meter_input_instructions() - self.excluded
            let own = end - start - excluded - calls * bracketCost
            text += ", \(own) instructions of its own"
            // Per bit only for a job that shifts a bitstream: status shifts a few registers.
            if bits >= 8 * 1024 { text += ", \(JobFigures.hundredths(own, bits)) per TCK bit" }
            text += " (excluded: virtual board and file reads, \(calls) calls)"
        }
        return text
    }
}

enum JobFigures {
    /// `a / b` with two decimals.
    static func hundredths(_ a: UInt64, _ b: UInt64) -> String {
        let x = (a * 100 + b / 2) / b
        let cents = x % 100
        return "\(x / 100).\(cents < 10 ? "0" : "")\(cents)"
    }
}

/// Runs `prog` and `flash` of `bitstream` (a bitstream for `part`) through the application, each
/// followed by `status`; false when a result differs.
func checkApplicationJobs(bitstream: [UInt8], part: Part, flashAddress: Int) -> Bool {
    let before = failures
    let files = Files()
    files.set(Array("/tapwalker.conf".utf8), Array("[login]\nuser = ulx3s\npassword = secret\n".utf8))
    files.set(Array("/blink.bit".utf8), bitstream)
    var options = SimOptions()
    options.part = part
    let board = MeteredBoard(options: options, spi: true)
    let cable = PinJTAGCable(pins: board.pins, spi: board.spi, clock: board.clock)
    let bracketCost = meter_bracket_cost()
    let address = BoardText.address(flashAddress)
    let lines = ["prog blink.bit", "status", "flash blink.bit \(address)", "status"]
    var meter: ConsoleJobMeter? = nil
    var figures: [String] = []
    var doneAfterProg = false
    let console = LineConsole(lines) { handed in
        if let m = meter, handed >= 1 {
            figures.append(m.line(lines[handed - 1], cycles: cable.statistics.tckCycles, bracketCost: bracketCost))
        }
        if handed == 1 { doneAfterProg = board.board.status.done && board.board.configurationValid }
        meter = ConsoleJobMeter(cycles: cable.statistics.tckCycles)
    }
    let support = DeviceBoardSupport(
        clock: board.clock, pins: board.pins, spi: board.spi, wifi: SilentRadio(), network: IdleNetwork(), tasks: NoTasks(),
        files: files, sdCard: nil, led: nil, console: console, random: CountingBytes(), restart: {})
    DeviceApplication(support: support, cable: cable).run(until: { console.lines.isEmpty })
    if let m = meter { figures.append(m.line(lines[lines.count - 1], cycles: cable.statistics.tckCycles, bracketCost: bracketCost)) }
    for f in figures { print(f) }
    let out = console.output
    let time = board.wire.statistics.simulatedMicroseconds ?? 0
    print("device-check: device application jobs: \(bitstream.count) B bitstream for \(part.name), \(cable.statistics.tckCycles) TCK cycles, simulated \(time) µs")
    check(board.wire.violation == nil, "app jobs: the pins kept the JTAG timing (\(board.wire.violation?.message ?? ""))")
    check(figures.count == lines.count, "app jobs: figures of every line")
    check(doneAfterProg, "app jobs: the simulated ECP5 is DONE after prog")
    check(!occurs("error:", in: out), "app jobs: no console error")
    check(occurs("tapwalker> prog blink.bit\r\nfpga: \(bitstream.count) bytes in", in: out) && occurs(", DONE (\(part.name),", in: out),
          "app jobs: prog reports DONE")
    check(occurs("tapwalker> status\r\nboard: IDCODE \(ASCII.hex(part.idcode)) \(part.name), status 0x", in: out), "app jobs: status line")
    check(count(": DONE\nwifi: ", in: out) == 2, "app jobs: the status line shows DONE after prog and after the flash's reload")
    check(occurs("flash@\(address): \(bitstream.count) bytes in", in: out) && occurs("verified; FPGA reloaded from flash: DONE", in: out),
          "app jobs: flash verified and the FPGA booted from it")
    if let flash = board.board.flash {
        var equal = flashAddress + bitstream.count <= flash.chip.size
        if equal {
            for (i, b) in bitstream.enumerated() where flash.memory[flashAddress + i] != b {
                equal = false
                break
            }
        }
        check(equal, "app jobs: the flash holds the file at \(BoardText.address(flashAddress))")
    } else {
        check(false, "app jobs: the simulated board has a flash")
    }
    if failures != before {
        print("device-check: device application jobs: console output:")
        print(String(decoding: out, as: UTF8.self))
    }
    return failures == before
}

/// How often `needle` occurs in `haystack`, as bytes.
func count(_ needle: String, in haystack: [UInt8]) -> Int {
    let n = Array(needle.utf8)
    guard n.count <= haystack.count else { return 0 }
    var found = 0
    for start in 0...(haystack.count - n.count) where haystack[start..<(start + n.count)].elementsEqual(n) { found += 1 }
    return found
}
