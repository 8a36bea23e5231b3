import TapWalkerServices

/// What one job may use on the ESP32 (docs/rv32-lane.md): the most heap it holds at once beyond
/// what was live when it started, with the simulated board's blocks left out, and for a job that
/// shifts a bitstream, TapWalker's own instructions per shifted TCK bit (counted on RISC-V only).
/// Written once; the check fails on a 32-bit build when a measured job goes over.
struct Budget {
    let job: Job
    let heapBytes: Int
    var instructionsPerTCKBit: Int? = nil

    enum Job { case sramLoad, flashWrite, ftpSession, xvcSession, remoteBitbangSession, inflate4KWindow, sramLoadPins, flashWritePins }

    /// Any job's stack, below the function that starts it.
    static let stackBytes = 12 * 1024

    static let table: [Budget] = [
        // Both SRAM loads, the 85F plain and the 25F compressed: the ESP32 has to keep up with
        // the JTAG clock while it shifts.
        Budget(job: .sramLoad, heapBytes: 24 * 1024, instructionsPerTCKBit: 3),
        Budget(job: .flashWrite, heapBytes: 24 * 1024),
        // The same jobs through PinJTAGCable on the virtual pins and SPI master: the cable's two
        // 4 KB transfer buffers come on top; the instructions include the bit reversal the chip
        // does on both paths (docs/firmware.md), and the bit-level path's target is 4 a bit.
        // These four are the device's admission figures for 32-bit chips (HeapFigures.swift,
        // written once there): the device admits a job or connection by them, the lane holds
        // the code to them.
        Budget(job: .sramLoadPins, heapBytes: HeapFigure.laneBudget(.sramJob)!, instructionsPerTCKBit: 4),
        Budget(job: .flashWritePins, heapBytes: HeapFigure.laneBudget(.flashJob)!),
        // The check's session transfers nothing, so holds no transfer buffer.
        Budget(job: .ftpSession, heapBytes: HeapFigure.laneBudget(.ftpControl)!),
        Budget(job: .xvcSession, heapBytes: HeapFigure.laneBudget(.jtagSession)!),
        // 8 KB besides the vector buffers: TMS, TDI and TDO of one 4,096-command batch.
        Budget(job: .remoteBitbangSession, heapBytes: 8 * 1024 + 3 * 4096 / 8),
        Budget(job: .inflate4KWindow, heapBytes: 12 * 1024),
    ]

    static func heap(_ job: Job) -> Int {
        for b in table where b.job == job { return b.heapBytes }
        return 0
    }

    static func instructionsPerTCKBit(_ job: Job) -> Int? {
        for b in table where b.job == job { return b.instructionsPerTCKBit }
        return nil
    }
}
