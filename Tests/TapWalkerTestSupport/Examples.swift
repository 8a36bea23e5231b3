import Foundation

/// The committed real bitstreams in Examples/ (made by the toolchain script; manifest.tsv lists
/// them), found from this file's place: <root>/Tests/TapWalkerTestSupport/Examples.swift.
public enum Examples {
    public static let directory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Examples")

    public static func url(_ name: String) -> URL { directory.appendingPathComponent(name) }

    public static func path(_ name: String) -> String { url(name).path }

    /// The file's bytes; a missing example stops the test run, as a broken checkout should.
    public static func bytes(_ name: String) -> [UInt8] { [UInt8](try! Data(contentsOf: url(name))) }
}
