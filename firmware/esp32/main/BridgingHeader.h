/*
 * What the firmware's Swift module sees of C: TapWalker's board-support API (tapwalker_bsp.h),
 * nothing of IDF directly, so every chip-specific call stays in the bsp_*.c files; and bsd.h, the
 * C under the adapters shared with the virtual ESP32 (embedded/bsd: lwIP's BSD sockets, files
 * through IDF's VFS on /storage, ESP-IDF's pthreads).
 */
#pragma once

#include "bsd.h"
#include "tapwalker_bsp.h"
