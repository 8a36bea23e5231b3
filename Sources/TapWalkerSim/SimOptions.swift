import TapWalkerCore

/// Options of the simulated board, written as a cable option: `sim`, `sim:part=45f`,
/// `sim:part=LFE5UM5G-85F,tck=10000000`.
public struct SimOptions: Sendable {
    public var part: Part = Part.with(idcode: 0x4111_3043)!  // LFE5U-85F
    /// Simulated TCK frequency in Hz; the ECP5's maximum is 25 MHz.
    public var tck: UInt32 = SimOptions.maximumTCK

    public static let maximumTCK: UInt32 = 25_000_000
    public static let keys = "part, tck"

    public init() {}

    /// Parses the text after `sim:` (may be empty): comma-separated `key=value` pairs.
    public static func parse(_ text: String) throws(TapWalkerError) -> SimOptions {
        var options = SimOptions()
        let bytes = Array(text.utf8)
        for item in bytes.split(separator: UInt8(ascii: ","), omittingEmptySubsequences: true) {
            guard let eq = item.firstIndex(of: UInt8(ascii: "=")) else {
                throw TapWalkerError(.usage, "simulator option '\(String(decoding: item, as: UTF8.self))' needs a value (key=value; keys: \(keys))")
            }
            let key = String(decoding: item[item.startIndex..<eq], as: UTF8.self)
            let value = String(decoding: item[(eq + 1)...], as: UTF8.self)
            if ASCII.equalFold(key, "part") {
                guard let p = Part.named(value) else {
                    var names = ""
                    for (i, p) in Part.all.enumerated() { names += (i == 0 ? "" : ", ") + p.name }
                    throw TapWalkerError(.usage, "unknown part '\(value)'; use one of \(names), or a short form such as 12f, 45f, um-45f, um5g-85f")
                }
                options.part = p
            } else if ASCII.equalFold(key, "tck") {
                guard let hz = ASCII.parseInteger(value), hz > 0, hz <= Int(maximumTCK) else {
                    throw TapWalkerError(.usage, "tck=\(value): give a frequency in Hz from 1 to \(maximumTCK) (the ECP5's maximum TCK is 25 MHz)")
                }
                options.tck = UInt32(hz)
            } else {
                throw TapWalkerError(.usage, "unknown simulator option '\(key)'; known: \(keys)")
            }
        }
        return options
    }
}
