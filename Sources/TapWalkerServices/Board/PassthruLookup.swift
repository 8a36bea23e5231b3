import TapWalkerCore

/// The passthru bitstream for an FPGA: `passthru<idcode>.bit` (8 lower-case hex digits, as the
/// ULX3S passthru files are named), or the same gzipped, in one directory.
public enum PassthruLookup {
    /// The names tried, in order.
    public static func candidates(idcode: UInt32, in directory: String) -> [String] {
        let hex = String(decoding: ASCII.hex(idcode, digits: 8).utf8.dropFirst(2), as: UTF8.self)
        let dir = directory.utf8.last == nil || directory.utf8.last == UInt8(ascii: "/") ? directory : directory + "/"
        let name = dir + "passthru" + hex + ".bit"
        return [name, name + ".gz"]
    }

    /// The first candidate that exists, or an input error naming the file expected.
    public static func find(idcode: UInt32, in directory: String, files: any BoardFileSystem) throws(TapWalkerError) -> String {
        let names = candidates(idcode: idcode, in: directory)
        for name in names where files.isFile(name) { return name }
        throw TapWalkerError(.input, "no passthru bitstream for IDCODE \(ASCII.hex(idcode)) in \(directory.isEmpty ? "/" : directory): expected \(names[0]) or \(names[1]); nothing was written")
    }
}
