/*
 * The system's clocks, or the system's clocks moved forward by a test.
 *
 * Unit tests turn on the manual clock (svct_clock_manual). The Apache::Test
 * suite runs a test build of the module (compiled with SVCT_TEST_CLOCK,
 * never installed) whose clocks are moved forward by the number of ns that
 * the file named by $SVCT_TEST_CLOCK holds (8 bytes, native order), which
 * the tests raise instead of waiting. Without SVCT_TEST_CLOCK that code is
 * not compiled and the environment is not read.
 */
#include <errno.h>
#include <pthread.h>
#include <string.h>
#include <time.h>
#ifdef SVCT_TEST_CLOCK
#include <fcntl.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>
#endif

#include "clock.h"

/* Every advance, with the real time it happened at: a file written before
 * it is that much older, one written after it is not. */
#define ADVANCES_MAX 1024

static int shifted; /* 0: the system's clocks, nothing else to read */
static int manual;  /* the monotonic clock stands still between advances */
static pthread_mutex_t shift_lock = PTHREAD_MUTEX_INITIALIZER;
static int64_t manual_mono0, advanced;
static int nadvances;
static struct {
    int64_t real_ns, ns;
} advances[ADVANCES_MAX];

static int64_t system_ns(clockid_t id)
{
    struct timespec ts;

    clock_gettime(id, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* Records an advance of NS; called with shift_lock held. */
static void record_advance(int64_t ns)
{
    advanced += ns;
    if (nadvances == ADVANCES_MAX) {
        /* Fold the oldest into the next: a file written between the two
         * only looks older than it is. */
        advances[1].ns += advances[0].ns;
        memmove(advances, advances + 1, sizeof advances - sizeof advances[0]);
        nadvances--;
    }
    advances[nadvances].real_ns = system_ns(CLOCK_REALTIME);
    advances[nadvances++].ns = ns;
}

#ifdef SVCT_TEST_CLOCK
static const volatile int64_t *test_offset;

/* Maps $SVCT_TEST_CLOCK when the module is loaded, before httpd forks. */
__attribute__((constructor)) static void test_clock_map(void)
{
    const char *path = getenv("SVCT_TEST_CLOCK");
    void *m;
    int fd;

    if (!path || (fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
        return;
    m = mmap(NULL, sizeof(int64_t), PROT_READ, MAP_SHARED, fd, 0);
    close(fd);
    if (m != MAP_FAILED) {
        test_offset = m;
        shifted = 1;
    }
}

/* Takes in what the test advanced since the last look. With shift_lock. */
static void test_clock_sync(void)
{
    int64_t v = test_offset ? *test_offset : 0;

    if (v > advanced)
        record_advance(v - advanced);
}
#else
static void test_clock_sync(void) {}
#endif

int64_t svct_clock_mono_ns(void)
{
    int64_t now;

    if (!shifted)
        return system_ns(CLOCK_MONOTONIC);
    pthread_mutex_lock(&shift_lock);
    test_clock_sync();
    now = (manual ? manual_mono0 : system_ns(CLOCK_MONOTONIC)) + advanced;
    pthread_mutex_unlock(&shift_lock);
    return now;
}

int64_t svct_clock_real_ns(void)
{
    int64_t now;

    if (!shifted)
        return system_ns(CLOCK_REALTIME);
    pthread_mutex_lock(&shift_lock);
    test_clock_sync();
    now = system_ns(CLOCK_REALTIME) + advanced;
    pthread_mutex_unlock(&shift_lock);
    return now;
}

int64_t svct_clock_age_ns(int64_t t_ns)
{
    int64_t age = system_ns(CLOCK_REALTIME) - t_ns;
    int i;

    if (!shifted)
        return age;
    pthread_mutex_lock(&shift_lock);
    test_clock_sync();
    for (i = 0; i < nadvances; i++)
        if (advances[i].real_ns > t_ns)
            age += advances[i].ns;
    pthread_mutex_unlock(&shift_lock);
    return age;
}

void svct_clock_sleep_ns(int64_t ns)
{
    struct timespec left = {(time_t)(ns / 1000000000), (long)(ns % 1000000000)};

    if (manual) {
        svct_clock_advance(ns);
        return;
    }
    while (nanosleep(&left, &left) != 0 && errno == EINTR)
        ;
}

void svct_clock_manual(void)
{
    manual_mono0 = system_ns(CLOCK_MONOTONIC);
    advanced = 0;
    nadvances = 0;
    manual = shifted = 1;
}

void svct_clock_advance(int64_t ns)
{
    int64_t now;
    struct timespec nap = {0, 100000};

    pthread_mutex_lock(&shift_lock);
    record_advance(ns);
    now = advances[nadvances - 1].real_ns;
    pthread_mutex_unlock(&shift_lock);
    /* Time that passed leaves every later write with a later timestamp
     * than every earlier one: wait for the kernel's file-time tick (a few
     * ms at most) to pass the instant of this advance. */
    while (system_ns(CLOCK_REALTIME_COARSE) <= now)
        nanosleep(&nap, NULL);
}
