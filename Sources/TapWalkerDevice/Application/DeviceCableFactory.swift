import TapWalkerCore

/// The cable the application drives when it is given none: the board's own JTAG pins, with the
/// SPI master for long shifts when the board wires one.
enum DeviceCableFactory {
    static func make(support: DeviceBoardSupport) -> any TDOSampling {
        PinJTAGCable(pins: support.pins, spi: support.spi, clock: support.clock)
    }
}
