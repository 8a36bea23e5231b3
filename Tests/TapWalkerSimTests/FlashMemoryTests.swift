import Testing
@testable import TapWalkerSim

// The simulated flash's sparse content: storage exists only for sectors that hold a byte other
// than 0xFF, and the collection reads exactly as a plain array of the chip's size would.

@Test func flashMemoryAllocatesSectorsOnFirstWriteAndDropsErasedOnes() {
    var m = FlashMemory(count: 16 << 20)
    #expect(m.allocatedBytes == 0)
    #expect(m.count == 16 << 20 && m[0] == 0xFF && m[(16 << 20) - 1] == 0xFF)
    m[0x1234] = 0xFF
    #expect(m.allocatedBytes == 0, "writing 0xFF into an erased sector allocates nothing")
    m[0x1234] = 0x5A
    m[0x1FFF] = 0x00
    #expect(m.allocatedBytes == 4096)
    #expect(m[0x1234] == 0x5A && m[0x1FFF] == 0x00 && m[0x1235] == 0xFF && m[0x2000] == 0xFF)
    m.erase(0x1000..<0x1800)
    #expect(m.allocatedBytes == 4096 && m[0x1234] == 0xFF && m[0x1FFF] == 0x00, "a partial erase keeps the sector")
    m.erase(0..<0x10000)
    #expect(m.allocatedBytes == 0 && m == FlashMemory(count: 16 << 20))
}

@Test func flashMemoryWritesCopiesAndComparesLikeAnArray() {
    var image = [UInt8](repeating: 0xFF, count: 3 * 4096 + 100)
    for i in 4096..<(2 * 4096) { image[i] = UInt8(truncatingIfNeeded: i * 7) }
    image[3 * 4096 + 50] = 1
    var m = FlashMemory(count: 1 << 20)
    image.withUnsafeBufferPointer { m.write($0) }
    #expect(m.allocatedBytes == 2 * 4096, "the all-0xFF first and third sectors stay absent")
    #expect(Array(m[0..<image.count]) == image)
    var copy = [UInt8](repeating: 0, count: 5000)
    copy.withUnsafeMutableBytes { m.copy(from: 3000, into: $0) }
    #expect(copy == Array(image[3000..<8000]))
    #expect(m.bytes.count == 1 << 20 && Array(m.bytes[0..<image.count]) == image)
    var other = FlashMemory(count: 1 << 20)
    #expect(m != other)
    image.withUnsafeBufferPointer { other.write($0) }
    other[0] = 0
    other[0] = 0xFF
    #expect(other.allocatedBytes == 3 * 4096)
    #expect(m == other, "an absent sector and an allocated all-0xFF one hold the same bytes")
    other[5] = 0
    #expect(m != other)
}
