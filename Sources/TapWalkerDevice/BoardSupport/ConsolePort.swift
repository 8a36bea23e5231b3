/// Board support: the serial console (the USB-serial/JTAG port or UART0 on the chip, standard input
/// and output on the virtual ESP32).
public protocol ConsolePort: AnyObject {
    /// Up to `buffer.count` bytes typed so far, waiting at most `timeoutMilliseconds` for the first;
    /// 0 when none came; nil when the console has closed for good (end of standard input).
    func read(into buffer: UnsafeMutableRawBufferPointer, timeoutMilliseconds: Int) -> Int?
    /// Shows `text` as it is (the caller adds line breaks).
    func write(_ text: String)
}
