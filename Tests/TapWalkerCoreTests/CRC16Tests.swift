import Testing
@testable import TapWalkerCore

@Test func crc16HasTheBuypassCheckValue() {
    var crc = CRC16()
    Array("123456789".utf8).withUnsafeBytes { crc.update($0) }
    #expect(crc.value == 0xFEE8)
}

@Test func crc16ByteAndBlockUpdatesAgree() {
    let data: [UInt8] = (0..<1000).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) }
    var a = CRC16(), b = CRC16()
    for x in data { a.update(x) }
    data.withUnsafeBytes { b.update($0) }
    #expect(a.value == b.value)
    #expect(a.value != 0)
}
