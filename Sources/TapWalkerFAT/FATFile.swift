import TapWalkerCore

/// An open file of a `FATVolume`, read or written from start to end (or appended to), a sector
/// at a time through the volume's cache. Its directory entry (first cluster, size) is brought up
/// to date at every cluster allocated and at `close`, so a card pulled mid-write holds a shorter
/// file, never one whose size claims clusters it does not own.
public final class FATFile {
    private let volume: FATVolume
    private var entry: FATDirectoryEntry
    private let writable: Bool
    private var position = 0
    /// The cluster holding `position` (or the last one, when `position` is at a cluster's end),
    /// and its index in the chain; nil before the first.
    private var cluster: Int? = nil
    private var clusterIndex = -1
    private var open = true

    public var size: Int { entry.size }

    init(volume: FATVolume, entry: FATDirectoryEntry, writable: Bool, append: Bool) {
        self.volume = volume
        self.entry = entry
        self.writable = writable
        if append { position = entry.size }
    }

    /// Up to `buffer.count` bytes; 0 at the end of the file.
    public func read(into buffer: UnsafeMutableRawBufferPointer) throws(TapWalkerError) -> Int {
        try check()
        var done = 0
        while done < buffer.count && position < entry.size {
            let sector = try sectorForPosition(allocating: false)
            let within = position % FATLayout.sectorBytes
            let n = min(buffer.count - done, FATLayout.sectorBytes - within, entry.size - position)
            try volume.data.load(sector)
            volume.data.copy(from: within, into: UnsafeMutableRawBufferPointer(rebasing: buffer[done..<(done + n)]))
            done += n
            position += n
        }
        return done
    }

    public func write(_ bytes: UnsafeRawBufferPointer) throws(TapWalkerError) {
        try check()
        guard writable else { throw TapWalkerError(.usage, "the file was opened for reading") }
        var done = 0
        while done < bytes.count {
            let sector = try sectorForPosition(allocating: true)
            let within = position % FATLayout.sectorBytes
            let n = min(bytes.count - done, FATLayout.sectorBytes - within)
            // A sector written from its start past the file's end holds nothing worth reading first.
            if within == 0 && position >= entry.size { try volume.data.replace(sector) } else { try volume.data.load(sector) }
            volume.data.copy(UnsafeRawBufferPointer(rebasing: bytes[done..<(done + n)]), to: within)
            done += n
            position += n
            if position > entry.size { entry.size = position }
        }
    }

    /// Writes the file's entry and every held-back sector; again is harmless.
    public func close() throws(TapWalkerError) {
        guard open else { return }
        open = false
        guard writable, volume.mounted else { return }
        try volume.updateEntry(entry)
        try volume.sync()
    }

    private func check() throws(TapWalkerError) {
        guard open else { throw TapWalkerError(.usage, "the file is closed") }
        guard volume.mounted else {
            throw TapWalkerError(.device, "the SD card's file system was released while the file was open")
        }
    }

    /// The sector holding `position`, following the chain (and growing it when writing).
    private func sectorForPosition(allocating: Bool) throws(TapWalkerError) -> Int {
        let layout = volume.layout
        let wanted = position / layout.clusterBytes
        if cluster == nil || clusterIndex > wanted {
            cluster = nil
            clusterIndex = -1
            if entry.firstCluster != 0 {
                cluster = entry.firstCluster
                clusterIndex = 0
            } else {
                guard allocating else { throw damaged() }
                try grow(after: nil)
            }
        }
        while clusterIndex < wanted {
            if let next = try volume.table.next(cluster!) {
                cluster = next
                clusterIndex += 1
            } else {
                guard allocating else { throw damaged() }
                try grow(after: cluster)
            }
        }
        return layout.firstSector(ofCluster: cluster!) + (position % layout.clusterBytes) / FATLayout.sectorBytes
    }

    private func grow(after previous: Int?) throws(TapWalkerError) {
        let new = try volume.table.allocate(after: previous)
        if previous == nil {
            entry.firstCluster = new
            try volume.updateEntry(entry)
        }
        cluster = new
        clusterIndex += 1
    }

    private func damaged() -> TapWalkerError {
        TapWalkerError(.data, "the SD card's file system is damaged: \(entry.name) is shorter than its size; run fsck on the card")
    }

    deinit { try? close() }
}
