import Foundation
import Testing

// The page's check of a file before it is sent, run with node on the example bitstreams: the
// IDCODE it reads from VERIFY_ID must be the part's, plain and gzip-compressed, so that the page
// refuses a bitstream for another part.

private let node = toolPath("node")

@Suite("web page file check")
struct PageCheckTests {
    @Test("idcodeOf() in the page (HTTPPage.swift) reads each example's IDCODE, also from gzip", .enabled(if: node != nil, "node is not installed"))
    func idcodes() throws {
        try withTempDir { dir in
            let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            let html = try String(contentsOf: root.appendingPathComponent("Sources/TapWalkerServices/HTTP/HTTPPage.swift"), encoding: .utf8)
            guard let start = html.range(of: "function idcodeOf"), let end = html.range(of: "async function inspect") else {
                Issue.record("idcodeOf is not in the page")
                return
            }
            let script = String(html[start.lowerBound..<end.lowerBound]) + """
                const fs=require("fs"),zlib=require("zlib");
                for(const f of process.argv.slice(2)){let b=fs.readFileSync(f);if(b[0]===0x1f)b=zlib.gunzipSync(b);
                const id=idcodeOf(new Uint8Array(b));console.log(id==null?"none":"0x"+id.toString(16).padStart(8,"0"))}
                """
            let js = dir.write("check.js", Array(script.utf8))
            let gz = runTool(toolPath("gzip") ?? "/bin/gzip", ["-kf", dir.write("b45.bit", [UInt8](FileManager.default.contents(atPath: Examples.path("blink-45f.bit")) ?? Data()))])
            #expect(gz.status == 0)
            let r = runTool(node!, [js, Examples.path("blink-85f.bit"), Examples.path("blink-12f-compressed.bit"), dir.path("b45.bit.gz"), js])
            #expect(r.output.split(separator: "\n") == ["0x41113043", "0x21111043", "0x41112043", "none"], "\(r.output)")
        }
    }
}
