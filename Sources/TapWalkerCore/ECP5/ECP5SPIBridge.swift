/// The ECP5's own SPI bridge, LSC_PROG_SPI (0x3A) with key FE 68: while the TAP is in Shift-DR,
/// CS# is low, SCK = TCK, MOSI = TDI, MISO = TDO with no bit offset; CS# rises when the TAP
/// leaves Shift-DR. SPI bytes are MSB first, JTAG shifts LSB first: each byte is bit-reversed.
public final class ECP5SPIBridge: SPIBus {
    public let port: ECP5Port
    private var tdi: [UInt8] = []
    private var tdo: [UInt8] = []

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

    public func wait(microseconds: UInt32) throws(TapWalkerError) {
        try port.cable.wait(microseconds: microseconds)
    }
}
