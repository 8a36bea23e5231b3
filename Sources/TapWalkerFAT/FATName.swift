import TapWalkerCore

/// File names on a FAT volume: the long name (up to 255 UTF-16 units, kept in long-name entries)
/// and the 8.3 short name every file also has (docs/fat.md, "Names").
enum FATName {
    static let maximumLongUnits = 255
    /// Characters of a long name that the short name may keep as they are (besides A-Z, 0-9).
    private static let shortSpecials: [UInt8] = Array("$%'-_@~`!(){}^#&".utf8)
    /// Characters no name may hold.
    private static let forbidden: [UInt16] = Array("\"*/:<>?\\|".utf16)

    /// Checks a name for a new entry: 1 to 255 UTF-16 units, no control character, none of
    /// `" * / : < > ? \ |`, not "." or "..", and no trailing dot or space (Windows would strip
    /// them, so another system would see another name).
    static func checked(_ name: String) throws(TapWalkerError) -> [UInt16] {
        let units = Array(name.utf16)
        guard !units.isEmpty, units.count <= maximumLongUnits else {
            throw TapWalkerError(.input, "'\(name)' is not a FAT file name: names have 1 to \(maximumLongUnits) characters")
        }
        for u in units where u < 0x20 || forbidden.contains(u) {
            throw TapWalkerError(.input, "'\(name)' is not a FAT file name: FAT names may not hold control characters or \" * / : < > ? \\ |")
        }
        guard let last = units.last, last != 0x2E, last != 0x20 else {
            throw TapWalkerError(.input, "'\(name)' is not a FAT file name: it may not end with a dot or a space")
        }
        return units
    }

    /// Equal as FAT compares names: ASCII letters without regard to case.
    static func equal(_ a: [UInt16], _ b: [UInt16]) -> Bool {
        guard a.count == b.count else { return false }
        for i in 0..<a.count where fold(a[i]) != fold(b[i]) { return false }
        return true
    }

    private static func fold(_ u: UInt16) -> UInt16 {
        u >= 0x61 && u <= 0x7A ? u - 0x20 : u
    }

    /// The 11 bytes of the short name `name` is stored under when it needs no long name: an
    /// upper-case 8.3 name of allowed characters; nil otherwise.
    static func exactShortName(_ name: [UInt16]) -> [UInt8]? {
        let (base, ext, lossy) = parts(name)
        guard !lossy, !base.isEmpty else { return nil }
        var spelled = base
        if !ext.isEmpty { spelled += [0x2E] + ext }
        guard spelled.count == name.count else { return nil }
        for i in 0..<name.count where UInt16(spelled[i]) != name[i] { return nil }
        return padded(base, ext)
    }

    /// The `number`th short name for a long one that does not fit 8.3: upper case, invalid
    /// characters as "_", the base cut to leave room for "~N".
    static func generatedShortName(_ name: [UInt16], number: Int) -> [UInt8] {
        var (base, ext, _) = parts(name)
        if base.isEmpty { base = [UInt8(ascii: "_")] }
        let tail = Array("~\(number)".utf8)
        return padded(Array(base.prefix(8 - tail.count)) + tail, ext)
    }

    /// Base (up to 8) and extension (up to 3) in short-name characters; `lossy` when anything was
    /// dropped or replaced.
    private static func parts(_ name: [UInt16]) -> (base: [UInt8], ext: [UInt8], lossy: Bool) {
        var lossy = false
        let lastDot = name.lastIndex(of: 0x2E)
        var base: [UInt8] = []
        var ext: [UInt8] = []
        for (i, u) in name.enumerated() {
            let inExtension = lastDot.map { i > $0 } ?? false
            if u == 0x20 || (u == 0x2E && i != lastDot) || (i == lastDot) {
                if i != lastDot || i == 0 { lossy = true }
                continue
            }
            let c = shortCharacter(u)
            if c == nil { lossy = true }
            let byte = c ?? UInt8(ascii: "_")
            if inExtension {
                if ext.count < 3 { ext.append(byte) } else { lossy = true }
            } else {
                if base.count < 8 { base.append(byte) } else { lossy = true }
            }
        }
        return (base, ext, lossy)
    }

    private static func shortCharacter(_ u: UInt16) -> UInt8? {
        guard u < 0x80 else { return nil }
        let b = UInt8(u)
        if b >= UInt8(ascii: "a") && b <= UInt8(ascii: "z") { return b - 0x20 }
        if b >= UInt8(ascii: "A") && b <= UInt8(ascii: "Z") { return b }
        if b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9") { return b }
        return shortSpecials.contains(b) ? b : nil
    }

    private static func padded(_ base: [UInt8], _ ext: [UInt8]) -> [UInt8] {
        var out = [UInt8](repeating: 0x20, count: 11)
        for (i, b) in base.prefix(8).enumerated() { out[i] = b }
        for (i, b) in ext.prefix(3).enumerated() { out[8 + i] = b }
        // 0xE5 marks a deleted entry; a name starting with it is stored as 0x05.
        if out[0] == 0xE5 { out[0] = 0x05 }
        return out
    }

    /// A short entry's name as shown when it has no long name: "NAME.EXT", each part in lower
    /// case when the entry's case bits say so (byte 12: 0x08 base, 0x10 extension), as Windows
    /// and mtools write "blink.bit" without a long name.
    static func display(short: [UInt8], caseBits: UInt8) -> String {
        var bytes: [UInt8] = []
        func part(_ range: Range<Int>, lower: Bool) -> [UInt8] {
            var out: [UInt8] = []
            for i in range {
                var b = short[i]
                if i == 0 && b == 0x05 { b = 0xE5 }
                if lower && b >= UInt8(ascii: "A") && b <= UInt8(ascii: "Z") { b += 0x20 }
                out.append(b >= 0x80 ? UInt8(ascii: "_") : b)
            }
            while out.last == 0x20 { out.removeLast() }
            return out
        }
        bytes = part(0..<8, lower: caseBits & 0x08 != 0)
        let ext = part(8..<11, lower: caseBits & 0x10 != 0)
        if !ext.isEmpty { bytes += [UInt8(ascii: ".")] + ext }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The checksum of a short name that each of its long-name entries carries.
    static func checksum(_ short: [UInt8]) -> UInt8 {
        var sum: UInt8 = 0
        for b in short.prefix(11) { sum = ((sum & 1) << 7) &+ (sum >> 1) &+ b }
        return sum
    }

    /// Where the 13 UTF-16 units of a long-name entry lie in its 32 bytes.
    static let longUnitOffsets: [Int] = [1, 3, 5, 7, 9, 14, 16, 18, 20, 22, 24, 28, 30]
}
