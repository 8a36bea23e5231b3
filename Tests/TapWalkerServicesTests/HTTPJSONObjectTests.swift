import Testing
import TapWalkerServices

private func parse(_ s: String) -> [(name: String, value: [UInt8])]? { HTTPJSONObject.strings(Array(s.utf8)) }

@Suite("Reading a flat JSON object of strings")
struct HTTPJSONObjectTests {
    @Test("members in order, escapes decoded, \\u escapes and surrogate pairs as UTF-8")
    func decodes() throws {
        let m = try #require(parse(" {\"ssid\" : \"a\\\"b\\\\c\\/d\", \"p\":\"\\n\\t\\u00e9\\ud83d\\ude00\", \"e\":\"\"} \n"))
        #expect(m.map { $0.name } == ["ssid", "p", "e"])
        #expect(m[0].value == Array("a\"b\\c/d".utf8))
        #expect(m[1].value == [0x0A, 0x09, 0xC3, 0xA9, 0xF0, 0x9F, 0x98, 0x80])
        #expect(m[2].value.isEmpty)
        #expect(try #require(parse("{}")).isEmpty)
        #expect(try #require(parse("{\"x\":\"caf\u{e9}\"}"))[0].value == [0x63, 0x61, 0x66, 0xC3, 0xA9])
    }

    @Test("anything else is refused, not skipped")
    func refuses() {
        for bad in ["", "[]", "{\"a\":1}", "{\"a\":\"b\",}", "{\"a\":\"b\"} x", "{\"a\":\"b\"", "{\"a\" \"b\"}", "{a:\"b\"}",
                    "{\"a\":{\"b\":\"c\"}}", "{\"a\":\"\\x\"}", "{\"a\":\"\\u12\"}", "{\"a\":\"\\udc00\"}", "{\"a\":\"\\ud800\\u0041\"}",
                    "{\"a\":\"line\nbreak\"}", "{\"a\":null}"] {
            #expect(parse(bad) == nil, "\(bad)")
        }
    }
}
