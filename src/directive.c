/*
 * The checks of the directives' values (directive.h).
 */
#include <string.h>
#include <strings.h>
#include <apr_lib.h>
#include <apr_strings.h>

#include "credentials.h"
#include "directive.h"
#include "duration.h"
#include "record.h"
#include "secret.h"
#include "store.h"

static const char *parse_duration(apr_pool_t *p, const char *name, const char *arg, int64_t *out)
{
    if (svct_duration_parse(arg, 0, out) != 0)
        return apr_psprintf(p,
                            "%s: '%s' is not a duration (an integer and a unit s, m, h, d, w "
                            "or y, e.g. 30m or 24h)",
                            name, arg);
    return NULL;
}

/* A duration of at most MAX seconds (MAXTEXT). */
static const char *parse_duration_max(apr_pool_t *p, const char *name, const char *arg, int64_t max,
                                      const char *maxtext, int64_t *out)
{
    const char *err = parse_duration(p, name, arg, out);

    if (!err && *out > max)
        err = apr_psprintf(p, "%s: '%s' is longer than the most allowed, %s", name, arg, maxtext);
    return err;
}

const char *svct_directive_session_duration(apr_pool_t *p, const char *name, const char *arg,
                                            int64_t *out)
{
    return parse_duration_max(p, name, arg, SVCT_MAX_SESSION, "100y", out);
}

const char *svct_directive_clock_skew(apr_pool_t *p, const char *name, const char *arg,
                                      int64_t *out)
{
    if (!strcmp(arg, "0")) {
        *out = 0;
        return NULL;
    }
    return parse_duration_max(p, name, arg, SVCT_MAX_SKEW, "1d", out);
}

const char *svct_directive_store_time(apr_pool_t *p, const char *name, const char *arg, int grace,
                                      int64_t *out)
{
    int64_t secs = 0;
    const char *err;

    if (grace && !strcmp(arg, "0")) {
        *out = 0;
        return NULL;
    }
    if ((err = parse_duration(p, name, arg, &secs)))
        return err;
    if (secs < 1)
        return apr_psprintf(p, "%s: at least 1s", name);
    *out = secs;
    return NULL;
}

const char *svct_directive_seen_interval(apr_pool_t *p, const char *name, const char *arg,
                                         int64_t *out)
{
    if (!strcasecmp(arg, "off") || !strcmp(arg, "0")) {
        *out = 0;
        return NULL;
    }
    return parse_duration(p, name, arg, out);
}

const char *svct_directive_audience(apr_pool_t *p, const char *name, const char *aud)
{
    if (!*aud || strlen(aud) > 512 || strpbrk(aud, "\"\\"))
        return apr_psprintf(p,
                            "%s: the audience must be 1 to 512 characters without quotes or "
                            "backslashes",
                            name);
    return NULL;
}

const char *svct_directive_dbm_type(apr_pool_t *p, const char *name, const char *type)
{
    if (svct_store_type_name(type))
        return NULL;
    return apr_psprintf(p, "%s: unknown DBM type '%s' (use default, SDBM, GDBM or DB)", name, type);
}

const char *svct_directive_preflight(apr_pool_t *p, const char *name, const char *arg, int *pass)
{
    if (strcasecmp(arg, "pass") && strcasecmp(arg, "check"))
        return apr_psprintf(p, "%s: '%s' is neither pass nor check", name, arg);
    *pass = !strcasecmp(arg, "pass");
    return NULL;
}

const char *svct_directive_header(apr_pool_t *p, const char *name, const char *header)
{
    if (!svct_header_name_valid(header))
        return apr_psprintf(p, "%s: '%s' is not a header name", name, header);
    return NULL;
}

const char *svct_directive_require_word(apr_pool_t *p, const char *word, int ids)
{
    if (ids ? svct_client_id_valid(word, strlen(word)) : svct_name_valid(word, strlen(word)))
        return NULL;
    return apr_psprintf(p, "Require %s: '%s' is not a valid %s",
                        ids ? "service-token-id" : "service-token", word,
                        ids ? "Client ID" : "token name");
}

int svct_directive_section_regex(const char *directive, const char *args)
{
    size_t len = strlen(directive);

    if (strncasecmp(directive, "<Location", 9) && strncasecmp(directive, "<Directory", 10) &&
        strncasecmp(directive, "<Files", 6) && strncasecmp(directive, "<Proxy", 6))
        return -1;
    return (len > 5 && !strcasecmp(directive + len - 5, "Match")) ||
           (args && args[0] == '~' && apr_isspace(args[1]));
}

const char *svct_directive_bad_path(apr_pool_t *p, const char *name, const char *arg)
{
    return apr_psprintf(p,
                        "%s: '%s' is not a valid file path (a relative one is taken from "
                        "ServerRoot)",
                        name, arg);
}

const char *svct_directive_duplicate_kid(apr_pool_t *p, const char *name, const char *file,
                                         const char *kid, const char *other)
{
    return apr_psprintf(p, "%s: %s has the kid %s of %s: a key may be listed only once", name, file,
                        kid, other);
}
