/*
 * For scripts/firmware-compile-check.sh only, never for a build. Debian's picolibc leaves DIR and
 * struct dirent to the platform (its <dirent.h> includes this file); Espressif's C library
 * defines them for ESP-IDF's VFS, which implements opendir/readdir/closedir. This stands in with
 * the POSIX members the firmware reads (d_name; d_ino and d_type as IDF's VFS fills them); DIR is
 * opaque here.
 */
#ifndef TAPWALKER_CHECK_SYS_DIRENT_H
#define TAPWALKER_CHECK_SYS_DIRENT_H

#include <stdint.h>
#include <sys/types.h>

typedef struct tapwalker_check_dir DIR;

struct dirent {
    ino_t d_ino;
    uint8_t d_type;
    char d_name[256];
};

#define DT_UNKNOWN 0
#define DT_REG 1
#define DT_DIR 2

DIR *opendir(const char *name);
struct dirent *readdir(DIR *directory);
int closedir(DIR *directory);

#endif
