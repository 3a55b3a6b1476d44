/*
 * The clocks the core reads. Everything in src/ that asks how old a file's
 * timestamp is, measures an interval or waits for time to pass goes
 * through these calls, so that a test can move time forward instead of
 * sleeping through it (svct_clock_manual). The module and the CLI never
 * call svct_clock_manual: for them these are the system's clocks.
 */
#ifndef SVCT_CLOCK_H
#define SVCT_CLOCK_H

#include <stdint.h>

/* CLOCK_MONOTONIC in ns: for intervals. */
int64_t svct_clock_mono_ns(void);
/* CLOCK_REALTIME in ns, moved forward as the monotonic clock is: the
 * time to record an event at (last seen). */
int64_t svct_clock_real_ns(void);
/* How long ago, in ns, the CLOCK_REALTIME instant T_NS was (a file's
 * mtime or ctime, say); negative if it is in the future. */
int64_t svct_clock_age_ns(int64_t t_ns);
/* Waits NS nanoseconds (signals do not cut it short). */
void svct_clock_sleep_ns(int64_t ns);

/* Tests: from now on the monotonic clock stands still, and both clocks
 * move only when svct_clock_advance() or svct_clock_sleep_ns() moves them,
 * at once. A file written before an advance is that much older; one
 * written after it is as old as the system says. Call it before starting
 * threads. */
void svct_clock_manual(void);
void svct_clock_advance(int64_t ns);

#endif
