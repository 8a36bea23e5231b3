// Checks the BSD board-support adapters (embedded/bsd) as the virtual ESP32 builds them, in
// Embedded Swift on the host: the file system's confinement, a TCP round trip with its timeouts,
// and tasks with their stack charge. Run by `scripts/virtual-device.sh --check` in a fresh
// directory where the script has planted symbolic links (./outside -> /, ./passwd -> /etc/passwd).
// Prints each failure and exits non-zero if there was one.
import TapWalkerCore
import TapWalkerDevice
import TapWalkerServices

var failures = 0
func check(_ ok: Bool, _ what: String) {
    print("bsd-check: \(ok ? "ok" : "FAILED"): \(what)")
    if !ok { failures += 1 }
}

func refused(_ body: () throws(TapWalkerError) -> Void) -> String? {
    do throws(TapWalkerError) {
        try body()
        return nil
    } catch {
        return error.message
    }
}

func contains(_ text: String, _ part: String) -> Bool {
    let a = Array(text.utf8), b = Array(part.utf8)
    guard a.count >= b.count else { return false }
    for i in 0...(a.count - b.count) where Array(a[i..<(i + b.count)]) == b { return true }
    return false
}

func checkFiles() {
    let files = PosixFileSystem(name: "flash", root: ".")
    let content = Array("[services]\nxvc = 2542\n".utf8)
    check(refused { () throws(TapWalkerError) in try files.replaceFile("/tapwalker.conf", with: content) } == nil, "a file is written")
    let back = try? files.readSmallFile("/tapwalker.conf", limit: 100)
    check(back == content, "the file reads back as written")
    check((try? files.info("/tapwalker.conf"))?.size == content.count, "info gives its size")
    var missingIsNil = false
    do throws(TapWalkerError) { missingIsNil = try files.info("/missing") == nil } catch {}
    check(missingIsNil, "info of a missing file is nil")
    check(refused { () throws(TapWalkerError) in try files.makeDirectory("/bits") } == nil, "a directory is made")
    check((try? files.info("/bits"))?.isDirectory == true, "info says it is a directory")
    check(refused { () throws(TapWalkerError) in try files.rename("/tapwalker.conf", to: "/bits/copy.conf") } == nil, "a file is renamed into it")
    let names = ((try? files.list("/")) ?? []).map { $0.name }
    check(names.count == 1 && ASCII.equal(Array(names[0].utf8), "bits"), "the listing holds the directory and leaves out the links")
    let message = refused { () throws(TapWalkerError) in _ = try files.open("/../etc/passwd", mode: .read) } ?? ""
    check(contains(message, ".. are not allowed"), "a path with .. is refused: \(message)")
    let throughLink = refused { () throws(TapWalkerError) in _ = try files.open("/outside/etc/passwd", mode: .read) } ?? ""
    check(contains(throughLink, "symbolic link"), "a path through a link is refused: \(throughLink)")
    let atLink = refused { () throws(TapWalkerError) in _ = try files.open("/passwd", mode: .read) } ?? ""
    check(contains(atLink, "symbolic link"), "a link as the last component is refused: \(atLink)")
    let writeAtLink = refused { () throws(TapWalkerError) in _ = try files.open("/passwd", mode: .write) } ?? ""
    check(contains(writeAtLink, "symbolic link"), "writing through a link is refused: \(writeAtLink)")
    check(refused { () throws(TapWalkerError) in _ = try files.info("/outside") } != nil, "info on a link is refused")
    check(refused { () throws(TapWalkerError) in _ = try files.open("relative", mode: .read) } != nil, "a relative path is refused")
    check(refused { () throws(TapWalkerError) in try files.remove("/bits/copy.conf") } == nil, "a file is removed")
    check(refused { () throws(TapWalkerError) in try files.remove("/bits") } == nil, "an empty directory is removed")
}

func checkNetwork() {
    let network = BSDNetwork(loopbackOnly: true)
    guard let passive = try? network.listen(host: "127.0.0.1") else { return check(false, "a data port is listened on") }
    check(passive.port > 0, "the data listener has a port (\(passive.port))")
    check((try? passive.accept(timeoutMilliseconds: 10)) ?? nil == nil, "an accept with no client gives up after its timeout")
    guard let client = try? network.connect(host: "127.0.0.1", port: passive.port, timeoutMilliseconds: 1000) else {
        return check(false, "a client connects")
    }
    guard let (server, peerHost) = (try? passive.accept(timeoutMilliseconds: 1000)) ?? nil else { return check(false, "the connection is accepted") }
    check(ASCII.equal(Array(peerHost.utf8), "127.0.0.1"), "the peer's host is 127.0.0.1")
    let big = [UInt8](repeating: 0x5A, count: 300_000)
    // More than the socket buffers hold: the sender must wait for the reader, on another task.
    let tasks = PThreadTasks()
    let done = Flag()
    do throws(TapWalkerError) {
        try tasks.start(name: "sender", stackBytes: 16 * 1024) {
            _ = big.withUnsafeBytes { (b) -> Bool in (try? client.send(b, timeoutMilliseconds: 5000)) != nil }
            done.set()
        }
    } catch {
        return check(false, "a task starts: \(error.message)")
    }
    let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 65536, alignment: 1)
    defer { buffer.deallocate() }
    func receive(_ timeoutMilliseconds: Int) -> (count: Int, error: String) {
        do throws(TapWalkerError) {
            return (try server.receive(into: buffer, timeoutMilliseconds: timeoutMilliseconds), "")
        } catch {
            return (-1, error.message)
        }
    }
    var received = 0
    var allMatch = true
    while received < big.count {
        let n = receive(5000).count
        if n <= 0 { break }
        for i in 0..<n where buffer[i] != 0x5A { allMatch = false }
        received += n
    }
    check(received == big.count && allMatch, "300000 bytes arrive whole (\(received))")
    while !done.isSet { VirtualClockForCheck.sleep(1000) }
    let silent = receive(20).error
    check(contains(silent, "sent nothing"), "a silent peer times out: \(silent)")
    client.close()
    let end = receive(1000).count
    check(end == 0, "a closed peer reads as 0")
    server.close()
    passive.close()
    check(refused { () throws(TapWalkerError) in _ = try network.connect(host: "127.0.0.1", port: passive.port, timeoutMilliseconds: 1000) } != nil,
          "connecting to a closed port fails")
    check(refused { () throws(TapWalkerError) in _ = try network.connect(host: "localhost", port: 1, timeoutMilliseconds: 1000) } != nil,
          "a host name is refused (the device resolves none)")
}

func checkTasks() {
    var charged: [Int] = []
    var released: [Int] = []
    let mutex = PThreadMutex()
    let tasks = PThreadTasks(chargeStack: { bytes in
        mutex.lock(); defer { mutex.unlock() }
        charged.append(bytes)
        return bytes <= 8192
    }, releaseStack: { bytes in
        mutex.lock(); defer { mutex.unlock() }
        released.append(bytes)
    })
    let done = Flag()
    let counter = Counter()
    check(refused { () throws(TapWalkerError) in
        try tasks.start(name: "counter", stackBytes: 8192) {
            for _ in 0..<1000 { counter.add(tasks: mutex) }
            done.set()
        }
    } == nil, "a task with an 8 KB stack starts")
    for _ in 0..<1000 { counter.add(tasks: mutex) }
    while !done.isSet { VirtualClockForCheck.sleep(1000) }
    // The stack is released after the body returns; wait for it.
    while true {
        mutex.lock(); let n = released.count; mutex.unlock()
        if n == 1 { break }
        VirtualClockForCheck.sleep(1000)
    }
    check(counter.value == 2000, "two tasks counting under one mutex reach 2000 (\(counter.value))")
    let message = refused { () throws(TapWalkerError) in try tasks.start(name: "big", stackBytes: 65536) {} } ?? ""
    check(contains(message, "no memory"), "a task whose stack does not fit is refused: \(message)")
    mutex.lock()
    check(charged == [8192, 65536] && released == [8192], "stacks are charged (8192, then 65536 refused) and the started one released")
    mutex.unlock()
}

final class Flag {
    private let mutex = PThreadMutex()
    private var value = false
    func set() { mutex.lock(); value = true; mutex.unlock() }
    var isSet: Bool { mutex.lock(); defer { mutex.unlock() }; return value }
}

final class Counter {
    var value = 0
    func add(tasks mutex: PThreadMutex) { mutex.lock(); value += 1; mutex.unlock() }
}

enum VirtualClockForCheck {
    static func sleep(_ microseconds: UInt32) { _ = bsd_poll(-1, 1, Int32(max(1, microseconds / 1000))) }
}

@main struct BSDCheck {
    static func main() {
        checkFiles()
        checkNetwork()
        checkTasks()
        print(failures == 0 ? "bsd-check: all passed" : "bsd-check: \(failures) failed")
        if failures != 0 { exit(1) }
    }
}
