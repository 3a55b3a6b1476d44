/*
 * Client IDs and Client Secrets: random generation, shape checks, the SHA-256
 * the store keeps instead of the secret, and constant-time comparison.
 */
/* For SHA256_Init() and its family, deprecated since OpenSSL 3.0 and used
 * below where OpenSSL still has them. */
#define OPENSSL_SUPPRESS_DEPRECATED

#include <pthread.h>
#include <stdint.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include "byte_table.h"
#include "secret.h"

#if defined(__SSE2__) && defined(__x86_64__)
#include <emmintrin.h>
#endif

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
 * a secret; the table is made by the compiler. */
#define IS_HEX(c) (((c) >= '0' && (c) <= '9') || ((c) >= 'a' && (c) <= 'f'))
static const unsigned char is_hex_digit[256] = SVCT_BYTE_TABLE(IS_HEX);

/* Checked on every exchange: no branch per byte. */
static int svct_hex_only(const char *s, size_t len)
{
    unsigned char all = 1;
    size_t i;

    for (i = 0; i < len; i++)
        all &= is_hex_digit[(unsigned char)s[i]];
    return all;
}

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
    return s != NULL && len == SVCT_CLIENT_ID_LEN && svct_hex_only(s, SVCT_CLIENT_ID_HEX) &&
           memcmp(s + SVCT_CLIENT_ID_HEX, ".access", 7) == 0;
}

int svct_secret_valid(const char *s, size_t len)
{
    return s != NULL && len == SVCT_SECRET_LEN && svct_hex_only(s, len);
}

/* The secret's SHA-256 is on the path of every exchange. Where OpenSSL still
 * has it, the low-level SHA-256 does it in a context on the stack. Through
 * EVP, even with a context kept per thread, OpenSSL 3.0 allocates, sets up
 * and wipes the provider's state for every hash: inside httpd that was about
 * 1 us per exchange (perf), against well under 0.1 us for the hash itself,
 * and the exchange served some 2-6 % more requests without it. A build against
 * an OpenSSL without the deprecated API, or one that must hash through the
 * providers (FIPS: build with -DSVCT_SHA256_EVP), takes the EVP path. */
#if !defined(OPENSSL_NO_DEPRECATED_3_0) && !defined(SVCT_SHA256_EVP)

static int sha256_once_through(const char *secret, size_t len, unsigned char out[SVCT_HASH_LEN])
{
    SHA256_CTX c;
    int ok = SHA256_Init(&c) == 1 && SHA256_Update(&c, secret, len) == 1 &&
             SHA256_Final(out, &c) == 1;

    OPENSSL_cleanse(&c, sizeof c);
    return ok;
}

#else

static pthread_once_t sha256_once = PTHREAD_ONCE_INIT;
static EVP_MD *sha256_fetched;
static pthread_key_t sha256_ctx_key;
static int sha256_ctx_key_made;

static void sha256_ctx_free(void *ctx)
{
    EVP_MD_CTX_free(ctx);
}

static void sha256_fetch(void)
{
    sha256_fetched = EVP_MD_fetch(NULL, "SHA256", NULL);
    sha256_ctx_key_made = pthread_key_create(&sha256_ctx_key, sha256_ctx_free) == 0;
}

/* A digest context of the calling thread's, kept for its next hash and freed
 * when the thread ends: EVP_Digest makes, sets up and frees a whole context
 * for every secret, which costs about as much as the hash itself. NULL if
 * none can be made. */
static EVP_MD_CTX *thread_sha256_ctx(void)
{
    EVP_MD_CTX *ctx;

    if (!sha256_ctx_key_made)
        return NULL;
    ctx = pthread_getspecific(sha256_ctx_key);
    if (ctx == NULL && (ctx = EVP_MD_CTX_new()) != NULL &&
        pthread_setspecific(sha256_ctx_key, ctx) != 0) {
        EVP_MD_CTX_free(ctx);
        ctx = NULL;
    }
    return ctx;
}

static int sha256_once_through(const char *secret, size_t len, unsigned char out[SVCT_HASH_LEN])
{
    EVP_MD_CTX *ctx;
    unsigned int outlen = 0;

    /* SHA-256 is fetched from the default provider once per process
     * (EVP_sha256() fetches it again, under a lock, on every digest). */
    pthread_once(&sha256_once, sha256_fetch);
    ctx = sha256_fetched ? thread_sha256_ctx() : NULL;
    /* OpenSSL 3.0 still makes the provider's state anew at each Init (one
     * small allocation, wiped when freed); what the kept context saves is
     * the rest of EVP_Digest's set-up and tear-down. */
    return ctx && EVP_DigestInit_ex2(ctx, sha256_fetched, NULL) == 1 &&
           EVP_DigestUpdate(ctx, secret, len) == 1 && EVP_DigestFinal_ex(ctx, out, &outlen) == 1 &&
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

#if defined(__SSE2__) && defined(__x86_64__)
/* ACC with the differences of 32 bytes at X and Y added; the empty asm hides
 * ACC from the optimiser, so that no loop can end early. */
static inline __m128i ct_diff32(__m128i acc, const unsigned char *x, const unsigned char *y)
{
    __m128i d0 = _mm_xor_si128(_mm_loadu_si128((const __m128i *)(const void *)x),
                               _mm_loadu_si128((const __m128i *)(const void *)y));
    __m128i d1 = _mm_xor_si128(_mm_loadu_si128((const __m128i *)(const void *)(x + 16)),
                               _mm_loadu_si128((const __m128i *)(const void *)(y + 16)));

    acc = _mm_or_si128(acc, _mm_or_si128(d0, d1));
    __asm__ __volatile__("" : "+x"(acc));
    return acc;
}
#endif

int svct_ct_equal(const void *a, const void *b, size_t len)
{
    const unsigned char *x = a, *y = b;
    uint64_t diff = 0;
    size_t i = 0;

    /* CRYPTO_memcmp goes byte by byte, and a session JWT of 400 bytes is
     * compared on every request: 32 bytes a step (SSE2, or four words), then
     * words, then bytes. Empty asm statements hide the difference gathered so
     * far from the optimiser, so that no loop can end early. */
#if defined(__SSE2__) && defined(__x86_64__)
    if (len >= 32) {
        __m128i acc = _mm_setzero_si128();

        for (; i + 32 <= len; i += 32)
            acc = ct_diff32(acc, x + i, y + i);
        /* The last 32 bytes, overlapping the step before: no tail to go
         * through byte by byte. */
        if (i < len)
            acc = ct_diff32(acc, x + len - 32, y + len - 32);
        diff = (uint64_t)_mm_cvtsi128_si64(acc) |
               (uint64_t)_mm_cvtsi128_si64(_mm_unpackhi_epi64(acc, acc));
        return diff == 0;
    }
#endif
    for (; i + 32 <= len; i += 32) {
        diff |= (load64(x + i) ^ load64(y + i)) | (load64(x + i + 8) ^ load64(y + i + 8)) |
                (load64(x + i + 16) ^ load64(y + i + 16)) |
                (load64(x + i + 24) ^ load64(y + i + 24));
        __asm__ __volatile__("" : "+r"(diff));
    }
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
