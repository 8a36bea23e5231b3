/// Tells SVF text from a bitstream by its first bytes (decompressed), so that a bitstream job
/// handed an SVF (ecppack writes one beside each .bit; the pair is easy to mix up) refuses it
/// before the board is touched, naming what it is. Bytes only, no Unicode: it runs on the device.
public enum SVFRecognizer {
    /// The statements of the Serial Vector Format Specification (ASSET InterTech), any of which
    /// can come first in a file.
    static let commands = [
        "ENDDR", "ENDIR", "FREQUENCY", "HDR", "HIR", "PIO", "PIOMAP", "RUNTEST", "SDR", "SIR",
        "STATE", "TDR", "TIR", "TRST",
    ]

    /// How many leading bytes are worth looking at: enough for a long comment header.
    public static let sniffLength = 4096

    /// True when `prefix` (an input's first bytes, decompressed) is SVF text: printable ASCII whose
    /// first statement after comments (`!`, `//`) is an SVF command, or comments only so far (SVF's
    /// comment syntax on text that is not a bitstream). A bitstream starts FF 00 or FF FF: never.
    public static func looksLikeSVF(_ prefix: ArraySlice<UInt8>) -> Bool {
        guard !prefix.isEmpty else { return false }
        for b in prefix where !(b >= 0x20 && b < 0x7F) && b != 9 && b != 10 && b != 13 { return false }
        // The last line may be cut off by the prefix's end; it still counts if it is a comment.
        for line in prefix.split(separator: 10, omittingEmptySubsequences: true) {
            let text = line.drop { isBlank($0) }
            if text.isEmpty { continue }
            if text.first == UInt8(ascii: "!") || text.starts(with: [UInt8(ascii: "/"), UInt8(ascii: "/")]) { continue }
            let word = Array(text.prefix { !isBlank($0) && $0 != UInt8(ascii: ";") })
            return commands.contains { ASCII.equalFold(word, $0) }
        }
        return prefix.first == UInt8(ascii: "!") || prefix.starts(with: [UInt8(ascii: "/"), UInt8(ascii: "/")])
    }

    private static func isBlank(_ b: UInt8) -> Bool { b == 0x20 || b == 9 || b == 13 }

    /// The refusal of a bitstream job given SVF: what it is, what to do, and that nothing changed.
    /// `play`: how the front end's user plays one ("`tapwalker svf NAME`", "SITE SVF NAME").
    public static func refusal(_ name: String, play: String? = nil) -> TapWalkerError {
        TapWalkerError(.input, "\(name) is an SVF file: a list of JTAG vectors to play, not a bitstream. "
            + "Play it \(play.map { "with \($0)" } ?? "as SVF"), or give the .bit the SVF was made from. Nothing was written.")
    }
}
