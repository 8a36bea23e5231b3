import TapWalkerCore

/// tapwalker.conf and wifiman.conf as the application reads them at boot. A missing file is its
/// defaults (no service, no network). A file that cannot be read or has an error is reported, with
/// its file and line, and the last good version of it (`ConfigurationFileCheck`, NAME.good) is
/// used instead, saying so; without one it counts as missing, so that the device still comes up
/// with its console and WiFi: a broken tapwalker.conf starts no service at all (its ports and
/// login are unknown), a broken wifiman.conf starts the WiFi with no network, which opens the
/// access point. A file that reads well is kept as the last good version.
struct DeviceBootFiles {
    var configuration = DeviceConfiguration()
    var networks: [WiFiNetwork] = []
    /// The messages to print, one per broken file.
    var problems: [String] = []

    static func read(from files: any DeviceFileSystem) -> DeviceBootFiles {
        var boot = DeviceBootFiles()
        let services = ConfigurationFileCheck.Kind.services
        do throws(TapWalkerError) {
            let text = try files.readReplaceableFile("/" + services.fileName, limit: ConfigurationLines.maximumFileBytes)
            if let text { boot.configuration = try DeviceConfiguration.parse(text, file: services.fileName) }
            ConfigurationFileCheck.remember(text, as: services, in: files)
        } catch {
            boot.problems.append(error.message)
            if let good = lastGood(services, in: files), let parsed = try? DeviceConfiguration.parse(good, file: services.fileName) {
                boot.configuration = parsed
                boot.problems.append(startedWithLastGood(services))
            } else {
                boot.problems.append("no service started: \(services.fileName) must be fixed first (the console works)")
            }
        }
        let wifi = ConfigurationFileCheck.Kind.wifi
        do throws(TapWalkerError) {
            let text = try files.readReplaceableFile("/" + wifi.fileName, limit: ConfigurationLines.maximumFileBytes)
            if let text { boot.networks = try WiFiManFile(text, file: wifi.fileName).networks }
            ConfigurationFileCheck.remember(text, as: wifi, in: files)
        } catch {
            boot.problems.append(error.message)
            if let good = lastGood(wifi, in: files), let parsed = try? WiFiManFile(good, file: wifi.fileName) {
                boot.networks = parsed.networks
                boot.problems.append(startedWithLastGood(wifi))
            } else {
                boot.problems.append("the WiFi starts with no known network until \(wifi.fileName) is fixed")
            }
        }
        return boot
    }

    private static func lastGood(_ kind: ConfigurationFileCheck.Kind, in files: any DeviceFileSystem) -> [UInt8]? {
        (try? files.readSmallFile(kind.goodPath, limit: ConfigurationLines.maximumFileBytes)) ?? nil
    }

    private static func startedWithLastGood(_ kind: ConfigurationFileCheck.Kind) -> String {
        "started with the last good \(kind.fileName) (\(kind.goodName)) instead; fix \(kind.fileName) and restart to use it"
    }

    var failed: Bool { !problems.isEmpty }
}
