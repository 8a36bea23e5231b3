import Foundation
import Testing
import TapWalkerCore
@testable import TapWalkerDevice

private func hex(_ bytes: [UInt8]) -> String { bytes.map { String(format: "%02x", $0) }.joined() }
private func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

/// Runs Python's hashlib (an independent implementation) and returns its hex output.
private func python(_ program: String) throws -> String {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["python3", "-c", program]
    let pipe = Pipe()
    process.standardOutput = pipe
    try process.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    #expect(process.terminationStatus == 0, "python3 with hashlib is needed for these vectors")
    return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
}

@Suite struct SHA256Tests {
    // FIPS 180-4 example messages (NIST's SHA-256 examples: one block, two blocks).
    @Test func fipsExamples() {
        #expect(hex(SHA256.hash(bytes("abc"))) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(hex(SHA256.hash(bytes("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")))
                == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        #expect(hex(SHA256.hash([])) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    }

    /// Every length around the padding boundaries (55, 56, 63, 64 bytes …), and input fed in
    /// uneven pieces, against hashlib.
    @Test func paddingBoundariesAgainstHashlib() throws {
        let lengths = [0, 1, 55, 56, 57, 63, 64, 65, 119, 120, 127, 128, 1000]
        let expected = try python("""
            import hashlib
            for n in \(lengths): print(hashlib.sha256(bytes((i * 7 + 3) & 255 for i in range(n))).hexdigest())
            """).split(separator: "\n").map(String.init)
        #expect(expected.count == lengths.count)
        for (n, want) in zip(lengths, expected) {
            let message = (0..<n).map { UInt8(truncatingIfNeeded: $0 * 7 + 3) }
            #expect(hex(SHA256.hash(message)) == want, "length \(n)")
            var h = SHA256()
            var i = 0
            var piece = 1
            while i < n { let j = min(n, i + piece); h.update(Array(message[i..<j])); i = j; piece = piece * 3 % 70 + 1 }
            #expect(hex(h.finish()) == want, "length \(n) in pieces")
        }
    }
}

@Suite struct HMACSHA256Tests {
    /// RFC 4231 §4.2–4.8, test cases 1–7 (case 5 compares the first 128 bits, as the RFC does).
    @Test func rfc4231() {
        let cases: [([UInt8], [UInt8], String)] = [
            ([UInt8](repeating: 0x0b, count: 20), bytes("Hi There"),
             "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"),
            (bytes("Jefe"), bytes("what do ya want for nothing?"),
             "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"),
            ([UInt8](repeating: 0xaa, count: 20), [UInt8](repeating: 0xdd, count: 50),
             "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe"),
            (Array(1...25), [UInt8](repeating: 0xcd, count: 50),
             "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b"),
            ([UInt8](repeating: 0x0c, count: 20), bytes("Test With Truncation"),
             "a3b6167473100ee06e0c796c2955552b"),
            ([UInt8](repeating: 0xaa, count: 131), bytes("Test Using Larger Than Block-Size Key - Hash Key First"),
             "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"),
            ([UInt8](repeating: 0xaa, count: 131),
             bytes("This is a test using a larger than block-size key and a larger than block-size data. The key needs to be hashed before being used by the HMAC algorithm."),
             "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2"),
        ]
        for (key, data, want) in cases {
            let mac = hex(HMACSHA256.mac(key: key, message: data))
            #expect(mac.hasPrefix(want))
        }
    }
}

@Suite struct PBKDF2Tests {
    /// RFC 6070's inputs (written for SHA-1) with SHA-256, the expected keys computed by hashlib:
    /// one and several iterations, a key longer than one HMAC output (two blocks), NUL bytes.
    @Test func rfc6070InputsWithSHA256AgainstHashlib() throws {
        let cases: [(String, String, Int, Int)] = [
            ("password", "salt", 1, 20),
            ("password", "salt", 2, 20),
            ("password", "salt", 4096, 20),
            ("passwordPASSWORDpassword", "saltSALTsaltSALTsaltSALTsaltSALTsalt", 4096, 25),
            ("pass\u{0}word", "sa\u{0}lt", 4096, 16),
            ("password", "salt", 3, 64),
        ]
        let program = "import hashlib\n" + cases.map { p, s, c, n in
            "print(hashlib.pbkdf2_hmac('sha256', bytes(\(Array(p.utf8))), bytes(\(Array(s.utf8))), \(c), \(n)).hex())"
        }.joined(separator: "\n")
        let expected = try python(program).split(separator: "\n").map(String.init)
        #expect(expected.count == cases.count)
        for ((p, s, c, n), want) in zip(cases, expected) {
            #expect(hex(PBKDF2.sha256(password: bytes(p), salt: bytes(s), iterations: c, length: n)) == want, "\(p) \(s) \(c)")
        }
    }

    @Test func hashedLoginAcceptsOnlyThePassword() throws {
        let salt = "73616c7479"  // "salty"
        let want = try python("import hashlib; print(hashlib.pbkdf2_hmac('sha256', b'secret', bytes.fromhex('\(salt)'), 1000).hex())")
        let credential = try LoginCredential.parse(bytes("pbkdf2-sha256$1000$\(salt)$\(want)"))
        #expect(credential.accepts(bytes("secret")))
        #expect(!credential.accepts(bytes("secreT")))
        #expect(!credential.accepts(bytes("secret ")))
        #expect(!credential.accepts([]))
    }

    /// The command docs/device-configuration.md gives for making a hash (random salt, 10000
    /// iterations), its output pasted into tapwalker.conf.
    @Test func theDocumentedHashCommandMakesAWorkingLogin() throws {
        let line = try python("""
            import hashlib,os; s=os.urandom(16); p=b"pa:ss word"
            print("pbkdf2-sha256$10000$%s$%s" % (s.hex(), hashlib.pbkdf2_hmac("sha256", p, s, 10000).hex()))
            """)
        let config = try DeviceConfiguration.parse(bytes("[login]\nuser = ulx3s\npassword = \(line)\n"))
        #expect(config.login?.credential.accepts(bytes("pa:ss word")) == true)
        #expect(config.login?.credential.accepts(bytes("pa:ss word!")) == false)
    }

    @Test func clearLoginComparesWholePassword() throws {
        let credential = try LoginCredential.parse(bytes("secret"))
        #expect(credential.accepts(bytes("secret")))
        #expect(!credential.accepts(bytes("secre")))
        #expect(!credential.accepts(bytes("secrets")))
        #expect(!credential.accepts(bytes("Secret")))
    }

    @Test func malformedHashIsAnErrorNotAClearPassword() {
        for bad in ["pbkdf2-sha256$1000$73616c74", "pbkdf2-sha256$0$73616c74$" + String(repeating: "00", count: 32),
                    "pbkdf2-sha256$1000$7$" + String(repeating: "00", count: 32),
                    "pbkdf2-sha256$1000$73616c74$" + String(repeating: "0g", count: 32),
                    "pbkdf2-sha256$1000$73616c74$00"] {
            #expect(throws: TapWalkerError.self, "\(bad)") { try LoginCredential.parse(bytes(bad)) }
        }
    }
}
