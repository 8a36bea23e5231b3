// The C that the BSD board-support adapters (embedded/bsd/*.swift) call, for the two places they
// are built: the virtual ESP32 (Linux, glibc) and the firmware (ESP-IDF: lwIP's BSD sockets,
// newlib and the VFS for files, ESP-IDF's pthreads). Only standard headers, and only calls both
// have. Embedded Swift imports no C library module, and cannot call C macros that are
// expressions (errno, htons), variadic functions (open, fcntl) or enums that differ between the
// two C libraries (glibc's SOCK_STREAM is an enum, lwIP's a macro), so those are wrapped here in
// static inline functions with plain int types.
#ifndef TAPWALKER_BSD_H
#define TAPWALKER_BSD_H

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <sys/poll.h>  // ESP-IDF has only <sys/poll.h> (esp_libc platform_include); glibc has both
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

static inline int bsd_errno(void) { return errno; }
static inline int bsd_is_interrupted(int error) { return error == EINTR; }
static inline int bsd_would_block(int error) { return error == EAGAIN || error == EWOULDBLOCK; }
static inline int bsd_in_progress(int error) { return error == EINPROGRESS; }
static inline int bsd_no_entry(int error) { return error == ENOENT || error == ENOTDIR; }
static inline int bsd_exists(int error) { return error == EEXIST; }
static inline int bsd_loop(int error) { return error == ELOOP; }
static inline const char *bsd_strerror(int error) { return strerror(error); }

// ---- Sockets (IPv4: lwIP on the ESP32 is built with IPv4, and the virtual ESP32 uses 127.0.0.1).

// MSG_NOSIGNAL keeps a send to a closed peer from raising SIGPIPE on Linux; lwIP raises no
// signals at all.
#ifdef MSG_NOSIGNAL
#define BSD_SEND_FLAGS MSG_NOSIGNAL
#else
#define BSD_SEND_FLAGS 0
#endif

static inline void bsd_fill_address(struct sockaddr_in *a, uint32_t host, int port) {
    memset(a, 0, sizeof *a);
    a->sin_family = AF_INET;
    a->sin_port = htons((uint16_t)port);
    a->sin_addr.s_addr = htonl(host);
}

// A listening TCP socket on `host` (host byte order; INADDR_ANY = 0) and `port` (0: any free
// port), non-blocking so that an accept after poll never waits; -1 with errno set on failure.
static inline int bsd_listen(uint32_t host, int port, int backlog) {
    int s = socket(AF_INET, SOCK_STREAM, 0);
    if (s < 0) return -1;
    int one = 1;
    (void)setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in a;
    bsd_fill_address(&a, host, port);
    if (bind(s, (struct sockaddr *)&a, sizeof a) != 0 || listen(s, backlog) != 0) {
        int e = errno;
        close(s);
        errno = e;
        return -1;
    }
    int flags = fcntl(s, F_GETFL, 0);
    if (flags < 0 || fcntl(s, F_SETFL, flags | O_NONBLOCK) != 0) {
        int e = errno;
        close(s);
        errno = e;
        return -1;
    }
    return s;
}

// Accepts one connection; the new socket is blocking (its reads and writes are bounded by poll).
// The peer's IPv4 address (host byte order) and port go to *host and *port.
static inline int bsd_accept(int listener, uint32_t *host, int *port) {
    struct sockaddr_in a;
    socklen_t length = sizeof a;
    int s = accept(listener, (struct sockaddr *)&a, &length);
    if (s < 0) return -1;
    int flags = fcntl(s, F_GETFL, 0);
    if (flags >= 0) (void)fcntl(s, F_SETFL, flags & ~O_NONBLOCK);
    int one = 1;
    (void)setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    *host = ntohl(a.sin_addr.s_addr);
    *port = ntohs(a.sin_port);
    return s;
}

// The local (which = 0) or peer (which = 1) address of a socket; -1 on failure.
static inline int bsd_socket_name(int s, int which, uint32_t *host, int *port) {
    struct sockaddr_in a;
    socklen_t length = sizeof a;
    int rc = which ? getpeername(s, (struct sockaddr *)&a, &length) : getsockname(s, (struct sockaddr *)&a, &length);
    if (rc != 0) return -1;
    *host = ntohl(a.sin_addr.s_addr);
    *port = ntohs(a.sin_port);
    return 0;
}

// Starts a non-blocking connect to an IPv4 address; returns the socket (connected or with the
// connect in progress: *pending = 1) or -1.
static inline int bsd_connect_start(uint32_t host, int port, int *pending) {
    int s = socket(AF_INET, SOCK_STREAM, 0);
    if (s < 0) return -1;
    int flags = fcntl(s, F_GETFL, 0);
    if (flags < 0 || fcntl(s, F_SETFL, flags | O_NONBLOCK) != 0) {
        int e = errno;
        close(s);
        errno = e;
        return -1;
    }
    struct sockaddr_in a;
    bsd_fill_address(&a, host, port);
    *pending = 0;
    if (connect(s, (struct sockaddr *)&a, sizeof a) != 0) {
        if (errno != EINPROGRESS && errno != EINTR) {
            int e = errno;
            close(s);
            errno = e;
            return -1;
        }
        *pending = 1;
    }
    return s;
}

// After poll says a pending connect's socket is writable: 0 when it connected (the socket is
// made blocking again), else the error.
static inline int bsd_connect_finish(int s) {
    int error = 0;
    socklen_t size = sizeof error;
    if (getsockopt(s, SOL_SOCKET, SO_ERROR, &error, &size) != 0) return errno;
    if (error != 0) return error;
    int flags = fcntl(s, F_GETFL, 0);
    if (flags >= 0) (void)fcntl(s, F_SETFL, flags & ~O_NONBLOCK);
    int one = 1;
    (void)setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    return 0;
}

// Waits up to `timeout` ms (-1: for ever) for `fd` to become readable (events = 1) or writable
// (events = 2). Returns 1 when it is (or has an error or hang-up to report), 0 on timeout, -1 on
// failure (errno; EINTR when a signal came).
static inline int bsd_poll(int fd, int events, int timeout) {
    struct pollfd p;
    p.fd = fd;
    p.events = (short)((events & 1 ? POLLIN : 0) | (events & 2 ? POLLOUT : 0));
    p.revents = 0;
    int r = poll(&p, 1, timeout);
    return r < 0 ? -1 : r > 0;
}

// Waits up to `timeout` ms for any of `count` descriptors to become readable; returns the index
// of one that is, -2 on timeout, -1 on failure. At most 8 descriptors.
static inline int bsd_poll_any(const int *fds, int count, int timeout) {
    struct pollfd p[8];
    if (count > 8) count = 8;
    for (int i = 0; i < count; i++) {
        p[i].fd = fds[i];
        p[i].events = POLLIN;
        p[i].revents = 0;
    }
    int r = poll(p, (nfds_t)count, timeout);
    if (r < 0) return -1;
    for (int i = 0; i < count; i++) if (p[i].revents) return i;
    return -2;
}

static inline long bsd_send(int s, const void *bytes, size_t count) { return (long)send(s, bytes, count, BSD_SEND_FLAGS); }
static inline long bsd_recv(int s, void *buffer, size_t count) {
    long n = (long)recv(s, buffer, count, 0);
#ifdef TCP_QUICKACK
    // Linux delays its ACK up to 40 ms; a client that writes a request in two pieces with Nagle
    // on (openFPGALoader's XVC shift header, then its vectors) would wait that long per request.
    // Linux clears the flag by itself, hence after every read. lwIP acknowledges at once.
    int one = 1;
    (void)setsockopt(s, IPPROTO_TCP, TCP_QUICKACK, &one, sizeof one);
#endif
    return n;
}
static inline int bsd_shutdown(int s) { return shutdown(s, SHUT_RDWR); }
static inline int bsd_close(int fd) { return close(fd); }

// "a.b.c.d" to an IPv4 address in host byte order; -1 when it is not one.
static inline int bsd_parse_ipv4(const char *text, uint32_t *host) {
    struct in_addr a;
    if (inet_pton(AF_INET, text, &a) != 1) return -1;
    *host = ntohl(a.s_addr);
    return 0;
}

// ---- Files (ESP-IDF's VFS over FAT or LittleFS; a directory of the host).

// O_NOFOLLOW refuses a symbolic link as the last component. FAT (the ESP32's storage partition
// and SD card) has no symbolic links, and newlib may not define the flag: 0 there.
#ifdef O_NOFOLLOW
#define BSD_O_NOFOLLOW O_NOFOLLOW
#else
#define BSD_O_NOFOLLOW 0
#endif

// mode: 0 read, 1 write (create or truncate), 2 append (create).
static inline int bsd_open_file(const char *path, int mode) {
    int flags = mode == 0 ? O_RDONLY : mode == 1 ? (O_WRONLY | O_CREAT | O_TRUNC) : (O_WRONLY | O_CREAT | O_APPEND);
    return open(path, flags | BSD_O_NOFOLLOW, 0644);
}

static inline long bsd_read(int fd, void *buffer, size_t count) { return (long)read(fd, buffer, count); }
static inline long bsd_write(int fd, const void *bytes, size_t count) { return (long)write(fd, bytes, count); }

// What is at `path` without following a symbolic link there: 0 nothing (or not reachable),
// 1 a file, 2 a directory, 3 a symbolic link, 4 something else; -1 on another failure. *size is
// the file's size. The ESP32's VFS has stat but no lstat (FAT has no links), so stat there.
static inline int bsd_entry_kind(const char *path, long long *size) {
    struct stat st;
#if defined(ESP_PLATFORM)
    int rc = stat(path, &st);
#else
    int rc = lstat(path, &st);
#endif
    if (rc != 0) return (errno == ENOENT || errno == ENOTDIR) ? 0 : -1;
    *size = (long long)st.st_size;
#ifdef S_ISLNK
    if (S_ISLNK(st.st_mode)) return 3;
#endif
    if (S_ISDIR(st.st_mode)) return 2;
    if (S_ISREG(st.st_mode)) return 1;
    return 4;
}

static inline void *bsd_open_directory(const char *path) { return (void *)opendir(path); }
// The next entry's name, or NULL at the end.
static inline const char *bsd_next_entry(void *directory) {
    struct dirent *e = readdir((DIR *)directory);
    return e ? e->d_name : NULL;
}
static inline void bsd_close_directory(void *directory) { closedir((DIR *)directory); }
static inline int bsd_rename(const char *from, const char *to) { return rename(from, to); }
static inline int bsd_unlink(const char *path) { return unlink(path); }
static inline int bsd_rmdir(const char *path) { return rmdir(path); }
static inline int bsd_mkdir(const char *path) { return mkdir(path, 0755); }

// ---- Threads and locks.

// Starts a detached thread running body(context) with `stack_bytes` of stack; 0 or the error.
static inline int bsd_thread_start(size_t stack_bytes, void *(*body)(void *), void *context) {
    pthread_attr_t attributes;
    int rc = pthread_attr_init(&attributes);
    if (rc != 0) return rc;
    rc = pthread_attr_setstacksize(&attributes, stack_bytes);
    if (rc == 0) rc = pthread_attr_setdetachstate(&attributes, PTHREAD_CREATE_DETACHED);
    pthread_t thread;
    if (rc == 0) rc = pthread_create(&thread, &attributes, body, context);
    pthread_attr_destroy(&attributes);
    return rc;
}

// The smallest stack pthread_attr_setstacksize takes here (glibc refuses less than
// PTHREAD_STACK_MIN; ESP-IDF's FreeRTOS tasks take any size above its own minimum).
static inline size_t bsd_minimum_stack(void) {
#ifdef PTHREAD_STACK_MIN
    return (size_t)PTHREAD_STACK_MIN;
#else
    return 2048;
#endif
}

// A mutex on the heap, so that Swift holds only its address; NULL when there is no memory.
static inline void *bsd_mutex_create(void) {
    pthread_mutex_t *m = (pthread_mutex_t *)malloc(sizeof *m);
    if (m && pthread_mutex_init(m, NULL) != 0) {
        free(m);
        return NULL;
    }
    return m;
}
static inline void bsd_mutex_lock(void *m) { pthread_mutex_lock((pthread_mutex_t *)m); }
static inline void bsd_mutex_unlock(void *m) { pthread_mutex_unlock((pthread_mutex_t *)m); }
static inline void bsd_mutex_destroy(void *m) {
    pthread_mutex_destroy((pthread_mutex_t *)m);
    free(m);
}

#endif
