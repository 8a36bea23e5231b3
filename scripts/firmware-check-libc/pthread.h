/*
 * For scripts/firmware-compile-check.sh only, never for a build. The check compiles against
 * Debian's picolibc headers, which have no <pthread.h>; Espressif's C library has one, which
 * ESP-IDF's own <pthread.h> (esp_libc/platform_include) includes with #include_next and extends.
 * This file stands in for it with the POSIX declarations the firmware's C and Swift call, so the
 * calls are checked for existence and argument types. The structure layouts are placeholders,
 * not Espressif's: nothing may depend on them.
 */
#ifndef TAPWALKER_CHECK_PTHREAD_H
#define TAPWALKER_CHECK_PTHREAD_H

#include <sched.h>
#include <stddef.h>
#include <time.h>

typedef unsigned int pthread_t;
typedef struct { int placeholder[8]; } pthread_attr_t;
typedef struct { int placeholder[2]; } pthread_mutex_t;
typedef struct { int placeholder[2]; } pthread_mutexattr_t;
typedef struct { int placeholder[2]; } pthread_cond_t;
typedef struct { int placeholder[2]; } pthread_condattr_t;

#define PTHREAD_CREATE_JOINABLE 1
#define PTHREAD_CREATE_DETACHED 0

int pthread_attr_init(pthread_attr_t *attr);
int pthread_attr_destroy(pthread_attr_t *attr);
int pthread_attr_setstacksize(pthread_attr_t *attr, size_t size);
int pthread_attr_setdetachstate(pthread_attr_t *attr, int state);
int pthread_create(pthread_t *thread, const pthread_attr_t *attr, void *(*body)(void *), void *context);
int pthread_detach(pthread_t thread);
int pthread_join(pthread_t thread, void **result);
pthread_t pthread_self(void);
int pthread_mutex_init(pthread_mutex_t *mutex, const pthread_mutexattr_t *attr);
int pthread_mutex_destroy(pthread_mutex_t *mutex);
int pthread_mutex_lock(pthread_mutex_t *mutex);
int pthread_mutex_trylock(pthread_mutex_t *mutex);
int pthread_mutex_unlock(pthread_mutex_t *mutex);
int pthread_cond_init(pthread_cond_t *cond, const pthread_condattr_t *attr);
int pthread_cond_destroy(pthread_cond_t *cond);
int pthread_cond_wait(pthread_cond_t *cond, pthread_mutex_t *mutex);
int pthread_cond_timedwait(pthread_cond_t *cond, pthread_mutex_t *mutex, const struct timespec *until);
int pthread_cond_signal(pthread_cond_t *cond);
int pthread_cond_broadcast(pthread_cond_t *cond);

#endif
