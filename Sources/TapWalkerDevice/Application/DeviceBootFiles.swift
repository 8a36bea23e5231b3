import TapWalkerCore

/// tapwalker.conf and wifiman.conf as the application reads them at boot. A missing file is its
/// defaults (no service, no network). A file that cannot be read or has an error is reported, with
/// its file and line, and counts as missing, so that the device still comes up with its console
/// and WiFi: a broken tapwalker.conf starts no service at all (its ports and login are unknown),
/// a broken wifiman.conf starts the WiFi with no network, which opens the access point.
struct DeviceBootFiles {
    var configuration = DeviceConfiguration()
    var networks: [WiFiNetwork] = []
    /// The messages to print, one per broken file.
    var problems: [String] = []

    static func read(from files: any DeviceFileSystem) -> DeviceBootFiles {
        var boot = DeviceBootFiles()
        do throws(TapWalkerError) {
            boot.configuration = try DeviceConfiguration.load(from: files)
        } catch {
            boot.problems.append(error.message)
            boot.problems.append("no service started: \(DeviceConfiguration.fileName) must be fixed first (the console works)")
        }
        do throws(TapWalkerError) {
            boot.networks = try WiFiManFile.load(from: files).networks
        } catch {
            boot.problems.append(error.message)
            boot.problems.append("the WiFi starts with no known network until \(WiFiManFile.fileName) is fixed")
        }
        return boot
    }

    var failed: Bool { !problems.isEmpty }
}
