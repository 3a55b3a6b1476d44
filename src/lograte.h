/*
 * One log line in every N for an event any client can cause at will (a
 * refusal of an unknown Client ID): the first is logged, then one in every
 * N, with how many there were, so that a flood of them neither fills the
 * disk nor costs a log write per request, and an administrator still sees
 * that it happens and how much. One counter per process (per httpd child).
 */
#ifndef SVCT_LOGRATE_H
#define SVCT_LOGRATE_H

#include <stdint.h>

/* How many events a logged line stands for. */
#define SVCT_LOGRATE_EVERY 100

typedef struct svct_lograte {
    uint64_t events;
} svct_lograte_t;

/* Counts one event. Returns its number (1, 2, ...) when it is to be
 * logged: the first, then every EVERY-th after it; else 0. Thread-safe. */
uint64_t svct_lograte_count(svct_lograte_t *r, uint64_t every);

#endif
