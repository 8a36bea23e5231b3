/// The ECP5's JTAG configuration port: instructions with their operands, IDCODE, status and BUSY.
/// The SRAM programmer and the flash bridge are built on it.
public final class ECP5Port {
    public let walker: TapWalker

    /// Clocks in Run-Test/Idle after each instruction. The device executes ISC instructions in
    /// Run-Test/Idle; Diamond's SVF gives each 2 TCK, so does TapWalker, and then polls BUSY.
    public static let idleClocks = 2
    /// How long BUSY may stay set before TapWalker gives up (ISC_ERASE on an 85F is the longest;
    /// Diamond allows it 200 ms, this allows ten times that).
    public static let busyTimeoutMicroseconds: UInt32 = 2_000_000
    /// Booting from flash (LSC_REFRESH) reads the whole bitstream at the master SPI clock: an 85F
    /// image at the 2.4 MHz default takes seconds. Allow a 16 MB read at that clock, and more.
    public static let bootTimeoutMicroseconds: UInt32 = 90_000_000

    public init(walker: TapWalker) {
        self.walker = walker
    }

    public var cable: any Cable { walker.cable }

    /// Test-Logic-Reset, which also selects IDCODE.
    public func reset() throws(TapWalkerError) {
        try walker.reset()
        try walker.move(to: .runTestIdle)
    }

    public func readIDCODE() throws(TapWalkerError) -> UInt32 {
        try walker.shiftIR(UInt32(ECP5Instruction.readID.rawValue), length: ECP5Instruction.length)
        return UInt32(truncatingIfNeeded: try walker.scanDR(0, length: 32))
    }

    public func readStatus() throws(TapWalkerError) -> StatusRegister {
        try walker.shiftIR(UInt32(ECP5Instruction.readStatus.rawValue), length: ECP5Instruction.length)
        return StatusRegister(raw: UInt32(truncatingIfNeeded: try walker.scanDR(0, length: 32)))
    }

    public func readUserCode() throws(TapWalkerError) -> UInt32 {
        try walker.shiftIR(UInt32(ECP5Instruction.userCode.rawValue), length: ECP5Instruction.length)
        return UInt32(truncatingIfNeeded: try walker.scanDR(0, length: 32))
    }

    /// Loads an instruction, shifts an optional 8-bit operand, and idles so the device executes it.
    public func command(_ instruction: ECP5Instruction, operand: UInt8? = nil) throws(TapWalkerError) {
        try walker.shiftIR(UInt32(instruction.rawValue), length: ECP5Instruction.length)
        if let operand { try walker.scanDR(UInt64(operand), length: 8) }
        try walker.idle(clocks: ECP5Port.idleClocks)
    }

    /// Polls LSC_CHECK_BUSY until the device is ready. Polling replaces the fixed waits of Diamond's
    /// SVF (10–200 ms): correct on a slow device, fast on a quick one.
    public func waitUntilReady(after what: String, timeoutMicroseconds: UInt32 = ECP5Port.busyTimeoutMicroseconds)
        throws(TapWalkerError)
    {
        var waited: UInt32 = 0
        while true {
            try walker.shiftIR(UInt32(ECP5Instruction.checkBusy.rawValue), length: ECP5Instruction.length)
            // LSC_CHECK_BUSY has a 1-bit register; tools read 8 bits and see it zero-extended.
            let busy = try walker.scanDR(0, length: 8) & 1 == 1
            if !busy { return }
            if waited >= timeoutMicroseconds {
                throw TapWalkerError(.device, "the FPGA stayed BUSY for \(waited / 1000) ms after \(what); check power and the JTAG wiring")
            }
            // 100 µs steps for the first 10 ms (a poll costs about 40 TCK), then 1 ms, then 10 ms.
            let step: UInt32 = waited < 10_000 ? 100 : waited < 1_000_000 ? 1_000 : 10_000
            try walker.cable.wait(microseconds: step)
            waited += step
        }
    }

    /// Clears the configuration SRAM and wakes the device up empty (ISC_ENABLE, ISC_ERASE,
    /// ISC_DISABLE, each waited for): the FPGA then runs no design and holds no pins, which is what
    /// every peer tool does before reaching the flash through the FPGA.
    public func clearSRAM() throws(TapWalkerError) {
        try command(.iscEnable, operand: 0x00)
        try waitUntilReady(after: "ISC_ENABLE")
        try command(.iscErase, operand: 0x01)
        try waitUntilReady(after: "ISC_ERASE")
        try command(.iscDisable)
        try waitUntilReady(after: "ISC_DISABLE")
    }

    /// Shifts all ones through the boundary-scan register (PRELOAD), as the vendor's flow does
    /// before ISC_ENABLE so that the pins hold a known state during configuration.
    public func preload(_ part: Part) throws(TapWalkerError) {
        try walker.shiftIR(UInt32(ECP5Instruction.preload.rawValue), length: ECP5Instruction.length)
        let ones = [UInt8](repeating: 0xFF, count: (part.boundaryScanLength + 7) / 8)
        try ones.withBytes { (p) throws(TapWalkerError) in
            try walker.shiftDR(bits: part.boundaryScanLength, tdi: p)
        }
    }
}
