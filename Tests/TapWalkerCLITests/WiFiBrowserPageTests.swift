import Foundation
import Testing

// The page's WiFi cards in headless Chromium against the virtual ESP32 (web/wifi-browser-test.sh
// starts it on its access point with networks in the air): "Set up WiFi" first with a scan, a
// network picked by keyboard, a short password refused, the right one saved into wifiman.conf;
// then the plain WiFi card once joined, and the network removed. Runs where this tree has the
// virtual ESP32 (scripts/virtual-device.sh) and the browser tools.

private let wifiPageReady: Bool = {
    guard FileManager.default.fileExists(atPath: Paths.packageRoot.appendingPathComponent("scripts/virtual-device.sh").path),
          FileManager.default.isExecutableFile(atPath: "/usr/bin/chromium"),
          FileManager.default.isExecutableFile(atPath: "/usr/bin/chromedriver"),
          let python else { return false }
    return runTool(python, ["-c", "import selenium"]).status == 0
}()

@Suite("the WiFi cards in a browser")
struct WiFiBrowserPageTests {
    @Test("virtual ESP32 on its access point: set up WiFi from a scan, then the WiFi card once joined; screenshots",
          .enabled(if: wifiPageReady, "no virtual ESP32 in this tree, or chromium, chromium-driver or selenium missing"))
    func setUpWiFi() throws {
        let shots = Paths.packageRoot.appendingPathComponent(".build/screenshots").path
        let script = Paths.packageRoot.appendingPathComponent("web/wifi-browser-test.sh").path
        let r = runTool("/bin/bash", [script, shots], timeout: 1200)  // the first run builds the virtual ESP32
        #expect(r.status == 0 && r.output.contains("WIFI PAGE OK"), "\(r.output)")
        for name in ["wifi-setup", "wifi-saved", "wifi-connected"] {
            for width in ["desktop", "phone"] {
                #expect(FileManager.default.fileExists(atPath: shots + "/\(name)-\(width).png"), "\(name)-\(width)")
            }
        }
    }
}
