// C helpers for benchmarks/inflate/main.swift: the live heap (glibc's mallinfo2), and zlib's own
// streaming inflate, the baseline measured in the same process (unless zlib's header or library is
// missing: then benchmarks/inflate.py defines TAPWALKER_NO_ZLIB).
#include <malloc.h>
#include <string.h>

static inline unsigned long tapwalker_heap_in_use(void) { return (unsigned long)mallinfo2().uordblks; }

#if !defined(TAPWALKER_NO_ZLIB) && __has_include(<zlib.h>)
#include <zlib.h>
#define TAPWALKER_HAVE_ZLIB 1
// Inflates a whole gzip or zlib stream (detected by zlib: windowBits 15 + 32) from memory into an
// output buffer reused for every chunk, as the TapWalker side does; returns the decompressed size,
// or -1 if zlib reports an error.
static inline long tapwalker_zlib_inflate(const unsigned char *in, unsigned long inLength,
                                          unsigned char *out, unsigned long outCapacity) {
    z_stream s;
    memset(&s, 0, sizeof s);
    if (inflateInit2(&s, 15 + 32) != Z_OK) return -1;
    s.next_in = (unsigned char *)in;
    s.avail_in = (uInt)inLength;
    long total = 0;
    int ret;
    do {
        s.next_out = out;
        s.avail_out = (uInt)outCapacity;
        ret = inflate(&s, Z_NO_FLUSH);
        total += (long)(outCapacity - s.avail_out);
    } while (ret == Z_OK);
    inflateEnd(&s);
    return ret == Z_STREAM_END ? total : -1;
}
#else
#define TAPWALKER_HAVE_ZLIB 0
static inline long tapwalker_zlib_inflate(const unsigned char *in, unsigned long inLength,
                                          unsigned char *out, unsigned long outCapacity) { return -1; }
#endif
