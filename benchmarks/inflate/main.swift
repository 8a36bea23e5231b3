// Inflate benchmark, built by benchmarks/inflate.py with `swiftc -O` together with
// Sources/TapWalkerCore (no package target). Everything is timed inside this process, on input
// already in memory, through a 64 KB output buffer reused for every chunk; only the decoding is
// timed, in CPU time of this thread. Usage:
//   inflate-bench throughput FILE SECONDS → decodes FILE (gzip/zlib by content) with TapWalker's
//        CompressedStream and, when built with zlib, with zlib's inflate, alternating the two, for
//        about SECONDS each; prints "output_bytes N", "runs N", "tapwalker_seconds S" and
//        "zlib_seconds S" (medians; zlib_seconds is -1 without zlib)
//   inflate-bench memory FILE → decodes FILE once with a CompressedStream and once through a
//        DecompressingSource and prints the decoder's own figure ("memory_bytes N") and the most
//        heap each held while decoding ("stream_heap_bytes", "source_heap_bytes": glibc's in-use
//        bytes, sampled after creating it and after every read, minus the figure before creating it;
//        run with glibc's per-thread cache and fast bins off so that every allocation is seen)
#if canImport(Glibc)
import Glibc
#endif

/// This thread's CPU time: the machine may be shared, and wall time would count the time the
/// benchmark waits for a core.
func now() -> Double {
    var t = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t)
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

/// Decodes all of `input` with `stream`; returns the output size. `sample` runs after every read.
func inflate(_ input: [UInt8], _ stream: CompressedStream, _ out: UnsafeMutableRawBufferPointer,
             sample: () -> Void = {}) -> Int {
    var position = 0
    var total = 0
    do throws(TapWalkerError) {
        while true {
            let n = try stream.read(into: out)
            sample()
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

func median(_ values: [Double]) -> Double {
    let sorted = values.sorted()
    return sorted[sorted.count / 2]
}

func throughput(_ input: [UInt8], seconds: Double, out: UnsafeMutableRawBufferPointer) {
    let fmt = format(of: input)
    func tapwalker() -> (Double, Int) {
        let start = now()
        let size = inflate(input, CompressedStream(format: fmt), out)
        return (now() - start, size)
    }
    func zlib() -> (Double, Int) {
        let start = now()
        let size = input.withUnsafeBufferPointer { i in
            tapwalker_zlib_inflate(i.baseAddress, UInt(i.count), out.baseAddress!.assumingMemoryBound(to: UInt8.self), UInt(out.count))
        }
        return (now() - start, size)
    }
    let haveZlib = TAPWALKER_HAVE_ZLIB == 1
    // One untimed run each (tables, caches), which also sizes the run count.
    let (first, size) = tapwalker()
    if haveZlib {
        let (_, zsize) = zlib()
        if zsize != size { fatalError("zlib decoded \(zsize) bytes, TapWalker \(size)") }
    }
    let runs = max(5, min(2000, Int(seconds / max(first, 1e-6))))
    var ours: [Double] = []
    var theirs: [Double] = []
    for _ in 0..<runs {
        ours.append(tapwalker().0)
        if haveZlib { theirs.append(zlib().0) }
    }
    print("output_bytes \(size)")
    print("runs \(runs)")
    print("tapwalker_seconds \(median(ours))")
    print("zlib_seconds \(haveZlib ? median(theirs) : -1)")
}

func memory(_ input: [UInt8], out: UnsafeMutableRawBufferPointer) {
    let fmt = format(of: input)
    // Once unmeasured, so that what is built once per process (the CRC-32 tables) is not counted.
    _ = inflate(input, CompressedStream(format: fmt), out)
    var before = tapwalker_heap_in_use()
    var peak = before
    let sample = { peak = max(peak, tapwalker_heap_in_use()) }
    var stream: CompressedStream? = CompressedStream(format: fmt)
    sample()
    let size = inflate(input, stream!, out, sample: sample)
    let memoryBytes = stream!.memoryBytes
    stream = nil
    let streamHeap = Int(peak) - Int(before)

    let inner = MemorySource(input, name: "input")
    before = tapwalker_heap_in_use()
    peak = before
    var source: DecompressingSource? = DecompressingSource(inner)
    sample()
    var total = 0
    do throws(TapWalkerError) {
        while true {
            let n = try source!.read(into: out)
            sample()
            if n == 0 { break }
            total += n
        }
    } catch {
        fatalError("decode failed: \(error.message)")
    }
    source = nil
    if total != size { fatalError("DecompressingSource gave \(total) bytes, CompressedStream \(size)") }
    print("output_bytes \(size)")
    print("memory_bytes \(memoryBytes)")
    print("stream_heap_bytes \(streamHeap)")
    print("source_heap_bytes \(Int(peak) - Int(before))")
}

@main
struct Bench {
    static func main() {
        let args = CommandLine.arguments
        guard args.count >= 3 else { fatalError("usage: inflate-bench throughput FILE SECONDS | memory FILE") }
        let input = readFile(args[2])
        let out = UnsafeMutableRawBufferPointer.allocate(byteCount: 65536, alignment: 16)
        defer { out.deallocate() }
        if args[1] == "throughput" {
            throughput(input, seconds: args.count > 3 ? Double(args[3]) ?? 1 : 1, out: out)
        } else {
            memory(input, out: out)
        }
    }
}
