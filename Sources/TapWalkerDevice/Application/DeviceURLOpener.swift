import TapWalkerCore
import TapWalkerServices

/// The device's URL inputs (console `prog URL`, FTP `SITE PROG URL`, `POST /api/fpga` with a URL):
/// `HTTPSource` over the device's own sockets, under `HTTPFetchRules` (docs/url-sources.md), its
/// whole transfer bounded by the device's clock.
///
/// The download's receive buffer is 1 KB, not `HTTPSource`'s 4 KB: a flash job from a URL runs
/// on top of what an upload's job needs plus this source, and measured on the virtual ESP32 at
/// its 150 KB cap (after an SRAM load has set up the JTAG wire's buffers) 4 KB left less than
/// the allocation that followed (docs/url-sources.md, "Memory on the device").
final class DeviceURLOpener: URLOpener {
    static let receiveBuffer = 1024

    let network: any DeviceNetwork
    let clock: any DeviceClock

    init(network: any DeviceNetwork, clock: any DeviceClock) {
        self.network = network
        self.clock = clock
    }

    func open(_ url: String) throws(TapWalkerError) -> any ByteSource {
        let network = self.network
        let clock = self.clock
        return try HTTPSource(url: url, bufferSize: DeviceURLOpener.receiveBuffer, clock: { clock.microseconds() }) { network.makeConnection() }
    }
}
