/*
 * What the firmware's Swift module sees of C: TapWalker's board-support API, nothing of IDF
 * directly, so every chip-specific call stays in the bsp_*.c files.
 */
#pragma once

#include "tapwalker_bsp.h"
