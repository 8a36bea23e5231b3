// swift-tools-version: 6.0
import PackageDescription

// The layers of docs/architecture.md: TapWalkerCore, TapWalkerSim, TapWalkerServices, TapWalkerDevice and
// TapWalkerVirtualBoard are Embedded-clean and are also compiled in Embedded Swift by scripts/check-embedded.sh.
// Only TapWalkerPlatform and the `tapwalker` executable may use Foundation/Glibc.
let package = Package(
    name: "TapWalker",
    products: [
        .executable(name: "tapwalker", targets: ["tapwalker"]),
        .library(name: "TapWalkerCore", targets: ["TapWalkerCore"]),
        .library(name: "TapWalkerSim", targets: ["TapWalkerSim"]),
        .library(name: "TapWalkerServices", targets: ["TapWalkerServices"]),
        .library(name: "TapWalkerVirtualBoard", targets: ["TapWalkerVirtualBoard"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        .target(name: "TapWalkerCore"),
        .target(name: "TapWalkerSim", dependencies: ["TapWalkerCore"]),
        .target(name: "TapWalkerServices", dependencies: ["TapWalkerCore"]),
        .target(name: "TapWalkerDevice", dependencies: ["TapWalkerCore", "TapWalkerServices"]),
        // FAT12/16/32 over 512-byte sectors: the SD card's files on the chip and the virtual ESP32
        // (docs/fat.md), given to the device as its SDCardFileSystem (FATCard).
        .target(name: "TapWalkerFAT", dependencies: ["TapWalkerCore", "TapWalkerServices", "TapWalkerDevice"]),
        // The virtual ESP32's JTAG pins and SPI master, driving the simulated ECP5 at pin level.
        .target(
            name: "TapWalkerVirtualBoard",
            dependencies: ["TapWalkerCore", "TapWalkerSim", "TapWalkerServices", "TapWalkerDevice"]),
        .target(name: "TapWalkerPlatform", dependencies: ["TapWalkerCore", "TapWalkerServices"]),
        // libusb-1.0 and the USB JTAG cables on it: host only, never part of the Embedded-clean layers.
        .systemLibrary(
            name: "CLibUSB", pkgConfig: "libusb-1.0", providers: [.apt(["libusb-1.0-0-dev"]), .brew(["libusb"])]),
        .target(name: "TapWalkerUSB", dependencies: ["TapWalkerCore", "CLibUSB"]),
        // libcurl for http:// and https:// inputs on a host (TLS through curl's OpenSSL): host only.
        .systemLibrary(
            name: "CCurl", pkgConfig: "libcurl", providers: [.apt(["libcurl4-openssl-dev"]), .brew(["curl"])]),
        .target(name: "TapWalkerCurl", dependencies: ["TapWalkerCore", "TapWalkerServices", "CCurl"]),
        .executableTarget(
            name: "tapwalker",
            dependencies: [
                "TapWalkerCore", "TapWalkerSim", "TapWalkerServices", "TapWalkerPlatform", "TapWalkerUSB", "TapWalkerCurl",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // What the test targets share: the committed Examples/, scripted connections, clocks, locks.
        .target(
            name: "TapWalkerTestSupport", dependencies: ["TapWalkerCore", "TapWalkerServices"],
            path: "Tests/TapWalkerTestSupport"),
        .testTarget(name: "TapWalkerCoreTests", dependencies: ["TapWalkerTestSupport", "TapWalkerCore", "TapWalkerSim"]),
        .testTarget(name: "TapWalkerSimTests", dependencies: ["TapWalkerTestSupport", "TapWalkerCore", "TapWalkerSim"]),
        .testTarget(
            name: "TapWalkerServicesTests",
            dependencies: ["TapWalkerTestSupport", "TapWalkerCore", "TapWalkerSim", "TapWalkerServices"]),
        .testTarget(
            name: "TapWalkerPlatformTests",
            dependencies: ["TapWalkerTestSupport", "TapWalkerCore", "TapWalkerServices", "TapWalkerPlatform"]),
        .testTarget(name: "TapWalkerUSBTests", dependencies: ["TapWalkerUSB"]),
        .testTarget(name: "TapWalkerFATTests", dependencies: ["TapWalkerTestSupport", "TapWalkerCore", "TapWalkerDevice", "TapWalkerFAT"]),
        .testTarget(name: "TapWalkerDeviceTests", dependencies: ["TapWalkerTestSupport", "TapWalkerCore", "TapWalkerSim", "TapWalkerServices", "TapWalkerDevice"]),
        .testTarget(
            name: "TapWalkerVirtualBoardTests",
            dependencies: ["TapWalkerTestSupport", "TapWalkerCore", "TapWalkerSim", "TapWalkerServices", "TapWalkerDevice", "TapWalkerVirtualBoard"]),
        // Depends on the executable so that `swift test` builds it; the tests run the binary itself.
        .testTarget(name: "TapWalkerCLITests", dependencies: ["TapWalkerTestSupport", "TapWalkerCore", "tapwalker"]),
    ]
)
