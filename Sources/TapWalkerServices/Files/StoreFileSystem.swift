import TapWalkerCore

/// A file store (the FTP root, the device's own file system) as the board service's file system
/// (passthru files).
public final class StoreFileSystem: BoardFileSystem {
    let store: any FileStore

    public init(_ store: any FileStore) { self.store = store }

    public func isFile(_ path: String) -> Bool {
        guard let info = try? store.info(path) else { return false }
        return !info.isDirectory
    }

    public func open(_ path: String) throws(TapWalkerError) -> any ByteSource {
        try store.openForReading(path, offset: 0)
    }
}
