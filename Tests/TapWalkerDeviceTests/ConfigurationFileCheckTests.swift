import Testing
import TapWalkerCore
import TapWalkerServices
@testable import TapWalkerDevice

private let good = "[services]\nhttp = 8080\n[login]\nuser = ulx3s\npassword = secret\n"
private let typo = "[services]\nhttp = 8080\n[logn]\nuser = ulx3s\npassword = secret\n"

private func upload(_ text: String, to path: String, in store: DeviceFileStore) throws(TapWalkerError) {
    let writer = try store.openForWriting(path, append: false)
    try Array(text.utf8).withBytes { (p) throws(TapWalkerError) in try writer.write(p) }
    try writer.close()
}

@Suite("configuration files checked when written, and the last good one at boot")
struct ConfigurationFileCheckTests {
    @Test("a tapwalker.conf with a typo is refused with its line, the old file kept; a good one replaces it and is kept as the last good")
    func refusedOnWrite() throws {
        let files = MemoryFileSystem()
        let store = DeviceFileStore(files: files)
        try upload(good, to: "/tapwalker.conf", in: store)
        #expect(files.text("/tapwalker.conf") == good && files.text("/tapwalker.conf.good") == good)
        do {
            try upload(typo, to: "/tapwalker.conf", in: store)
            Issue.record("a tapwalker.conf with an unknown section was accepted")
        } catch {
            #expect(error.kind == .data)
            #expect(error.message.contains("tapwalker.conf:3:") && error.message.contains("left as it was"), "\(error.message)")
        }
        #expect(files.text("/tapwalker.conf") == good)
        // wifiman.conf too, and a rename onto the name is checked the same way.
        try upload(":no-ssid\n", to: "/other.txt", in: store)
        #expect(throws: TapWalkerError.self) { try store.rename("/other.txt", to: "/wifiman.conf") }
        #expect(files.text("/wifiman.conf") == nil && files.text("/other.txt") == ":no-ssid\n")
        // Other files are stored as they come.
        try upload(typo, to: "/notes.conf", in: store)
        #expect(files.text("/notes.conf") == typo)
    }

    @Test("a broken tapwalker.conf at boot: the last good one starts the services, and the device says so")
    func bootsWithLastGood() throws {
        let files = MemoryFileSystem()
        try files.replaceFile("/tapwalker.conf", with: Array(good.utf8))
        let first = DeviceBootFiles.read(from: files)
        #expect(!first.failed && first.configuration.port(.http) == 8080)
        #expect(files.text("/tapwalker.conf.good") == good, "a good file read at boot is kept")
        // Broken by other means (a card edited elsewhere, a write cut short).
        try files.replaceFile("/tapwalker.conf", with: Array(typo.utf8))
        let second = DeviceBootFiles.read(from: files)
        #expect(second.configuration.port(.http) == 8080 && second.configuration.login != nil)
        #expect(second.problems.contains { $0.contains("tapwalker.conf:3:") }, "\(second.problems)")
        #expect(second.problems.contains { $0.contains("started with the last good tapwalker.conf (tapwalker.conf.good) instead") }, "\(second.problems)")
        #expect(files.text("/tapwalker.conf.good") == good, "the broken file does not replace the last good one")
        // Without a last good copy: no service, as before.
        try files.remove("/tapwalker.conf.good")
        let third = DeviceBootFiles.read(from: files)
        #expect(third.configuration.port(.http) == 0 && third.problems.contains { $0.contains("no service started") })
    }
}
