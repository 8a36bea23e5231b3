/// `withUnsafeBytes` for byte arrays with a typed-throwing body. The standard library's Array
/// methods are `rethrows`, which widens a typed error to `any Error`, not allowed in Embedded Swift.
extension Array where Element == UInt8 {
    @inline(__always)
    public func withBytes<R>(_ body: (UnsafeRawBufferPointer) throws(TapWalkerError) -> R) throws(TapWalkerError) -> R {
        let result: Result<R, TapWalkerError> = withUnsafeBytes { p in
            do throws(TapWalkerError) { return .success(try body(p)) } catch { return .failure(error) }
        }
        return try result.get()
    }

    @inline(__always)
    public mutating func withMutableBytes<R>(_ body: (UnsafeMutableRawBufferPointer) throws(TapWalkerError) -> R)
        throws(TapWalkerError) -> R
    {
        let result: Result<R, TapWalkerError> = withUnsafeMutableBytes { p in
            do throws(TapWalkerError) { return .success(try body(p)) } catch { return .failure(error) }
        }
        return try result.get()
    }
}
