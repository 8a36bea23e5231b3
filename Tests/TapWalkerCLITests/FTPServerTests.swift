import Foundation
import Testing

// `tapwalker serve --ftp` driven by real clients over real sockets: curl, lftp and Python's ftplib
// program the simulated FPGA, write the simulated flash and an SD card image, and manage files.
// The FPGA's state is read back over FTP (SITE STATUS); the flash from the image the server saves
// when it stops; the SD card from its image file.

private let curl = toolPath("curl")
private let lftp = toolPath("lftp")
let python = toolPath("python3")
let password = "secret"

/// A server on a free port with a store, a password file, a 4 MB card image and a flash image.
final class FTPFixture {
    let dir: TempDir
    let server: ServerProcess
    let port: Int
    static let cardSize = 4 << 20

    init(_ dir: TempDir, extra: [String] = []) {
        self.dir = dir
        try? FileManager.default.createDirectory(atPath: dir.path("store"), withIntermediateDirectories: true)
        dir.write("pw.txt", Array("\(password)\n".utf8))
        dir.write("card.img", [UInt8](repeating: 0xEE, count: FTPFixture.cardSize))
        server = ServerProcess(["serve", "--ftp", "0", "--listen", "127.0.0.1", "--root", dir.path("store"),
                                "--cable", "sim:flash-image=\(dir.path("flash.img"))", "--user", "ulx3s",
                                "--password-file", dir.path("pw.txt"), "--sd", dir.path("card.img")] + extra)
        port = server.port("ftp")
    }

    var url: String { "ftp://ulx3s:\(password)@127.0.0.1:\(port)" }

    /// The flash as saved when the server stopped, `count` bytes at `address`.
    func flash(at address: Int, count: Int) -> [UInt8] {
        server.stop()
        let out = dir.path("readback.bin")
        let r = tapwalker("flash", "read", "--addr", String(address), "--length", String(count), "-o", out,
                          "--cable", "sim:flash-image=\(dir.path("flash.img"))")
        #expect(r.exitCode == 0, "\(r.stderr)")
        return [UInt8]((try? Data(contentsOf: URL(fileURLWithPath: out))) ?? Data())
    }

    var card: [UInt8] { [UInt8]((try? Data(contentsOf: URL(fileURLWithPath: dir.path("card.img")))) ?? Data()) }
}

private let blink = Examples.path("blink-85f.bit")
private let blinkBytes = [UInt8](FileManager.default.contents(atPath: Examples.path("blink-85f.bit")) ?? Data())

/// Two small SD payloads with recognisable content.
private func sdPayloads(_ dir: TempDir) -> (head: String, tail: String, headBytes: [UInt8], tailBytes: [UInt8]) {
    let head = (0..<3000).map { UInt8($0 % 251) }
    let tail = (0..<8192).map { UInt8(($0 * 7 + 3) % 256) }
    return (dir.write("head.img", head), dir.write("tail.img", tail), head, tail)
}

/// What every client test checks on the card once the uploads are done.
private func expectCard(_ fixture: FTPFixture, head: [UInt8], tail: [UInt8], sourceLocation: SourceLocation = #_sourceLocation) {
    let card = fixture.card
    #expect(card.count == FTPFixture.cardSize, sourceLocation: sourceLocation)
    guard card.count == FTPFixture.cardSize else { return }
    #expect(Array(card[0..<head.count]) == head, "sd@0 lands at byte 0", sourceLocation: sourceLocation)
    #expect(card[head.count] == 0xEE, "bytes after the image are untouched", sourceLocation: sourceLocation)
    #expect(Array(card[(card.count - 8192)...]) == tail, "sd@-8192 lands 8192 bytes before the end", sourceLocation: sourceLocation)
    #expect(card[card.count - 8193] == 0xEE, sourceLocation: sourceLocation)
}

func runPython(_ script: String) -> (status: Int32, output: String) {
    runTool(python!, ["-c", script], timeout: 300)
}

/// Python prelude: log in with ftplib; `epsv(ftp)` switches a session to extended passive mode.
func ftplibPrelude(_ port: Int, user: String = "ulx3s", pass: String = password) -> String {
    """
    import ftplib, io, os, sys, socket
    def epsv(ftp):
        def makepasv():
            port = ftplib.parse229(ftp.sendcmd('EPSV'), ftp.sock.getpeername())
            return port
        ftp.makepasv = makepasv
    def connect():
        ftp = ftplib.FTP()
        ftp.connect('127.0.0.1', \(port), timeout=120)
        return ftp
    def login():
        ftp = connect()
        ftp.login('\(user)', '\(pass)')
        return ftp

    """
}

@Suite("FTP server with real clients", .serialized)
struct FTPServerTests {
    @Test("SITE SVF plays a stored SVF (ecppack's) to DONE; a malformed one is refused with its line and the design keeps running",
          .enabled(if: python != nil, "python3 is not installed"))
    func siteSVF() throws {
        try withTempDir { dir in
            try FileManager.default.createDirectory(atPath: dir.path("store"), withIntermediateDirectories: true)
            dir.write("pw.txt", Array("\(password)\n".utf8))
            let server = ServerProcess(["serve", "--ftp", "0", "--listen", "127.0.0.1", "--root", dir.path("store"),
                                        "--cable", "sim:part=25f", "--user", "ulx3s", "--password-file", dir.path("pw.txt")])
            // ISC_ENABLE and ISC_ERASE before the bad line: played, they would clear the design.
            let bad = "SIR 8 TDI (C6);\nSDR 8 TDI (00);\nSIR 8 TDI (0E);\nSDR 8 TDI (01);\nRUNTEST IDLE 2 TCK 1.00E-02 SEC;\n\nSDR 8 TDI (0G);\n"
            let script = ftplibPrelude(server.port("ftp")) + """
                ftp = login()
                ftp.storbinary('STOR blink.svf', open('\(Examples.path("blink-25f.svf"))', 'rb'))
                ftp.storbinary('STOR bad.svf', io.BytesIO(b'\(bad.replacingOccurrences(of: "\n", with: "\\n"))'))
                print('GOOD', ftp.sendcmd('SITE SVF blink.svf').replace('\\r\\n', ' | '))
                try:
                    ftp.sendcmd('SITE SVF bad.svf')
                except ftplib.error_perm as e:
                    print('BAD', e)
                print('STATUS', ftp.sendcmd('SITE STATUS').splitlines()[-1])
                print('HELP', 'SITE SVF path' in ftp.sendcmd('SITE HELP'))
                ftp.quit()
                """
            let r = runPython(script)
            #expect(r.status == 0, "\(r.output)")
            #expect(r.output.contains("GOOD 250") && r.output.contains("LFE5U-25F: DONE") && r.output.contains("svf: 618 statements, 4 TDO checks passed"), "\(r.output)")
            #expect(r.output.contains("BAD 550 svf: ") && r.output.contains("line 7: 'G' is not a hex digit"), "\(r.output)")
            #expect(r.output.contains("STATUS 250 DONE"), "\(r.output)")
            #expect(r.output.contains("HELP True"), "\(r.output)")
            #expect(server.stop() == 0)
        }
    }

    @Test("curl uploads to fpga (DONE), flash@0x200000 (twice: 0 sectors written the second time), sd@0 and sd@-8192; lists, gets, renames and deletes; EPSV and PASV",
          .enabled(if: curl != nil, "curl is not installed"))
    func curlClient() throws {
        try withTempDir { dir in
            let f = FTPFixture(dir)
            let sd = sdPayloads(dir)
            let fpga = runTool(curl!, ["-sS", "-v", "-T", blink, "\(f.url)/fpga"])
            #expect(fpga.status == 0, "\(fpga.output)")
            #expect(fpga.output.contains("226 fpga: 1927725 bytes"), "\(fpga.output)")
            #expect(fpga.output.contains("DONE"))
            let status = runTool(curl!, ["-sS", "-v", "-Q", "SITE STATUS", "\(f.url)/"])
            #expect(status.output.contains("250 DONE"), "\(status.output)")

            let first = runTool(curl!, ["-sS", "-v", "--disable-epsv", "-T", blink, "\(f.url)/flash@0x200000"])
            #expect(first.output.contains("PASV") && first.output.contains("226 flash@0x200000: 1927725 bytes"), "\(first.output)")
            let second = runTool(curl!, ["-sS", "-v", "-T", blink, "\(f.url)/FLASH@0x200000"])
            #expect(second.output.contains("EPSV"))
            #expect(second.output.contains("471 sectors: 471 unchanged, 0 written, 0 erased, verified"), "\(second.output)")

            #expect(runTool(curl!, ["-sS", "-T", sd.head, "\(f.url)/sd@0"]).status == 0)
            #expect(runTool(curl!, ["-sS", "-T", sd.tail, "\(f.url)/sd@-8192"]).status == 0)

            // Ordinary files: upload, list, download, rename, delete.
            #expect(runTool(curl!, ["-sS", "-T", blink, "\(f.url)/sub/blink.bit", "--ftp-create-dirs"]).status == 0)
            let listing = runTool(curl!, ["-sS", "\(f.url)/sub/"])
            #expect(listing.output.contains("1927725") && listing.output.contains("blink.bit"), "\(listing.output)")
            let got = dir.path("got.bit")
            #expect(runTool(curl!, ["-sS", "-o", got, "\(f.url)/sub/blink.bit"]).status == 0)
            #expect(FileManager.default.contents(atPath: got) == Data(blinkBytes))
            let renamed = runTool(curl!, ["-sS", "-Q", "RNFR sub/blink.bit", "-Q", "RNTO sub/b.bit", "\(f.url)/"])
            #expect(renamed.status == 0, "\(renamed.output)")
            #expect(FileManager.default.fileExists(atPath: dir.path("store/sub/b.bit")))
            #expect(runTool(curl!, ["-sS", "-Q", "DELE sub/b.bit", "\(f.url)/"]).status == 0)
            #expect(!FileManager.default.fileExists(atPath: dir.path("store/sub/b.bit")))

            #expect(f.flash(at: 0x200000, count: blinkBytes.count) == blinkBytes)
            expectCard(f, head: sd.headBytes, tail: sd.tailBytes)
        }
    }

    @Test("lftp uploads to fpga, flash@0x200000 (twice), sd@0 and sd@-8192; ls, get, mv, rm; PASV and EPSV",
          .enabled(if: lftp != nil, "lftp is not installed"))
    func lftpClient() throws {
        try withTempDir { dir in
            let f = FTPFixture(dir)
            let sd = sdPayloads(dir)
            func session(_ commands: String, epsv: Bool) -> (status: Int32, output: String) {
                runTool(lftp!, ["-u", "ulx3s,\(password)", "-p", String(f.port), "127.0.0.1", "-e",
                                "set net:max-retries 1; set ftp:prefer-epsv \(epsv ? "yes" : "no"); set cmd:fail-exit yes; set xfer:clobber yes; \(commands); quit"])
            }
            let programs = session("put \(blink) -o fpga; quote SITE STATUS", epsv: false)
            #expect(programs.status == 0, "\(programs.output)")
            #expect(programs.output.contains("250 DONE"), "\(programs.output)")
            #expect(session("put \(blink) -o flash@0x200000", epsv: true).status == 0)
            let again = session("put \(blink) -o flash@0x200000; quote STAT", epsv: false)
            #expect(again.status == 0, "\(again.output)")
            #expect(f.server.waitForLog("471 unchanged, 0 written, 0 erased"), "\(f.server.log)")
            #expect(session("put \(sd.head) -o sd@0; put \(sd.tail) -o sd@-8192", epsv: true).status == 0)

            let files = session("put \(blink) -o a.bit; ls; get a.bit -o \(dir.path("got.bit")); mv a.bit b.bit; ls", epsv: true)
            #expect(files.status == 0, "\(files.output)")
            #expect(files.output.contains("a.bit") && files.output.contains("b.bit"), "\(files.output)")
            #expect(FileManager.default.contents(atPath: dir.path("got.bit")) == Data(blinkBytes))
            #expect(session("rm b.bit", epsv: false).status == 0)
            #expect(!FileManager.default.fileExists(atPath: dir.path("store/b.bit")))

            #expect(f.flash(at: 0x200000, count: blinkBytes.count) == blinkBytes)
            expectCard(f, head: sd.headBytes, tail: sd.tailBytes)
        }
    }

    @Test("Python's ftplib uploads to fpga, flash@0x200000 (twice), sd@0 and sd@-8192; MLSD, LIST, RETR with REST, rename, delete; PASV and EPSV",
          .enabled(if: python != nil, "python3 is not installed"))
    func ftplibClient() throws {
        try withTempDir { dir in
            let f = FTPFixture(dir)
            let sd = sdPayloads(dir)
            let script = ftplibPrelude(f.port) + """
                ftp = login()
                print(ftp.storbinary('STOR /fpga', open('\(blink)', 'rb')))
                print(ftp.sendcmd('SITE STATUS').splitlines()[-1])
                epsv(ftp)
                print(ftp.storbinary('STOR flash@0x200000', open('\(blink)', 'rb')))
                print(ftp.storbinary('STOR flash@2097152', open('\(blink)', 'rb')))
                print(ftp.storbinary('STOR sd@0', open('\(sd.head)', 'rb')))
                print(ftp.storbinary('STOR sd@-8192', open('\(sd.tail)', 'rb')))
                ftp.mkd('dir')
                ftp.cwd('dir')
                print(ftp.pwd())
                ftp.storbinary('STOR x.bit', open('\(blink)', 'rb'))
                facts = dict(ftp.mlsd())
                print('MLSD', facts['x.bit']['type'], facts['x.bit']['size'])
                lines = []
                ftp.retrlines('LIST', lines.append)
                print('LIST', lines)
                print('SIZE', ftp.size('x.bit'))
                buf = io.BytesIO()
                ftp.retrbinary('RETR x.bit', buf.write, rest=1000000)
                print('REST', buf.getvalue() == open('\(blink)', 'rb').read()[1000000:])
                ftp.rename('x.bit', 'y.bit')
                print('NLST', ftp.nlst())
                ftp.delete('y.bit')
                ftp.cwd('..')
                ftp.rmd('dir')
                print('NLST', ftp.nlst())
                ftp.quit()
                """
            let r = runPython(script)
            #expect(r.status == 0, "\(r.output)")
            let out = r.output
            #expect(out.contains("226 fpga: 1927725 bytes"), "\(out)")
            #expect(out.contains("250 DONE"))
            #expect(out.contains("226 flash@0x200000: 1927725 bytes"))
            #expect(out.contains("471 unchanged, 0 written, 0 erased"))
            #expect(out.contains("226 sd@0: 3000 bytes at byte 0"))
            #expect(out.contains("226 sd@-8192: 8192 bytes at byte \(FTPFixture.cardSize - 8192)"))
            #expect(out.contains("/dir"))
            #expect(out.contains("MLSD file 1927725"))
            #expect(out.contains("-rw-r--r-- 1 tapwalker tapwalker") && out.contains("x.bit"))
            #expect(out.contains("SIZE 1927725"))
            #expect(out.contains("REST True"))
            #expect(out.contains("NLST ['y.bit']"))
            #expect(out.contains("NLST []"))

            #expect(f.flash(at: 0x200000, count: blinkBytes.count) == blinkBytes)
            expectCard(f, head: sd.headBytes, tail: sd.tailBytes)
        }
    }

    @Test("without a login, or with a wrong password, nothing is programmable (530); .. and paths outside the root are refused; unknown SITE commands run nothing (502)",
          .enabled(if: python != nil, "python3 is not installed"))
    func refusals() throws {
        try withTempDir { dir in
            let f = FTPFixture(dir)
            try FileManager.default.createSymbolicLink(atPath: dir.path("store/etc"), withDestinationPath: "/etc")
            let script = ftplibPrelude(f.port) + """
                def reply(ftp, cmd):
                    try:
                        return ftp.sendcmd(cmd)
                    except ftplib.all_errors as e:
                        return str(e)
                ftp = connect()
                print('NOLOGIN', reply(ftp, 'STOR fpga'))
                print('NOLOGIN', reply(ftp, 'SITE STATUS'))
                print('NOLOGIN', reply(ftp, 'LIST'))
                print('USER', reply(ftp, 'USER ulx3s'))
                print('WRONG', reply(ftp, 'PASS guess'))
                print('AFTER', reply(ftp, 'SITE PROG x.bit'))
                ftp.close()
                ftp = login()
                print('UP', reply(ftp, 'CWD ..'))
                print('UP', reply(ftp, 'CDUP'))
                print('ESC', reply(ftp, 'SIZE ../../../etc/passwd'))
                print('ABS', reply(ftp, 'SIZE /etc/passwd'))
                print('LINK', reply(ftp, 'SIZE etc/passwd'))
                print('LONG', reply(ftp, 'NOOP ' + 'x' * 2000))
                print('SITE', reply(ftp, 'SITE EXEC import os'))
                print('SITE', reply(ftp, 'SITE import os; os.system("touch /tmp/x")'))
                print('BAD', reply(ftp, 'STOR flash@zz'))
                print('STILL', reply(ftp, 'NOOP'))
                ftp.quit()
                """
            let r = runPython(script)
            #expect(r.status == 0, "\(r.output)")
            let lines = r.output.split(separator: "\n").map(String.init)
            for line in lines where line.hasPrefix("NOLOGIN") { #expect(line.contains("530"), "\(line)") }
            #expect(lines.contains { $0.hasPrefix("WRONG 530") }, "\(r.output)")
            #expect(lines.contains { $0.hasPrefix("AFTER 530") }, "\(r.output)")
            #expect(lines.filter { $0.hasPrefix("UP 550") && $0.contains("outside the served folder") }.count == 2, "\(r.output)")
            #expect(lines.contains { $0.hasPrefix("ESC 550") }, "\(r.output)")
            #expect(lines.contains { $0.hasPrefix("ABS 550") }, "\(r.output)")
            #expect(lines.contains { $0.hasPrefix("LINK 550") && $0.contains("outside the served folder") }, "\(r.output)")
            #expect(lines.contains { $0.hasPrefix("LONG 500") }, "\(r.output)")
            #expect(lines.filter { $0.hasPrefix("SITE 502") }.count == 2, "\(r.output)")
            #expect(lines.contains { $0.hasPrefix("BAD 501") }, "\(r.output)")
            #expect(lines.contains { $0.hasPrefix("STILL 200") }, "\(r.output)")
            #expect(f.server.log.contains("login failed for user 'ulx3s'"))
            f.server.stop()
        }
    }

    @Test("over real sockets: three idle connections from one address do not keep a user from another out, a fourth takes the place of the oldest, which is closed; a stray connection to the PASV port from another address is closed and the transfer goes on",
          .enabled(if: python != nil, "python3 is not installed"))
    func strangers() throws {
        try withTempDir { dir in
            let f = FTPFixture(dir)
            // The loopback network is 127.0.0.0/8: 127.0.0.2 is another address on this host.
            let script = ftplibPrelude(f.port) + """
                def idle():
                    s = socket.socket()
                    s.bind(('127.0.0.2', 0))
                    s.connect(('127.0.0.1', \(f.port)))
                    s.settimeout(30)
                    return s, s.recv(300).decode().strip()
                waiting = [idle() for _ in range(3)]
                for s, greeting in waiting: print('IDLE', greeting)
                fourth, greeting = idle()
                print('FOURTH', greeting)
                oldest = waiting[0][0]
                oldest.settimeout(10)
                print('OLDEST', len(oldest.recv(100)))
                ftp = login()
                payload = bytes(range(256)) * 400
                ftp.storbinary('STOR a.bin', io.BytesIO(payload))
                host, port = ftplib.parse227(ftp.sendcmd('PASV'))
                stray = socket.socket()
                stray.bind(('127.0.0.2', 0))
                stray.connect((host, port))
                ftp.putcmd('RETR a.bin')
                real = socket.create_connection((host, port))
                print('PRELIM', ftp.getresp())
                data = b''
                while True:
                    b = real.recv(65536)
                    if not b: break
                    data += b
                real.close()
                print('DONE', ftp.voidresp())
                print('SAME', data == payload)
                stray.settimeout(10)
                try:
                    print('STRAY', len(stray.recv(10)))
                except Exception as e:
                    print('STRAY', e)
                ftp.quit()
                """
            let r = runPython(script)
            #expect(r.status == 0, "\(r.output)")
            let lines = r.output.split(separator: "\n").map(String.init)
            #expect(lines.filter { $0.hasPrefix("IDLE 220") }.count == 3, "\(r.output)")
            #expect(lines.contains { $0.hasPrefix("FOURTH 220") }, "\(r.output)")
            #expect(lines.contains("OLDEST 0"), "the oldest idle connection was closed: \(r.output)")
            #expect(f.server.log.contains("closed: waiting to log in, its place given to 127.0.0.2:"), "\(f.server.log)")
            #expect(lines.contains { $0.hasPrefix("PRELIM 150") }, "\(r.output)")
            #expect(lines.contains { $0.hasPrefix("DONE 226") }, "\(r.output)")
            #expect(lines.contains("SAME True"), "\(r.output)")
            #expect(lines.contains("STRAY 0"), "the stray connection was closed: \(r.output)")
            #expect(f.server.log.contains("closed a data connection from 127.0.0.2"))
            f.server.stop()
        }
    }

    @Test("anonymous read-only browsing when enabled: lists and downloads, cannot upload or program; no login configured at all refuses to start",
          .enabled(if: python != nil, "python3 is not installed"))
    func anonymousReadOnly() throws {
        try withTempDir { dir in
            try FileManager.default.createDirectory(atPath: dir.path("store"), withIntermediateDirectories: true)
            dir.write("store/readme.txt", Array("hello\n".utf8))
            let refused = tapwalker("serve", "--ftp", "0", "--root", dir.path("store"), "--cable", "sim")
            #expect(refused.exitCode == 2)
            #expect(refused.stderr.contains("needs a user and password"), "\(refused.stderr)")

            let server = ServerProcess(["serve", "--ftp", "0", "--listen", "127.0.0.1", "--root", dir.path("store"), "--cable", "sim", "--anonymous-read"])
            let port = server.port("ftp")
            let script = ftplibPrelude(port, user: "anonymous", pass: "me@example.org") + """
                def reply(ftp, cmd):
                    try:
                        return ftp.sendcmd(cmd)
                    except ftplib.all_errors as e:
                        return str(e)
                ftp = login()
                print('NLST', ftp.nlst())
                buf = io.BytesIO()
                ftp.retrbinary('RETR readme.txt', buf.write)
                print('RETR', buf.getvalue())
                try:
                    ftp.storbinary('STOR fpga', io.BytesIO(b'x'))
                except ftplib.all_errors as e:
                    print('STOR', e)
                print('SITE', reply(ftp, 'SITE STATUS'))
                print('DELE', reply(ftp, 'DELE readme.txt'))
                ftp.quit()
                """
            let r = runPython(script)
            #expect(r.status == 0, "\(r.output)")
            #expect(r.output.contains("NLST ['readme.txt']"))
            #expect(r.output.contains("RETR b'hello\\n'"))
            #expect(r.output.contains("STOR 550"), "\(r.output)")
            #expect(r.output.contains("SITE 550"), "\(r.output)")
            #expect(r.output.contains("DELE 550"), "\(r.output)")
            #expect(FileManager.default.fileExists(atPath: dir.path("store/readme.txt")))
            server.stop()
        }
    }

    @Test("a client that disconnects halfway through a flash upload: the server stays up and logs how far it got; the same upload again writes only the missing sectors",
          .enabled(if: python != nil && curl != nil, "python3 or curl is not installed"))
    func droppedFlashUpload() throws {
        try withTempDir { dir in
            let f = FTPFixture(dir)
            let script = ftplibPrelude(f.port) + """
                ftp = login()
                ftp.voidcmd('TYPE I')
                data = ftp.transfercmd('STOR flash@0x200000')
                data.sendall(open('\(blink)', 'rb').read()[:1048576])
                # The client dies: both connections close without a word.
                os._exit(0)
                """
            #expect(runPython(script).status == 0)
            #expect(f.server.waitForLog("failed after 1048576 bytes received"), "\(f.server.log)")
            #expect(f.server.log.contains("the client disconnected after 1048576 bytes"), "\(f.server.log)")
            #expect(f.server.log.contains("running the same write again finishes it"), "\(f.server.log)")

            let again = runTool(curl!, ["-sS", "-v", "-T", blink, "\(f.url)/flash@0x200000"])
            #expect(again.status == 0, "\(again.output)")
            // 1 MB = 256 sectors went in before the drop; the rest (215) are written now.
            #expect(again.output.contains("471 sectors: 256 unchanged, 215 written, 0 erased, verified"), "\(again.output)")
            #expect(f.flash(at: 0x200000, count: blinkBytes.count) == blinkBytes)
        }
    }

    @Test("a client that disconnects halfway through an fpga upload: the upload is held and checked before the erase, so the running design stays DONE",
          .enabled(if: python != nil && curl != nil, "python3 or curl is not installed"))
    func droppedFPGAUpload() throws {
        try withTempDir { dir in
            let f = FTPFixture(dir)
            let first = runTool(curl!, ["-sS", "-v", "-T", blink, "\(f.url)/fpga"])
            #expect(first.status == 0 && first.output.contains("DONE"), "\(first.output)")
            let script = ftplibPrelude(f.port) + """
                ftp = login()
                ftp.voidcmd('TYPE I')
                data = ftp.transfercmd('STOR fpga')
                data.sendall(open('\(blink)', 'rb').read()[:700000])
                os._exit(0)
                """
            #expect(runPython(script).status == 0)
            #expect(f.server.waitForLog("700000"), "\(f.server.log)")
            // A new client asks: the design loaded first still runs.
            let status = runPython(ftplibPrelude(f.port) + """
                ftp = login()
                try:
                    print(ftp.sendcmd('SITE STATUS'))
                except ftplib.all_errors as e:
                    print('ERR', e)
                """)
            #expect(status.output.contains("DONE") && !status.output.contains("not DONE"), "\(status.output)")
            #expect(!status.output.contains("ERR"), "\(status.output)")
            // And the next full upload programs it.
            let again = runTool(curl!, ["-sS", "-v", "-T", blink, "\(f.url)/fpga"])
            #expect(again.status == 0 && again.output.contains("DONE"), "\(again.output)")
            f.server.stop()
        }
    }

    @Test("two clients programming at once: the second gets 450 naming the first; nothing is corrupted",
          .enabled(if: python != nil && curl != nil, "python3 or curl is not installed"))
    func busyBoard() throws {
        try withTempDir { dir in
            let f = FTPFixture(dir)
            let url = f.url
            let first = Thread { _ = runTool(curl!, ["-sS", "-T", blink, "\(url)/flash@0x200000"]) }
            first.start()
            #expect(f.server.waitForLog("uploading to flash@0x200000"), "\(f.server.log)")
            let script = ftplibPrelude(f.port) + """
                ftp = login()
                try:
                    ftp.storbinary('STOR fpga', open('\(blink)', 'rb'))
                    print('STORED')
                except ftplib.all_errors as e:
                    print('REFUSED', e)
                try:
                    print(ftp.sendcmd('SITE IDCODE'))
                except ftplib.all_errors as e:
                    print('REFUSED', e)
                print(ftp.sendcmd('NOOP'))
                ftp.quit()
                """
            let r = runPython(script)
            #expect(r.output.contains("REFUSED 450 the board is busy: FTP client 127.0.0.1:"), "\(r.output)")
            #expect(r.output.contains("uploading to flash@0x200000"), "\(r.output)")
            #expect(r.output.contains("200 NOOP ok"))
            #expect(f.server.waitForLog("471 written"), "\(f.server.log)")
            #expect(f.flash(at: 0x200000, count: blinkBytes.count) == blinkBytes)
        }
    }
}
