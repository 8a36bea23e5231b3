/// Which erase commands clear the sectors of a write that need an erase: one 4 KB erase per
/// sector, or a 32 KB or 64 KB block erase where that is faster by the chip's typical times.
///
/// A block erase also clears the block's sectors that needed none; the writer then programs them
/// again, which the plan counts as a full sector of page programs each. A block erase may only
/// cover `erasable`: sectors whose bytes outside the image the writer still holds or that the
/// image replaces whole (for the streaming writer, the sector at hand and the sectors after it
/// that the image covers entirely).
public struct ErasePlan: Sendable {
    /// What one 4 KB sector needs to hold its new content.
    public enum Need: Sendable, Equatable {
        case none
        case program
        case erase
    }

    /// One erase command: `kind` at `address`.
    public struct Erase: Sendable {
        public let address: Int
        public let kind: FlashChip.EraseKind
    }

    public let chip: FlashChip

    public init(chip: FlashChip) {
        self.chip = chip
    }

    /// The erases for the run of sectors starting at `address` (sector-aligned) with the given
    /// needs, in address order. A chip without a 4 KB erase gets none (the writer refuses it).
    public func erases(for needs: [Need], at address: Int, erasable: Range<Int>) -> [Erase] {
        let sector = FlashChip.sectorSize
        guard let small = chip.erase(size: sector) else { return [] }
        var out: [Erase] = []
        var i = 0
        while i < needs.count {
            guard needs[i] == .erase else { i += 1; continue }
            let at = address + i * sector
            if let block = bestBlock(needs, i, at, erasable, small) {
                out.append(Erase(address: at, kind: block))
                i += block.size / sector
            } else {
                out.append(Erase(address: at, kind: small))
                i += 1
            }
        }
        return out
    }

    /// The fastest block erase starting at sector `i`, if one beats 4 KB erases.
    private func bestBlock(_ needs: [Need], _ i: Int, _ at: Int, _ erasable: Range<Int>, _ small: FlashChip.EraseKind)
        -> FlashChip.EraseKind?
    {
        let sector = FlashChip.sectorSize
        let reprogram = UInt64(sector / chip.pageSize) * UInt64(chip.pageProgram.typical)
        var best: FlashChip.EraseKind?
        var bestSaving: UInt64 = 0
        for kind in chip.erases where kind.size > sector {
            let n = kind.size / sector
            guard at % kind.size == 0, at >= erasable.lowerBound, at + kind.size <= erasable.upperBound,
                  i + n <= needs.count else { continue }
            var alone: UInt64 = 0  // 4 KB erases of the sectors that need one
            var block = UInt64(kind.timing.typical)  // the block erase and the rewrite of the others
            for k in i..<(i + n) {
                if needs[k] == .erase { alone += UInt64(small.timing.typical) } else { block += reprogram }
            }
            if block < alone, alone - block > bestSaving {
                best = kind
                bestSaving = alone - block
            }
        }
        return best
    }
}
