import Testing
import TapWalkerServices

@Suite("Writing a JSON string: one escaper for results and the HTTP API")
struct JSONQuoteTests {
    @Test("quotes, backslashes, control characters and DEL escaped; other bytes as they are")
    func escapes() {
        let text = "a\"b\\c\n\r\t\u{01}\u{1F}\u{7F}é/"
        let expected = "\"a\\\"b\\\\c\\n\\r\\t\\u0001\\u001f\\u007fé/\""
        #expect(JSONObject.quote(text) == expected)
        #expect(HTTPJSON.string(text) == expected)
        var object = JSONObject()
        object["k\u{7F}"] = .string(text)
        #expect(object.serialized() == "{\"k\\u007f\":\(expected)}")
    }

    @Test("what the escaper writes reads back as the same bytes")
    func roundTrip() throws {
        let text = "x\u{7F}\u{00}y\"z"
        let read = try #require(HTTPJSONObject.strings(Array("{\"v\":\(JSONObject.quote(text))}".utf8)))
        #expect(read.first?.value == Array(text.utf8))
    }
}
