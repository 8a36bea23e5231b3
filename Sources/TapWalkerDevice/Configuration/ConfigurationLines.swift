import TapWalkerCore

/// A configuration file's text cut into numbered lines, within bounds that keep a corrupt or
/// hostile file from exhausting the device's heap (a C3 has roughly 150–200 KB left once WiFi runs).
/// Both `wifiman.conf` and `tapwalker.conf` are read through it.
public struct ConfigurationLines {
    /// Larger files are refused whole; real ones are a few hundred bytes.
    public static let maximumFileBytes = 8192
    /// Longer lines are refused: an SSID is at most 32 bytes, a WPA passphrase 63, a salted hash
    /// about 150.
    public static let maximumLineBytes = 255

    public struct Line {
        /// 1-based, as editors count.
        public let number: Int
        /// Without the line break (LF, or CR LF).
        public let bytes: [UInt8]
    }

    public let file: String
    public let lines: [Line]

    /// Splits `text`; `file` names it in every error ("tapwalker.conf:3: …").
    public init(_ text: [UInt8], file: String) throws(TapWalkerError) {
        self.file = file
        guard text.count <= ConfigurationLines.maximumFileBytes else {
            throw TapWalkerError(.input, "\(file): \(text.count) bytes is more than a configuration file may hold (\(ConfigurationLines.maximumFileBytes)); nothing was read from it")
        }
        var lines: [Line] = []
        var current: [UInt8] = []
        var number = 1
        var index = 0
        while index <= text.count {
            if index == text.count || text[index] == 0x0A {
                if current.last == 0x0D { current.removeLast() }
                if index < text.count || !current.isEmpty { lines.append(Line(number: number, bytes: current)) }
                current.removeAll(keepingCapacity: true)
                number += 1
                index += 1
                continue
            }
            let b = text[index]
            let breakCR = b == 0x0D && (index + 1 == text.count || text[index + 1] == 0x0A)
            if b < 0x20 && b != 0x09 && !breakCR || b == 0x7F {
                throw TapWalkerError(.input, "\(file):\(number): control character \(ASCII.hex(b)) in the text; a configuration file is plain text")
            }
            current.append(b)
            if current.count > ConfigurationLines.maximumLineBytes {
                throw TapWalkerError(.input, "\(file):\(number): line longer than \(ConfigurationLines.maximumLineBytes) bytes")
            }
            index += 1
        }
        self.lines = lines
    }

    /// "file:line: message", the prefix of every configuration error.
    public func error(_ line: Line, _ message: String) -> TapWalkerError {
        TapWalkerError(.input, "\(file):\(line.number): \(message)")
    }
}
