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

    /// What the person can do about it where that depends on the front end: the message is
    /// worded for every front end (an FTP client is never told about a command-line flag), and
    /// each front end adds the remedy in its own terms, or leaves it out when it offers none.
    public enum Remedy: Sendable {
        /// Overriding the check that refused (the command line's --force; nothing else offers it).
        case force
        /// Reaching the flash with the running design stopped (the command line without --keep-running).
        case stopTheDesign
        /// Removing the flash's write protection.
        case unprotect
    }

    // The message first: the two one-byte enums then share its last word's padding, so the error
    // is no larger than it was before it had a remedy (16 bytes on riscv32, 24 on 64-bit), and
    // neither is any frame that holds one.
    public let message: String
    public let kind: Kind
    public let remedy: Remedy?

    public init(_ kind: Kind, _ message: String, remedy: Remedy? = nil) {
        self.kind = kind
        self.message = message
        self.remedy = remedy
    }

    /// The same failure told with `message` (what a caller adds: where it happened, what the job
    /// left), its kind and remedy kept.
    public func rephrased(_ message: String) -> TapWalkerError {
        TapWalkerError(kind, message, remedy: remedy)
    }

    /// 0 success, 1 the device or the data said no, 2 bad usage or unreadable input.
    public var exitCode: Int32 {
        switch kind {
        case .usage, .input: return 2
        case .cable, .device, .data: return 1
        }
    }
}
