/*
 * The values of the module's directives, checked as httpd reads them so
 * that `apachectl configtest` refuses a bad one: each function returns NULL
 * when the value is good, else the one line that stops start-up, in P and
 * beginning with the directive's NAME.
 */
#ifndef SVCT_DIRECTIVE_H
#define SVCT_DIRECTIVE_H

#include <stdint.h>
#include <apr_pools.h>

/* Beyond a day, skew is a clock that is wrong, not one that drifts. */
#define SVCT_MAX_SKEW 86400
/* Sessions end before the latest time a JWT can carry (SVCT_TIME_MAX) for
 * thousands of years of uptime, and no session outlives a century. */
#define SVCT_MAX_SESSION (INT64_C(100) * 365 * 86400)

/* ServiceTokenSessionDuration: a duration of at most 100y. */
const char *svct_directive_session_duration(apr_pool_t *p, const char *name, const char *arg,
                                            int64_t *out);
/* ServiceTokenClockSkew: 0, or a duration of at most 1d. */
const char *svct_directive_clock_skew(apr_pool_t *p, const char *name, const char *arg,
                                      int64_t *out);
/* ServiceTokenStoreRefresh (GRACE 0) and ServiceTokenStoreGrace (GRACE 1,
 * which also takes 0): a duration of at least 1s. */
const char *svct_directive_store_time(apr_pool_t *p, const char *name, const char *arg, int grace,
                                      int64_t *out);
/* ServiceTokenSeenInterval: off (or 0, *OUT 0), or a duration. */
const char *svct_directive_seen_interval(apr_pool_t *p, const char *name, const char *arg,
                                         int64_t *out);
/* ServiceTokenAudience: 1 to 512 characters, no quotes or backslashes. */
const char *svct_directive_audience(apr_pool_t *p, const char *name, const char *aud);
/* The DBM type of ServiceTokenStore. */
const char *svct_directive_dbm_type(apr_pool_t *p, const char *name, const char *type);
/* ServiceTokenPreflight: pass (*PASS 1) or check (*PASS 0), in any case. */
const char *svct_directive_preflight(apr_pool_t *p, const char *name, const char *arg, int *pass);
/* ServiceTokenCredentialsHeader: a header name. */
const char *svct_directive_header(apr_pool_t *p, const char *name, const char *header);
/* A word of "Require service-token" (IDS 0: a token name) or of
 * "Require service-token-id" (IDS 1: a Client ID). */
const char *svct_directive_require_word(apr_pool_t *p, const char *word, int ids);

/* Whether the section DIRECTIVE (e.g. "<LocationMatch") with ARGS is one
 * matched by a regular expression (<LocationMatch>, <Location ~ ...>, ...),
 * whose path is no path: 1 or 0; -1 when it is no <Location>, <Directory>,
 * <Files> or <Proxy> section. */
int svct_directive_section_regex(const char *directive, const char *args);

/* What a directive says of ARG when no file path can be made of it. */
const char *svct_directive_bad_path(apr_pool_t *p, const char *name, const char *arg);
/* What a directive says of a key FILE whose KID another key, OTHER, has. */
const char *svct_directive_duplicate_kid(apr_pool_t *p, const char *name, const char *file,
                                         const char *kid, const char *other);

#endif
