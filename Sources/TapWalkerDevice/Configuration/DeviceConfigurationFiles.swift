import TapWalkerCore

/// Reading the two configuration files from the device's file system at boot.
extension DeviceConfiguration {
    /// tapwalker.conf from the root of `files`; a missing file is the empty configuration
    /// (every service off, no cable), which the console's `status` then shows.
    public static func load(from files: any DeviceFileSystem, path: String = "/" + fileName) throws(TapWalkerError) -> DeviceConfiguration {
        guard let text = try files.readReplaceableFile(path, limit: ConfigurationLines.maximumFileBytes) else {
            return DeviceConfiguration()
        }
        return try parse(text, file: fileName)
    }
}

extension WiFiManFile {
    /// wifiman.conf from the root of `files`; a missing file lists no network.
    public static func load(from files: any DeviceFileSystem, path: String = "/" + fileName) throws(TapWalkerError) -> WiFiManFile {
        guard let text = try files.readReplaceableFile(path, limit: ConfigurationLines.maximumFileBytes) else {
            return WiFiManFile()
        }
        return try WiFiManFile(text)
    }

    /// Reads wifiman.conf, applies `change` and writes the result with `replaceFile` (never half a
    /// file); returns the edited file. A change that throws leaves the file untouched. The serial
    /// console and the web page's WiFi settings both edit through here.
    public static func edit(
        in files: any DeviceFileSystem, path: String = "/" + fileName, _ change: (inout WiFiManFile) throws(TapWalkerError) -> Void
    ) throws(TapWalkerError) -> WiFiManFile {
        var file = try load(from: files, path: path)
        try change(&file)
        try files.replaceFile(path, with: file.text)
        return file
    }
}
