/// What `tapwalker --version` prints.
enum TapWalkerVersion {
    static let current = "0.1.0"
}
