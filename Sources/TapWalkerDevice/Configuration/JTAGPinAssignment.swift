/// Which GPIO carries which JTAG signal.
public struct JTAGPinAssignment: Equatable, Sendable {
    public var tck: Int
    public var tms: Int
    public var tdi: Int
    public var tdo: Int

    public init(tck: Int, tms: Int, tdi: Int, tdo: Int) {
        self.tck = tck
        self.tms = tms
        self.tdi = tdi
        self.tdo = tdo
    }

    /// Whether TCK, TDI and TDO sit on the chip's SPI2 IO_MUX pins. Other pins still work through
    /// the GPIO matrix, which on the C3/C6/P4 behaves like IO_MUX up to 40 MHz (ESP-IDF SPI master
    /// documentation), far above the ECP5's 25 MHz.
    public func usesIOMUX(of chip: ESP32Chip) -> Bool {
        tck == chip.spiClock && tdi == chip.spiMOSI && tdo == chip.spiMISO
    }
}
