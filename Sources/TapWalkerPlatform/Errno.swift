#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What the last failed system call said, for error messages.
func errnoText() -> String { String(cString: strerror(errno)) }
