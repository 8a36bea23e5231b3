import TapWalkerCore

extension Part {
    /// The most bytes a bitstream for this part can hold: every frame uncompressed, every EBR block
    /// initialised (18 Kbit each, with its addressing commands), and room for the comment header
    /// and the commands around them. An input longer than this is not a bitstream for the part.
    public var largestBitstreamBytes: Int {
        frames * (bytesPerFrame + 4) + ebrBlocks * (2304 + 64) + 65536
    }
}
