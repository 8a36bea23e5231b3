/// Access to the configuration flash through the ECP5, from opening to reloading the FPGA.
///
/// Opening clears the SRAM first (ISC_ENABLE, ISC_ERASE, ISC_DISABLE), as every peer tool does, so
/// that a running design cannot hold the SPI pins; `keepRunning` skips that (works only if the design
/// enables the master SPI port). Closing reloads the FPGA from flash (LSC_REFRESH) unless told not
/// to, and reports whether it came up DONE.
public final class FlashSession {
    public struct Options: Sendable {
        public var keepRunning = false
        public var reload = true
        public init(keepRunning: Bool = false, reload: Bool = true) {
            self.keepRunning = keepRunning
            self.reload = reload
        }
    }

    /// The FPGA after LSC_REFRESH.
    public struct Reload: Sendable {
        public let status: StatusRegister
        public var done: Bool { status.configured }
        /// Why the FPGA did not come up, and what to do; nil when DONE.
        public var explanation: String? {
            guard !done else { return nil }
            if status.bse != .none { return "the FPGA did not boot from flash: \(status.bse.meaning); \(status.bse.advice(afterRefresh: true))" }
            return "the FPGA did not boot from flash (status \(ASCII.hex(status.raw)): \(status.summary))"
        }
    }

    public let port: ECP5Port
    public let part: Part
    public let bridge: ECP5SPIBridge
    public let flash: SPIFlash
    public let options: Options

    /// `part`: the board as its caller identified it a moment ago (the board service does, to check
    /// the input before the design stops), so the IDCODE is not read again; nil: read now.
    public init(port: ECP5Port, on part: Part? = nil, options: Options = Options()) throws(TapWalkerError) {
        self.port = port
        self.options = options
        if let part {
            self.part = part
        } else {
            try port.reset()
            let idcode = try port.readIDCODE()
            guard let found = Part.with(idcode: idcode) else { throw TapWalkerError(.device, noECP5Message(idcode)) }
            self.part = found
        }
        if !options.keepRunning { try port.clearSRAM() }
        bridge = ECP5SPIBridge(port: port)
        try bridge.open()
        flash = try SPIFlash(bus: bridge, keepRunningHint: options.keepRunning)
    }

    /// Leaves the flash write-disabled and, unless `reload` is off, boots the FPGA from it.
    public func close() throws(TapWalkerError) -> Reload? {
        try flash.writeDisable()
        try port.command(.bypass)
        guard options.reload else { return nil }
        return try FlashSession.reload(port)
    }

    /// Boots the FPGA from its flash (LSC_REFRESH), waits for it, and reports how it came up.
    public static func reload(_ port: ECP5Port) throws(TapWalkerError) -> Reload {
        try port.command(.refresh)
        try port.waitUntilReady(after: "LSC_REFRESH", timeoutMicroseconds: ECP5Port.bootTimeoutMicroseconds)
        return Reload(status: try port.readStatus())
    }
}
