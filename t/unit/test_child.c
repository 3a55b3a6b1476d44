/*
 * Unit tests of the state of an httpd child (src/child.c): its caches and
 * its view of a SQL store are made with its pool and gone with it.
 */
#include <apr_general.h>

#include "child.h"
#include "logrec.h"
#include "tap.h"

int main(void)
{
    apr_pool_t *pool;
    svct_child_t child;
    svct_sql_view_t *view;
    logrec_t rec;
    svct_log_t log = logrec_sink(&rec);

    apr_initialize();
    apr_pool_create(&pool, NULL);
    svct_child_make(&child, pool, &log);
    ok(child.cache && child.badsig, "a child has its caches");
    is_int(rec.count, 0, "nothing logged");
    view = svct_child_sql_view(pool, 1, 300, &log);
    ok(view != NULL, "and a view of a SQL store");
    apr_pool_destroy(pool);
    ok(!child.cache && !child.badsig, "gone with its pool");
    apr_terminate();
    return done_testing();
}
