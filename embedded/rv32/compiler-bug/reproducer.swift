// The smallest program found that Swift 6.3.1 miscompiles for riscv32 at -Osize and -O
// (docs/compiler-bug.md): a method that `throws(Failure)` and returns a value, whose result and
// error come back through memory, and whose body ends in a call in tail position. The method is
// compiled to a tail jump to the callee that never stores the count into the caller's return slot.
// Exits 0 when the count comes back right, 1 when it does not.

struct Failure: Error {
    enum Kind { case input, device }
    var kind: Kind
    var message: String
}

protocol Source: AnyObject {
    func read(into buffer: UnsafeMutableRawBufferPointer) throws(Failure) -> Int
}

final class CSource: Source {
    func read(into buffer: UnsafeMutableRawBufferPointer) throws(Failure) -> Int {
        reproducer_fill(buffer.baseAddress, buffer.count)
    }
}

@inline(never)
func readThrough(_ source: any Source, _ buffer: UnsafeMutableRawBufferPointer) -> Int {
    do throws(Failure) {
        return try source.read(into: buffer)
    } catch {
        return -1
    }
}

@_cdecl("main")
func main(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> Int32 {
    var bytes = [UInt8](repeating: 0, count: 64)
    let n = bytes.withUnsafeMutableBytes { readThrough(CSource(), $0) }
    print(n == 37 ? "compiler-bug reproducer: read returned 37, right" : "compiler-bug reproducer: read returned \(n), expected 37: MISCOMPILED")
    return n == 37 ? 0 : 1
}
