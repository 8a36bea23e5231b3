import CLibUSB
import TapWalkerCore

/// Asynchronous bulk transfers on one pair of endpoints.
///
/// OUT transfers are submitted without waiting, up to `maximumInFlight` at once (each up to
/// `transferSize` bytes, tens of KB), so the device always has the next one queued while the host
/// prepares more; `receive` submits an IN transfer and runs libusb's event loop until it completes,
/// which also completes the OUT transfers ahead of it. A device that goes away mid-transfer is a
/// cable error that says it was unplugged.
public final class USBBulkPipe {
    let device: USBDeviceHandle
    let input: UInt8
    let output: UInt8
    public let packetSize: Int
    public let transferSize: Int
    public let maximumInFlight: Int
    let timeoutMilliseconds: UInt32
    private var inFlight: [Transfer] = []
    private var spare: [Transfer] = []
    private var reader: Transfer?
    /// URBs and bytes each way, for statistics.
    public private(set) var transfersOut = 0
    public private(set) var transfersIn = 0
    public private(set) var bytesOut = 0
    public private(set) var bytesIn = 0

    final class Transfer {
        let transfer: UnsafeMutablePointer<libusb_transfer>
        let buffer: UnsafeMutablePointer<UInt8>
        let capacity: Int
        let done = UnsafeMutablePointer<Int32>.allocate(capacity: 1)

        init(capacity: Int) {
            transfer = libusb_alloc_transfer(0)
            buffer = .allocate(capacity: capacity)
            self.capacity = capacity
            done.pointee = 0
        }

        deinit {
            libusb_free_transfer(transfer)
            buffer.deallocate()
            done.deallocate()
        }
    }

    public init(device: USBDeviceHandle, input: UInt8, output: UInt8, packetSize: Int,
                transferSize: Int = 64 * 1024, maximumInFlight: Int = 4, timeoutMilliseconds: UInt32 = 10_000) {
        self.device = device
        self.input = input
        self.output = output
        self.packetSize = max(packetSize, 8)
        self.transferSize = transferSize
        self.maximumInFlight = max(1, maximumInFlight)
        self.timeoutMilliseconds = timeoutMilliseconds
    }

    deinit { abandon() }

    /// Cancels every transfer still with libusb and waits (briefly) for each to come back, so that
    /// neither their memory nor the device handle goes while libusb holds them. Called before the
    /// device is closed, on every path (a device that was unplugged mid-transfer included).
    public func abandon() {
        var pending = inFlight
        if let r = reader { pending.append(r) }
        for t in pending where t.done.pointee == 0 { libusb_cancel_transfer(t.transfer) }
        for t in pending { drain(t) }
        spare += inFlight
        inFlight.removeAll()
    }

    private static let completed: libusb_transfer_cb_fn = { t in
        t!.pointee.user_data.assumingMemoryBound(to: Int32.self).pointee = 1
    }

    /// Queues `bytes` (any length; split into transfers of `transferSize`) without waiting for them.
    public func send(_ bytes: UnsafeRawBufferPointer) throws(TapWalkerError) {
        var offset = 0
        while offset < bytes.count {
            let n = min(transferSize, bytes.count - offset)
            try submitOut(UnsafeRawBufferPointer(rebasing: bytes[offset..<(offset + n)]))
            offset += n
        }
    }

    public func send(_ bytes: [UInt8]) throws(TapWalkerError) {
        try bytes.withBytes { (b) throws(TapWalkerError) in try send(b) }
    }

    private func submitOut(_ bytes: UnsafeRawBufferPointer) throws(TapWalkerError) {
        if inFlight.count >= maximumInFlight { try finishOldest() }
        let t = spare.popLast() ?? Transfer(capacity: transferSize)
        UnsafeMutableRawBufferPointer(start: t.buffer, count: t.capacity).copyMemory(from: bytes)
        t.done.pointee = 0
        libusb_fill_bulk_transfer(t.transfer, device.handle, output, t.buffer, Int32(bytes.count),
                                  USBBulkPipe.completed, UnsafeMutableRawPointer(t.done), timeoutMilliseconds)
        let r = libusb_submit_transfer(t.transfer)
        guard r == 0 else { spare.append(t); throw device.failure("bulk OUT", r) }
        inFlight.append(t)
        transfersOut += 1
        bytesOut += bytes.count
    }

    private func finishOldest() throws(TapWalkerError) {
        let t = inFlight.removeFirst()
        defer { spare.append(t) }
        try wait(t)
        try check(t, "bulk OUT")
    }

    /// Waits until every queued OUT transfer is done.
    public func drainOut() throws(TapWalkerError) {
        while !inFlight.isEmpty { try finishOldest() }
    }

    /// One IN transfer of up to `capacity` bytes (a multiple of the packet size is best); returns
    /// what arrived, which may be less (a short packet ends a transfer).
    public func receive(capacity: Int, into handler: (UnsafeRawBufferPointer) -> Void) throws(TapWalkerError) {
        let size = min(max(capacity, packetSize), transferSize)
        let t: Transfer
        if let r = reader, r.capacity >= size { t = r } else { t = Transfer(capacity: max(size, transferSize)); reader = t }
        t.done.pointee = 0
        libusb_fill_bulk_transfer(t.transfer, device.handle, input, t.buffer, Int32(size),
                                  USBBulkPipe.completed, UnsafeMutableRawPointer(t.done), timeoutMilliseconds)
        let r = libusb_submit_transfer(t.transfer)
        guard r == 0 else { throw device.failure("bulk IN", r) }
        transfersIn += 1
        try wait(t)
        try check(t, "bulk IN")
        let n = Int(t.transfer.pointee.actual_length)
        bytesIn += n
        handler(UnsafeRawBufferPointer(start: t.buffer, count: n))
    }

    /// Runs libusb's events until `t` completes (every transfer here has a timeout, so this ends).
    private func wait(_ t: Transfer) throws(TapWalkerError) {
        var tv = timeval(tv_sec: 1, tv_usec: 0)
        while t.done.pointee == 0 {
            let r = libusb_handle_events_timeout_completed(device.bus.context, &tv, t.done)
            if r != 0 && r != -10 /* LIBUSB_ERROR_INTERRUPTED */ {
                libusb_cancel_transfer(t.transfer)
                drain(t)
                throw device.failure("waiting for a transfer", r)
            }
        }
    }

    private func drain(_ t: Transfer) {
        var tv = timeval(tv_sec: 0, tv_usec: 100_000)
        var rounds = 0
        while t.done.pointee == 0 && rounds < 50 {
            _ = libusb_handle_events_timeout_completed(device.bus.context, &tv, t.done)
            rounds += 1
        }
    }

    private func check(_ t: Transfer, _ what: String) throws(TapWalkerError) {
        let status = t.transfer.pointee.status
        switch status {
        case LIBUSB_TRANSFER_COMPLETED: return
        case LIBUSB_TRANSFER_NO_DEVICE: throw device.failure(what, -4)
        case LIBUSB_TRANSFER_TIMED_OUT:
            throw TapWalkerError(.cable, "the USB cable \(device.info.summary) stopped answering (\(what) timed out after \(timeoutMilliseconds / 1000) s)")
        default:
            throw device.failure(what, -1)
        }
    }
}
