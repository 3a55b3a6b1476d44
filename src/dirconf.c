/*
 * The per-directory configuration: made and merged (dirconf.h).
 */
#include <string.h>

#include "dirconf.h"

svct_dir_conf *svct_dir_conf_make(apr_pool_t *p)
{
    svct_dir_conf *conf = apr_pcalloc(p, sizeof *conf);

    conf->session_duration = -1;
    conf->clock_skew = -1;
    conf->preflight_pass = -1;
    return conf;
}

svct_dir_conf *svct_dir_conf_merge(apr_pool_t *p, const svct_dir_conf *base,
                                   const svct_dir_conf *add)
{
    svct_dir_conf *conf = apr_pcalloc(p, sizeof *conf);

    conf->store_path = add->store_path ? add->store_path : base->store_path;
    conf->store_type = add->store_path ? add->store_type : base->store_type;
    conf->store_tag = add->store_path ? add->store_tag : base->store_tag;
    conf->store_dbd = add->store_path ? add->store_dbd : base->store_dbd;
    conf->store_seen_key = add->store_path ? add->store_seen_key : base->store_seen_key;
    conf->audience = add->audience ? add->audience : base->audience;
    conf->audience_dir = add->audience ? add->audience_dir : base->audience_dir;
    conf->session_duration =
        add->session_duration >= 0 ? add->session_duration : base->session_duration;
    conf->clock_skew = add->clock_skew >= 0 ? add->clock_skew : base->clock_skew;
    /* Outer wins: nested sections of one application share its audience. */
    conf->section = base->section ? base->section : add->section;
    conf->section_regex = base->section ? base->section_regex : add->section_regex;
    conf->creds_header = add->creds_header ? add->creds_header : base->creds_header;
    conf->preflight_pass = add->preflight_pass >= 0 ? add->preflight_pass : base->preflight_pass;
    return conf;
}

int svct_dir_conf_admits_alike(const svct_dir_conf *earlier, const char *earlier_aud,
                               const svct_dir_conf *d, const char *aud)
{
    return earlier && earlier_aud && aud && d->store_tag && earlier->store_tag &&
           !strcmp(d->store_tag, earlier->store_tag) &&
           svct_dir_clock_skew(d) == svct_dir_clock_skew(earlier) && !strcmp(aud, earlier_aud);
}
