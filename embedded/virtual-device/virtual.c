// Host services of the virtual ESP32 (virtual.h) and its entry point: main keeps the command line
// and calls the Swift program (virtual_device_main in main.swift).
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>
#include "virtual.h"

void virtual_device_main(void);

static const char *directory = ".";
static volatile sig_atomic_t stopRequested;

const char *virtual_directory(void) { return directory; }

static void onStop(int signal) {
    (void)signal;
    stopRequested = 1;
}

// Called by the heap meter when an allocation would pass the cap: the chip's malloc would fail
// there too, and TapWalker's code treats that as fatal, so the device stops, saying so on stderr
// (the test harness looks for this line). Formats on the stack: the heap is what ran out.
static void outOfMemory(size_t wanted, size_t live, size_t cap) {
    char line[160];
    int n = snprintf(line, sizeof line, "virtual ESP32: out of memory: %zu bytes wanted, %zu in use of %zu KB\n",
                     wanted, live, cap / 1024);
    if (n > 0) (void)!write(2, line, (size_t)n);
    abort();
}

void virtual_setup(size_t heap_cap) {
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = onStop;
    sigemptyset(&action.sa_mask);
    sigaction(SIGTERM, &action, NULL);
    sigaction(SIGINT, &action, NULL);
    signal(SIGPIPE, SIG_IGN);
    meter_heap_set_cap(heap_cap, outOfMemory);
}

void virtual_set_heap_cap(size_t heap_cap) { meter_heap_set_cap(heap_cap, outOfMemory); }

int virtual_stop_requested(void) { return stopRequested; }

uint64_t virtual_microseconds(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (uint64_t)t.tv_sec * 1000000u + (uint64_t)t.tv_nsec / 1000u;
}

void virtual_sleep(uint32_t microseconds) {
    struct timespec t = {microseconds / 1000000u, (long)(microseconds % 1000000u) * 1000};
    while (nanosleep(&t, &t) != 0) {}
}

int virtual_random(void *bytes, size_t count) {
    unsigned char *p = bytes;
    while (count > 0) {
        ssize_t n = getrandom(p, count, 0);
        if (n < 0) break;
        p += n;
        count -= (size_t)n;
    }
    if (count == 0) return 0;
    int fd = open("/dev/urandom", O_RDONLY);
    if (fd < 0) return -1;
    int rc = virtual_pread_all(fd, p, count, -1);
    close(fd);
    return rc;
}

static void writeAll(int fd, const char *text) {
    size_t left = strlen(text);
    while (left > 0) {
        ssize_t n = write(fd, text, left);
        if (n <= 0) return;
        text += n;
        left -= (size_t)n;
    }
}

void virtual_out(const char *text) { writeAll(1, text); }
void virtual_err(const char *text) { writeAll(2, text); }

void virtual_exit(int code) { exit(code); }

long long virtual_file_size(const char *path) {
    struct stat st;
    if (stat(path, &st) != 0) return -1;
    return (long long)st.st_size;
}

int virtual_open_image(const char *path, int create) {
    return open(path, O_RDWR | (create ? O_CREAT | O_EXCL : 0), 0644);
}

int virtual_open_new(const char *path) {
    return open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
}

// offset < 0: read from the current position.
int virtual_pread_all(int fd, void *buffer, size_t count, long long offset) {
    unsigned char *p = buffer;
    while (count > 0) {
        ssize_t n = offset < 0 ? read(fd, p, count) : pread(fd, p, count, (off_t)offset);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return -1;
        p += n;
        count -= (size_t)n;
        if (offset >= 0) offset += n;
    }
    return 0;
}

int virtual_pwrite_all(int fd, const void *bytes, size_t count, long long offset) {
    const unsigned char *p = bytes;
    while (count > 0) {
        ssize_t n = pwrite(fd, p, count, (off_t)offset);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return -1;
        p += n;
        count -= (size_t)n;
        offset += n;
    }
    return 0;
}

int virtual_host_thread(void *(*body)(void *), void *context) {
    pthread_t thread;
    int rc = pthread_create(&thread, NULL, body, context);
    if (rc == 0) pthread_detach(thread);
    return rc;
}

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: %s DIR (the virtual ESP32's file system; normally started by scripts/virtual-device.sh)\n", argv[0]);
        return 2;
    }
    directory = argv[1];
    virtual_device_main();
    return 0;
}
