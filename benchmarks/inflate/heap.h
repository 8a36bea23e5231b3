// The live heap (bytes in use by malloc), for benchmarks/inflate/main.swift.
#include <malloc.h>
static inline unsigned long tapwalker_heap_in_use(void) { return (unsigned long)mallinfo2().uordblks; }
