/*
 * Unit tests of the log rate limit: the first event and then one in every
 * N is let through, numbered; from several threads at once, exactly one
 * per N.
 */
#include <pthread.h>
#include <stdio.h>

#include "lograte.h"
#include "tap.h"

static svct_lograte_t shared;
static int logged_by[4];

static void *count_many(void *arg)
{
    int *logged = arg, i;

    for (i = 0; i < 25000; i++)
        if (svct_lograte_count(&shared, 100) != 0)
            (*logged)++;
    return NULL;
}

int main(void)
{
    svct_lograte_t r = {0};
    pthread_t th[4];
    uint64_t got[5];
    int i, n = 0, total = 0;

    for (i = 1; i <= 250; i++) {
        uint64_t k = svct_lograte_count(&r, 100);
        if (k != 0 && n < 5)
            got[n++] = k;
    }
    is_int(n, 3, "250 events, one in 100 logged: 3 lines");
    ok(n == 3 && got[0] == 1 && got[1] == 101 && got[2] == 201,
       "the 1st, 101st and 201st, numbered");
    is_int(svct_lograte_count(&r, 1), 251, "every 1: each is logged");
    for (i = 0; i < 4; i++)
        pthread_create(&th[i], NULL, count_many, &logged_by[i]);
    for (i = 0; i < 4; i++) {
        pthread_join(th[i], NULL);
        total += logged_by[i];
    }
    is_int(total, 1000, "100,000 events from 4 threads: exactly 1000 lines");
    return done_testing();
}
