import TapWalkerCore

/// Command lines of the control connection, which RFC 959 (section 4.1.1) makes a Telnet
/// connection: Telnet commands (RFC 854: IAC followed by a command byte, three bytes for the
/// option negotiations WILL/WONT/DO/DONT, IAC SB … IAC SE for a subnegotiation) are removed
/// wherever they occur, and IAC IAC stands for one data byte 0xFF. Clients send IAC IP and IAC DM
/// before ABOR; none of it reaches the command.
///
/// A line may hold `maximumLength` bytes before its CR LF (or bare LF); a longer one is consumed
/// to its end and reported as `.tooLong`, keeping at most `maximumLength` + 1 bytes.
final class FTPLineReader {
    enum Line {
        case line([UInt8])
        case tooLong
        case closed
        /// `receiveTimeout` said there was no time left.
        case expired
    }

    static let iac: UInt8 = 255
    /// Telnet command bytes are 236 (EOF) to 255; a lower byte after IAC is data.
    static let lowestCommand: UInt8 = 236
    static let subnegotiationBegin: UInt8 = 250
    static let subnegotiationEnd: UInt8 = 240
    /// WILL, WONT, DO, DONT: each is followed by one option byte.
    static let negotiations: ClosedRange<UInt8> = 251...254

    let reader: ConnectionReader
    let maximumLength: Int

    init(_ reader: ConnectionReader, maximumLength: Int) {
        self.reader = reader
        self.maximumLength = maximumLength
    }

    /// The next line. `receiveTimeout` is asked before every receive that has to wait for the
    /// peer, and gives the milliseconds it may wait; 0 or less ends the line with `.expired`.
    func line(receiveTimeout: () -> Int) throws(TapWalkerError) -> Line {
        var out: [UInt8] = []
        var overflow = false
        var expired = false
        func next() throws(TapWalkerError) -> UInt8? {
            if reader.available == 0 {
                let t = receiveTimeout()
                if t <= 0 { expired = true; return nil }
                reader.timeoutMilliseconds = t
            }
            return try reader.byte()
        }
        while true {
            guard var b = try next() else { return expired ? .expired : .closed }
            if b == FTPLineReader.iac {
                guard let command = try next() else { return expired ? .expired : .closed }
                if command == FTPLineReader.iac {
                    b = FTPLineReader.iac
                } else if command < FTPLineReader.lowestCommand {
                    // Not a Telnet command: the DM of a Telnet Synch was sent as TCP urgent data,
                    // which the socket takes out of the stream, leaving a lone IAC before it.
                    b = command
                } else {
                    if FTPLineReader.negotiations.contains(command) {
                        guard try next() != nil else { return expired ? .expired : .closed }
                    } else if command == FTPLineReader.subnegotiationBegin {
                        var afterIAC = false
                        while true {
                            guard let s = try next() else { return expired ? .expired : .closed }
                            if afterIAC && s == FTPLineReader.subnegotiationEnd { break }
                            afterIAC = !afterIAC && s == FTPLineReader.iac
                        }
                    }
                    // IP, DM, AO, AYT, NOP, …: nothing to keep.
                    continue
                }
            }
            if b == UInt8(ascii: "\n") {
                if out.last == UInt8(ascii: "\r") { out.removeLast() }
                if overflow || out.count > maximumLength { return .tooLong }
                return .line(out)
            }
            // Room for the line and the CR that may end it.
            if out.count <= maximumLength { out.append(b) } else { overflow = true }
        }
    }
}
