/*
 * Key files: reading and type-checking them (a PEM private key, or an
 * HS256 JWK), making new keys, and writing them with mode 0600.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>
#include <openssl/crypto.h>
#include <openssl/pem.h>
#include <openssl/rand.h>

#include "b64url.h"
#include "key_internal.h"

#define SVCT_HS256_GEN_BYTES 32
#define SVCT_RSA_GEN_BITS 2048
#define SVCT_KEYFILE_MAX 65536

/* Strictly decodes the base64url member NAME of JWK into a fresh buffer. */
static unsigned char *svct_jwk_bytes(json_t *jwk, const char *name, size_t *len)
{
    json_t *v = json_object_get(jwk, name);
    const char *s;
    size_t slen, cap;
    unsigned char *buf;

    if (!json_is_string(v))
        return NULL;
    s = json_string_value(v);
    slen = json_string_length(v);
    cap = SVCT_B64URL_DECODED_MAX(slen) + 1;
    buf = OPENSSL_malloc(cap);
    if (!buf)
        return NULL;
    *len = svct_b64url_decode(s, slen, buf, cap);
    if (*len == (size_t)-1 || *len == 0) {
        OPENSSL_clear_free(buf, cap);
        return NULL;
    }
    return buf;
}

/* An HS256 key file: {"kty":"oct","alg":"HS256","kid":...,"k":...}. */
static svct_key_t *svct_key_hs256_jwk(const char *json, size_t len, const char *who, char *err,
                                      size_t errlen)
{
    json_t *jwk = json_loadb(json, len, JSON_REJECT_DUPLICATES, NULL);
    json_t *jkid = json_object_get(jwk, "kid");
    const char *kty = json_string_value(json_object_get(jwk, "kty"));
    const char *alg = json_string_value(json_object_get(jwk, "alg"));
    const char *crv = json_string_value(json_object_get(jwk, "crv"));
    const char *kid = json_string_value(jkid);
    svct_key_t *key = NULL;
    unsigned char *k;
    size_t klen = 0;

    if (!json_is_object(jwk) || !kty) {
        svct_key_fail(err, errlen, "%s is not a PEM private key or an HS256 JWK", who);
        goto done;
    }
    if (jkid && (!kid || !svct_kid_valid(kid, json_string_length(jkid)))) {
        svct_key_fail(err, errlen, "%s has a bad kid (1 to %d printable ASCII characters)", who,
                      SVCT_KID_MAX);
        goto done;
    }
    if (strcmp(kty, "oct") != 0) {
        svct_key_fail(err, errlen,
                      "%s is a JWK of kty %s%s%s; key files hold HS256 JWKs or PEM private keys",
                      who, kty, crv ? " crv " : "", crv ? crv : "");
        goto done;
    }
    if (json_object_get(jwk, "alg") && (!alg || strcmp(alg, "HS256") != 0)) {
        svct_key_fail(err, errlen, "%s is a JWK with alg %s; its key type needs HS256", who,
                      alg ? alg : "(not a string)");
        goto done;
    }
    if (!(k = svct_jwk_bytes(jwk, "k", &klen))) {
        svct_key_fail(err, errlen, "%s is an HS256 JWK without a valid base64url \"k\"", who);
        goto done;
    }
    key = svct_key_from_secret(k, klen, kid, who, err, errlen);
    OPENSSL_clear_free(k, klen);
done:
    json_decref(jwk);
    return key;
}

/* Never prompts: a server must not wait on a terminal for a passphrase. */
static int svct_key_no_password(char *buf, int size, int rwflag, void *u)
{
    (void)buf;
    (void)size;
    (void)rwflag;
    (void)u;
    return -1;
}

static svct_key_t *svct_key_pem(const char *pem, size_t len, const char *who, char *err,
                                size_t errlen)
{
    BIO *bio = BIO_new_mem_buf(pem, (int)len);
    EVP_PKEY *pkey = NULL;

    if (bio)
        pkey = PEM_read_bio_PrivateKey_ex(bio, NULL, svct_key_no_password, NULL, NULL, NULL);
    BIO_free(bio);
    if (pkey)
        return svct_key_from_pkey(pkey, 1, NULL, who, err, errlen);
    if (strstr(pem, "ENCRYPTED"))
        svct_key_fail(err, errlen,
                      "%s is an encrypted private key; store it unencrypted with mode 0600", who);
    else if (!strstr(pem, "PRIVATE KEY-----") && strstr(pem, "PUBLIC KEY-----"))
        svct_key_fail(err, errlen, "%s holds only a public key; the private key is needed to sign",
                      who);
    else if (!strstr(pem, "PRIVATE KEY-----") && strstr(pem, "CERTIFICATE-----"))
        svct_key_fail(err, errlen, "%s holds a certificate, not a private key", who);
    else
        svct_key_fail(err, errlen, "%s is not a PEM private key or an HS256 JWK", who);
    return NULL;
}

/* TEXT[0..LEN), NUL-terminated at LEN: a PEM private key or an HS256 JWK. */
static svct_key_t *svct_key_parse_as(const char *text, size_t len, const char *who, char *err,
                                     size_t errlen)
{
    size_t i;

    if (memchr(text, '\0', len)) {
        svct_key_fail(err, errlen, "%s is not a PEM private key or an HS256 JWK", who);
        return NULL;
    }
    for (i = 0; i < len && strchr(" \t\r\n", text[i]); i++)
        ;
    if (i < len && text[i] == '{')
        return svct_key_hs256_jwk(text, len, who, err, errlen);
    return svct_key_pem(text, len, who, err, errlen);
}

svct_key_t *svct_key_parse(const char *text, size_t len, char *err, size_t errlen)
{
    char *copy;
    svct_key_t *key;

    if (!text || len > SVCT_KEYFILE_MAX) {
        svct_key_fail(err, errlen, "key text: %s", text ? "too large for a key" : "none given");
        return NULL;
    }
    /* A NUL-terminated copy, for the PEM reader; wiped, as it holds a key. */
    if (!(copy = OPENSSL_malloc(len + 1))) {
        svct_key_fail(err, errlen, "key text: out of memory");
        return NULL;
    }
    memcpy(copy, text, len);
    copy[len] = '\0';
    key = svct_key_parse_as(copy, len, "key text", err, errlen);
    OPENSSL_clear_free(copy, len + 1);
    return key;
}

svct_key_t *svct_key_load_file(const char *path, char *err, size_t errlen)
{
    char who[4200];
    svct_key_t *key = NULL;
    struct stat st;
    char *buf = NULL;
    size_t len = 0;
    int fd;

    snprintf(who, sizeof(who), "key file %s", path ? path : "(null)");
    if (!path) {
        svct_key_fail(err, errlen, "%s: no path given", who);
        return NULL;
    }
    fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
    if (fd < 0) {
        svct_key_fail(err, errlen, "%s cannot be opened: %s", who, strerror(errno));
        return NULL;
    }
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        svct_key_fail(err, errlen, "%s is not a regular file", who);
        goto done;
    }
    if (st.st_size > SVCT_KEYFILE_MAX) {
        svct_key_fail(err, errlen, "%s is larger than %d bytes, too large for a key", who,
                      SVCT_KEYFILE_MAX);
        goto done;
    }
    buf = OPENSSL_malloc(SVCT_KEYFILE_MAX + 1);
    if (!buf) {
        svct_key_fail(err, errlen, "%s: out of memory", who);
        goto done;
    }
    for (;;) {
        ssize_t r = read(fd, buf + len, SVCT_KEYFILE_MAX + 1 - len);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            svct_key_fail(err, errlen, "%s cannot be read: %s", who, strerror(errno));
            goto done;
        }
        if (r == 0)
            break;
        len += (size_t)r;
        if (len > SVCT_KEYFILE_MAX) {
            svct_key_fail(err, errlen, "%s is larger than %d bytes, too large for a key", who,
                          SVCT_KEYFILE_MAX);
            goto done;
        }
    }
    buf[len] = '\0';
    key = svct_key_parse_as(buf, len, who, err, errlen);
done:
    if (buf)
        OPENSSL_clear_free(buf, SVCT_KEYFILE_MAX + 1);
    close(fd);
    return key;
}

svct_key_t *svct_key_generate(svct_alg_t alg, char *err, size_t errlen)
{
    EVP_PKEY *pkey = NULL;

    switch (alg) {
    case SVCT_ALG_HS256: {
        unsigned char secret[SVCT_HS256_GEN_BYTES], rnd[16];
        char kid[SVCT_B64URL_ENCODED_LEN(sizeof(rnd)) + 1];
        svct_key_t *key = NULL;

        if (RAND_bytes(secret, sizeof(secret)) == 1 && RAND_bytes(rnd, sizeof(rnd)) == 1 &&
            svct_b64url_encode(rnd, sizeof(rnd), kid, sizeof(kid)) != (size_t)-1)
            key = svct_key_from_secret(secret, sizeof(secret), kid, "the new key", err, errlen);
        else
            svct_key_fail(err, errlen, "the random generator failed");
        OPENSSL_cleanse(secret, sizeof(secret));
        return key;
    }
    case SVCT_ALG_ES256:
        pkey = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
        break;
    case SVCT_ALG_RS256:
        pkey = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)SVCT_RSA_GEN_BITS);
        break;
    case SVCT_ALG_EDDSA:
        pkey = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
        break;
    default:
        svct_key_fail(err, errlen, "unknown algorithm; use HS256, ES256, RS256 or EdDSA");
        return NULL;
    }
    if (!pkey) {
        svct_key_fail(err, errlen, "OpenSSL could not generate a %s key", svct_alg_name(alg));
        return NULL;
    }
    return svct_key_from_pkey(pkey, 1, NULL, "the new key", err, errlen);
}

/* The file's bytes: a PKCS#8 PEM, or the HS256 JWK. Freed by the caller
 * with OPENSSL_clear_free(*OUT, *OUTLEN). */
static int svct_key_serialize(const svct_key_t *key, char **out, size_t *outlen)
{
    if (key->alg == SVCT_ALG_HS256) {
        size_t klen = SVCT_B64URL_ENCODED_LEN(key->secretlen) + 1;
        size_t cap = klen + strlen(key->kid) + 64;
        char *k = OPENSSL_malloc(klen), *buf = OPENSSL_malloc(cap);
        int n = -1;

        if (k && buf && svct_b64url_encode(key->secret, key->secretlen, k, klen) != (size_t)-1)
            n = snprintf(buf, cap,
                         "{\"kty\":\"oct\",\"alg\":\"HS256\",\"kid\":\"%s\",\"k\":\"%s\"}\n",
                         key->kid, k);
        if (k)
            OPENSSL_clear_free(k, klen);
        if (n < 0 || (size_t)n >= cap) {
            if (buf)
                OPENSSL_clear_free(buf, cap);
            return -1;
        }
        *out = buf;
        *outlen = cap;
        return n;
    } else {
        /* The secure-memory BIO clears its buffer when freed. */
        BIO *bio = BIO_new(BIO_s_secmem());
        char *data = NULL, *buf = NULL;
        long n = -1;

        if (bio && key->can_sign &&
            PEM_write_bio_PrivateKey(bio, key->pkey, NULL, NULL, 0, NULL, NULL) == 1)
            n = BIO_get_mem_data(bio, &data);
        if (n > 0 && (buf = OPENSSL_malloc((size_t)n)))
            memcpy(buf, data, (size_t)n);
        BIO_free(bio);
        if (!buf)
            return -1;
        *out = buf;
        *outlen = (size_t)n;
        return (int)n;
    }
}

int svct_key_write_file(const svct_key_t *key, const char *path, char *err, size_t errlen)
{
    char *buf = NULL;
    size_t cap = 0, off = 0, len;
    int n, fd, rc = -1;

    if (!key || !path) {
        svct_key_fail(err, errlen, "no key or no path given");
        return -1;
    }
    n = svct_key_serialize(key, &buf, &cap);
    if (n <= 0) {
        svct_key_fail(err, errlen, "cannot write %s: the key cannot be serialized", path);
        return -1;
    }
    len = (size_t)n;
    fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY, 0600);
    if (fd < 0) {
        svct_key_fail(err, errlen, "cannot create %s: %s%s", path, strerror(errno),
                      errno == EEXIST ? " (an existing key file is never overwritten)" : "");
        goto done;
    }
    /* The umask may only have narrowed 0600, but make it exact. */
    if (fchmod(fd, 0600) != 0)
        goto write_failed;
    while (off < len) {
        ssize_t w = write(fd, buf + off, len - off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            goto write_failed;
        off += (size_t)w;
    }
    if (fsync(fd) != 0)
        goto write_failed;
    if (close(fd) != 0) {
        fd = -1;
        goto write_failed;
    }
    rc = 0;
    goto done;
write_failed:
    svct_key_fail(err, errlen, "cannot write %s: %s", path, strerror(errno));
    if (fd >= 0)
        close(fd);
    unlink(path);
done:
    OPENSSL_clear_free(buf, cap);
    return rc;
}
