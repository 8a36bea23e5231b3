// libFuzzer entry point for TapWalker's inflater: every input is decoded as raw DEFLATE (32 KB, 4 KB
// and 512 B windows), zlib and gzip, with small buffers so the streaming paths are exercised and
// with large ones so the fast loop is. Any input
// may be rejected with a TapWalkerError; none may crash, trap, read out of bounds, or loop.
// Built by scripts/fuzz-inflate.sh together with Sources/TapWalkerCore.

private func decode(_ data: UnsafeRawBufferPointer, _ format: CompressedStream.Format, windowBits: Int, feed: Int, read: Int,
                    inputCapacity: Int = 64) {
    let stream = CompressedStream(format: format, windowBits: windowBits, inputCapacity: inputCapacity)
    let out = UnsafeMutableRawBufferPointer.allocate(byteCount: read, alignment: 1)
    defer { out.deallocate() }
    var position = 0
    var produced = 0
    var idle = 0
    do throws(TapWalkerError) {
        while true {
            let n = try stream.read(into: out)
            if n > 0 {
                produced += n
                idle = 0
                // The input is at most a few KB; DEFLATE expands at most 1032:1.
                if produced > 1032 * (data.count + 16) + 65536 { fatalError("output larger than DEFLATE allows") }
                continue
            }
            if stream.isFinished { return }
            if position == data.count {
                stream.finishInput()
                idle += 1
                if idle > 3 { fatalError("decoder neither finishes nor fails after the input ended") }
                continue
            }
            let end = min(data.count, position + feed)
            position += stream.feed(UnsafeRawBufferPointer(rebasing: data[position..<end]))
        }
    } catch {
        _ = error.message.utf8.count
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzInflate(_ bytes: UnsafePointer<UInt8>?, _ count: Int) -> Int32 {
    let data = UnsafeRawBufferPointer(start: bytes, count: bytes == nil ? 0 : count)
    decode(data, .raw, windowBits: 15, feed: 4096, read: 4096)
    // Whole input buffered and a large output buffer: the fast loop runs up to the ring's end.
    decode(data, .raw, windowBits: 12, feed: 4096, read: 65536, inputCapacity: 4096)
    decode(data, .raw, windowBits: 9, feed: 7, read: 13)
    decode(data, .zlib, windowBits: 15, feed: 64, read: 1)
    decode(data, .gzip, windowBits: 15, feed: 3, read: 300)
    // A round trip through the compressor: what it makes must decode to the same bytes.
    if count <= 4096, let packed = try? Deflater.compress(data, windowBits: 9 + count % 7, format: .zlib) {
        let stream = CompressedStream(format: .zlib)
        var back: [UInt8] = []
        let out = UnsafeMutableRawBufferPointer.allocate(byteCount: 1000, alignment: 1)
        defer { out.deallocate() }
        var position = 0
        do throws(TapWalkerError) {
            while !stream.isFinished {
                let n = try stream.read(into: out)
                back += UnsafeRawBufferPointer(rebasing: out[0..<n])
                if n == 0 && !stream.isFinished {
                    if position == packed.count { stream.finishInput() }
                    position += packed[position...].withUnsafeBytes { stream.feed($0) }
                }
            }
        } catch {
            fatalError("the compressor's output did not decode: \(error.message)")
        }
        if back.count != count || !back.withUnsafeBytes({ $0.elementsEqual(data) }) {
            fatalError("round trip through Deflater and CompressedStream changed the bytes")
        }
    }
    return 0
}
