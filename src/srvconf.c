/*
 * The per-server configuration: made and merged (srvconf.h).
 */
#include "srvconf.h"

svct_server_conf *svct_server_conf_make(apr_pool_t *p)
{
    svct_server_conf *conf = apr_pcalloc(p, sizeof *conf);

    conf->verify_key_files = apr_array_make(p, 2, sizeof(const char *));
    conf->store_refresh = conf->store_grace = conf->seen_interval = -1;
    conf->verify_kids = apr_hash_make(p);
    return conf;
}

svct_server_conf *svct_server_conf_merge(apr_pool_t *p, const svct_server_conf *base,
                                         const svct_server_conf *add)
{
    svct_server_conf *conf = apr_pcalloc(p, sizeof *conf);

    conf->signing_key_file = add->signing_key_file ? add->signing_key_file : base->signing_key_file;
    conf->verify_key_files =
        add->signing_key_file ? add->verify_key_files
                              : apr_array_append(p, base->verify_key_files, add->verify_key_files);
    conf->dbd = add->dbd || base->dbd;
    conf->store_refresh = add->store_refresh >= 0 ? add->store_refresh : base->store_refresh;
    conf->store_grace = add->store_grace >= 0 ? add->store_grace : base->store_grace;
    conf->seen_interval = add->seen_interval >= 0 ? add->seen_interval : base->seen_interval;
    return conf;
}
