// The embedded check's meters (meter.h). The allocator functions are linked with
// --wrap=malloc,free,calloc,realloc,posix_memalign,aligned_alloc, so that every allocation in the
// program, the Swift runtime's and the C library's included, passes through here; each block
// carries a 16-byte header with its size, whether the simulator allocated it, and its offset from
// the block the C library returned. 16 bytes keep the 8- and 16-byte alignment malloc gives.
#include <stdint.h>
#include <string.h>
#include "meter.h"

#if defined(__x86_64__) && __has_include(<valgrind/callgrind.h>)
#include <valgrind/callgrind.h>
#define METER_CALLGRIND 1
#endif

void *__real_malloc(size_t size);
void __real_free(void *p);

struct header {
    uint32_t size;
    uint32_t simulator;
    uint32_t offset;
    uint32_t magic;
};

enum { HEADER = 16, MAGIC = 0x7a9e11c5 };
_Static_assert(sizeof(struct header) == HEADER, "header size");

// With METER_THREADS (the virtual ESP32, whose tasks are threads) the counts change atomically
// and "inside the simulator" is per thread; the single-threaded check needs neither.
#ifdef METER_THREADS
#define METER_LOCAL _Thread_local
#define METER_ADD(v, n) __atomic_add_fetch(&(v), (n), __ATOMIC_RELAXED)
#define METER_SUB(v, n) __atomic_sub_fetch(&(v), (n), __ATOMIC_RELAXED)
#else
#define METER_LOCAL
#define METER_ADD(v, n) ((v) += (n))
#define METER_SUB(v, n) ((v) -= (n))
#endif

static size_t live, peak, simulatorLive, cap;
static void (*capExceeded)(size_t wanted, size_t live, size_t cap);
static METER_LOCAL int inSimulator;

// This thread's own count (meter_thread_begin): signed, since a block may be freed by a thread
// other than the one that allocated it; and the peaks of the measurements open on it.
enum { THREAD_MARKS = 4 };
static METER_LOCAL long threadLive;
static METER_LOCAL long threadBase[THREAD_MARKS], threadPeak[THREAD_MARKS];
static METER_LOCAL int threadMarks;

// Only the innermost measurement sees what is allocated while it is open: work measured inside
// other work (a transfer inside a connection) is the inner one's alone, and what it leaves
// allocated at its end is not the outer one's either: that is the services' own state (a board
// job's events kept for /api/events, bounded), which the admission sees in the free heap.
static void threadCharge(long size) {
    threadLive += size;
    if (threadMarks > 0 && threadLive > threadPeak[threadMarks - 1]) threadPeak[threadMarks - 1] = threadLive;
}

int meter_thread_begin(void) {
    if (threadMarks >= THREAD_MARKS) return -1;
    threadBase[threadMarks] = threadPeak[threadMarks] = threadLive;
    return threadMarks++;
}

size_t meter_thread_end(int mark) {
    if (mark < 0 || mark >= threadMarks) return 0;
    long held = threadPeak[mark] - threadBase[mark];
    long left = threadLive - threadBase[mark];
    threadMarks = mark;
    if (mark > 0) {
        threadBase[mark - 1] += left;
        threadPeak[mark - 1] += left;
    }
    return held > 0 ? (size_t)held : 0;
}

// Adds `size` to the live count unless that would pass the cap; 0 when it would.
static int charge(size_t size) {
#ifdef METER_THREADS
    size_t old = __atomic_load_n(&live, __ATOMIC_RELAXED);
    do {
        if (cap && old + size > cap) return 0;
    } while (!__atomic_compare_exchange_n(&live, &old, old + size, 1, __ATOMIC_RELAXED, __ATOMIC_RELAXED));
    size_t now = old + size, top = __atomic_load_n(&peak, __ATOMIC_RELAXED);
    while (now > top && !__atomic_compare_exchange_n(&peak, &top, now, 1, __ATOMIC_RELAXED, __ATOMIC_RELAXED)) {}
#else
    if (cap && live + size > cap) return 0;
    live += size;
    if (live > peak) peak = live;
#endif
    return 1;
}

static void *track(void *raw, size_t size, size_t alignment) {
    if (!raw) return NULL;
    uintptr_t start = (uintptr_t)raw + HEADER;
    if (alignment > HEADER) start = (start + alignment - 1) & ~(uintptr_t)(alignment - 1);
    struct header *h = (struct header *)(start - HEADER);
    h->size = (uint32_t)size;
    h->simulator = (uint32_t)inSimulator;
    h->offset = (uint32_t)(start - (uintptr_t)raw);
    h->magic = MAGIC;
    if (inSimulator) {
        METER_ADD(simulatorLive, size);
    } else if (!charge(size)) {
        h->magic = 0;
        __real_free(raw);
        if (capExceeded) capExceeded(size, live, cap);
        return NULL;
    } else {
        threadCharge((long)size);
    }
    return (void *)start;
}

static struct header *headerOf(void *p) { return (struct header *)((uintptr_t)p - HEADER); }

void *__wrap_malloc(size_t size) { return track(__real_malloc(size + HEADER), size, 0); }

void __wrap_free(void *p) {
    if (!p) return;
    struct header *h = headerOf(p);
    if (h->simulator) {
        METER_SUB(simulatorLive, h->size);
    } else {
        METER_SUB(live, h->size);
        threadLive -= (long)h->size;
    }
    h->magic = 0;
    __real_free((void *)((uintptr_t)p - h->offset));
}

void *__wrap_calloc(size_t n, size_t size) {
    if (size && n > SIZE_MAX / size) return NULL;
    void *p = __wrap_malloc(n * size);
    if (p) memset(p, 0, n * size);
    return p;
}

void *__wrap_realloc(void *p, size_t size) {
    if (!p) return __wrap_malloc(size);
    void *q = __wrap_malloc(size);
    if (!q) return NULL;
    size_t old = headerOf(p)->size;
    memcpy(q, p, old < size ? old : size);
    __wrap_free(p);
    return q;
}

int __wrap_posix_memalign(void **out, size_t alignment, size_t size) {
    void *p = track(__real_malloc(size + HEADER + alignment), size, alignment);
    if (!p) return 12; // ENOMEM
    *out = p;
    return 0;
}

void *__wrap_aligned_alloc(size_t alignment, size_t size) {
    return track(__real_malloc(size + HEADER + alignment), size, alignment);
}

size_t meter_heap_live(void) { return live; }
size_t meter_heap_peak(void) { return peak; }
void meter_heap_restart(void) { peak = live; }

void meter_heap_set_cap(size_t bytes, void (*exceeded)(size_t wanted, size_t live, size_t cap)) {
    cap = bytes;
    capExceeded = exceeded;
}

int meter_heap_reserve(size_t bytes) { return charge(bytes); }
void meter_heap_unreserve(size_t bytes) { METER_SUB(live, bytes); }
size_t meter_heap_simulator_live(void) { return simulatorLive; }

// Stack painting: a noinline function whose frame is a large array covers the stack just below its
// caller; it fills the array with a pattern and remembers where the array ends.
enum { PAINTED = 48 * 1024, PATTERN = 0xA5 };
static uintptr_t paintedBottom, paintedTop;

__attribute__((noinline)) void meter_stack_paint(void) {
    uint8_t area[PAINTED];
    memset(area, PATTERN, sizeof area);
    __asm__ volatile("" : : "r"(area) : "memory");
    paintedBottom = (uintptr_t)area;
    paintedTop = (uintptr_t)(area + PAINTED);
}

size_t meter_stack_depth(void) {
    const uint8_t *p = (const uint8_t *)paintedBottom;
    size_t i = 0;
    while (i < PAINTED && p[i] == PATTERN) i++;
    return PAINTED - i;
}

uint64_t meter_instructions(void) {
#if defined(__riscv) && __riscv_xlen == 32
    uint32_t hi, lo, again;
    do {
        __asm__ volatile("csrr %0, minstreth" : "=r"(hi));
        __asm__ volatile("csrr %0, minstret" : "=r"(lo));
        __asm__ volatile("csrr %0, minstreth" : "=r"(again));
    } while (hi != again);
    return ((uint64_t)hi << 32) | lo;
#else
    return 0;
#endif
}

static uint64_t simulatorInstructions, simulatorCalls, enteredAt;

void meter_simulator_enter(void) {
    inSimulator = 1;
#ifdef METER_CALLGRIND
    CALLGRIND_TOGGLE_COLLECT;
#endif
    enteredAt = meter_instructions();
}

void meter_simulator_leave(void) {
    uint64_t now = meter_instructions();
#ifdef METER_CALLGRIND
    CALLGRIND_TOGGLE_COLLECT;
#endif
    simulatorInstructions += now - enteredAt;
    simulatorCalls += 1;
    inSimulator = 0;
}

uint64_t meter_simulator_instructions(void) { return simulatorInstructions; }
uint64_t meter_simulator_calls(void) { return simulatorCalls; }

static uint64_t inputInstructions, inputCalls, inputEnteredAt;

void meter_input_enter(void) {
    inSimulator = 1;  // the C library's stdio buffers are not TapWalker's either
#ifdef METER_CALLGRIND
    CALLGRIND_TOGGLE_COLLECT;
#endif
    inputEnteredAt = meter_instructions();
}

void meter_input_leave(void) {
    uint64_t now = meter_instructions();
#ifdef METER_CALLGRIND
    CALLGRIND_TOGGLE_COLLECT;
#endif
    inputInstructions += now - inputEnteredAt;
    inputCalls += 1;
    inSimulator = 0;
}

uint64_t meter_input_instructions(void) { return inputInstructions; }
uint64_t meter_input_calls(void) { return inputCalls; }

// The instructions of an empty bracket, counted outside what it measures: the calls themselves and
// the bookkeeping after each minstret read.
uint64_t meter_bracket_cost(void) {
    enum { N = 64 };
    uint64_t inside = simulatorInstructions, calls = simulatorCalls;
    uint64_t start = meter_instructions();
    for (int i = 0; i < N; i++) {
        meter_simulator_enter();
        meter_simulator_leave();
    }
    uint64_t total = meter_instructions() - start;
    uint64_t measured = simulatorInstructions - inside;
    simulatorInstructions = inside;
    simulatorCalls = calls;
    return (total - measured) / N;
}

void meter_job_begin(void) {
#ifdef METER_CALLGRIND
    CALLGRIND_ZERO_STATS;
#endif
}

void meter_job_end(const char *name) {
#ifdef METER_CALLGRIND
    CALLGRIND_DUMP_STATS_AT(name);
#else
    (void)name;
#endif
}
