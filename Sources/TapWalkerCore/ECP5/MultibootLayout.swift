/// The ECP5's dual-boot layout in the SPI flash (docs/ecp5.md §6): the primary image at 0 (or a
/// JUMP at 0 to it), the golden image elsewhere, and the jump table in the last 256 bytes, a
/// short stream whose JUMP points at the golden image. Built from the documented format.
public struct MultibootLayout: Sendable {
    public let flashSize: Int
    public let primaryAddress: Int
    public let primaryBytes: Int
    public let goldenAddress: Int
    public let goldenBytes: Int

    /// Regions are kept on 64 KB boundaries, so that each image owns its erase blocks.
    public static let alignment = 0x10000

    /// Checks that the images fit, are aligned and do not overlap each other, the JUMP at 0 or
    /// the jump table. Without `goldenAddress` the golden image goes after `room` bytes for the
    /// primary (the part's largest bitstream, so a later primary can grow) when that fits, else
    /// right after the primary.
    public init(flashSize: Int, primaryAddress: Int, primaryBytes: Int, goldenAddress: Int?, goldenBytes: Int, room: Int = 0) throws(TapWalkerError) {
        let roomy = MultibootLayout.round(primaryAddress + max(primaryBytes, room))
        let tight = MultibootLayout.round(primaryAddress + primaryBytes)
        let golden = goldenAddress ?? (roomy + goldenBytes <= flashSize - ColdBoot.jumpTableBytes ? roomy : tight)
        self.flashSize = flashSize
        self.primaryAddress = primaryAddress
        self.primaryBytes = primaryBytes
        self.goldenAddress = golden
        self.goldenBytes = goldenBytes
        let table = flashSize - ColdBoot.jumpTableBytes
        for (name, at, n) in [("primary", primaryAddress, primaryBytes), ("golden", golden, goldenBytes)] {
            guard at % MultibootLayout.alignment == 0 else {
                throw TapWalkerError(.usage, "the \(name) address \(ASCII.hex(UInt32(at), digits: 6)) is not on a 64 KB boundary; nothing was written")
            }
            guard at + n <= table else {
                throw TapWalkerError(.usage, "the \(name) image (\(n) bytes at \(ASCII.hex(UInt32(at), digits: 6))) runs into the jump table at \(ASCII.hex(UInt32(table), digits: 6)); nothing was written")
            }
        }
        if primaryAddress != 0 && golden < MultibootLayout.alignment {
            throw TapWalkerError(.usage, "the golden image cannot start at 0: the JUMP to the primary image is there; nothing was written")
        }
        guard primaryAddress + primaryBytes <= golden || golden + goldenBytes <= primaryAddress else {
            throw TapWalkerError(.usage, "the primary and golden images overlap; choose addresses at least \(primaryBytes) bytes apart; nothing was written")
        }
    }

    /// What goes where: (address, bytes) for the JUMP at 0 when the primary is elsewhere, and the
    /// jump table. The images themselves are written as they are.
    public var jumps: [(address: Int, bytes: [UInt8])] {
        var out: [(address: Int, bytes: [UInt8])] = []
        if primaryAddress != 0 { out.append((address: 0, bytes: MultibootLayout.jumpStream(to: primaryAddress))) }
        out.append((address: flashSize - ColdBoot.jumpTableBytes, bytes: MultibootLayout.jumpStream(to: goldenAddress)))
        return out
    }

    /// A 256-byte stream whose only work is a JUMP: 16 dummy bytes, the preamble, 4 dummy bytes,
    /// LSC_PROG_CNTRL0 with 0, JUMP with the READ opcode (0x03) and the 24-bit address, then
    /// dummy bytes (the layout Project Trellis documents for its jump table).
    public static func jumpStream(to address: Int) -> [UInt8] {
        var s = [UInt8](repeating: 0xFF, count: 16)
        s += [0xFF, 0xFF, 0xBD, 0xB3, 0xFF, 0xFF, 0xFF, 0xFF]
        s += [BitstreamCommand.programControl0, 0, 0, 0, 0, 0, 0, 0]
        s += [BitstreamCommand.jump, 0, 0, 0, 0x03, UInt8(address >> 16 & 0xFF), UInt8(address >> 8 & 0xFF), UInt8(address & 0xFF)]
        s += [UInt8](repeating: 0xFF, count: ColdBoot.jumpTableBytes - s.count)
        return s
    }

    static func round(_ n: Int) -> Int { (n + alignment - 1) / alignment * alignment }
}
