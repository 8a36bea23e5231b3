// A C function that returns a count, as fread does; defined in fill.c so that the optimizer
// cannot see through it.
#include <stddef.h>
size_t reproducer_fill(void *buffer, size_t count);
