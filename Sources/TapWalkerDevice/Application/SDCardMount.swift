import TapWalkerCore
import TapWalkerServices

/// Whether the SD card's file system is mounted, and why not when it is not: the one place the
/// file store (/sd), the board service's raw writes, SITE MOUNT/UMOUNT, the page and the console
/// ask. A card that is missing or holds no FAT file system leaves /sd unusable and says why;
/// nothing else of the device depends on it.
public final class SDCardMount {
    private let card: any SDCardFileSystem
    private let mutex: any PlatformMutex
    private var mounted: (any DeviceFileSystem)?
    /// Why the card is not mounted ("released by SITE UMOUNT", "no card is inserted").
    private var problem = "not mounted yet"

    public init(card: any SDCardFileSystem, mutex: any PlatformMutex) {
        self.card = card
        self.mutex = mutex
    }

    public var isMounted: Bool {
        mutex.lock()
        defer { mutex.unlock() }
        return mounted != nil
    }

    /// Mounts the card's file system; says what happened. A card without one throws, naming why.
    public func mount() throws(TapWalkerError) -> String {
        mutex.lock()
        defer { mutex.unlock() }
        if mounted != nil { return "the SD card's file system is already mounted at /sd" }
        do {
            mounted = try card.mount()
        } catch {
            problem = error.message
            throw error.rephrased("the SD card was not mounted: \(error.message)")
        }
        return "the SD card's file system is mounted at /sd"
    }

    /// Releases the card (everything held is written first); why is kept for /sd's answers.
    public func unmount() throws(TapWalkerError) -> String {
        mutex.lock()
        defer { mutex.unlock() }
        guard mounted != nil else { return "the SD card's file system is not mounted; nothing to release" }
        mounted = nil
        problem = "released; SITE MOUNT (or the console's mount, or the page) mounts it again"
        try card.unmount()
        return "the SD card's file system is released; the card may be removed or written raw"
    }

    /// The mounted file system, or an error saying why there is none.
    public func files() throws(TapWalkerError) -> any DeviceFileSystem {
        mutex.lock()
        defer { mutex.unlock() }
        guard let mounted else { throw TapWalkerError(.input, "/sd: the SD card is not mounted: \(problem)") }
        return mounted
    }

    /// The line `status` shows.
    public var state: String {
        mutex.lock()
        defer { mutex.unlock() }
        return mounted != nil ? "SD card: mounted at /sd" : "SD card: not mounted: \(problem)"
    }
}
