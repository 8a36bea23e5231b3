import TapWalkerCore

/// The cable the application drives when it is given none: the board's own JTAG pins. The
/// pin-level cable is built in the JTAG layer; until this module has it, there is no cable and
/// every board job says so.
enum DeviceCableFactory {
    static func make(support: DeviceBoardSupport) throws(TapWalkerError) -> any TDOSampling {
        throw TapWalkerError(.cable, "no JTAG cable: this build has no pin-level JTAG driver yet")
    }
}
