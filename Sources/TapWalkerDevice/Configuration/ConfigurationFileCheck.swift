import TapWalkerCore

/// The device's two configuration files, tapwalker.conf and wifiman.conf, are checked whenever
/// they are written (an FTP upload, an HTTP PUT, a rename onto them): a file that would not parse
/// is refused with its line and problem and the old one is kept, because the device reads them
/// only at boot and a broken one would leave it without services after the next reset. Each
/// version that passes is also kept as the last good copy (`NAME.good`), which the boot falls
/// back on if the file is broken all the same (written by other means, or cut short).
public enum ConfigurationFileCheck {
    public enum Kind {
        case services
        case wifi

        public var fileName: String {
            switch self {
            case .services: return DeviceConfiguration.fileName
            case .wifi: return WiFiManFile.fileName
            }
        }

        /// The last good copy's name, and where it is kept.
        public var goodName: String { fileName + ".good" }
        public var goodPath: String { "/" + goodName }
    }

    /// Which configuration file `path` (normalised, from the root) is, if either.
    public static func kind(of path: String) -> Kind? {
        if ASCII.equal(path, "/" + DeviceConfiguration.fileName) { return .services }
        if ASCII.equal(path, "/" + WiFiManFile.fileName) { return .wifi }
        return nil
    }

    /// Throws, naming the line and the problem, unless `bytes` parse as `kind`.
    public static func check(_ bytes: [UInt8], as kind: Kind) throws(TapWalkerError) {
        do throws(TapWalkerError) {
            switch kind {
            case .services: _ = try DeviceConfiguration.parse(bytes, file: kind.fileName)
            case .wifi: _ = try WiFiManFile(bytes, file: kind.fileName)
            }
        } catch {
            throw TapWalkerError(.data, "\(error.message); refused: the device would start without it at the next reset, so \(kind.fileName) was left as it was")
        }
    }

    /// Checks `bytes` and, when they pass, writes them as `kind`'s file and as its last good copy
    /// (each replaced whole, never half written).
    public static func write(_ bytes: [UInt8], as kind: Kind, to files: any DeviceFileSystem) throws(TapWalkerError) {
        try check(bytes, as: kind)
        try files.replaceFile("/" + kind.fileName, with: bytes)
        try files.replaceFile(kind.goodPath, with: bytes)
    }

    /// At boot, once `bytes` (the file as read) parsed: keeps them as the last good copy unless
    /// that copy already holds them (no flash wear on every boot).
    static func remember(_ bytes: [UInt8]?, as kind: Kind, in files: any DeviceFileSystem) {
        guard let bytes else { return }
        let saved = try? files.readSmallFile(kind.goodPath, limit: ConfigurationLines.maximumFileBytes)
        if saved == bytes { return }
        try? files.replaceFile(kind.goodPath, with: bytes)
    }
}
