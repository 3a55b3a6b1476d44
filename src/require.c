/*
 * The Require lines of the module (require.h).
 */
#include <string.h>
#include <apr_strings.h>

#include "admission.h"
#include "require.h"

/* The names or Client IDs of a Require line, as written in httpd.conf. */
static const char *required_list(apr_pool_t *p, const apr_array_header_t *list, int ids)
{
    const char *out = "";
    int i;

    for (i = 0; i < list->nelts; i++) {
        const char *word = APR_ARRAY_IDX(list, i, const char *);

        out = apr_pstrcat(p, out, i ? " " : "", ids ? "" : "\"",
                          ids ? word : svct_admission_logged_name(p, word), ids ? "" : "\"", NULL);
    }
    return out;
}

int svct_require_admits(const apr_array_header_t *list, int ids, const char *name,
                        const char *client_id, apr_pool_t *p, const svct_log_t *log)
{
    const char *who = ids ? client_id : name;
    int i;

    if (list->nelts == 0)
        return 1;
    for (i = 0; i < list->nelts; i++)
        if (!strcmp(who, APR_ARRAY_IDX(list, i, const char *)))
            return 1;
    svct_log(log, SVCT_LOG_WARNING,
             "SVCT0401: token \"%s\" (client id %s) is not admitted by Require service-token%s %s",
             svct_admission_logged_name(p, name), client_id, ids ? "-id" : "",
             required_list(p, list, ids));
    return 0;
}
