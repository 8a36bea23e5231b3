import Foundation
import Testing
import TapWalkerCore
import TapWalkerServices

@Suite("The embedded web page")
struct HTTPPageTests {
    private var embedded: [UInt8] {
        Array(UnsafeRawBufferPointer(start: HTTPPage.html.utf8Start, count: HTTPPage.html.utf8CodeUnitCount))
    }

    @Test("at most 48 KB gzipped, and nothing loaded from elsewhere (the device has no internet)")
    func sizeAndSelfContained() throws {
        let gz = try Deflater.compress(embedded, windowBits: 15, format: .gzip)
        #expect(gz.count <= 48 * 1024, "\(gz.count) bytes gzipped")
        let text = String(decoding: embedded, as: UTF8.self)
        // What would make a browser load something from elsewhere: an absolute or scheme-relative
        // address in src/href/action or CSS, or an import. (Text that only mentions a URL, such as
        // the "from URL" field's example, loads nothing.)
        for attribute in ["src=", "href=", "action=", "url(", "fetch("] {
            for quote in ["\"", "'", ""] {
                for scheme in ["http:", "https:", "//"] {
                    let external = attribute + quote + scheme
                    #expect(!text.lowercased().contains(external), "\(external)")
                }
            }
        }
        #expect(!text.contains("@import"))
        #expect(text.contains("/api/login") && text.contains("/api/events") && text.contains("X-CSRF-Token"))
    }

    @Test("GET / serves the embedded page with its length and a content security policy")
    func served() {
        let h = HTTPHarness(pageFromBinary: true)
        let out = h.exchange("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(out.contains("Content-Length: \(HTTPPage.html.utf8CodeUnitCount)\r\n"))
        #expect(out.contains("Content-Security-Policy: default-src 'none'"))
        #expect(out.hasSuffix("</html>\n"))
    }
}
