#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What the command line needs to know about its terminal.
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
