import TapWalkerCore
import TapWalkerPlatform

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An output path given with `-o`: `-` for standard output, else a file written whole through
/// `FileSink` (a temporary name beside it, renamed when complete and removed on every failure, so
/// a failed job never leaves a `.partial` or half a file, and an older file at the path survives
/// it). The path is checked before the job starts, so that a bad `-o` is refused before the board
/// is touched.
enum OutputFile {
    /// True once the command's data has gone to standard output: the lines meant for a person
    /// then go to standard error, so the data stays exactly the data.
    nonisolated(unsafe) static var standardOutputCarriesData = false

    static func isStandardOutput(_ path: String) -> Bool { path == "-" }

    /// Refuses a path that cannot be written: a missing or read-only directory, a directory.
    static func check(_ path: String, option: String = "-o") throws(TapWalkerError) {
        if isStandardOutput(path) { return }
        try PathCheck.outputFile(RawArguments.path(path), option: option)
    }

    static func write(_ bytes: [UInt8], to path: String) throws(TapWalkerError) {
        guard isStandardOutput(path) else {
            try FileSink.write(bytes, to: RawArguments.path(path))
            return
        }
        standardOutputCarriesData = true
        var done = 0
        while done < bytes.count {
            let n = bytes.withUnsafeBytes { p in
                #if canImport(Glibc)
                Glibc.write(1, p.baseAddress! + done, bytes.count - done)
                #else
                Darwin.write(1, p.baseAddress! + done, bytes.count - done)
                #endif
            }
            if n < 0 {
                if errno == EINTR { continue }
                throw TapWalkerError(.input, "writing to standard output failed: \(String(cString: strerror(errno)))")
            }
            done += n
        }
    }
}
