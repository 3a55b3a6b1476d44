/*
 * Client IDs and Client Secrets: random generation, shape checks, the SHA-256
 * the store keeps instead of the secret, and constant-time comparison.
 */
/* For SHA256_Init() and its family, deprecated since OpenSSL 3.0 and used
 * below where OpenSSL still has them. */
#define OPENSSL_SUPPRESS_DEPRECATED

#include <stdint.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include "byteset.h"
#include "secret.h"

static const char svct_hex_digits[] = "0123456789abcdef";

void svct_hex_encode(const unsigned char *bin, size_t len, char *out)
{
    size_t i;

    for (i = 0; i < len; i++) {
        out[2 * i] = svct_hex_digits[bin[i] >> 4];
        out[2 * i + 1] = svct_hex_digits[bin[i] & 0x0f];
    }
    out[2 * len] = '\0';
}

/* Value of a lowercase hex digit, or -1. Uppercase is refused so that every
 * id and secret has exactly one spelling. */
static int svct_hex_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

int svct_hex_decode(const char *hex, size_t hexlen, unsigned char *out, size_t len)
{
    size_t i;

    if (hex == NULL || hexlen != 2 * len)
        return -1;
    for (i = 0; i < len; i++) {
        int hi = svct_hex_value(hex[2 * i]), lo = svct_hex_value(hex[2 * i + 1]);
        if (hi < 0 || lo < 0)
            return -1;
        out[i] = (unsigned char)(hi << 4 | lo);
    }
    return 0;
}

/* Lowercase hex digits, the only bytes of a Client ID's first part and of
 * a secret, which are checked on every exchange: a table, and no branch per
 * byte. */
static const unsigned char hex_digit[256] = {['0' ... '9'] = 1, ['a' ... 'f'] = 1};

static int svct_random_hex(char *out, size_t nbytes)
{
    unsigned char buf[32];

    if (nbytes > sizeof(buf) || RAND_bytes(buf, (int)nbytes) != 1)
        return -1;
    svct_hex_encode(buf, nbytes, out);
    OPENSSL_cleanse(buf, sizeof(buf));
    return 0;
}

int svct_client_id_new(char *out)
{
    if (svct_random_hex(out, SVCT_CLIENT_ID_HEX / 2) != 0)
        return -1;
    memcpy(out + SVCT_CLIENT_ID_HEX, ".access", sizeof(".access"));
    return 0;
}

int svct_secret_new(char *out)
{
    return svct_random_hex(out, SVCT_SECRET_LEN / 2);
}

int svct_client_id_valid(const char *s, size_t len)
{
    return s != NULL && len == SVCT_CLIENT_ID_LEN &&
           svct_byteset_all(hex_digit, s, SVCT_CLIENT_ID_HEX) &&
           memcmp(s + SVCT_CLIENT_ID_HEX, ".access", 7) == 0;
}

int svct_secret_valid(const char *s, size_t len)
{
    return s != NULL && len == SVCT_SECRET_LEN && svct_byteset_all(hex_digit, s, len);
}

/* The secret's SHA-256 is on the path of every exchange. Where OpenSSL still
 * has it, the low-level SHA-256 does it in a context on the stack: through
 * EVP, OpenSSL 3.0 allocates, sets up and wipes the provider's state for
 * every hash, which the bench showed to be worth keeping off the exchange
 * (docs/PERFORMANCE.md). A build against an OpenSSL without the deprecated
 * API, or one that must hash through the providers (FIPS: build with
 * -DSVCT_SHA256_EVP), takes EVP_Digest; make test runs both. */
#if !defined(OPENSSL_NO_DEPRECATED_3_0) && !defined(SVCT_SHA256_EVP)

static int sha256_once_through(const char *secret, size_t len, unsigned char out[SVCT_HASH_LEN])
{
    SHA256_CTX c;
    int ok =
        SHA256_Init(&c) == 1 && SHA256_Update(&c, secret, len) == 1 && SHA256_Final(out, &c) == 1;

    OPENSSL_cleanse(&c, sizeof c);
    return ok;
}

#else

static int sha256_once_through(const char *secret, size_t len, unsigned char out[SVCT_HASH_LEN])
{
    unsigned int outlen = 0;

    return EVP_Digest(secret, len, out, &outlen, EVP_sha256(), NULL) == 1 &&
           outlen == SVCT_HASH_LEN;
}

#endif

int svct_secret_hash_checked(const char *secret, size_t len, unsigned char out[SVCT_HASH_LEN])
{
    if (!sha256_once_through(secret, len, out)) {
        /* Never leave a guessable value behind: all-zero is not a valid
         * stored hash (see svct_record_decode). */
        memset(out, 0, SVCT_HASH_LEN);
        return -1;
    }
    return 0;
}

void svct_secret_hash(const char *secret, size_t len, unsigned char out[SVCT_HASH_LEN])
{
    (void)svct_secret_hash_checked(secret, len, out);
}

static uint64_t load64(const unsigned char *p)
{
    uint64_t v;

    memcpy(&v, p, sizeof v);
    return v;
}

int svct_ct_equal(const void *a, const void *b, size_t len)
{
    const unsigned char *x = a, *y = b;
    uint64_t diff = 0;
    size_t i = 0;

    /* A word at a time, then bytes (CRYPTO_memcmp goes byte by byte, and a
     * session JWT is compared on every request). The empty asm statements
     * hide the difference gathered so far from the optimiser, so that no
     * loop can end early. */
    for (; i + 8 <= len; i += 8) {
        diff |= load64(x + i) ^ load64(y + i);
        __asm__ __volatile__("" : "+r"(diff));
    }
    for (; i < len; i++) {
        diff |= (uint64_t)(x[i] ^ y[i]);
        __asm__ __volatile__("" : "+r"(diff));
    }
    return diff == 0;
}
