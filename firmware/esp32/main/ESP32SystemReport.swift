import TapWalkerCore

/// The console's `status` lines about the chip itself: the heap left now and at its lowest since
/// boot (`esp_get_minimum_free_heap_size`), and each task's stack high-water mark (the least
/// stack it has had left). These are the figures docs/firmware.md records.
enum ESP32SystemReport {
    static let maximumTasks = 24

    static func lines() -> [String] {
        var heap = tapwalker_heap_t()
        tapwalker_heap(&heap)
        var lines = ["memory: free heap \(heap.free_bytes) B, lowest since boot \(heap.minimum_free_bytes) B, largest free block \(heap.largest_block) B"]
        var tasks = [tapwalker_task_stack_t](repeating: tapwalker_task_stack_t(), count: maximumTasks)
        let count = tasks.withUnsafeMutableBufferPointer { tapwalker_task_stacks($0.baseAddress, Int32(maximumTasks)) }
        guard count > 0 else { return lines }
        var text = "stacks (least left since start):"
        for i in 0..<Int(count) {
            let name = withUnsafeBytes(of: tasks[i].name) { raw in
                String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            text += " \(name) \(tasks[i].stack_left_bytes) B" + (i + 1 < Int(count) ? "," : "")
        }
        lines.append(text)
        return lines
    }
}
