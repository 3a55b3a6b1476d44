/*
 * Unit tests of svct_connection_without: the module's header names taken
 * out of a Connection header, every other option kept in order.
 */
#include <apr_general.h>

#include "connection.h"
#include "tap.h"

int main(void)
{
    static const char *const ours[] = {"Cf-Access-Jwt-Assertion", NULL};
    static const struct {
        const char *in, *out;
    } cases[] = {
        {"close, Cf-Access-Jwt-Assertion", "close"},
        {"CF-ACCESS-JWT-ASSERTION", ""},
        {"cf-access-jwt-assertion,keep-alive", "keep-alive"},
        {" \tcf-access-jwt-assertion\t , close,,  TE ", "close, TE"},
        {"close,cf-access-jwt-assertion, cf-access-jwt-assertion", "close"},
        {"cf-access-jwt-assertionx, close", "cf-access-jwt-assertionx, close"},
        {"x-cf-access-jwt-assertion", "x-cf-access-jwt-assertion"},
        {"", ""},
        {" , ", " , "},
    };
    apr_pool_t *p;
    size_t i;
    const char *same = "keep-alive, Upgrade";

    apr_initialize();
    apr_pool_create(&p, NULL);
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        is_str(svct_connection_without(p, cases[i].in, ours), cases[i].out, "\"%s\"", cases[i].in);
    ok(svct_connection_without(p, same, ours) == same,
       "a header that lists none of ours is returned as it is");
    apr_pool_destroy(p);
    apr_terminate();
    return done_testing();
}
