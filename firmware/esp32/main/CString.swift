/// Byte strings (SSIDs, passwords) handed to the C board support as NUL-terminated strings.
enum CString {
    /// Calls `body` with `bytes` followed by a NUL; nil `bytes` passes a null pointer, which the
    /// C functions take as "none".
    static func with<R>(_ bytes: [UInt8]?, _ body: (UnsafePointer<CChar>?) -> R) -> R {
        guard let bytes else { return body(nil) }
        let terminated = bytes + [0]
        return terminated.withUnsafeBufferPointer { buffer in
            buffer.withMemoryRebound(to: CChar.self) { body($0.baseAddress) }
        }
    }
}
