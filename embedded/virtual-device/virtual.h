// The C the virtual ESP32 calls (Embedded Swift has no Glibc module): the board-support adapters'
// header, the heap meter, and what only the virtual device needs from the host (virtual.c).
#include "../bsd/bsd.h"
#include "../check/meter.h"

// The device's directory, as given on the command line.
const char *virtual_directory(void);
// Installs the SIGTERM/SIGINT handler, ignores SIGPIPE and caps the heap at `heap_cap` bytes.
void virtual_setup(size_t heap_cap);
// Changes the heap cap ([virtual] heap_kb); an allocation past it then aborts as at start.
void virtual_set_heap_cap(size_t heap_cap);
// Whether SIGTERM or SIGINT has come.
int virtual_stop_requested(void);
// CLOCK_MONOTONIC in microseconds; sleeping.
uint64_t virtual_microseconds(void);
void virtual_sleep(uint32_t microseconds);
// Unpredictable bytes (getrandom, else /dev/urandom); 0 on success.
int virtual_random(void *bytes, size_t count);
// Whole lines to standard output and standard error, unbuffered.
void virtual_out(const char *text);
void virtual_err(const char *text);
// Ends the process with `code` (75: the script starts the device again).
void virtual_exit(int code) __attribute__((noreturn));
// Files of the host outside the device's file system (flash and SD images): size (-1 missing),
// opening for reading and writing, positioned reads and writes of everything asked for.
long long virtual_file_size(const char *path);
int virtual_open_image(const char *path, int create);
// Opens a file to be written from its start, created or emptied (an OTA slot, otadata).
int virtual_open_new(const char *path);
int virtual_pread_all(int fd, void *buffer, size_t count, long long offset);
int virtual_pwrite_all(int fd, const void *bytes, size_t count, long long offset);
// Starts a host thread that is not one of the device's tasks (saving the flash image).
int virtual_host_thread(void *(*body)(void *), void *context);
