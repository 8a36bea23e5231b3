import TapWalkerCore

/// Options of the simulated board, written as a cable option: `sim`, `sim:part=45f`,
/// `sim:part=LFE5UM5G-85F,tck=10000000`, `sim:flash=is25lp128,flash-image=board.img`.
public struct SimOptions: Sendable {
    public var part: Part = Part.with(idcode: 0x4111_3043)!  // LFE5U-85F
    /// Simulated TCK frequency in Hz; the ECP5's maximum is 25 MHz.
    public var tck: UInt32 = SimOptions.maximumTCK
    /// The SPI flash behind the FPGA; a simulated board always has one.
    public var flash: FlashChip = FlashChip.named("w25q128jv")!
    /// Where the host keeps the flash content between runs. Only stored here: the simulator does no
    /// file I/O; the host loads the file into `SimulatedFlash.load` and saves `memory` back.
    public var flashImage: String?

    public static let maximumTCK: UInt32 = 25_000_000
    public static let keys = "part, tck, flash, flash-image"

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
            } else if ASCII.equalFold(key, "flash") {
                guard let chip = FlashChip.named(value) else {
                    var names = ""
                    for (i, c) in FlashChip.all.enumerated() { names += (i == 0 ? "" : ", ") + c.id }
                    throw TapWalkerError(.usage, "unknown flash chip '\(value)'; use one of \(names)")
                }
                options.flash = chip
            } else if ASCII.equalFold(key, "flash-image") {
                guard !value.isEmpty else {
                    throw TapWalkerError(.usage, "flash-image= needs a path: the file that holds the simulated flash between runs")
                }
                options.flashImage = value
            } else {
                throw TapWalkerError(.usage, "unknown simulator option '\(key)'; known: \(keys)")
            }
        }
        return options
    }
}
