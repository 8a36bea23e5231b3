import ArgumentParser
import TapWalkerCurl

/// The options of the commands that take an input which may be an http:// or https:// URL.
struct URLOptions: ParsableArguments {
    @Option(name: .customLong("ca-file"), help: ArgumentHelp(
        "For an https:// input: also trust the CA certificates in this PEM file (besides the system's), for a server with a certificate of your own CA.",
        valueName: "path"))
    var caFile: String?

    var curl: CurlSource.Options { CurlSource.Options(caFile: caFile) }
}
