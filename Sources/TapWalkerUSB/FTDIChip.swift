import Glibc
import TapWalkerCore

/// FTDI vendor requests on endpoint 0 (docs/usb-cable-driver.md). `wIndex` selects the interface,
/// 1 for A, 2 for B, …
enum FTDIChip {
    static let reset: UInt8 = 0x00
    static let setBaudRate: UInt8 = 0x03
    static let setLatencyTimer: UInt8 = 0x09
    static let setBitMode: UInt8 = 0x0B
    /// wValue of `reset`.
    static let resetDevice: UInt16 = 0, purgeRX: UInt16 = 1, purgeTX: UInt16 = 2
    /// Bit modes (high byte of wValue; the low byte is the pin directions).
    static let modeReset: UInt16 = 0x00, modeAsyncBitBang: UInt16 = 0x01, modeMPSSE: UInt16 = 0x02, modeSyncBitBang: UInt16 = 0x04

    /// Reset, empty both buffers, 1 ms latency timer (the chip then sends short replies promptly),
    /// and the bit mode with the output pins.
    static func start(_ device: USBDeviceHandle, interface: Int, mode: UInt16, outputs: UInt8) throws(TapWalkerError) {
        let index = UInt16(interface + 1)
        try device.vendorOut(reset, value: resetDevice, index: index)
        try device.vendorOut(setLatencyTimer, value: 1, index: index)
        try device.vendorOut(setBitMode, value: modeReset << 8, index: index)
        try device.vendorOut(setBitMode, value: mode << 8 | UInt16(outputs), index: index)
        try device.vendorOut(reset, value: purgeRX, index: index)
        try device.vendorOut(reset, value: purgeTX, index: index)
    }

    /// Leaves the pins as inputs again when the cable is closed (best effort: the device may be gone).
    static func stop(_ device: USBDeviceHandle, interface: Int) {
        try? device.vendorOut(setBitMode, value: modeReset << 8, index: UInt16(interface + 1))
    }

    /// Reads exactly `count` data bytes: every IN packet starts with two modem-status bytes, which
    /// are dropped; a packet of status alone means nothing was ready yet.
    /// Bytes that arrived beyond the count asked for go to `surplus` and are taken first next time
    /// (a packet may carry answers to bytes of the next request).
    static func read(_ pipe: USBBulkPipe, count: Int, into out: inout [UInt8], surplus: inout [UInt8]) throws(TapWalkerError) {
        let payload = pipe.packetSize - 2
        let taken = min(count, surplus.count)
        out += surplus[0..<taken]
        surplus.removeFirst(taken)
        var lastProgress = monotonicMilliseconds()
        while out.count < count {
            let want = count - out.count
            let packets = (want + payload - 1) / payload
            var got = 0
            try pipe.receive(capacity: packets * pipe.packetSize) { data in
                var offset = 0
                while offset < data.count {
                    let end = min(offset + pipe.packetSize, data.count)
                    if end - offset > 2 {
                        let n = min(end - offset - 2, count - out.count)
                        out += UnsafeRawBufferPointer(rebasing: data[(offset + 2)..<(offset + 2 + n)])
                        surplus += UnsafeRawBufferPointer(rebasing: data[(offset + 2 + n)..<end])
                        got += end - offset - 2
                    }
                    offset = end
                }
            }
            if got > 0 { lastProgress = monotonicMilliseconds() }
            // The chip answers an empty packet every latency period while nothing is ready.
            if monotonicMilliseconds() - lastProgress > Int(pipe.timeoutMilliseconds) {
                throw TapWalkerError(.cable, "the USB cable \(pipe.device.info.summary) stopped answering (\(count - out.count) of \(count) reply bytes never came)")
            }
        }
    }
}

func monotonicMilliseconds() -> Int {
    var t = timespec()
    clock_gettime(CLOCK_MONOTONIC, &t)
    return t.tv_sec * 1000 + t.tv_nsec / 1_000_000
}
