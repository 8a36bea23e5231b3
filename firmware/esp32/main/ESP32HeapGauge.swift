import TapWalkerServices

/// The chip's free heap for the admission by memory (docs/memory-admission.md):
/// esp_get_free_heap_size through tapwalker_heap (bsp_system.c). Tasks' own use is not measured
/// on the chip (the figures are measured on the virtual ESP32 and in the rv32 lane).
final class ESP32HeapGauge: HeapGauge {
    func freeBytes() -> Int {
        var heap = tapwalker_heap_t()
        tapwalker_heap(&heap)
        return Int(heap.free_bytes)
    }

    func beginMeasuring() -> Int? { nil }
    func endMeasuring(_ mark: Int) -> Int { 0 }
}
