/// The MPSSE clock divisor (docs/usb-cable-driver.md, FTDI AN_108): with the divide-by-5 prescaler off
/// (opcode 0x8A) an H-series chip's TCK is 60 MHz / ((1 + divisor) × 2), so 30 MHz at most.
public enum FTDIClockDivisor {
    public static let baseHz: UInt32 = 60_000_000
    public static let maximumHz: UInt32 = baseHz / 2

    /// The divisor for the fastest TCK not above `hertz` (the slowest, 457 Hz, for anything slower).
    public static func divisor(for hertz: UInt32) -> UInt16 {
        let h = UInt64(max(1, hertz))
        let half = UInt64(maximumHz)
        // Smallest d with half / (d + 1) <= h.
        let d = (half + h - 1) / h - 1
        return UInt16(min(d, 0xFFFF))
    }

    /// The TCK a divisor gives.
    public static func frequency(divisor: UInt16) -> UInt32 {
        maximumHz / (UInt32(divisor) + 1)
    }
}
