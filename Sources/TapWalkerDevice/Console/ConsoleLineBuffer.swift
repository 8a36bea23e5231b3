/// Collects console bytes into lines: a line ends at CR or LF (CR LF counts once), backspace and
/// DEL remove the last byte, and a line that grows past `ConsoleCommand.maximumLineBytes` is
/// dropped whole, up to its end, so its tail is never taken for a command of its own.
public struct ConsoleLineBuffer {
    public enum Received: Equatable {
        case line([UInt8])
        /// A line was too long and was dropped.
        case tooLong
    }

    private var line: [UInt8] = []
    private var overflowed = false
    private var lastWasCR = false

    public init() {}

    /// Bytes of the unfinished line (0 while an overlong line is being dropped).
    public var pendingCount: Int { line.count }

    public mutating func receive(_ byte: UInt8) -> Received? {
        defer { lastWasCR = byte == 0x0D }
        switch byte {
        case 0x0D, 0x0A:
            if byte == 0x0A && lastWasCR { return nil }
            let result: Received = overflowed ? .tooLong : .line(line)
            line.removeAll(keepingCapacity: true)
            overflowed = false
            return result
        case 0x08, 0x7F:
            if !overflowed && !line.isEmpty { line.removeLast() }
            return nil
        default:
            guard !overflowed else { return nil }
            if line.count == ConsoleCommand.maximumLineBytes {
                overflowed = true
                line.removeAll(keepingCapacity: true)
                return nil
            }
            line.append(byte)
            return nil
        }
    }
}
