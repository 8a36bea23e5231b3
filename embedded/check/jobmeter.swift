import TapWalkerCore

/// Measures one job (meter.h): peak heap above what was live at its start, stack depth, and on
/// RISC-V the instructions TapWalker itself retired (the simulator's, and the brackets' own cost,
/// subtracted). Prints one line and remembers whether the job kept to its budgets (budgets.swift).
struct JobMeter {
    let name: String
    let job: Budget.Job
    private let heapAtStart: Int
    private let instructionsAtStart: UInt64
    private let simulatorAtStart: UInt64
    private let callsAtStart: UInt64
    private let inputAtStart: UInt64
    private let inputCallsAtStart: UInt64

    nonisolated(unsafe) static var overBudget: [String] = []
    nonisolated(unsafe) static var enforce = true
    nonisolated(unsafe) static var bracketCost: UInt64 = 0
    /// The budgets are the ESP32's, a 32-bit CPU; a 64-bit build's pointers and array headers are
    /// twice the size, so there the figures are printed only.
    #if _pointerBitWidth(_32)
    nonisolated(unsafe) static var budgetsApply = true
    #else
    nonisolated(unsafe) static var budgetsApply = false
    #endif

    init(_ name: String, _ job: Budget.Job) {
        self.name = name
        self.job = job
        meter_stack_paint()
        meter_heap_restart()
        heapAtStart = meter_heap_live()
        meter_job_begin()
        callsAtStart = meter_simulator_calls()
        inputAtStart = meter_input_instructions()
        inputCallsAtStart = meter_input_calls()
        simulatorAtStart = meter_simulator_instructions()
        instructionsAtStart = meter_instructions()
    }

    /// Ends the measurement; `bits` is the TCK cycles the job shifted, for the per-bit figure (and
    /// per byte, eight bits, with `perByte`).
    func finish(bits: UInt64 = 0, perByte: Bool = false) {
        let end = meter_instructions()
        meter_job_end(name)
        let heap = meter_heap_peak() - heapAtStart
        let stack = meter_stack_depth()
        let calls = meter_simulator_calls() - callsAtStart
        let simulator = meter_simulator_instructions() - simulatorAtStart
        let input = meter_input_instructions() - inputAtStart
        let inputCalls = meter_input_calls() - inputCallsAtStart
        let budget = Budget.heap(job)
        var line = "embedded-check: job \(name): heap \(heap) B (budget \(budget)), stack \(stack) B (budget \(Budget.stackBytes))"
        if bits > 0 { line += ", \(bits) TCK bits" }
        var overInstructions = false
        if end > 0 {
            let own = end - instructionsAtStart - simulator - input - (calls + inputCalls) * JobMeter.bracketCost
            line += ", \(own) instructions of its own"
            if bits > 0 {
                line += ", \(JobMeter.hundredths(own, bits)) per TCK bit"
                if perByte { line += ", \(JobMeter.hundredths(own * 8, bits)) per byte" }
                if let perBit = Budget.instructionsPerTCKBit(job) {
                    line += " (budget \(perBit))"
                    overInstructions = own > UInt64(perBit) * bits
                }
                line += " (excluded: simulator \(JobMeter.hundredths(simulator, bits)) per bit in \(calls) calls, file reads \(JobMeter.hundredths(input, bits)) per bit)"
            }
        }
        print(line)
        if heap > budget || stack > Budget.stackBytes || overInstructions {
            JobMeter.overBudget.append(name)
        }
    }

    /// `a / b` with two decimals.
    static func hundredths(_ a: UInt64, _ b: UInt64) -> String {
        let x = (a * 100 + b / 2) / b
        let cents = x % 100
        return "\(x / 100).\(cents < 10 ? "0" : "")\(cents)"
    }
}
