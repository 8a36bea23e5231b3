import TapWalkerCore
import TapWalkerSim

/// Scratch of the wire's fast paths: a run of TMS-low bits, and bytes turned back into the
/// bitstream's MSB-first order for the simulator's burst path. Model-side only: on the chip these
/// edges are the peripheral's, not the CPU's.
final class JTAGWireBuffers {
    private(set) var zeros = UnsafeMutableRawBufferPointer(start: nil, count: 0)
    private(set) var reversed = UnsafeMutableRawBufferPointer(start: nil, count: 0)

    deinit {
        zeros.deallocate()
        reversed.deallocate()
    }

    /// `bytes` zero bytes (a TMS vector held low).
    func zeros(_ bytes: Int) -> UnsafeRawBufferPointer {
        if zeros.count < bytes {
            zeros.deallocate()
            zeros = .allocate(byteCount: max(bytes, 4096), alignment: 4)
            zeros.initializeMemory(as: UInt8.self, repeating: 0)
        }
        return UnsafeRawBufferPointer(rebasing: zeros[0..<bytes])
    }

    /// Room for `bytes` bytes of reversed data.
    func reversed(_ bytes: Int) -> UnsafeMutableRawBufferPointer {
        if reversed.count < bytes {
            reversed.deallocate()
            reversed = .allocate(byteCount: max(bytes, 4096), alignment: 4)
        }
        return UnsafeMutableRawBufferPointer(rebasing: reversed[0..<bytes])
    }
}

extension JTAGWire {
    func zeros(_ bytes: Int) -> UnsafeRawBufferPointer { buffers.zeros(bytes) }

    /// Clocks `bytes` × 8 bits of `tdi` (LSB first, TMS low) into the simulator's burst register
    /// at once when it is in Shift-DR there on a byte boundary; false when they must go bit by bit.
    func burstFromLSBFirst(_ tdi: UnsafeRawBufferPointer, bytes: Int) -> Bool {
        let r = buffers.reversed(bytes)
        BitOrder.reverse(UnsafeRawBufferPointer(rebasing: tdi[0..<bytes]), into: r.baseAddress!.assumingMemoryBound(to: UInt8.self))
        return board.shiftBurstBytes(UnsafeRawBufferPointer(r))
    }
}
