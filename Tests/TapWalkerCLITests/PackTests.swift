import Foundation
import Testing

@Suite("tapwalker pack")
struct PackTests {
    @Test("pack blink-25f with a 4K window, then prog the packed file into the simulator")
    func packThenProg() throws {
        try withTempDir { dir in
            let packed = dir.path("blink-25f.bit.z")
            let r = tapwalker("pack", Examples.path("blink-25f.bit"), "-o", packed, "--window", "4K", "--json")
            #expect(r.exitCode == 0, "\(r.stderr)")
            let j = r.json()
            #expect(j?.bool("ok") == true)
            #expect(j?.isNull("error") == true)
            #expect(j?.int("bytes_in") == 582369)
            #expect(j?.int("window") == 4096)
            #expect(j?.string("format") == "zlib")
            let bytes = [UInt8](FileManager.default.contents(atPath: packed) ?? Data())
            #expect(j?.int("bytes_out") == bytes.count)
            #expect(bytes.count > 0 && bytes.count < 10000)
            #expect(bytes.first.map { Int($0 >> 4) } == 4)  // CINFO: 2^(4+8) = 4 KB
            let p = tapwalker("prog", packed, "--cable", "sim:part=25f", "--json")
            #expect(p.exitCode == 0, "\(p.stderr)")
            #expect(p.json()?.bool("done") == true)
        }
    }

    @Test("gzip format, text output with sizes and ratio")
    func gzipText() throws {
        try withTempDir { dir in
            let packed = dir.path("ram.gz")
            let r = tapwalker("pack", Examples.path("ram-25f.bit"), "-o", packed, "--window", "512", "--format", "gzip")
            #expect(r.exitCode == 0, "\(r.stderr)")
            #expect(r.stdout.contains("584687 bytes"))
            #expect(r.stdout.contains("%"))
            let bytes = [UInt8](FileManager.default.contents(atPath: packed) ?? Data())
            #expect(Array(bytes.prefix(3)) == [0x1F, 0x8B, 0x08])
        }
    }

    @Test("bad window or format: exit 2, JSON with ok false", arguments: [["--window", "3000"], ["--window", "64K"], ["--window", "256"], ["--format", "bzip2"]])
    func badOptions(args: [String]) throws {
        try withTempDir { dir in
            let r = tapwalker(
                "pack", Examples.path("blink-25f.bit"), "-o", dir.path("x.z"), "--json", args[0], args[1])
            #expect(r.exitCode == 2)
            #expect(r.json()?.bool("ok") == false)
            #expect(!FileManager.default.fileExists(atPath: dir.path("x.z")))
        }
    }
}
