import TapWalkerCore

/// A file of the device's file system as the input of a board job or an FTP download. The file
/// is closed at its end, and when the source is dropped early (a refused job, a broken transfer).
final class DeviceFileSource: ByteSource {
    private let file: any DeviceFile
    private var open = true
    let name: String
    let totalBytes: Int?

    init(_ file: any DeviceFile, name: String, size: Int?) {
        self.file = file
        self.name = name
        self.totalBytes = size
    }

    /// Opens `path` of `files`, skipping its first `offset` bytes (FTP's REST).
    static func open(_ path: String, in files: any DeviceFileSystem, offset: Int = 0) throws(TapWalkerError) -> DeviceFileSource {
        guard let entry = try files.info(path) else { throw TapWalkerError(.input, "no such file: \(path)") }
        guard !entry.isDirectory else { throw TapWalkerError(.input, "\(path) is a directory, not a file") }
        let source = DeviceFileSource(try files.open(path, mode: .read), name: path, size: max(entry.size - offset, 0))
        var skip = offset
        var scratch = [UInt8](repeating: 0, count: min(max(offset, 1), 512))
        while skip > 0 {
            let n = try scratch.withMutableBytes { (p) throws(TapWalkerError) -> Int in
                try source.read(into: UnsafeMutableRawBufferPointer(rebasing: p[0..<min(skip, p.count)]))
            }
            if n == 0 { break }
            skip -= n
        }
        return source
    }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws(TapWalkerError) -> Int {
        guard open, buffer.count > 0 else { return 0 }
        let n = try file.read(into: buffer)
        if n == 0 { finish() }
        return n
    }

    private func finish() {
        guard open else { return }
        open = false
        try? file.close()
    }

    deinit { finish() }
}
