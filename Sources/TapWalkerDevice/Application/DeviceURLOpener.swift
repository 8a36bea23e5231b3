import TapWalkerCore
import TapWalkerServices

/// The device's URL inputs (console `prog URL`, FTP `SITE PROG URL`, `POST /api/fpga` with a URL):
/// `HTTPSource` over the device's own sockets, under `HTTPFetchRules` (docs/url-sources.md), its
/// whole transfer bounded by the device's clock.
final class DeviceURLOpener: URLOpener {
    let network: any DeviceNetwork
    let clock: any DeviceClock

    init(network: any DeviceNetwork, clock: any DeviceClock) {
        self.network = network
        self.clock = clock
    }

    func open(_ url: String) throws(TapWalkerError) -> any ByteSource {
        let network = self.network
        let clock = self.clock
        return try HTTPSource(url: url, clock: { clock.microseconds() }) { network.makeConnection() }
    }
}
