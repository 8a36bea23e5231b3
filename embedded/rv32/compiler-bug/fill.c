#include "fill.h"

size_t reproducer_fill(void *buffer, size_t count) {
    unsigned char *p = buffer;
    for (size_t i = 0; i < count && i < 37; i++) p[i] = (unsigned char)i;
    return 37;
}
