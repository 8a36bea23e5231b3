import Foundation
import Testing
import TapWalkerCore
import TapWalkerPlatform
import TapWalkerServices

// A local user who can write inside the FTP root swaps a directory for a symbolic link to a
// directory outside it, again and again, while the store reads, writes, lists, renames and deletes
// through that directory. Whatever the timing, nothing outside the root may be read, created,
// changed or removed.

/// Swaps `root/d` between a real directory and a symbolic link to `outside` on its own thread
/// until told to stop.
private final class Swapper: @unchecked Sendable {
    private let lock = NSLock()
    private var stopped = false
    private var finished = false
    private(set) var swaps = 0
    let root: String

    init(root: String) { self.root = root }

    var shouldStop: Bool { lock.lock(); defer { lock.unlock() }; return stopped }

    func start() {
        Thread.detachNewThread { [self] in
            var n = 0
            while !shouldStop {
                // d is the real directory, then the link, each an atomic rename(2).
                _ = rename("\(root)/real", "\(root)/d")
                _ = rename("\(root)/d", "\(root)/real")
                _ = rename("\(root)/link", "\(root)/d")
                _ = rename("\(root)/d", "\(root)/link")
                n += 1
            }
            lock.lock(); swaps = n; finished = true; lock.unlock()
        }
    }

    func stop() {
        lock.lock(); stopped = true; lock.unlock()
        while true {
            lock.lock(); let done = finished; lock.unlock()
            if done { return }
            usleep(1000)
        }
    }
}

/// Every file under `path` with its bytes (symbolic links as their target), to compare before and after.
private func snapshot(_ path: String) -> [String: [UInt8]] {
    var out: [String: [UInt8]] = [:]
    let fm = FileManager.default
    guard let names = try? fm.subpathsOfDirectory(atPath: path) else { return out }
    for name in names {
        let full = path + "/" + name
        if let target = try? fm.destinationOfSymbolicLink(atPath: full) {
            out[name] = Array(("link:" + target).utf8)
        } else if let data = fm.contents(atPath: full) {
            out[name] = [UInt8](data)
        } else {
            out[name] = Array("directory".utf8)
        }
    }
    return out
}

@Suite("File store confinement")
struct FileStoreRaceTests {
    @Test("a directory swapped for a symbolic link to outside the root during requests reaches nothing outside")
    func swappedDirectory() throws {
        let base = NSTemporaryDirectory() + "tapwalker-race-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let root = base + "/root", outside = base + "/outside"
        let fm = FileManager.default
        try fm.createDirectory(atPath: root + "/real/sub", withIntermediateDirectories: true)
        try fm.createDirectory(atPath: outside + "/sub", withIntermediateDirectories: true)
        defer { try? fm.removeItem(atPath: base) }
        fm.createFile(atPath: root + "/real/secret.txt", contents: Data("inside".utf8))
        fm.createFile(atPath: root + "/real/victim.txt", contents: Data("inside".utf8))
        fm.createFile(atPath: outside + "/secret.txt", contents: Data("SECRET".utf8))
        fm.createFile(atPath: outside + "/victim.txt", contents: Data("SECRET".utf8))
        fm.createFile(atPath: outside + "/only-outside.txt", contents: Data("SECRET".utf8))
        try fm.createSymbolicLink(atPath: root + "/link", withDestinationPath: outside)
        let before = snapshot(outside)

        let store = try PosixFileStore(root: root)
        let swapper = Swapper(root: root)
        swapper.start()
        var leaks: [String] = []
        var succeeded = 0, refused = 0
        let deadline = Date().addingTimeInterval(5)
        var rounds = 0
        func attempt(_ what: String, _ body: () throws(TapWalkerError) -> Void) {
            do throws(TapWalkerError) { try body(); succeeded += 1 } catch { refused += 1 }
        }
        while rounds < 3000 && Date() < deadline {
            rounds += 1
            attempt("read") { () throws(TapWalkerError) in
                let bytes = try store.openForReading("/d/secret.txt", offset: 0).readAll(limit: 100, tooLarge: TapWalkerError(.input, "large"))
                if bytes == Array("SECRET".utf8) { leaks.append("read the outside secret.txt") }
            }
            attempt("info") { () throws(TapWalkerError) in
                let info = try store.info("/d/only-outside.txt")
                leaks.append("info of only-outside.txt: \(info.size) bytes")
            }
            attempt("list") { () throws(TapWalkerError) in
                let names = try store.list("/d").map(\.name)
                if names.contains("only-outside.txt") { leaks.append("listed the outside directory") }
            }
            attempt("write") { () throws(TapWalkerError) in
                let w = try store.openForWriting("/d/victim.txt", append: false)
                try Array("written".utf8).withBytes { (p) throws(TapWalkerError) in try w.write(p) }
                try w.close()
            }
            attempt("append") { () throws(TapWalkerError) in
                let w = try store.openForWriting("/d/secret.txt", append: true)
                try w.close()
            }
            attempt("create") { () throws(TapWalkerError) in
                let w = try store.openForWriting("/d/new-\(rounds).txt", append: false)
                try w.close()
            }
            attempt("mkdir") { () throws(TapWalkerError) in try store.makeDirectory("/d/dir-\(rounds)") }
            attempt("rmdir") { () throws(TapWalkerError) in try store.removeDirectory("/d/sub") }
            attempt("rename") { () throws(TapWalkerError) in try store.rename("/d/only-outside.txt", to: "/stolen.txt") }
            attempt("delete") { () throws(TapWalkerError) in try store.removeFile("/d/only-outside.txt") }
            attempt("delete2") { () throws(TapWalkerError) in try store.removeFile("/d/victim.txt") }
            // Put back what the last two may have removed inside, so the next round has it again.
            if !fm.fileExists(atPath: root + "/real/victim.txt") { fm.createFile(atPath: root + "/real/victim.txt", contents: Data("inside".utf8)) }
            if !fm.fileExists(atPath: root + "/real/sub") { try? fm.createDirectory(atPath: root + "/real/sub", withIntermediateDirectories: false) }
        }
        swapper.stop()
        print("race: \(rounds) rounds, \(swapper.swaps) swaps, \(succeeded) operations done inside the root, \(refused) refused")
        #expect(leaks.isEmpty, "\(leaks.prefix(5))")
        #expect(snapshot(outside) == before, "the directory outside the root changed")
        #expect(!fm.fileExists(atPath: root + "/stolen.txt"))
        #expect(succeeded > 0 && swapper.swaps > 0, "the loop ran operations while the directory was swapped")
    }

    @Test("symbolic links inside the root are not followed, nor listed; the root's own path may be any bytes")
    func links() throws {
        let base = NSTemporaryDirectory() + "tapwalker-links-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let fm = FileManager.default
        try fm.createDirectory(atPath: base + "/outside", withIntermediateDirectories: true)
        defer { try? fm.removeItem(atPath: base) }
        fm.createFile(atPath: base + "/outside/secret.txt", contents: Data("SECRET".utf8))
        // A root whose name is not UTF-8 (0xFF), made with the bytes themselves.
        let rootBytes = Array((base + "/root-").utf8) + [0xFF]
        let rootPath = HostPath(bytes: rootBytes)
        #expect(rootPath.withCString { mkdir($0, 0o755) } == 0)
        defer {
            for name in ["/out", "/dir/up", "/dir/a.txt", "/b.txt"] { _ = rootPath.appending(name).withCString { unlink($0) } }
            _ = rootPath.appending("/dir").withCString { rmdir($0) }
            _ = rootPath.withCString { rmdir($0) }
        }
        #expect(rootPath.appending("/dir").withCString { mkdir($0, 0o755) } == 0)
        #expect(rootPath.appending("/out").withCString { symlink(base + "/outside", $0) } == 0)
        #expect(rootPath.appending("/dir/up").withCString { symlink("..", $0) } == 0)
        let store = try PosixFileStore(root: rootPath)
        #expect(throws: TapWalkerError.self) { try store.info("/out/secret.txt") }
        #expect(throws: TapWalkerError.self) { try store.list("/out") }
        #expect(throws: TapWalkerError.self) { try store.openForWriting("/out/new.txt", append: false) }
        #expect(throws: TapWalkerError.self) { try store.info("/dir/up") }
        #expect(!fm.fileExists(atPath: base + "/outside/new.txt"))
        #expect(try store.list("/").map(\.name) == ["dir"])
        let w = try store.openForWriting("/dir/a.txt", append: false)
        try Array("abc".utf8).withBytes { (p) throws(TapWalkerError) in try w.write(p) }
        try w.close()
        #expect(try store.info("/dir/a.txt").size == 3)
        try store.rename("/dir/a.txt", to: "/b.txt")
        #expect(try store.list("/").map(\.name) == ["b.txt", "dir"])
        #expect(try store.openForReading("/b.txt", offset: 1).readAll(limit: 10, tooLarge: TapWalkerError(.input, "")) == Array("bc".utf8))
    }
}
