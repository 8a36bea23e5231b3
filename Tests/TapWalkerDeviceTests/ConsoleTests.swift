import Testing
import TapWalkerCore
@testable import TapWalkerDevice

private func b(_ s: String) -> [UInt8] { Array(s.utf8) }
private func parse(_ s: String) throws(TapWalkerError) -> ConsoleCommand? { try ConsoleCommand.parse(b(s)) }
private func parseError(_ s: String) -> String {
    do { _ = try parse(s); return "" } catch { return error.message }
}

/// Records what the console asked for and answers from a script.
final class FakeActions: ConsoleActions {
    var calls: [String] = []
    var networks: [[WiFiNetwork]] = []
    var failure: TapWalkerError? = nil
    func status() throws(TapWalkerError) -> String { calls.append("status"); return "IDCODE 0x41113043 LFE5U-85F\nDONE 1" }
    func program(file: String) throws(TapWalkerError) -> String {
        calls.append("prog \(file)")
        if let failure { throw failure }
        return "DONE"
    }
    func flash(file: String, address: Int) throws(TapWalkerError) -> String {
        calls.append("flash \(file) \(address)")
        return "4K blocks: 3 total, 1 erased, 2 written."
    }
    func svf(file: String) throws(TapWalkerError) -> String { calls.append("svf \(file)"); return "svf: played" }
    func passthru() throws(TapWalkerError) -> String { calls.append("passthru"); return "DONE" }
    func networksChanged(_ networks: [WiFiNetwork]) { self.networks.append(networks) }
    func reboot() { calls.append("reboot") }
}

@Suite struct ConsoleCommandTests {
    @Test func theFixedCommandList() throws {
        #expect(try parse("status") == .status)
        #expect(try parse("bootcheck") == .bootCheck)
        #expect(try parse("  STATUS  ") == .status)
        #expect(try parse("prog blink.bit") == .program(file: "blink.bit"))
        #expect(try parse("prog \"my design.bit.gz\"") == .program(file: "my design.bit.gz"))
        #expect(try parse("prog 'it''s.bit'") == .program(file: "its.bit"))
        #expect(try parse("flash \"a \\\"b\\\".bit\" 0x200000") == .flash(file: "a \"b\".bit", address: 0x200000))
        #expect(try parse("flash a.bit") == .flash(file: "a.bit", address: 0))
        #expect(try parse("flash a.bit 2M") == .flash(file: "a.bit", address: 2 << 20))
        #expect(try parse("passthru") == .passthru)
        #expect(try parse("svf \"blink 25f.svf\"") == .svf(file: "blink 25f.svf"))
        #expect(try parse("wifi list") == .wifiList)
        #expect(try parse("wifi add \"My Home\" \"pass word\"") == .wifiAdd(WiFiNetwork(ssid: b("My Home"), password: b("pass word"))))
        #expect(try parse("wifi add cafe") == .wifiAdd(WiFiNetwork(ssid: b("cafe"), password: [])))
        #expect(try parse("wifi remove cafe") == .wifiRemove(ssid: b("cafe")))
        #expect(try parse("reboot") == .reboot)
        #expect(try parse("help") == .help)
        #expect(try parse("   ") == nil)
    }

    @Test func anythingElseIsAClearError() {
        #expect(parseError("import os") == "unknown command \"import\"; type help for the list")
        #expect(parseError("exec('print(1)')") == "unknown command \"exec(print(1))\"; type help for the list")
        #expect(parseError("prog") == "usage: prog FILE")
        #expect(parseError("svf") == "usage: svf FILE")
        #expect(parseError("svf a.svf b.svf") == "usage: svf FILE")
        #expect(parseError("prog a.bit b.bit") == "usage: prog FILE")
        #expect(parseError("prog \"a.bit") == "a quote (\") is not closed")
        #expect(parseError("prog \"\"") == "the file name is empty")
        #expect(parseError("flash a.bit 0x1001").hasPrefix("flash address 0x00001001 is not a multiple of 4K"))
        #expect(parseError("flash a.bit -4096").hasPrefix("flash address \"-4096\" is not a number"))
        #expect(parseError("flash a.bit zero").hasPrefix("flash address \"zero\" is not a number"))
        #expect(parseError("wifi scan").hasPrefix("usage: wifi list"))
        #expect(parseError("status now") == "usage: status")
        #expect(parseError("prog a\u{1}b") == "control character 0x01 in the line")
        #expect(parseError("prog " + String(repeating: "x", count: 300)) == "the line is longer than 256 bytes")
    }
}

@Suite struct ConsoleTests {
    @Test func boardCommandsGoThroughTheActions() {
        let actions = FakeActions()
        let console = Console(actions: actions, files: MemoryFileSystem())
        #expect(console.reply(to: b("status")) == "IDCODE 0x41113043 LFE5U-85F\nDONE 1\n")
        #expect(console.reply(to: b("prog \"my design.bit\"")) == "DONE\n")
        #expect(console.reply(to: b("flash x.bit 0x100000")) == "4K blocks: 3 total, 1 erased, 2 written.\n")
        #expect(console.reply(to: b("passthru")) == "DONE\n")
        #expect(actions.calls == ["status", "prog my design.bit", "flash x.bit 1048576", "passthru"])
    }

    @Test func errorsAreRepliesAndRunNothing() {
        let actions = FakeActions()
        let console = Console(actions: actions, files: MemoryFileSystem())
        #expect(console.reply(to: b("flash x.bit 0x10")).hasPrefix("error: flash address 0x00000010 is not a multiple of 4K"))
        #expect(console.reply(to: b("rm -rf /")) == "error: unknown command \"rm\"; type help for the list\n")
        #expect(actions.calls.isEmpty)
        actions.failure = TapWalkerError(.device, "the FPGA did not report DONE")
        #expect(console.reply(to: b("prog a.bit")) == "error: the FPGA did not report DONE\n")
        #expect(console.reply(to: b("")) == "")
    }

    @Test func rebootRepliesBeforeRestarting() {
        let actions = FakeActions()
        let console = Console(actions: actions, files: MemoryFileSystem())
        var out: [String] = []
        console.execute(b("reboot")) { out.append($0); #expect(actions.calls.isEmpty) }
        #expect(out == ["rebooting\n"])
        #expect(actions.calls == ["reboot"])
    }

    @Test func helpListsEveryCommand() {
        let reply = Console(actions: FakeActions(), files: MemoryFileSystem()).reply(to: b("help"))
        for word in ["status", "prog FILE", "flash FILE", "passthru", "wifi list", "wifi add", "wifi remove", "reboot"] {
            #expect(reply.contains(word), "\(word)")
        }
    }

    @Test func wifiCommandsEditWifimanConfAndTellTheRoaming() {
        let actions = FakeActions()
        let files = MemoryFileSystem()
        files.files["/wifiman.conf"] = b("# my networks\nhome:homepass1\n")
        let console = Console(actions: actions, files: files)
        #expect(console.reply(to: b("wifi list")) == "home\n")
        #expect(console.reply(to: b("wifi add \"Lab 2\" labpass12")) == "added \"Lab 2\"\n")
        #expect(files.text("/wifiman.conf") == "# my networks\nhome:homepass1\nLab 2:labpass12\n")
        #expect(files.renames.count == 1 && files.renames[0] == ("/wifiman.conf.new", "/wifiman.conf"))
        #expect(console.reply(to: b("wifi add home newpass12")) == "changed \"home\"\n")
        #expect(console.reply(to: b("wifi add cafe")) == "added \"cafe\"\n")
        #expect(console.reply(to: b("wifi list")) == "home\nLab 2\ncafe (open)\n")
        #expect(console.reply(to: b("wifi remove home")) == "removed \"home\"\n")
        #expect(files.text("/wifiman.conf") == "# my networks\nLab 2:labpass12\ncafe:\n")
        #expect(actions.networks.last == [WiFiNetwork(ssid: b("Lab 2"), password: b("labpass12")),
                                          WiFiNetwork(ssid: b("cafe"), password: [])])
        #expect(actions.networks.count == 4)
        // Refused edits change nothing and tell nobody.
        #expect(console.reply(to: b("wifi remove home")).hasPrefix("error: no network \"home\""))
        #expect(console.reply(to: b("wifi add x short")).hasPrefix("error: the password for \"x\" must be 8 to 63"))
        #expect(files.text("/wifiman.conf") == "# my networks\nLab 2:labpass12\ncafe:\n")
        #expect(actions.networks.count == 4)
    }

    @Test func wifiEditsWorkWhereRenameWillNotReplaceAFile() {
        let files = MemoryFileSystem()
        files.renameRefusesExisting = true
        files.files["/wifiman.conf"] = b("home:homepass1\n")
        let console = Console(actions: FakeActions(), files: files)
        #expect(console.reply(to: b("wifi add lab labpass12")) == "added \"lab\"\n")
        #expect(files.text("/wifiman.conf") == "home:homepass1\nlab:labpass12\n")
        #expect(files.files.count == 1)
    }

    @Test func aReplacementCutShortByPowerLossIsFinishedOnTheNextRead() throws {
        let files = MemoryFileSystem()
        // The old file was removed, the complete new one not yet renamed.
        files.files["/wifiman.conf.new"] = b("lab:labpass12\n")
        #expect(try WiFiManFile.load(from: files).networks == [WiFiNetwork(ssid: b("lab"), password: b("labpass12"))])
        #expect(files.text("/wifiman.conf") == "lab:labpass12\n" && files.files["/wifiman.conf.new"] == nil)
        // With both present, the old file is the one in force (the new one may be incomplete).
        files.files["/wifiman.conf.new"] = b("half")
        #expect(try WiFiManFile.load(from: files).networks.count == 1)
    }

    @Test func aFailedWriteLeavesTheOldFile() {
        let files = MemoryFileSystem()
        files.files["/wifiman.conf"] = b("home:homepass1\n")
        files.failWrites = true
        let console = Console(actions: FakeActions(), files: files)
        #expect(console.reply(to: b("wifi add lab labpass12")) == "error: flash full\n")
        #expect(files.text("/wifiman.conf") == "home:homepass1\n")
        #expect(files.files["/wifiman.conf.new"] == nil)
    }

    @Test func withoutWifimanConfTheListIsEmptyAndAddCreatesIt() {
        let files = MemoryFileSystem()
        let console = Console(actions: FakeActions(), files: files)
        #expect(console.reply(to: b("wifi list")).hasPrefix("no networks in wifiman.conf"))
        _ = console.reply(to: b("wifi add home homepass1"))
        #expect(files.text("/wifiman.conf") == "home:homepass1\n")
    }
}

@Suite struct ConsoleLineBufferTests {
    private func feed(_ buffer: inout ConsoleLineBuffer, _ text: String) -> [ConsoleLineBuffer.Received] {
        text.utf8.compactMap { buffer.receive($0) }
    }

    @Test func linesEndAtCROrLFAndBackspaceEdits() {
        var buffer = ConsoleLineBuffer()
        #expect(feed(&buffer, "stat\u{8}tus\r\nhelp\nprog x\u{7f}y\r") == [.line(b("status")), .line(b("help")), .line(b("prog y"))])
    }

    @Test func anOverlongLineIsDroppedWholeAndReported() {
        var buffer = ConsoleLineBuffer()
        let long = String(repeating: "a", count: 300) + "reboot\n"
        #expect(feed(&buffer, long + "status\n") == [.tooLong, .line(b("status"))])
        let exact = String(repeating: "b", count: ConsoleCommand.maximumLineBytes)
        #expect(feed(&buffer, exact + "\n") == [.line(b(exact))])
    }
}

@Suite struct ConsoleTerminalTests {
    @Test func typedBytesAreEchoedEditedAndRun() {
        let actions = FakeActions()
        let console = Console(actions: actions, files: MemoryFileSystem())
        var screen = ""
        console.receive(b("stax\u{7f}tus\r\n")) { screen += $0 }
        #expect(screen == "stax\u{8} \u{8}tus\r\nIDCODE 0x41113043 LFE5U-85F\nDONE 1\n" + Console.prompt)
        #expect(actions.calls == ["status"])
        screen = ""
        console.receive(b("\u{7f}\r")) { screen += $0 }  // backspace on an empty line erases nothing
        #expect(screen == "\r\n" + Console.prompt)
        screen = ""
        console.receive(b(String(repeating: "x", count: 300) + "\n")) { screen += $0 }
        #expect(screen.hasSuffix("\r\nerror: the line is longer than 256 bytes; it was dropped\n" + Console.prompt))
        #expect(actions.calls == ["status"])
    }
}
