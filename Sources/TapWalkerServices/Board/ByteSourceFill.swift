import TapWalkerCore

extension ByteSource {
    /// Reads until `buffer[0..<count]` is full or the input ends; returns how many bytes came.
    /// Jobs that work in whole units (flash sectors, SD blocks) need a short read only at the end.
    func fill(_ buffer: inout [UInt8], count: Int) throws(TapWalkerError) -> Int {
        var have = 0
        while have < count {
            let n = try buffer.withMutableBytes { (p) throws(TapWalkerError) in
                try read(into: UnsafeMutableRawBufferPointer(rebasing: p[have..<count]))
            }
            if n == 0 { break }
            have += n
        }
        return have
    }
}
