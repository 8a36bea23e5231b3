import Testing
@testable import TapWalkerCore

@Test func everyPartIsFoundByItsIDCODEAndItsName() {
    #expect(Part.all.count == 10)
    for p in Part.all {
        #expect(Part.with(idcode: p.idcode)?.name == p.name)
        #expect(Part.named(p.name)?.idcode == p.idcode)
        #expect(Part.named(String(p.name.lowercased()))?.idcode == p.idcode)
    }
    #expect(Set(Part.all.map(\.idcode)).count == Part.all.count)
}

@Test func shortPartNames() {
    #expect(Part.named("12f")?.idcode == 0x2111_1043)
    #expect(Part.named("25F")?.idcode == 0x4111_1043)
    #expect(Part.named("45f")?.idcode == 0x4111_2043)
    #expect(Part.named("85f")?.idcode == 0x4111_3043)
    #expect(Part.named("um-45f")?.idcode == 0x0111_2043)
    #expect(Part.named("um5g-85f")?.idcode == 0x8111_3043)
    #expect(Part.named("UM5G-25F")?.name == "LFE5UM5G-25F")
    #expect(Part.named("95f") == nil)
    #expect(Part.named("") == nil)
}

@Test func the12FIsNotA25F() {
    // Tools that mask the top nibble call a 12F "LFE5UM-25"; the table keeps them apart.
    #expect(Part.with(idcode: 0x2111_1043)?.name == "LFE5U-12F")
    #expect(Part.with(idcode: 0x0111_1043)?.name == "LFE5UM-25F")
}

@Test func frameGeometryFromTheReference() {
    let p85 = Part.named("85f")!, p45 = Part.named("45f")!, p25 = Part.named("25f")!
    #expect((p85.frames, p85.bytesPerFrame, p85.compressedFrameBytes, p85.boundaryScanLength) == (13294, 142, 144, 750))
    #expect((p45.frames, p45.bytesPerFrame, p45.compressedFrameBytes, p45.boundaryScanLength) == (9470, 106, 112, 510))
    #expect((p25.frames, p25.bytesPerFrame, p25.compressedFrameBytes, p25.boundaryScanLength) == (7562, 74, 80, 409))
}
