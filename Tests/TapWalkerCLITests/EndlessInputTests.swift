import Foundation
import Testing

/// Input without end (a device file, a decompression bomb) ends at the part's largest bitstream
/// with a clear error, in bounded time and memory.
@Suite("endless input")
struct EndlessInputTests {
    @Test("info /dev/zero is not a bitstream, and ends")
    func infoDevZero() {
        let run = tapwalker("info", "/dev/zero", timeout: 60)
        #expect(run.exitCode == 2)
        #expect(run.stderr.contains("no preamble"), "stderr: \(run.stderr)")
    }

    @Test("a gzip bomb of padding after a valid bitstream ends at the part's largest size")
    func gzipBomb() throws {
        try withTempDir { dir in
            // 200 MB of 0xFF dummy bytes after the bitstream: about 200 KB gzipped.
            var data = [UInt8](try Data(contentsOf: URL(fileURLWithPath: Examples.path("blink-25f.bit"))))
            data += [UInt8](repeating: 0xFF, count: 200 << 20)
            let path = dir.path("bomb.bit.gz")
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = ["gzip", "-c"]
            let input = Pipe(), output = FileHandle(forWritingAtPath: {
                FileManager.default.createFile(atPath: path, contents: nil)
                return path
            }())!
            process.standardInput = input
            process.standardOutput = output
            try process.run()
            input.fileHandleForWriting.write(Data(data))
            try input.fileHandleForWriting.close()
            process.waitUntilExit()
            try output.close()

            let run = tapwalker("info", path, "--json", timeout: 60)
            #expect(run.exitCode == 1)
            let json = try #require(run.json())
            #expect(json.bool("ok") == false)
            #expect(json.int("frames") == 7562)
            #expect(json.object("problem")?.string("message")?.contains("more than any bitstream for LFE5U-25F") == true,
                    "\(run.stdout)")
        }
    }
}
