import ArgumentParser
import TapWalkerCore
import TapWalkerServices

/// `tapwalker serve --ftp`: the FTP server's options and start-up.
struct FTPServeOptions: ParsableArguments {
    @Option(name: .customLong("ftp"), help: ArgumentHelp("Serve FTP on this TCP port (0: any free port).", valueName: "port"))
    var port: Int?

    var enabled: Bool { port != nil }

    /// Starts the FTP listener on its own thread(s); returns once it listens.
    func start(cable: CableOptions.Opened, lock: JobLock, listen: String) throws(TapWalkerError) {
        guard port != nil else { return }
        throw TapWalkerError(.usage, "--ftp: the FTP server is not available in this build yet")
    }
}
