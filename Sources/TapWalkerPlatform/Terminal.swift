#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What the command line needs to know about its terminal, and a monotonic clock.
public enum Terminal {
    /// True when standard error is a terminal (progress bars go there).
    public static var stderrIsTerminal: Bool { isatty(2) == 1 }

    public static var width: Int {
        var w = winsize()
        if ioctl(2, UInt(TIOCGWINSZ), &w) == 0, w.ws_col > 0 { return Int(w.ws_col) }
        return 80
    }

    /// Writes to standard error without buffering.
    public static func writeError(_ text: String) {
        var t = text
        t.withUTF8 { p in _ = write(2, p.baseAddress, p.count) }
    }
}

public enum MonotonicClock {
    /// Seconds since an arbitrary start, monotonic.
    public static func now() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }
}
