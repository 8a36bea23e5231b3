/// The byte moves of the inflater's hot loop, 8 bytes at a time (unaligned little-endian loads and
/// stores, which LLVM turns into byte accesses on a CPU without fast unaligned access).
///
/// The word copies may write up to 7 bytes past the end of what they copy: the caller guarantees
/// that those bytes are inside its buffer and hold nothing it still needs (the inflater's window
/// keeps `Inflater.windowSlack` bytes of room for this, see there).
enum MatchCopy {
    @inline(__always)
    static func load64(_ p: UnsafePointer<UInt8>) -> UInt64 {
        UInt64(littleEndian: UnsafeRawPointer(p).loadUnaligned(as: UInt64.self))
    }

    @inline(__always)
    static func store64(_ p: UnsafeMutablePointer<UInt8>, _ value: UInt64) {
        UnsafeMutableRawPointer(p).storeBytes(of: value, as: UInt64.self)
    }

    /// Copies `length` (> 0) bytes from `distance` bytes back (`from` = `to − distance` in the
    /// same contiguous buffer), as LZ77 defines it: when `distance < length` the bytes just
    /// written repeat. Writes up to 7 bytes past `to + length`.
    @inline(__always)
    static func copy(to: UnsafeMutablePointer<UInt8>, distance: Int, length: Int) {
        var o = to
        let end = to + length
        if distance >= 8 {
            // Each word read lies wholly before the word written, so overlapping runs come out right.
            var s = UnsafePointer(to - distance)
            repeat {
                store64(o, load64(s))
                s += 8
                o += 8
            } while o < end
        } else if distance == 1 {
            let pattern = UInt64(to[-1]) &* 0x0101_0101_0101_0101
            repeat {
                store64(o, pattern)
                o += 8
            } while o < end
        } else {
            // A period of 2…7 bytes: its first multiple of at least 8 bytes (8…14) is also a period,
            // so after the first `period − distance` bytes (done byte by byte) words can follow.
            var period = distance
            while period < 8 { period &<<= 1 }
            let head = min(length, period &- distance)
            for i in 0..<head { to[i] = to[i &- distance] }
            o = to + head
            if o < end {
                var s = UnsafePointer(o - period)
                repeat {
                    store64(o, load64(s))
                    s += 8
                    o += 8
                } while o < end
            }
        }
    }

    /// Copies `length` (> 0) bytes between buffers that do not overlap, or where `from` lies at
    /// least 8 bytes after `to`. Writes up to 7 bytes past `to + length` and reads up to 7 past
    /// `from + length`.
    @inline(__always)
    static func copyForward(to: UnsafeMutablePointer<UInt8>, from: UnsafePointer<UInt8>, length: Int) {
        var o = to
        var s = from
        let end = to + length
        repeat {
            store64(o, load64(s))
            s += 8
            o += 8
        } while o < end
    }
}
