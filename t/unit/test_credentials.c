/* Unit tests of src/credentials.c: the credential headers taken out of a
 * request's headers, in every spelling. */
#include <apr_general.h>

#include "tap.h"
#include "credentials.h"

static void test_take(apr_pool_t *p)
{
    apr_table_t *h = apr_table_make(p, 8);
    svct_credentials_t *c;

    apr_table_add(h, "Host", "example");
    apr_table_add(h, "Cookie", "a=b");
    ok(svct_credentials_take(h, p) == NULL, "no credentials: NULL");
    is_int(apr_table_elts(h)->nelts, 2, "... and the headers are untouched");

    apr_table_add(h, "CF_Access_Client_Secret", "under");
    apr_table_add(h, "cf-access-client-secret", "first");
    apr_table_add(h, "CF-ACCESS-CLIENT-SECRET", "second");
    apr_table_add(h, "Cf-Access-Client_Secret", "mixed");
    apr_table_add(h, "CF-Access-Client-Id", "id");
    apr_table_add(h, "CF-Access-Client-Secrets", "longer");
    c = svct_credentials_take(h, p);
    ok(c != NULL, "credentials found");
    is_str(c->client_secret, "first", "the first exact spelling is the secret");
    is_str(c->client_id, "id", "the Client ID is read");
    ok(apr_table_get(h, "CF-Access-Client-Secret") == NULL, "the secret header is gone");
    ok(apr_table_get(h, "CF_Access_Client_Secret") == NULL, "the '_' spelling is gone");
    ok(apr_table_get(h, "Cf-Access-Client_Secret") == NULL, "the mixed spelling is gone");
    is_str(apr_table_get(h, "CF-Access-Client-Id"), "id", "the Client ID header stays");
    is_str(apr_table_get(h, "CF-Access-Client-Secrets"), "longer", "a longer name stays");
    is_int(apr_table_elts(h)->nelts, 4, "four headers are left");

    h = apr_table_make(p, 4);
    apr_table_add(h, "CF_ACCESS_CLIENT_SECRET", "x");
    c = svct_credentials_take(h, p);
    ok(c == NULL, "only a '_' spelling: no credentials");
    is_int(apr_table_elts(h)->nelts, 0, "... and nothing is left");
}

static void test_scrub(apr_pool_t *p)
{
    apr_table_t *h = apr_table_make(p, 4);

    apr_table_add(h, "c", "short");
    apr_table_add(h, "cf", "two");
    apr_table_add(h, "Cf-Access-Jwt_Assertion", "forged");
    ok(svct_headers_scrub(h, "Cf-Access-Jwt-Assertion") == NULL, "no exact name: no value");
    is_int(apr_table_elts(h)->nelts, 2, "the spelling is removed, short names stay");
}

static void test_take_json(apr_pool_t *p)
{
    apr_array_header_t *names = apr_array_make(p, 2, sizeof(const char *));
    apr_table_t *h = apr_table_make(p, 4), *taken;

    APR_ARRAY_PUSH(names, const char *) = "Authorization";
    APR_ARRAY_PUSH(names, const char *) = "X-Service-Token";
    ok(svct_credentials_take_json(h, names, p) == NULL, "no header: nothing taken");
    apr_table_add(h, "authorization", "Basic eDp5");
    apr_table_add(h, "x-service-token", "  {\"cf-access-client-id\":\"a\"}");
    apr_table_add(h, "Other", "{}");
    taken = svct_credentials_take_json(h, names, p);
    ok(taken != NULL, "a JSON value is taken");
    is_str(taken ? apr_table_get(taken, "X-Service-Token") : NULL,
           "{\"cf-access-client-id\":\"a\"}",
           "... by its configured name, without the leading spaces");
    ok(!apr_table_get(h, "X-Service-Token"), "... and is gone from the headers");
    ok(taken && !apr_table_get(taken, "Authorization"), "a Basic value is not taken");
    is_str(apr_table_get(h, "Authorization"), "Basic eDp5", "... and stays for mod_auth_basic");
    is_str(apr_table_get(h, "Other"), "{}", "an unnamed header stays");

    ok(svct_header_name_valid("X-Service-Token"), "a header name");
    ok(svct_header_name_valid("Authorization"), "Authorization");
    ok(!svct_header_name_valid(""), "empty");
    ok(!svct_header_name_valid("X Token"), "a space");
    ok(!svct_header_name_valid("X:Token"), "a colon");
    ok(!svct_header_name_valid("X\xc3\xa9"), "non-ASCII");
}

int main(void)
{
    apr_pool_t *p;

    apr_initialize();
    apr_pool_create(&p, NULL);
    test_take(p);
    test_scrub(p);
    test_take_json(p);
    apr_pool_destroy(p);
    apr_terminate();
    return done_testing();
}
