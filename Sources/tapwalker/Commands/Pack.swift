import ArgumentParser
import TapWalkerCore
import TapWalkerPlatform

struct Pack: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Compress a file with a small DEFLATE window, for a device with little RAM.",
        discussion: """
            Writes a DEFLATE stream whose matches never reach farther back than --window bytes \
            (512 … 32K, a power of two; K suffix allowed), so whoever decompresses it needs only that \
            much window memory.

            --format zlib (the default) declares the window in its header (CINFO), and TapWalker's \
            inflater then allocates only that much: about 11 KB in all for a 4K window instead of \
            about 39 KB for 32K. --format gzip is readable by gzip(1), but gzip cannot declare the \
            window, so a decoder must assume 32 KB; TapWalker then allocates the full 32 KB window.

            Both are recognised by content by prog, info and flash write.
            """)

    @Argument(help: "The file to compress (- for standard input).") var file: String
    @Option(name: .shortAndLong, help: "The compressed file to write (- for standard output).") var output: String
    @Option(help: "The window: 512 … 32K, a power of two (K suffix allowed).") var window = "4K"
    @Option(help: "zlib (declares the window; default) or gzip (cannot declare it).") var format = "zlib"
    @OptionGroup var report: ReportOptions

    func validate() throws {
        if OutputFile.isStandardOutput(output) && json {
            throw ValidationError("-o - writes the packed bytes to standard output, where --json would print its object; use one of the two")
        }
        try OutputFile.check(output)
    }

    func run() throws {
        try runReporting(json: json) { (out) throws(TapWalkerError) in
            out["bytes_in"] = .null
            out["bytes_out"] = .null
            out["window"] = .null
            out["format"] = .string(format)
            let windowBytes = try parseWindow(window)
            out["window"] = .int(windowBytes)
            let kind: CompressedStream.Format
            switch format {
            case "zlib": kind = .zlib
            case "gzip": kind = .gzip
            default: throw TapWalkerError(.usage, "--format must be zlib or gzip, not \(format)")
            }
            let bits = windowBytes.trailingZeroBitCount
            let source = try FileSource(path: RawArguments.path(file))
            var data: [UInt8] = []
            let chunkSize = 65536
            let chunk = UnsafeMutableRawBufferPointer.allocate(byteCount: chunkSize, alignment: 1)
            defer { chunk.deallocate() }
            while true {
                let n = try source.read(into: chunk)
                if n == 0 { break }
                data.append(contentsOf: UnsafeRawBufferPointer(rebasing: chunk[0..<n]))
            }
            let packed = try Deflater.compress(data, windowBits: bits, format: kind)
            try OutputFile.write(packed, to: output)
            out["bytes_in"] = .int(data.count)
            out["bytes_out"] = .int(packed.count)
            let ratio = data.isEmpty ? 0 : Double(packed.count) / Double(data.count)
            let percent = (ratio * 1000).rounded() / 10
            return ["packed \(data.count) bytes into \(packed.count) bytes (\(percent)% of the original), \(format), window \(windowBytes) bytes: \(output)"]
        }
    }
}

/// "4K", "4096", "512" → bytes; a power of two in 512 … 32768.
func parseWindow(_ text: String) throws(TapWalkerError) -> Int {
    var digits = Substring(text)
    var scale = 1
    if let last = digits.last, last == "K" || last == "k" {
        scale = 1024
        digits = digits.dropLast()
    }
    guard let n = Int(digits), n > 0, n.multipliedReportingOverflow(by: scale).overflow == false else {
        throw TapWalkerError(.usage, "--window must be a number of bytes such as 4K or 4096, not \(text)")
    }
    let bytes = n * scale
    guard bytes >= 512, bytes <= 32768, bytes & (bytes - 1) == 0 else {
        throw TapWalkerError(.usage, "--window must be a power of two from 512 to 32K, not \(text)")
    }
    return bytes
}
