import TapWalkerCore
import TapWalkerServices

/// The cable the board service drives, with what the remote_bitbang server needs to know of it.
struct DeviceCable {
    let cable: any Cable
    /// The same cable when it samples TDO without clocking; nil when it cannot (an XVC cable).
    let sampler: (any TDOSampling)?
    /// The network cable of `[jtag] cable`, for the console's `status`.
    let network: NetworkJTAGCable?
}

/// The cable the application drives when it is given none: the network JTAG server that
/// `[jtag] cable` names, else the board's own JTAG pins, with the SPI master for long shifts when
/// the board wires one.
enum DeviceCableFactory {
    static func make(support: DeviceBoardSupport, configuration: DeviceConfiguration) -> DeviceCable {
        if let address = configuration.jtag.cable {
            let cable = NetworkJTAGCable(address: address, network: support.network, clock: support.clock)
            return DeviceCable(cable: cable, sampler: cable.canSampleTDO ? cable : nil, network: cable)
        }
        let pins = PinJTAGCable(pins: support.pins, spi: support.spi, clock: support.clock)
        return DeviceCable(cable: pins, sampler: pins, network: nil)
    }
}
