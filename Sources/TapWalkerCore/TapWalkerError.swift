/// The one error type of TapWalker's Embedded-clean layers (typed throws need a concrete type).
///
/// The message is written for the person at the keyboard: what happened, what was left untouched,
/// and what to do next. `kind` decides the exit code of the command line tool.
public struct TapWalkerError: Error {
    public enum Kind: Sendable {
        /// Bad usage: an option or argument that cannot work. Exit code 2.
        case usage
        /// Input that cannot be read or is not what the command takes (missing file, directory,
        /// empty input, not a bitstream at all). Exit code 2.
        case input
        /// The cable failed to move bits (connection lost, protocol violation). Exit code 1.
        case cable
        /// The device said no (wrong part, status error, timeout waiting for BUSY). Exit code 1.
        case device
        /// The data said no: a recognisable bitstream or image that is invalid. Exit code 1.
        case data
    }

    public let kind: Kind
    public let message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    /// 0 success, 1 the device or the data said no, 2 bad usage or unreadable input.
    public var exitCode: Int32 {
        switch kind {
        case .usage, .input: return 2
        case .cable, .device, .data: return 1
        }
    }
}
