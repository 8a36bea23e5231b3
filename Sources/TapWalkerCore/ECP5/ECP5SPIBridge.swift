/// The ECP5's own SPI bridge, LSC_PROG_SPI (0x3A) with key FE 68: while the TAP is in
/// Shift-DR, CS# is low, SCK = TCK, MOSI = TDI, MISO = TDO with no bit offset; CS# rises when the TAP
/// leaves Shift-DR. SPI bytes are MSB first, JTAG shifts LSB first: each byte is bit-reversed.
///
/// Memory: short transactions (commands, status, a 256-byte page program) go through `tdi`/`tdo`,
/// sized to the longest of them. A bulk read (`transfer(_:into:)`) shifts its command, then clocks
/// the data straight into the caller's buffer with TMS and TDI low from `zeros`, which grows to the
/// longest bulk read (a 4 KB sector for the flash writer): no copy of the data is made.
public final class ECP5SPIBridge: SPIBus {
    public let port: ECP5Port
    private var tdi: [UInt8] = []
    private var tdo: [UInt8] = []
    private var zeros: [UInt8] = []

    public init(port: ECP5Port) {
        self.port = port
    }

    /// Loads LSC_PROG_SPI and shifts the key; afterwards every DR scan is an SPI transaction.
    public func open() throws(TapWalkerError) {
        try port.walker.shiftIR(UInt32(ECP5Instruction.progSPI.rawValue), length: ECP5Instruction.length)
        try port.walker.scanDR(UInt64(ECP5Instruction.spiKey), length: 16)
        try port.walker.idle(clocks: 32)
    }

    public func transfer(_ command: [UInt8], readCount: Int) throws(TapWalkerError) -> [UInt8] {
        let total = command.count + readCount
        guard total > 0 else { return [] }
        if tdi.count < total {
            tdi = [UInt8](repeating: 0, count: total)
            tdo = [UInt8](repeating: 0, count: total)
        }
        for i in 0..<command.count { tdi[i] = BitOrder.reversed(command[i]) }
        for i in command.count..<total { tdi[i] = 0 }
        try tdi.withBytes { (t) throws(TapWalkerError) in
            try tdo.withMutableBytes { (o) throws(TapWalkerError) in
                try port.walker.shiftDR(bits: total * 8, tdi: UnsafeRawBufferPointer(rebasing: t[0..<total]),
                                        tdo: readCount > 0 ? UnsafeMutableRawBufferPointer(rebasing: o[0..<total]) : nil)
            }
        }
        guard readCount > 0 else { return [] }
        var out = [UInt8](repeating: 0, count: readCount)
        for i in 0..<readCount { out[i] = BitOrder.reversed(tdo[command.count + i]) }
        return out
    }

    /// The command is shifted by the walker, which stays in Shift-DR (CS# low); the data bits are
    /// clocked on the cable directly with TMS low, which keeps the TAP in Shift-DR as the walker
    /// believes; leaving Shift-DR afterwards clocks one more SCK (its MISO bit is dropped) and
    /// raises CS#. Only reads take this path: one SCK past the last byte ends a read harmlessly,
    /// whereas a program or erase executes only if CS# rises on a byte boundary.
    public func transfer(_ command: [UInt8], into: UnsafeMutableRawBufferPointer) throws(TapWalkerError) {
        guard into.count > 0 else {
            _ = try transfer(command, readCount: 0)
            return
        }
        if command.count > 0 {
            if tdi.count < command.count {
                tdi = [UInt8](repeating: 0, count: command.count)
                tdo = [UInt8](repeating: 0, count: command.count)
            }
            for i in 0..<command.count { tdi[i] = BitOrder.reversed(command[i]) }
            try tdi.withBytes { (t) throws(TapWalkerError) in
                try port.walker.shiftDR(bits: command.count * 8, tdi: UnsafeRawBufferPointer(rebasing: t[0..<command.count]), end: .shiftDR)
            }
        } else {
            try port.walker.move(to: .shiftDR)
        }
        if zeros.count < into.count { zeros = [UInt8](repeating: 0, count: into.count) }
        try zeros.withBytes { (z) throws(TapWalkerError) in
            let low = UnsafeRawBufferPointer(rebasing: z[0..<into.count])
            try port.cable.clock(bits: into.count * 8, tms: low, tdi: low, tdo: into)
        }
        try port.walker.move(to: .runTestIdle)
        for i in 0..<into.count { into[i] = BitOrder.reversed(into[i]) }
    }

    public func wait(microseconds: UInt32) throws(TapWalkerError) {
        try port.cable.wait(microseconds: microseconds)
    }
}
