// Runs one piece of an SRAM load for the checker benchmark (benchmarks/checker_cycles.py), which
// counts its instructions under callgrind. Each piece is a function of its own so that callgrind
// can collect exactly it (--toggle-collect), the file having been read into memory beforehand.
//   inspect FILE        BitstreamInspector over the whole file (the check a caller can run first)
//   program FILE PART   SRAMProgrammer into the simulated board; the simulator's share is the
//                       inclusive cost of SimCable's Cable methods, subtracted by the script
//   baseline FILE       a plain loop over the same bytes: copy 4 KB chunks and sum them
import TapWalkerCore
import TapWalkerSim

func load(_ path: UnsafePointer<CChar>) -> [UInt8]? {
    guard let f = fopen(path, "rb") else { return nil }
    defer { fclose(f) }
    var all: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 65536)
    while true {
        let n = chunk.withUnsafeMutableBytes { fread($0.baseAddress, 1, $0.count, f) }
        if n == 0 { return all }
        all += chunk[0..<n]
    }
}

@inline(never)
func checkerInspect(_ source: MemorySource) -> Bool {
    (try? BitstreamInspector.inspect(source))?.isValid ?? false
}

@inline(never)
func checkerProgram(_ programmer: SRAMProgrammer, _ source: MemorySource) -> Bool {
    programmer.program(source).done
}

@inline(never)
func checkerBaseline(_ bytes: [UInt8]) -> UInt32 {
    var chunk = [UInt8](repeating: 0, count: 4096)
    var sum: UInt32 = 0
    bytes.withUnsafeBytes { all in
        var at = 0
        while at < all.count {
            let n = min(chunk.count, all.count - at)
            chunk.withUnsafeMutableBytes { $0.copyMemory(from: UnsafeRawBufferPointer(rebasing: all[at..<(at + n)])) }
            for b in chunk[0..<n] { sum = sum &+ UInt32(b) }
            at += n
        }
    }
    return sum
}

@_cdecl("main")
func main(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> Int32 {
    guard argc >= 3, let modeArg = argv[1], let path = argv[2], let bytes = load(path) else {
        print("usage: checker-bench inspect|program|baseline FILE [PART]")
        return 2
    }
    switch UInt8(bitPattern: modeArg[0]) {  // the first letter names the mode
    case UInt8(ascii: "i"):
        let ok = checkerInspect(MemorySource(bytes, name: "bitstream"))
        print("bytes \(bytes.count) valid \(ok)")
        return ok ? 0 : 1
    case UInt8(ascii: "p"):
        guard argc == 4, let partArg = argv[3], let part = Part.named(String(decoding: UnsafeRawBufferPointer(start: partArg, count: strlen(partArg)), as: UTF8.self)) else { return 2 }
        var options = SimOptions()
        options.part = part
        let cable = SimCable(options: options)
        let programmer = SRAMProgrammer(port: ECP5Port(walker: TapWalker(cable: cable)))
        let done = checkerProgram(programmer, MemorySource(bytes, name: "bitstream"))
        print("bytes \(bytes.count) done \(done) tck \(cable.statistics.tckCycles)")
        return done ? 0 : 1
    case UInt8(ascii: "b"):
        print("bytes \(bytes.count) sum \(checkerBaseline(bytes))")
        return 0
    default:
        return 2
    }
}
