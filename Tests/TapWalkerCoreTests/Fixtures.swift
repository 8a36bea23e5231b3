import Foundation
import TapWalkerCore

/// The manifest of the committed real bitstreams (Examples/manifest.tsv, written by the toolchain script).
enum Fixtures {
    struct Entry {
        let file: String, design: String, part: String, idcode: UInt32, compressed: Bool
        let usercode: UInt32, bytes: Int, ebrWrites: Int
    }

    static let manifest: [Entry] = {
        let text = try! String(contentsOf: Examples.url("manifest.tsv"), encoding: .utf8)
        return text.split(separator: "\n").dropFirst().map { line in
            let f = line.split(separator: "\t").map(String.init)
            return Entry(file: f[0], design: f[1], part: f[2], idcode: UInt32(f[3].dropFirst(2), radix: 16)!,
                         compressed: f[4] == "yes", usercode: UInt32(f[5].dropFirst(2), radix: 16)!,
                         bytes: Int(f[6])!, ebrWrites: Int(f[7])!)
        }
    }()

    /// Offset of the first byte after the preamble FF FF BD B3.
    static func preambleEnd(_ b: [UInt8]) -> Int {
        for i in 3..<b.count where b[i - 3] == 0xFF && b[i - 2] == 0xFF && b[i - 1] == 0xBD && b[i] == 0xB3 {
            return i + 1
        }
        fatalError("no preamble")
    }

    /// Offset of the first frame byte of an uncompressed 85F bitstream: after 82 91 33 EE
    /// (LSC_PROG_INCR_RTI, CRC after every frame + 1 dummy byte, 13294 frames).
    static func frameDataStart85F(_ b: [UInt8]) -> Int {
        for i in preambleEnd(b)..<(b.count - 4) where b[i] == 0x82 && b[i + 1] == 0x91 && b[i + 2] == 0x33 && b[i + 3] == 0xEE {
            return i + 4
        }
        fatalError("no frame command")
    }
}
