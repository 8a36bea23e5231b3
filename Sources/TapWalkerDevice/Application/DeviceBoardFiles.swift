import TapWalkerCore
import TapWalkerServices

/// The device's file system as the board service's source of named files (the passthru bitstream
/// chosen by IDCODE), gzip and zlib inflated as they are read.
final class DeviceBoardFiles: BoardFileSystem {
    let files: any DeviceFileSystem

    init(_ files: any DeviceFileSystem) { self.files = files }

    func isFile(_ path: String) -> Bool {
        guard let entry = try? files.info(path) else { return false }
        return !entry.isDirectory
    }

    func open(_ path: String) throws(TapWalkerError) -> any ByteSource {
        DecompressingSource(try DeviceFileSource.open(path, in: files))
    }
}
