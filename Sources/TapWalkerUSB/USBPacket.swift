/// One command packet for a packet-based probe (CMSIS-DAP, DirtyJTAG): its bytes, the length of the
/// reply it produces (0: none), and where the reply's TDO bits go.
public struct USBPacket: Equatable, Sendable {
    public var bytes: [UInt8] = []
    public var replyLength = 0
    public var captures: [TDOCapture] = []

    public init(bytes: [UInt8] = [], replyLength: Int = 0, captures: [TDOCapture] = []) {
        self.bytes = bytes
        self.replyLength = replyLength
        self.captures = captures
    }
}
