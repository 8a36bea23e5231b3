/// The stack each of the application's tasks gets, in bytes, written once. On the chip a task's
/// stack comes from the heap (FreeRTOS allocates it when the task starts), so these figures are
/// memory taken per connection; they are generous over what was measured, and bounded.
///
/// Measured on the ESP32-C3's CPU in the rv32 lane (docs/rv32-lane.md, README): every board job
/// peaks under 5 KB of stack (the SRAM load about 4.5 KB), and the lane fails any job, FTP, XVC or
/// remote_bitbang session over 12 KB. The C underneath (lwIP's socket calls, the FAT file system,
/// the SPI driver) adds its own frames on top of the Swift ones.
enum DeviceTaskStacks {
    /// An FTP or HTTP accept loop: it waits for connections, starts a client task for each, or
    /// sends a one-line refusal. No board job and no session runs on it: 4 KB leaves room for
    /// lwIP's accept and send.
    static let acceptLoop = 4 * 1024

    /// An FTP or HTTP client: the session and the board job it may run (SRAM load, flash write,
    /// SD write, inflating a gzip upload), or a login's PBKDF2. 12 KB: the lane's per-job budget,
    /// so anything the lane lets through fits, with more than twice the measured job peak.
    static let client = 12 * 1024

    /// An XVC or remote_bitbang accept loop, which serves its one client itself (the client
    /// holds the board while connected, so there is never a second one to run beside it): the
    /// session's shifts reach the cable from here, 12 KB as for a client.
    static let jtagServer = 12 * 1024
}
