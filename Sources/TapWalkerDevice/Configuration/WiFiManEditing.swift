import TapWalkerCore

/// The one place that reads and edits wifiman.conf where more than one task may (the serial
/// console on the main loop, the web page on the HTTP server's task): one edit at a time, none
/// read half-replaced, and the roaming told of every change. `DeviceWiFiSettings` is it on the
/// device; a console without one edits the file itself.
public protocol WiFiManEditing: AnyObject {
    /// wifiman.conf as it is now.
    func load() throws(TapWalkerError) -> WiFiManFile
    /// Applies `change`, writes the file whole (`replaceFile`) and hands the roaming the new
    /// networks; returns the edited file. A change that throws leaves the file untouched.
    func edit(_ change: (inout WiFiManFile) throws(TapWalkerError) -> Void) throws(TapWalkerError) -> WiFiManFile
}
