import TapWalkerCore
import TapWalkerServices

/// The board through a network JTAG server (`[jtag] cable = xvc://…` or `rbb://…` in
/// tapwalker.conf): the same XVC and remote_bitbang cables the host's `--cable` uses, so a device
/// can serve FTP, HTTP and its console in front of another JTAG server, with the same board
/// service and policy as on its own pins.
///
/// The connection is opened when a job first needs the cable, not at boot: the device's network
/// comes up after the application starts. A connection that failed is dropped and the next use
/// opens a new one, and one left unused for `idleReconnectMicroseconds` is replaced before it is
/// used again, because servers close silent clients (`tapwalker sim` after 5 minutes) and the
/// first sign of that would otherwise be a failed job. Reconnecting loses nothing: the TAP state
/// is the chip's, not the connection's.
public final class NetworkJTAGCable: TDOSampling {
    public let address: NetworkCableAddress
    let network: any DeviceNetwork
    let clock: any DeviceClock
    /// Answers a remote_bitbang cable reads at a time: its buffer is heap on the device.
    static let remoteBitbangAnswers = 2048
    static let idleReconnectMicroseconds: UInt64 = 60_000_000

    private var xvc: XVCCable?
    private var rbb: RemoteBitbangCable?
    private var connection: (any NetworkConnection)?
    private var lastUse: UInt64 = 0
    private var cycles: UInt64 = 0
    public private(set) var frequency: UInt32 = 25_000_000
    /// Why the last connection failed or was dropped; nil after a connection worked.
    public private(set) var lastProblem: String?

    public init(address: NetworkCableAddress, network: any DeviceNetwork, clock: any DeviceClock) {
        self.address = address
        self.network = network
        self.clock = clock
    }

    /// True while a connection is open.
    public var isConnected: Bool { xvc != nil || rbb != nil }

    /// Whether `sampleTDO` works: remote_bitbang reads TDO without a clock edge, XVC cannot.
    public var canSampleTDO: Bool { address.kind == .remoteBitbang }

    public var statistics: CableStatistics { CableStatistics(tckCycles: cycles) }

    public func clock(bits: Int, tms: UnsafeRawBufferPointer, tdi: UnsafeRawBufferPointer,
                      tdo: UnsafeMutableRawBufferPointer?) throws(TapWalkerError) {
        let cable = try connected()
        do throws(TapWalkerError) { try cable.clock(bits: bits, tms: tms, tdi: tdi, tdo: tdo) } catch { throw drop(error) }
        cycles += UInt64(bits)
    }

    public func shiftBytesMSBFirst(_ bytes: UnsafeRawBufferPointer) throws(TapWalkerError) {
        let cable = try connected()
        do throws(TapWalkerError) { try cable.shiftBytesMSBFirst(bytes) } catch { throw drop(error) }
        cycles += UInt64(bytes.count * 8)
    }

    public func wait(microseconds: UInt32) throws(TapWalkerError) {
        guard let cable = current else { return clock.sleep(microseconds: microseconds) }
        do throws(TapWalkerError) { try cable.wait(microseconds: microseconds) } catch { throw drop(error) }
        lastUse = clock.microseconds()
    }

    public func flush() throws(TapWalkerError) {
        guard let cable = current else { return }
        do throws(TapWalkerError) { try cable.flush() } catch { throw drop(error) }
        lastUse = clock.microseconds()
    }

    /// Remembered and asked of the server at each connection (XVC `settck:`); remote_bitbang
    /// cannot set TCK, the server's rate applies.
    public func setFrequency(_ hertz: UInt32) throws(TapWalkerError) -> UInt32 {
        frequency = hertz
        guard let xvc else { return hertz }
        do throws(TapWalkerError) { frequency = try xvc.setFrequency(hertz) } catch { throw drop(error) }
        return frequency
    }

    public func sampleTDO() throws(TapWalkerError) -> Bool {
        guard canSampleTDO else {
            throw TapWalkerError(.cable, "\(address.text): an XVC server cannot read TDO without clocking")
        }
        _ = try connected()
        do throws(TapWalkerError) { return try rbb!.sampleTDO() } catch { throw drop(error) }
    }

    /// Closes the connection without waiting for anything still in flight (it failed, or the
    /// server may have closed it); the next use opens a new one.
    public func close() {
        connection?.close()
        connection = nil
        xvc = nil
        rbb = nil
    }

    private var current: (any Cable)? {
        if let xvc { return xvc }
        return rbb
    }

    /// The open connection's cable, after replacing one idle too long, or a new connection.
    private func connected() throws(TapWalkerError) -> any Cable {
        let now = clock.microseconds()
        if isConnected && now &- lastUse > NetworkJTAGCable.idleReconnectMicroseconds { close() }
        lastUse = now
        if let cable = current { return cable }
        let connection = network.makeConnection()
        self.connection = connection
        let timeout = address.timeoutSeconds.map { $0 * 1000 } ?? NetworkCableLink.defaultTimeoutMilliseconds
        do throws(TapWalkerError) {
            switch address.kind {
            case .xvc:
                let cable = try XVCCable(connection: connection, host: address.host, port: address.port,
                                         clock: clock, frequency: frequency, timeoutMilliseconds: timeout)
                frequency = cable.frequency
                xvc = cable
            case .remoteBitbang:
                rbb = try RemoteBitbangCable(connection: connection, host: address.host, port: address.port, clock: clock,
                                             frequency: frequency, timeoutMilliseconds: timeout,
                                             answersInFlight: NetworkJTAGCable.remoteBitbangAnswers)
            }
        } catch {
            close()
            let problem = "cannot reach the JTAG server \(address.text) ([jtag] cable in \(DeviceConfiguration.fileName)): \(error.message)"
            lastProblem = problem
            throw TapWalkerError(.cable, problem)
        }
        lastProblem = nil
        return current!
    }

    /// Drops the connection after a failure (the next use reconnects) and names the server.
    private func drop(_ error: TapWalkerError) -> TapWalkerError {
        close()
        let problem = "the JTAG server \(address.text): \(error.message)"
        lastProblem = problem
        return error.rephrased(problem)
    }
}
