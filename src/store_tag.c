/*
 * Store tags (see store_tag.h).
 */
#include "store_tag.h"

#include <string.h>
#include <openssl/evp.h>

#include "b64url.h"
#include "store.h"

/* Domain separation: these hashes are tags of stores and nothing else. */
static const char svct_tag_prefix[] = "mod_access_svctoken store tag v1";

int svct_store_tag(const char *identity, size_t len, char out[SVCT_STORE_TAG_LEN + 1])
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0;
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    int ok = ctx && EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) &&
             EVP_DigestUpdate(ctx, svct_tag_prefix, sizeof svct_tag_prefix) &&
             EVP_DigestUpdate(ctx, identity, len) && EVP_DigestFinal_ex(ctx, md, &mdlen);

    EVP_MD_CTX_free(ctx);
    if (!ok || mdlen < 16 ||
        svct_b64url_encode(md, 16, out, SVCT_STORE_TAG_LEN + 1) != SVCT_STORE_TAG_LEN)
        return -1;
    out[SVCT_STORE_TAG_LEN] = '\0';
    return 0;
}

size_t svct_store_dbm_identity(const char *path, const char *dbmtype, char *out, size_t cap)
{
    const char *type = svct_store_type_name(dbmtype);
    size_t tlen, plen;

    if (!type || !path)
        return 0;
    tlen = strlen(type);
    plen = strlen(path);
    /* "dbm" NUL type NUL path: no two (type, path) pairs give one string. */
    if (cap < 4 + tlen + 1 + plen)
        return 0;
    memcpy(out, "dbm", 4);
    memcpy(out + 4, type, tlen + 1);
    memcpy(out + 4 + tlen + 1, path, plen);
    return 4 + tlen + 1 + plen;
}
