import Foundation
import Testing

/// Runs `python3 -c script args...` and reports whether it succeeded.
private func python(_ script: String, _ arguments: String...) -> Bool {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["python3", "-c", script] + arguments
    guard (try? process.run()) != nil else { return false }
    process.waitUntilExit()
    return process.terminationStatus == 0
}

@Suite("compressed inputs (gzip, zlib) recognised by content")
struct GzipInputTests {
    @Test("prog takes a gzipped bitstream; info on a zlib copy agrees with the plain file")
    func gzipAndZlibInputs() throws {
        try withTempDir { dir in
            let plain = Examples.path("blink-25f.bit")
            let gz = dir.path("blink.bit.gz")
            let zl = dir.path("blink.z")
            let script = """
                import gzip, sys, zlib
                data = open(sys.argv[1], 'rb').read()
                open(sys.argv[2], 'wb').write(gzip.compress(data))
                open(sys.argv[3], 'wb').write(zlib.compress(data, 9))
                """
            #expect(python(script, plain, gz, zl), "python3 could not write the compressed copies")

            let prog = tapwalker("prog", gz, "--json", "--cable", "sim:part=25f")
            #expect(prog.exitCode == 0, "\(prog.stderr)")
            #expect(prog.json()?.bool("done") == true, "\(prog.stdout)")

            let a = tapwalker("info", plain, "--json")
            let b = tapwalker("info", zl, "--json")
            #expect(b.exitCode == 0, "\(b.stderr)")
            guard let ja = a.json(), let jb = b.json() else { return }
            #expect(jb.bool("ok") == true)
            #expect(jb.int("bytes") == ja.int("bytes") && ja.int("bytes") == exampleBytes("blink-25f.bit").count)
            #expect(jb.hex("idcode") == ja.hex("idcode"))
            #expect(jb.int("frames") == ja.int("frames"))
            #expect(jb.bool("program_done") == true)
        }
    }

    @Test("flash write takes gzip, zlib and standard input; all land as the same bytes and boot")
    func flashWriteCompressedAndStdin() throws {
        try withTempDir { dir in
            let plain = Examples.path("blink-25f.bit")
            let gz = dir.path("blink.bit.gz"), zl = dir.path("blink.z")
            let script = """
                import gzip, sys, zlib
                data = open(sys.argv[1], 'rb').read()
                open(sys.argv[2], 'wb').write(gzip.compress(data))
                c = zlib.compressobj(9, zlib.DEFLATED, 12)
                open(sys.argv[3], 'wb').write(c.compress(data) + c.flush())
                """
            #expect(python(script, plain, gz, zl), "python3 could not write the compressed copies")
            let expected = exampleBytes("blink-25f.bit")
            for (i, input) in [gz, zl, "-"].enumerated() {
                let image = dir.path("flash\(i).bin")
                let cable = "sim:part=25f,flash-image=\(image)"
                let r = input == "-"
                    ? tapwalker("flash", "write", "-", "--json", "--cable", cable, stdin: Data(expected))
                    : tapwalker("flash", "write", input, "--json", "--cable", cable)
                #expect(r.exitCode == 0, "\(input): \(r.stdout)\(r.stderr)")
                #expect(r.json()?.bool("done") == true, "\(input) boots")
                #expect(r.json()?.int("bytes") == expected.count, "\(input)")
                let flash = [UInt8](try Data(contentsOf: URL(fileURLWithPath: image)))
                #expect(Array(flash[0..<expected.count]) == expected, "\(input)")
            }
        }
    }
}
