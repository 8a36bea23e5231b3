import Testing
import TapWalkerCore
@testable import TapWalkerDevice

private func b(_ s: String) -> [UInt8] { Array(s.utf8) }
private func entry(_ s: String) throws(TapWalkerError) -> ConfigurationSyntax.Entry { try ConfigurationSyntax.parse(b(s)) }
private func problem(_ s: String) -> String {
    do { _ = try entry(s); return "" } catch { return error.message }
}

@Suite struct ConfigurationSyntaxTests {
    @Test func sectionsPairsBlanksAndComments() throws {
        #expect(try entry("") == .nothing)
        #expect(try entry("   \t ") == .nothing)
        #expect(try entry("# [login]") == .nothing)
        #expect(try entry("  [jtag]  # pins") == .section(b("jtag")))
        #expect(try entry("ftp=21") == .pair(key: b("ftp"), value: b("21")))
        #expect(try entry("\tap_password =  two words  # why") == .pair(key: b("ap_password"), value: b("two words")))
        #expect(try entry("password =") == .pair(key: b("password"), value: []))
        #expect(try entry("password = a#b\t#c") == .pair(key: b("password"), value: b("a#b")))
        #expect(try entry("password = \"\"") == .pair(key: b("password"), value: []))
    }

    @Test func malformedLinesSayWhatIsExpected() {
        #expect(problem("[login") == "a section header is [name] with letters, digits and _")
        #expect(problem("[log in]") == "a section header is [name] with letters, digits and _")
        #expect(problem("[login]x") == "unexpected text after the end: x")
        #expect(problem("[login]#x") == "unexpected text after the end: #x")
        #expect(problem("user ulx3s") == "expected key = value, with a key of letters, digits and _")
        #expect(problem("= 5") == "expected key = value, with a key of letters, digits and _")
        #expect(problem("password = \"a\" b") == "password: unexpected text after the end: b")
        #expect(problem("password = \"a\\nb\"") == "password: in a quoted value only \\\" and \\\\ are escapes")
    }
}
