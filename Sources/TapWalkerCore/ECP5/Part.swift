/// The ECP5 family, one row per IDCODE: the table both the programmer and the simulator read.
///
/// Sources: Project Trellis's device database (devices.json) and the part tables of openFPGALoader
/// and ecpprog. Frame geometry is per density; the U/UM/UM5G variants of one density share it.
public struct Part: Sendable {
    /// The name as Lattice writes it, e.g. "LFE5U-85F".
    public let name: String
    public let idcode: UInt32
    /// Number of configuration frames.
    public let frames: Int
    /// Configuration bits in one frame, without padding.
    public let bitsPerFrame: Int
    /// Bytes of one frame in the bitstream (bits rounded up to whole bytes, padding included).
    public let bytesPerFrame: Int
    /// Length of the boundary-scan register (what PRELOAD/SAMPLE shifts).
    public let boundaryScanLength: Int
    /// Number of sysMEM EBR blocks (ECP5 family data sheet, DS1044, table 1.1).
    public let ebrBlocks: Int

    public static let all: [Part] = {
        // (density suffix, IDCODE without variant nibble, frames, bits/frame, bytes/frame, BSR, EBRs)
        let densities: [(String, UInt32, Int, Int, Int, Int, Int)] = [
            ("25F", 0x1111043, 7562, 592, 74, 409, 56),
            ("45F", 0x1112043, 9470, 846, 106, 510, 108),
            ("85F", 0x1113043, 13294, 1136, 142, 750, 208),
        ]
        // The top IDCODE nibble tells the variant: 4 = LFE5U, 0 = LFE5UM, 8 = LFE5UM5G.
        let variants: [(String, UInt32)] = [("LFE5U-", 0x4000_0000), ("LFE5UM-", 0), ("LFE5UM5G-", 0x8000_0000)]
        var parts = [Part(name: "LFE5U-12F", idcode: 0x2111_1043, frames: 7562, bitsPerFrame: 592,
                          bytesPerFrame: 74, boundaryScanLength: 409, ebrBlocks: 32)]
        for (suffix, base, frames, bits, bytes, bsr, ebrs) in densities {
            for (prefix, nibble) in variants {
                parts.append(Part(name: prefix + suffix, idcode: nibble | base, frames: frames,
                                  bitsPerFrame: bits, bytesPerFrame: bytes, boundaryScanLength: bsr,
                                  ebrBlocks: ebrs))
            }
        }
        return parts
    }()

    /// The part with exactly this IDCODE. The 12F has its own code (0x21111043); it is not a 25F,
    /// whatever tools that mask the top nibble say.
    public static func with(idcode: UInt32) -> Part? {
        for p in all where p.idcode == idcode { return p }
        return nil
    }

    /// Finds a part by the name `detect` prints ("LFE5UM5G-85F", any case) or a short form:
    /// "12f", "25f", "45f", "85f" (LFE5U), "um-45f", "um5g-85f".
    public static func named(_ text: String) -> Part? {
        let key = ASCII.lowercased(text)
        for p in all {
            let name = ASCII.lowercased(p.name)
            if key == name { return p }
            // "lfe5u-85f" → "85f", "lfe5um-45f" → "um-45f", "lfe5um5g-85f" → "um5g-85f"
            let rest = Array(name.dropFirst(4))  // drop "lfe5"
            let short = rest.starts(with: Array("u-".utf8)) ? Array(rest.dropFirst(2)) : rest
            if key == short { return p }
        }
        return nil
    }

    /// Bytes of a frame as stored in a compressed bitstream: padded on the left to a multiple of 8.
    public var compressedFrameBytes: Int { (bytesPerFrame + 7) / 8 * 8 }

    /// More bytes than any bitstream for this part can hold, where a checker reading a file stops:
    /// every frame at its largest (uncompressed or padded, compression cannot make it longer than a
    /// literal code per byte: 10 bits), its CRC and the most dummy bytes the flags allow (15); every
    /// EBR written once in 9-byte frames with a CRC each; and 64 KB for the comment header, junk
    /// before the preamble, commands and padding after ISC_PROGRAM_DONE.
    public var maximumBitstreamBytes: Int {
        let frame = max(bytesPerFrame, (compressedFrameBytes * 10 + 7) / 8) + 2 + 15
        let ebr = ebrBlocks * (2048 / 8) * (BitstreamCommand.ebrFrameBytes + 2)
        return frames * frame + ebr + 64 * 1024
    }

    /// The part whose bitstreams can be the longest: the limit while a bitstream's part is unknown.
    public static let largest: Part = all.max { $0.maximumBitstreamBytes < $1.maximumBitstreamBytes }!
}
