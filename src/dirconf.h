/*
 * The per-directory configuration of the module, which the Apache glue
 * creates and merges and the core (audience.h, admission.h) reads. NULL
 * and -1 mean "not set here", so that merging inherits and the defaults
 * are applied by the getters below.
 */
#ifndef SVCT_DIRCONF_H
#define SVCT_DIRCONF_H

#include <stdint.h>

#include <apr.h>
#include <apr_pools.h>

#define SVCT_DEFAULT_SESSION (24 * 3600)
#define SVCT_DEFAULT_SKEW 10

typedef struct svct_dir_conf {
    const char *store_path; /* "dbd" with STORE_DBD: the SQL store through mod_dbd */
    const char *store_type;
    const char *store_tag; /* store_tag.h: binds sessions to this store */
    int store_dbd;
    /* seen.h: names the store in a child's memory of last-seen writes; for
     * a SQL store "dbd" (Client IDs are random: one name serves every
     * database a server reads). */
    uint64_t store_seen_key;
    const char *audience;
    apr_int64_t session_duration;
    apr_int64_t clock_skew;
    /* Path of the outermost section that configured this module; the default
     * audience and the cookie Path are derived from it (not from a regular
     * expression: section_regex). */
    const char *section;
    int section_regex;
    /* The directory of the .htaccess file that set the audience, whose URL
     * space the audience must lie in; NULL when httpd.conf set it. */
    const char *audience_dir;
    const char *creds_header; /* ServiceTokenCredentialsHeader */
    int preflight_pass;       /* ServiceTokenPreflight: -1 unset, 0 check, 1 pass */
} svct_dir_conf;

/* A configuration with nothing set, in P. */
svct_dir_conf *svct_dir_conf_make(apr_pool_t *p);
/* ADD (a section, or .htaccess) over BASE (what encloses it), in P: what
 * ADD sets wins, the store and the audience each as a whole; the section
 * is the outermost one, so that nested sections of one application share
 * its audience and cookie Path. */
svct_dir_conf *svct_dir_conf_merge(apr_pool_t *p, const svct_dir_conf *base,
                                   const svct_dir_conf *add);

/* 1 when what admitted a request under EARLIER, with the audience
 * EARLIER_AUD, admits a subrequest or internal redirect of it under D, with
 * the audience AUD: the same store, audience and clock skew. */
int svct_dir_conf_admits_alike(const svct_dir_conf *earlier, const char *earlier_aud,
                               const svct_dir_conf *d, const char *aud);

static inline apr_int64_t svct_dir_session_duration(const svct_dir_conf *d)
{
    return d->session_duration >= 0 ? d->session_duration : SVCT_DEFAULT_SESSION;
}

static inline apr_int64_t svct_dir_clock_skew(const svct_dir_conf *d)
{
    return d->clock_skew >= 0 ? d->clock_skew : SVCT_DEFAULT_SKEW;
}

#endif
