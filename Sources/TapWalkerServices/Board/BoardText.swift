import TapWalkerCore

/// How every front end writes addresses, ranges and durations, so that the command line, FTP and
/// the firmware word a result the same way.
public enum BoardText {
    /// "0x200000".
    /// Every digit of the address, however large (an address past 4 GB is never shown cut to 32
    /// bits); a negative one (from the end) as -0x….
    public static func address(_ a: Int) -> String {
        a < 0 ? "-" + ASCII.hex(UInt64(a.magnitude), digits: 6) : ASCII.hex(UInt64(a), digits: 6)
    }

    /// "0x000000–0x1fffff" for the bytes in `range` (inclusive end, as people read it).
    public static func range(_ range: Range<Int>) -> String {
        "\(address(range.lowerBound))–\(address(range.upperBound - 1))"
    }

    /// "2.1 s" (Embedded Swift prints no floating point).
    public static func seconds(_ microseconds: UInt64) -> String {
        let tenths = (microseconds + 50_000) / 100_000
        return "\(tenths / 10).\(tenths % 10) s"
    }
}
