/*
 * JWS signatures with a key's own algorithm: HMAC-SHA256, ECDSA P-256 in
 * the JWS r||s form, RSASSA-PKCS1-v1_5 with SHA-256, and Ed25519.
 */
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>

#include "key_internal.h"

/* A DER ECDSA-Sig-Value for P-256 is at most 72 bytes. */
#define SVCT_ECDSA_DER_MAX 80

/* The order n of the P-256 group, big-endian: r and s must lie in [1, n-1]. */
static const unsigned char svct_p256_order[SVCT_P256_BYTES] = {
    0xFF, 0xFF, 0xFF, 0xFF, 0x00, 0x00, 0x00, 0x00, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
    0xBC, 0xE6, 0xFA, 0xAD, 0xA7, 0x17, 0x9E, 0x84, 0xF3, 0xB9, 0xCA, 0xC2, 0xFC, 0x63, 0x25, 0x51};

/* The ready-made contexts. EdDSA takes no separate digest. */
EVP_MD_CTX *svct_key_md_template(EVP_PKEY *pkey, int sign, svct_alg_t alg)
{
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    const char *md = alg == SVCT_ALG_EDDSA ? NULL : "SHA256";
    int ok;

    if (!ctx)
        return NULL;
    if (sign)
        ok = EVP_DigestSignInit_ex(ctx, NULL, md, NULL, NULL, pkey, NULL);
    else
        ok = EVP_DigestVerifyInit_ex(ctx, NULL, md, NULL, NULL, pkey, NULL);
    if (ok != 1) {
        EVP_MD_CTX_free(ctx);
        return NULL;
    }
    return ctx;
}

/* A fresh per-call context: a copy of the template. */
static EVP_MD_CTX *svct_key_md_ctx(const EVP_MD_CTX *tmpl)
{
    EVP_MD_CTX *ctx;

    if (!tmpl)
        return NULL;
    ctx = EVP_MD_CTX_new();
    if (ctx && EVP_MD_CTX_copy_ex(ctx, tmpl) != 1) {
        EVP_MD_CTX_free(ctx);
        ctx = NULL;
    }
    return ctx;
}

static size_t svct_key_hmac(const svct_key_t *key, const unsigned char *data, size_t len,
                            unsigned char *out, size_t cap)
{
    EVP_MAC_CTX *ctx = EVP_MAC_CTX_dup(key->hmac_tmpl);
    size_t outlen = 0;

    if (!ctx || EVP_MAC_update(ctx, data, len) != 1 || EVP_MAC_final(ctx, out, &outlen, cap) != 1)
        outlen = 0;
    EVP_MAC_CTX_free(ctx);
    return outlen == 32 ? outlen : 0;
}

/* DER ECDSA-Sig-Value -> the JWS form r||s, each left-padded to 32 bytes. */
static size_t svct_ecdsa_der_to_jws(const unsigned char *der, size_t derlen, unsigned char *sig,
                                    size_t cap)
{
    const unsigned char *p = der;
    ECDSA_SIG *es = d2i_ECDSA_SIG(NULL, &p, (long)derlen);
    const BIGNUM *r, *s;
    size_t rc = 0;

    if (!es)
        return 0;
    ECDSA_SIG_get0(es, &r, &s);
    if (cap >= 2 * SVCT_P256_BYTES && BN_bn2binpad(r, sig, SVCT_P256_BYTES) == SVCT_P256_BYTES &&
        BN_bn2binpad(s, sig + SVCT_P256_BYTES, SVCT_P256_BYTES) == SVCT_P256_BYTES)
        rc = 2 * SVCT_P256_BYTES;
    ECDSA_SIG_free(es);
    return rc;
}

/* 1 when the 32-byte big-endian V is in [1, n-1]. */
static int svct_p256_scalar_ok(const unsigned char *v)
{
    static const unsigned char zero[SVCT_P256_BYTES];

    return memcmp(v, zero, SVCT_P256_BYTES) != 0 && memcmp(v, svct_p256_order, SVCT_P256_BYTES) < 0;
}

/* JWS r||s -> DER, refusing r or s outside [1, n-1] before OpenSSL sees it. */
static size_t svct_ecdsa_jws_to_der(const unsigned char *sig, size_t siglen, unsigned char *der,
                                    size_t cap)
{
    ECDSA_SIG *es;
    BIGNUM *r, *s;
    unsigned char *p = der;
    int len;

    if (siglen != 2 * SVCT_P256_BYTES || !svct_p256_scalar_ok(sig) ||
        !svct_p256_scalar_ok(sig + SVCT_P256_BYTES))
        return 0;
    es = ECDSA_SIG_new();
    r = BN_bin2bn(sig, SVCT_P256_BYTES, NULL);
    s = BN_bin2bn(sig + SVCT_P256_BYTES, SVCT_P256_BYTES, NULL);
    if (!es || !r || !s || ECDSA_SIG_set0(es, r, s) != 1) {
        ECDSA_SIG_free(es);
        BN_free(r);
        BN_free(s);
        return 0;
    }
    len = i2d_ECDSA_SIG(es, NULL);
    if (len <= 0 || (size_t)len > cap || i2d_ECDSA_SIG(es, &p) != len)
        len = 0;
    ECDSA_SIG_free(es);
    return (size_t)len;
}

size_t svct_key_sign(const svct_key_t *key, const unsigned char *data, size_t len,
                     unsigned char *sig, size_t sigcap)
{
    unsigned char der[SVCT_ECDSA_DER_MAX];
    EVP_MD_CTX *ctx;
    size_t siglen = 0;

    if (!key || !key->can_sign || !sig || (!data && len))
        return 0;
    if (key->alg == SVCT_ALG_HS256) {
        siglen = svct_key_hmac(key, data, len, sig, sigcap);
        ERR_clear_error();
        return siglen;
    }
    ctx = svct_key_md_ctx(key->sign_tmpl);
    if (key->alg == SVCT_ALG_ES256) {
        size_t derlen = sizeof(der);
        if (ctx && EVP_DigestSign(ctx, der, &derlen, data, len) == 1)
            siglen = svct_ecdsa_der_to_jws(der, derlen, sig, sigcap);
    } else {
        size_t need = 0;
        /* Ask the size first: OpenSSL refuses short buffers, we want to say 0. */
        if (ctx && EVP_DigestSign(ctx, NULL, &need, data, len) == 1 && need <= sigcap) {
            siglen = need;
            if (EVP_DigestSign(ctx, sig, &siglen, data, len) != 1)
                siglen = 0;
        }
    }
    EVP_MD_CTX_free(ctx);
    ERR_clear_error();
    return siglen;
}

int svct_key_verify(const svct_key_t *key, const unsigned char *data, size_t len,
                    const unsigned char *sig, size_t siglen)
{
    unsigned char buf[SVCT_ECDSA_DER_MAX];
    EVP_MD_CTX *ctx;
    int ok = 0;

    if (!key || !sig || (!data && len))
        return 0;
    if (key->alg == SVCT_ALG_HS256) {
        unsigned char mac[32];
        ok = siglen == sizeof(mac) && svct_key_hmac(key, data, len, mac, sizeof(mac)) &&
             CRYPTO_memcmp(mac, sig, sizeof(mac)) == 0;
        OPENSSL_cleanse(mac, sizeof(mac));
        ERR_clear_error();
        return ok;
    }
    switch (key->alg) {
    case SVCT_ALG_ES256:
        siglen = svct_ecdsa_jws_to_der(sig, siglen, buf, sizeof(buf));
        sig = buf;
        break;
    case SVCT_ALG_RS256:
        /* RFC 8017: the signature is exactly as long as the modulus. */
        if (siglen != (size_t)EVP_PKEY_get_size(key->pkey))
            siglen = 0;
        break;
    case SVCT_ALG_EDDSA:
        if (siglen != 64)
            siglen = 0;
        break;
    default:
        return 0;
    }
    if (!siglen)
        return 0;
    ctx = svct_key_md_ctx(key->verify_tmpl);
    ok = ctx && EVP_DigestVerify(ctx, sig, siglen, data, len) == 1;
    EVP_MD_CTX_free(ctx);
    ERR_clear_error();
    return ok;
}
