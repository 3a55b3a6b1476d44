/*
 * Taking the credential headers out of a request (see credentials.h).
 */
#include "credentials.h"

#include <string.h>
#include <strings.h>

#include <apr_lib.h>

#include "cookie.h"

const char *svct_headers_scrub(apr_table_t *headers, const char *name)
{
    const apr_array_header_t *hdrs = apr_table_elts(headers);
    size_t want = strlen(name);
    const char *found, *value = NULL;
    int i;

    /* Each spelling found is unset (every header of that name) and the
     * headers looked at again: unsetting moves the entries. */
    do {
        const apr_table_entry_t *e = (const apr_table_entry_t *)hdrs->elts;

        found = NULL;
        for (i = 0; i < hdrs->nelts && !found; i++) {
            const char *key = e[i].key;

            if (key && strlen(key) == want && svct_header_name_matches(key, want, name)) {
                found = key;
                if (!value && !strcasecmp(key, name))
                    value = e[i].val;
            }
        }
        if (found)
            apr_table_unset(headers, found);
    } while (found);
    return value;
}

svct_credentials_t *svct_credentials_take(apr_table_t *headers, apr_pool_t *p)
{
    const char *secret = svct_headers_scrub(headers, SVCT_HDR_SECRET);
    const char *id = apr_table_get(headers, SVCT_HDR_ID);
    svct_credentials_t *creds;

    if (!secret && !id)
        return NULL;
    creds = apr_pcalloc(p, sizeof *creds);
    creds->client_id = id;
    creds->client_secret = secret;
    return creds;
}

apr_table_t *svct_credentials_take_json(apr_table_t *headers, const apr_array_header_t *names,
                                        apr_pool_t *p)
{
    apr_table_t *taken = NULL;
    const char *name, *value;
    int i;

    for (i = 0; names && i < names->nelts; i++) {
        name = APR_ARRAY_IDX(names, i, const char *);
        if (!(value = apr_table_get(headers, name)))
            continue;
        while (apr_isspace(*value))
            value++;
        if (*value != '{')
            continue;
        if (!taken)
            taken = apr_table_make(p, 1);
        apr_table_setn(taken, name, value);
        apr_table_unset(headers, name);
    }
    return taken;
}

int svct_header_name_valid(const char *name)
{
    const char *c;

    for (c = name; *c && (apr_isalnum(*c) || strchr("!#$%&'*+-.^_`|~", *c)); c++)
        ;
    return c != name && !*c;
}
