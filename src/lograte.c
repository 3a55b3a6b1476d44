/*
 * The counter behind svct_lograte_count (lograte.h).
 */
#include "lograte.h"

uint64_t svct_lograte_count(svct_lograte_t *r, uint64_t every)
{
    uint64_t n = __atomic_add_fetch(&r->events, 1, __ATOMIC_RELAXED);

    if (every <= 1 || n % every == 1)
        return n;
    return 0;
}
