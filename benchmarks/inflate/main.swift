// Inflate benchmark, built by benchmarks/inflate.py with `swiftc -O` together with
// Sources/TapWalkerCore (no package target). Usage:
//   inflate-bench throughput FILE RUNS   → decodes FILE (gzip/zlib by content) RUNS times from memory
//                                          and prints "output_bytes N", "seconds_median S", "mb_per_s X"
//   inflate-bench memory FILE             → decodes FILE once and prints the decoder's own figure
//                                          ("memory_bytes N") and the heap it held, measured with
//                                          mallinfo2 ("heap_bytes N": in-use heap before minus after
//                                          freeing the decoder, once the whole stream went through it)
#if canImport(Glibc)
import Glibc
#endif

func now() -> Double {
    var t = timespec()
    clock_gettime(CLOCK_MONOTONIC, &t)
    return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
}

func readFile(_ path: String) -> [UInt8] {
    guard let f = fopen(path, "rb") else { fatalError("cannot open \(path)") }
    defer { fclose(f) }
    var bytes: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 65536)
    while true {
        let n = chunk.withUnsafeMutableBytes { fread($0.baseAddress, 1, 65536, f) }
        if n == 0 { break }
        bytes += chunk[0..<n]
    }
    return bytes
}

/// Decodes all of `input` with `stream`; returns the output size.
func inflate(_ input: [UInt8], _ stream: CompressedStream, _ out: UnsafeMutableRawBufferPointer) -> Int {
    var position = 0
    var total = 0
    do throws(TapWalkerError) {
        while true {
            let n = try stream.read(into: out)
            total += n
            if n > 0 { continue }
            if stream.isFinished { return total }
            if position == input.count { stream.finishInput(); continue }
            position += input[position...].withUnsafeBytes { stream.feed($0) }
        }
    } catch {
        fatalError("decode failed: \(error.message)")
    }
}

func format(of input: [UInt8]) -> CompressedStream.Format {
    input.withUnsafeBytes { CompressedStream.detect($0) } ?? .raw
}

@main
struct Bench {
    static func main() {
        let args = CommandLine.arguments
        guard args.count >= 3 else { fatalError("usage: inflate-bench throughput FILE RUNS | memory FILE") }
        let input = readFile(args[2])
        let out = UnsafeMutableRawBufferPointer.allocate(byteCount: 65536, alignment: 16)
        defer { out.deallocate() }
        if args[1] == "throughput" {
            let runs = args.count > 3 ? Int(args[3]) ?? 10 : 10
            var times: [Double] = []
            var size = 0
            for _ in 0..<runs {
                let start = now()
                size = inflate(input, CompressedStream(format: format(of: input)), out)
                times.append(now() - start)
            }
            times.sort()
            let median = times[times.count / 2]
            print("output_bytes \(size)")
            print("seconds_median \(median)")
            print("mb_per_s \(Double(size) / median / 1e6)")
        } else {
            // Measured as what the heap gives back when the decoder is freed (after the whole stream
            // went through it): blocks over 1 KB go back to malloc's bins and leave `uordblks`;
            // glibc's per-thread cache keeps counting blocks ≤ 1 KB as in use, so the decoder object
            // itself (a few hundred bytes) is not in this figure.
            var stream: CompressedStream? = CompressedStream(format: format(of: input))
            let size = inflate(input, stream!, out)
            let memoryBytes = stream!.memoryBytes
            let alive = tapwalker_heap_in_use()
            stream = nil
            let freed = tapwalker_heap_in_use()
            print("output_bytes \(size)")
            print("memory_bytes \(memoryBytes)")
            print("heap_bytes \(Int(alive) - Int(freed))")
        }
    }
}
