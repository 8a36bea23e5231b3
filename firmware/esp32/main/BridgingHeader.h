/*
 * What the firmware's Swift module sees of C: TapWalker's board-support API, nothing of IDF
 * directly, so every chip-specific call stays in the bsp_*.c files; and the C library's file
 * calls (fopen, stat, rename, unlink), which reach /storage and /sdcard through IDF's VFS once
 * mounted. <dirent.h> is left out until it can be checked: the picolibc headers the compile check
 * uses reject it, while IDF's own C library implements opendir/readdir over the VFS.
 */
#pragma once

#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tapwalker_bsp.h"
