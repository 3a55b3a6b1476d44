/*
 * Unit tests for keys and the keyring: RFC test vectors (RFC 7515 A.1 and
 * A.3, RFC 8037 A.4, RFC 7638 3.1), generation and key files, every refused
 * key file with its message, ES256 signature edge cases, the keyring with
 * rotation and its JWK Set, and concurrent use from many threads.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "b64url.h"
#include "key.h"
#include "tap.h"

static char tmpdir[64];

/* RFC 7515 A.1: HS256. */
static const char rfc_a1_jwk[] =
    "{\"kty\":\"oct\",\"kid\":\"rfc7515-a1\",\"k\":\"AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-"
    "EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow\"}";
static const char rfc_a1_input[] = "eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9."
                                   "eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGF"
                                   "tcGxlLmNvbS9pc19yb290Ijp0cnVlfQ";
static const char rfc_a1_sig[] = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";

/* RFC 7515 A.3: ES256, its key as PKCS#8 PEM. */
static const char rfc_a3_pem[] =
    "-----BEGIN PRIVATE KEY-----\n"
    "MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgjpsQnnGQmL+YBIff\n"
    "H1136cspYG6+0iY7X1fCE9+E9LKhRANCAAR/zc4ncPbEXUGDy+5v20t7WAczNXvp\n"
    "7xO6z248e9FURcfxRM0bvZt+hyzf7bnuufSzaV1uqQskrYpGIyiFiOWt\n"
    "-----END PRIVATE KEY-----\n";
static const char rfc_a3_input[] = "eyJhbGciOiJFUzI1NiJ9."
                                   "eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGF"
                                   "tcGxlLmNvbS9pc19yb290Ijp0cnVlfQ";
static const char rfc_a3_sig[] = "DtEhU3ljbEg8L38VWAfUAqOyKAM6-Xx-F4GawxaepmXFCgfTjDxw5djxLa8ISlSA"
                                 "pmWQxfKTUJqPP3-Kg6NU1Q";

/* RFC 8037 A.1, A.3 and A.4: Ed25519 (its key as PKCS#8 PEM), its
 * thumbprint, a signature. */
static const char rfc8037_pem[] =
    "-----BEGIN PRIVATE KEY-----\n"
    "MC4CAQAwBQYDK2VwBCIEIJ1hsZ3v/VpguoRK9JLsLMREScVpezJpGXA7rAMcrn9g\n"
    "-----END PRIVATE KEY-----\n";
static const char rfc8037_kid[] = "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k";
static const char rfc8037_input[] = "eyJhbGciOiJFZERTQSJ9.RXhhbXBsZSBvZiBFZDI1NTE5IHNpZ25pbmc";
static const char rfc8037_sig[] = "hgyY0il_MGCjP0JzlnLWG1PPOt7-09PGcvMg3AIbQR6dWbhijcNR4ki4iylGjg5B"
                                  "hVsPt9g7sVvpAr_MuM0KAg";

/* The order n of P-256. */
static const unsigned char p256_n[32] = {
    0xFF, 0xFF, 0xFF, 0xFF, 0x00, 0x00, 0x00, 0x00, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
    0xBC, 0xE6, 0xFA, 0xAD, 0xA7, 0x17, 0x9E, 0x84, 0xF3, 0xB9, 0xCA, 0xC2, 0xFC, 0x63, 0x25, 0x51};

static size_t unb64(const char *s, unsigned char *out, size_t cap)
{
    return svct_b64url_decode(s, strlen(s), out, cap);
}

static svct_key_t *key_of(const char *text)
{
    char err[512];
    svct_key_t *key = svct_key_parse(text, strlen(text), err, sizeof(err));
    if (!key)
        printf("# svct_key_parse: %s\n", err);
    return key;
}

static void tmp_path(char *out, size_t cap, const char *name)
{
    snprintf(out, cap, "%s/%s", tmpdir, name);
}

static void write_bytes(const char *name, const void *data, size_t len)
{
    char path[256];
    FILE *f;

    tmp_path(path, sizeof(path), name);
    f = fopen(path, "wb");
    if (f) {
        fwrite(data, 1, len, f);
        fclose(f);
    }
}

static void write_str(const char *name, const char *s)
{
    write_bytes(name, s, strlen(s));
}

/* Writes PKEY to NAME as PEM: 0 PKCS#8, 1 traditional, 2 public only, 3 encrypted. */
static void write_pem(const char *name, EVP_PKEY *pkey, int form)
{
    char path[256];
    BIO *bio;

    tmp_path(path, sizeof(path), name);
    bio = BIO_new_file(path, "wb");
    if (!bio)
        return;
    if (form == 0)
        PEM_write_bio_PrivateKey(bio, pkey, NULL, NULL, 0, NULL, NULL);
    else if (form == 1)
        PEM_write_bio_PrivateKey_traditional(bio, pkey, NULL, NULL, 0, NULL, NULL);
    else if (form == 2)
        PEM_write_bio_PUBKEY(bio, pkey);
    else
        PEM_write_bio_PKCS8PrivateKey(bio, pkey, EVP_aes_256_cbc(), "secret", 6, NULL, NULL);
    BIO_free(bio);
}

/* Loads NAME from the temporary directory, expecting failure with a message
 * that names the file and contains WANT. */
static void load_fails(const char *name, const char *want, const char *what)
{
    char path[256], err[512] = "";
    svct_key_t *key;

    tmp_path(path, sizeof(path), name);
    key = svct_key_load_file(path, err, sizeof(err));
    ok(!key && strstr(err, path) && strstr(err, want), "refused: %s", what);
    if (key || !strstr(err, want))
        printf("#   message: %s\n", err);
    ok(!strchr(err, '\n'), "the message is one line");
    svct_key_free(key);
}

static void test_names(void)
{
    svct_alg_t a;

    for (a = SVCT_ALG_HS256; a <= SVCT_ALG_EDDSA; a++)
        is_int(svct_alg_from_name(svct_alg_name(a)), a, "alg name %s round-trips",
               svct_alg_name(a));
    is_int(svct_alg_from_name("none"), SVCT_ALG_NONE, "'none' is not an algorithm");
    is_int(svct_alg_from_name("hs256"), SVCT_ALG_NONE, "names are case-sensitive");
    is_int(svct_alg_from_name("ES384"), SVCT_ALG_NONE, "ES384 is not supported");
    is_int(svct_alg_from_name(NULL), SVCT_ALG_NONE, "NULL is no algorithm");
    ok(svct_alg_name(SVCT_ALG_NONE) == NULL, "SVCT_ALG_NONE has no name");

    ok(svct_kid_valid("abc-_.~", 7), "kid: plain characters");
    ok(!svct_kid_valid("", 0), "kid: empty refused");
    ok(!svct_kid_valid("a b", 3), "kid: space refused");
    ok(!svct_kid_valid("a\"b", 3), "kid: quote refused");
    ok(!svct_kid_valid("a\\b", 3), "kid: backslash refused");
    ok(!svct_kid_valid("a\nb", 3), "kid: control character refused");
    ok(!svct_kid_valid("a\0b", 3), "kid: NUL refused");
    ok(!svct_kid_valid("\xc3\xa9", 2), "kid: non-ASCII refused");
    ok(svct_kid_valid("0123456789012345678901234567890123456789012345678901234567890123", 64),
       "kid: 64 characters accepted");
    ok(!svct_kid_valid("01234567890123456789012345678901234567890123456789012345678901234", 65),
       "kid: 65 characters refused");
}

static void test_rfc_vectors(void)
{
    unsigned char sig[SVCT_SIG_MAX], want[SVCT_SIG_MAX];
    size_t siglen, wantlen;
    svct_key_t *key;
    char enc[200];

    /* RFC 7515 A.1 */
    key = key_of(rfc_a1_jwk);
    ok(key && svct_key_alg(key) == SVCT_ALG_HS256, "RFC 7515 A.1: HS256 JWK loads");
    is_str(svct_key_kid(key), "rfc7515-a1", "RFC 7515 A.1: the JWK's kid is kept");
    wantlen = unb64(rfc_a1_sig, want, sizeof(want));
    ok(svct_key_verify(key, (const unsigned char *)rfc_a1_input, strlen(rfc_a1_input), want,
                       wantlen),
       "RFC 7515 A.1: the example signature verifies");
    siglen = svct_key_sign(key, (const unsigned char *)rfc_a1_input, strlen(rfc_a1_input), sig,
                           sizeof(sig));
    svct_b64url_encode(sig, siglen, enc, sizeof(enc));
    is_str(enc, rfc_a1_sig, "RFC 7515 A.1: we compute the same MAC");
    ok(!svct_key_verify(key, (const unsigned char *)rfc_a1_input, strlen(rfc_a1_input) - 1, want,
                        wantlen),
       "RFC 7515 A.1: a changed input fails");
    ok(!svct_key_verify(key, (const unsigned char *)rfc_a1_input, strlen(rfc_a1_input), want,
                        wantlen - 1),
       "RFC 7515 A.1: a truncated MAC fails");
    ok(!svct_key_verify(key, (const unsigned char *)rfc_a1_input, strlen(rfc_a1_input), want, 0),
       "RFC 7515 A.1: an empty MAC fails");
    svct_key_free(key);

    /* RFC 7515 A.3 */
    key = key_of(rfc_a3_pem);
    ok(key && svct_key_alg(key) == SVCT_ALG_ES256 && svct_key_can_sign(key),
       "RFC 7515 A.3: the P-256 key loads from PEM");
    wantlen = unb64(rfc_a3_sig, want, sizeof(want));
    ok(wantlen == 64 && svct_key_verify(key, (const unsigned char *)rfc_a3_input,
                                        strlen(rfc_a3_input), want, wantlen),
       "RFC 7515 A.3: the example signature verifies");
    siglen = svct_key_sign(key, (const unsigned char *)rfc_a3_input, strlen(rfc_a3_input), sig,
                           sizeof(sig));
    ok(siglen == 64 && svct_key_verify(key, (const unsigned char *)rfc_a3_input,
                                       strlen(rfc_a3_input), sig, siglen),
       "RFC 7515 A.3: our own signature is 64 bytes and verifies");
    svct_key_free(key);

    /* RFC 8037 */
    key = key_of(rfc8037_pem);
    ok(key && svct_key_alg(key) == SVCT_ALG_EDDSA, "RFC 8037: the Ed25519 key loads from PEM");
    is_str(svct_key_kid(key), rfc8037_kid, "RFC 8037 A.3: kid is the RFC 7638 thumbprint");
    wantlen = unb64(rfc8037_sig, want, sizeof(want));
    ok(svct_key_verify(key, (const unsigned char *)rfc8037_input, strlen(rfc8037_input), want,
                       wantlen),
       "RFC 8037 A.4: the example signature verifies");
    siglen = svct_key_sign(key, (const unsigned char *)rfc8037_input, strlen(rfc8037_input), sig,
                           sizeof(sig));
    ok(siglen == wantlen && memcmp(sig, want, siglen) == 0,
       "RFC 8037 A.4: we compute the same (deterministic) signature");
    ok(!svct_key_verify(key, (const unsigned char *)rfc8037_input, strlen(rfc8037_input), want, 63),
       "Ed25519: a 63-byte signature fails");
    svct_key_free(key);

}

static void test_es256_edges(void)
{
    svct_key_t *key = key_of(rfc_a3_pem);
    const unsigned char *in = (const unsigned char *)rfc_a3_input;
    size_t inlen = strlen(rfc_a3_input);
    unsigned char good[64], bad[80];
    unsigned char der[80], *p = der;
    ECDSA_SIG *es;
    int derlen;

    unb64(rfc_a3_sig, good, sizeof(good));

    memcpy(bad, good, 64);
    memset(bad, 0, 32);
    ok(!svct_key_verify(key, in, inlen, bad, 64), "ES256: r = 0 refused");
    memcpy(bad, good, 64);
    memset(bad + 32, 0, 32);
    ok(!svct_key_verify(key, in, inlen, bad, 64), "ES256: s = 0 refused");
    memset(bad, 0, 64);
    ok(!svct_key_verify(key, in, inlen, bad, 64), "ES256: r = s = 0 refused");
    memcpy(bad, good, 64);
    memcpy(bad, p256_n, 32);
    ok(!svct_key_verify(key, in, inlen, bad, 64), "ES256: r = n refused");
    memcpy(bad, good, 64);
    memcpy(bad + 32, p256_n, 32);
    ok(!svct_key_verify(key, in, inlen, bad, 64), "ES256: s = n refused");
    memcpy(bad, good, 64);
    memset(bad + 32, 0xff, 32);
    ok(!svct_key_verify(key, in, inlen, bad, 64), "ES256: s > n refused");
    /* r + n still fits in 32 bytes only when r < 2^256 - n: use r = n + small. */
    memcpy(bad, good, 64);
    memcpy(bad, p256_n, 32);
    bad[31] = 0x52;
    ok(!svct_key_verify(key, in, inlen, bad, 64), "ES256: r = n + 1 refused");
    ok(!svct_key_verify(key, in, inlen, good, 63), "ES256: 63-byte signature refused");
    memcpy(bad, good, 64);
    bad[64] = 0;
    ok(!svct_key_verify(key, in, inlen, bad, 65), "ES256: 65-byte signature refused");
    ok(!svct_key_verify(key, in, inlen, good, 0), "ES256: empty signature refused");

    /* The DER form that OpenSSL itself produces is not a JWS signature. */
    es = ECDSA_SIG_new();
    ECDSA_SIG_set0(es, BN_bin2bn(good, 32, NULL), BN_bin2bn(good + 32, 32, NULL));
    derlen = i2d_ECDSA_SIG(es, &p);
    ECDSA_SIG_free(es);
    ok(derlen > 64 && !svct_key_verify(key, in, inlen, der, (size_t)derlen),
       "ES256: a DER-encoded signature is refused");
    ok(svct_key_verify(key, in, inlen, good, 64), "ES256: the untouched signature still verifies");
    svct_key_free(key);
}

static void test_generate_and_files(void)
{
    static const char *const names[] = {"hs256.jwk", "es256.pem", "rs256.pem", "eddsa.pem"};
    static const size_t kidlens[] = {22, 43, 43, 43};
    static const unsigned char msg[] = "signing input";
    svct_alg_t alg;

    for (alg = SVCT_ALG_HS256; alg <= SVCT_ALG_EDDSA; alg++) {
        const char *an = svct_alg_name(alg);
        char err[512] = "", path[256];
        unsigned char sig[SVCT_SIG_MAX];
        size_t siglen;
        svct_key_t *key = svct_key_generate(alg, err, sizeof(err)), *back;
        struct stat st;

        ok(key && svct_key_alg(key) == alg && svct_key_can_sign(key), "%s: generated", an);
        if (!key) {
            printf("#   %s\n", err);
            continue;
        }
        is_int(strlen(svct_key_kid(key)), kidlens[alg - 1], "%s: kid length", an);
        siglen = svct_key_sign(key, msg, sizeof(msg), sig, sizeof(sig));
        ok(siglen && svct_key_verify(key, msg, sizeof(msg), sig, siglen), "%s: sign/verify", an);
        sig[siglen / 2] ^= 1;
        ok(!svct_key_verify(key, msg, sizeof(msg), sig, siglen), "%s: a flipped bit fails", an);
        sig[siglen / 2] ^= 1;
        ok(svct_key_sign(key, msg, sizeof(msg), sig, siglen - 1) == 0,
           "%s: a short signature buffer gives 0", an);

        tmp_path(path, sizeof(path), names[alg - 1]);
        ok(svct_key_write_file(key, path, err, sizeof(err)) == 0, "%s: written", an);
        ok(stat(path, &st) == 0 && (st.st_mode & 07777) == 0600, "%s: file mode is 0600", an);
        ok(svct_key_write_file(key, path, err, sizeof(err)) == -1 && strstr(err, path) &&
               strstr(err, "never overwritten"),
           "%s: an existing file is not overwritten", an);
        back = svct_key_load_file(path, err, sizeof(err));
        ok(back && svct_key_alg(back) == alg, "%s: loads back", an);
        if (!back) {
            printf("#   %s\n", err);
            svct_key_free(key);
            continue;
        }
        is_str(svct_key_kid(back), svct_key_kid(key), "%s: same kid after loading", an);
        siglen = svct_key_sign(back, msg, sizeof(msg), sig, sizeof(sig));
        ok(siglen && svct_key_verify(key, msg, sizeof(msg), sig, siglen),
           "%s: the loaded key signs what the original verifies", an);
        svct_key_free(back);
        svct_key_free(key);
    }
    {
        char err[512] = "";
        ok(svct_key_generate(SVCT_ALG_NONE, err, sizeof(err)) == NULL && err[0],
           "generate: SVCT_ALG_NONE refused with a message");
    }
}

static void test_refused_files(void)
{
    EVP_PKEY *pkey;
    char big[70000];
    char path[256], err[512];
    svct_key_t *key;

    pkey = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)1024);
    write_pem("rsa1024.pem", pkey, 0);
    EVP_PKEY_free(pkey);
    load_fails("rsa1024.pem", "is an RSA key of 1024 bits; at least 2048 are required",
               "RSA of 1024 bits");

    pkey = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-384");
    write_pem("p384.pem", pkey, 0);
    EVP_PKEY_free(pkey);
    load_fails("p384.pem", "is an EC key on curve secp384r1; only P-256", "EC P-384");

    pkey = EVP_PKEY_Q_keygen(NULL, NULL, "ED448");
    write_pem("ed448.pem", pkey, 0);
    EVP_PKEY_free(pkey);
    load_fails("ed448.pem", "is a key of type ED448; ES256 (P-256), RS256", "Ed448");

    pkey = EVP_PKEY_Q_keygen(NULL, NULL, "X25519");
    write_pem("x25519.pem", pkey, 0);
    EVP_PKEY_free(pkey);
    load_fails("x25519.pem", "is a key of type X25519; ES256", "X25519");

    pkey = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    write_pem("public.pem", pkey, 2);
    write_pem("encrypted.pem", pkey, 3);
    write_pem("traditional-ec.pem", pkey, 1);
    EVP_PKEY_free(pkey);
    load_fails("public.pem", "holds only a public key", "a public-only PEM");
    load_fails("encrypted.pem", "is an encrypted private key", "an encrypted PEM (no prompt)");
    tmp_path(path, sizeof(path), "traditional-ec.pem");
    key = svct_key_load_file(path, err, sizeof(err));
    ok(key && svct_key_alg(key) == SVCT_ALG_ES256, "a traditional EC PEM loads");
    svct_key_free(key);

    pkey = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
    write_pem("traditional-rsa.pem", pkey, 1);
    EVP_PKEY_free(pkey);
    tmp_path(path, sizeof(path), "traditional-rsa.pem");
    key = svct_key_load_file(path, err, sizeof(err));
    ok(key && svct_key_alg(key) == SVCT_ALG_RS256, "a traditional RSA PEM loads");
    svct_key_free(key);

    write_str(
        "short.jwk",
        "{\"kty\":\"oct\",\"alg\":\"HS256\",\"kid\":\"k1\",\"k\":\"AAAAAAAAAAAAAAAAAAAAAA\"}");
    load_fails("short.jwk", "is an HS256 key of 16 bytes; at least 32 are required",
               "an HS256 JWK of 16 bytes");
    write_str("nokid.jwk",
              "{\"kty\":\"oct\",\"k\":\"AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0g\"}");
    load_fails("nokid.jwk", "has no kid", "an HS256 JWK without kid");
    write_str("badkid.jwk",
              "{\"kty\":\"oct\",\"kid\":\"a b\",\"k\":\"AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-"
              "EstJQLr_T-1qS0g\"}");
    load_fails("badkid.jwk", "has a bad kid", "an HS256 JWK with a space in its kid");
    write_str("badalg.jwk",
              "{\"kty\":\"oct\",\"alg\":\"HS512\",\"kid\":\"k\",\"k\":\"AyM1SysPpbyDfgZld3umj1qzK"
              "ObwVMkoqQ-EstJQLr_T-1qS0g\"}");
    load_fails("badalg.jwk", "is a JWK with alg HS512", "an oct JWK for HS512");
    write_str("badk.jwk",
              "{\"kty\":\"oct\",\"kid\":\"k\",\"k\":\"AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ==\"}");
    load_fails("badk.jwk", "without a valid base64url \"k\"", "an HS256 JWK with padded k");
    write_str("dup.jwk",
              "{\"kty\":\"oct\",\"kid\":\"k\",\"kid\":\"j\",\"k\":\"AyM1SysPpbyDfgZld3umj1qzKObw"
              "VMkoqQ-EstJQLr_T-1qS0g\"}");
    load_fails("dup.jwk", "is not a PEM private key or an HS256 JWK", "a JWK with duplicate kid");
    write_str("ec.jwk", "{\"kty\":\"EC\",\"crv\":\"P-256\","
                        "\"x\":\"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU\","
                        "\"y\":\"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0\"}");
    load_fails("ec.jwk", "is a JWK of kty EC", "an EC JWK as a key file (PEM expected)");
    write_str("garbage", "hello, world\n");
    load_fails("garbage", "is not a PEM private key or an HS256 JWK", "garbage");
    write_str("empty", "");
    load_fails("empty", "is not a PEM private key or an HS256 JWK", "an empty file");
    write_bytes("nul.jwk", "{\"kty\":\"oct\"\0}", 14);
    load_fails("nul.jwk", "is not a PEM private key or an HS256 JWK", "a file with a NUL byte");
    memset(big, 'A', sizeof(big));
    write_bytes("big", big, sizeof(big));
    load_fails("big", "too large for a key", "a 70000-byte file");
    load_fails("does-not-exist", "cannot be opened: No such file", "a missing file");
    load_fails("", "is not a regular file", "a directory");
    write_str("cert.pem", "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n");
    load_fails("cert.pem", "holds a certificate", "a certificate");
}

static void test_jwk_refused(void)
{
    static const char *const bad[] = {
        "[]",
        "{\"kty\":\"EC\",\"crv\":\"P-384\",\"x\":\"AA\",\"y\":\"AA\"}",
        /* the RFC 7515 A.3 point with one changed byte of y: not on the curve */
        "{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU\","
        "\"y\":\"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a1\"}",
        /* d that does not belong to x,y */
        "{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU\","
        "\"y\":\"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0\","
        "\"d\":\"nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A\"}",
        /* x shorter than 32 bytes */
        "{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVE\","
        "\"y\":\"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0\"}",
        /* Ed25519 x that does not match d */
        "{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"d\":\"nWGxne_"
        "9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A\","
        "\"x\":\"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU\"}",
        "{\"kty\":\"OKP\",\"crv\":\"X25519\",\"x\":\"11qYAYKxCrfVS_"
        "7TyWQHOg7hcvPapiMlrwIaaPcHURo\"}",
        "{\"kty\":\"RSA\",\"n\":\"AQAB\",\"e\":\"AQAB\"}",
        "{\"kty\":\"RSA\",\"e\":\"AQAB\"}",
        "{\"kty\":\"oct\",\"kid\":\"k\",\"k\":\"\"}",
        "{\"kty\":\"EC\",\"crv\":\"P-256\",\"alg\":\"RS256\","
        "\"x\":\"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU\","
        "\"y\":\"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0\"}",
        "{\"kty\":\"oct\",\"kid\":\"k\",\"alg\":\"none\",\"k\":"
        "\"AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-"
        "EstJQLr_T-1qS0g\"}",
        "{\"kty\":\"oct\",\"kid\":3,\"k\":\"AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0g\"}",
    };
    size_t i;

    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        char err[512] = "";
        svct_key_t *key = svct_key_parse(bad[i], strlen(bad[i]), err, sizeof(err));
        ok(!key && err[0], "bad JWK #%zu refused (%s)", i, err);
        svct_key_free(key);
    }
}

static json_t *jwks_of(const svct_keyring_t *ring, char **text)
{
    *text = svct_keyring_jwks(ring);
    return *text ? json_loads(*text, JSON_REJECT_DUPLICATES, NULL) : NULL;
}

static void test_keyring(void)
{
    char err[512];
    svct_keyring_t *ring = svct_keyring_new();
    svct_key_t *es = svct_key_generate(SVCT_ALG_ES256, err, sizeof(err));
    svct_key_t *rs = svct_key_generate(SVCT_ALG_RS256, err, sizeof(err));
    svct_key_t *ed = svct_key_generate(SVCT_ALG_EDDSA, err, sizeof(err));
    svct_key_t *hs = svct_key_generate(SVCT_ALG_HS256, err, sizeof(err));
    svct_key_t *pub = key_of(rfc_a3_pem), *again;
    char *text = NULL, es_kid[SVCT_KID_MAX + 1];
    const unsigned char msg[] = "m";
    unsigned char sig[SVCT_SIG_MAX];
    size_t siglen, i;
    json_t *doc, *keys, *k;
    int clean = 1;

    snprintf(es_kid, sizeof(es_kid), "%s", svct_key_kid(es));
    ok(svct_keyring_signer(ring) == NULL, "an empty ring has no signer");
    ok(svct_keyring_set_signer(ring, es) == 0, "ES256 signer set");
    ok(svct_keyring_add_verifier(ring, rs) == 0, "RS256 verifier added");
    ok(svct_keyring_add_verifier(ring, ed) == 0, "EdDSA verifier added");
    ok(svct_keyring_add_verifier(ring, hs) == 0, "HS256 verifier added");
    ok(svct_keyring_add_verifier(ring, pub) == 0, "a verify-only key added");
    ok(svct_keyring_signer(ring) == es, "the signer is the ES256 key");
    ok(svct_keyring_find(ring, svct_key_kid(rs), strlen(svct_key_kid(rs))) == rs, "find by kid");
    ok(svct_keyring_find(ring, svct_key_kid(rs), strlen(svct_key_kid(rs)) - 1) == NULL,
       "a kid prefix finds nothing");
    ok(svct_keyring_find(ring, "nope", 4) == NULL, "an unknown kid finds nothing");
    ok(svct_keyring_find(ring, "", 0) == NULL, "an empty kid finds nothing");

    again = key_of(rfc_a3_pem);
    ok(svct_keyring_add_verifier(ring, again) == -1, "a duplicate kid is refused");
    ok(svct_keyring_set_signer(ring, again) == -1, "also as the signer");
    svct_key_free(again); /* still ours after a refusal */

    doc = jwks_of(ring, &text);
    keys = json_object_get(doc, "keys");
    is_int(json_array_size(keys), 4, "JWKS: four public keys (HS256 left out)");
    ok(strcmp(json_string_value(json_object_get(json_array_get(keys, 0), "kid")), es_kid) == 0,
       "JWKS: the signer comes first");
    json_array_foreach(keys, i, k)
    {
        const char *kty = json_string_value(json_object_get(k, "kty"));
        const char *alg = json_string_value(json_object_get(k, "alg"));
        const char *kid = json_string_value(json_object_get(k, "kid"));
        const char *use = json_string_value(json_object_get(k, "use"));
        const svct_key_t *key = kid ? svct_keyring_find(ring, kid, strlen(kid)) : NULL;
        ok(key && alg && strcmp(alg, svct_alg_name(svct_key_alg(key))) == 0 && use &&
               strcmp(use, "sig") == 0 && kty,
           "JWKS key %zu: kid, alg, use", i);
        if (kty && strcmp(kty, "EC") == 0)
            ok(json_object_size(k) == 7 && json_object_get(k, "x") && json_object_get(k, "y") &&
                   strcmp(json_string_value(json_object_get(k, "crv")), "P-256") == 0,
               "JWKS: EC members are kty use alg kid crv x y");
        else if (kty && strcmp(kty, "RSA") == 0)
            ok(json_object_size(k) == 6 && json_object_get(k, "n") && json_object_get(k, "e"),
               "JWKS: RSA members are kty use alg kid n e");
        else if (kty && strcmp(kty, "OKP") == 0)
            ok(json_object_size(k) == 6 && json_object_get(k, "x") &&
                   strcmp(json_string_value(json_object_get(k, "crv")), "Ed25519") == 0,
               "JWKS: OKP members are kty use alg kid crv x");
        else
            ok(0, "JWKS: unexpected kty");
        if (json_object_get(k, "d") || json_object_get(k, "p") || json_object_get(k, "q") ||
            json_object_get(k, "dp") || json_object_get(k, "dq") || json_object_get(k, "qi") ||
            json_object_get(k, "k"))
            clean = 0;
    }
    ok(clean, "JWKS: no private member anywhere");
    ok(text && !strstr(text, svct_key_kid(hs)), "JWKS: the HS256 key is not even named");
    json_decref(doc);
    free(text);

    /* Replacing the signer frees the old one and keeps the others. */
    siglen = svct_key_sign(svct_keyring_signer(ring), msg, 1, sig, sizeof(sig));
    again = svct_key_generate(SVCT_ALG_EDDSA, err, sizeof(err));
    ok(svct_keyring_set_signer(ring, again) == 0, "a new signer replaces the old one");
    ok(svct_keyring_signer(ring) == again, "it is the signer now");
    ok(svct_keyring_find(ring, es_kid, strlen(es_kid)) == NULL, "the old signer is gone");
    ok(svct_keyring_find(ring, svct_key_kid(rs), strlen(svct_key_kid(rs))) == rs,
       "the verifiers stay");
    ok(siglen == 64, "(the old signer had signed)");
    doc = jwks_of(ring, &text);
    is_int(json_array_size(json_object_get(doc, "keys")), 4, "JWKS: still four public keys");
    json_decref(doc);
    free(text);
    svct_keyring_free(ring);

    ring = svct_keyring_new();
    hs = svct_key_generate(SVCT_ALG_HS256, err, sizeof(err));
    svct_keyring_set_signer(ring, hs);
    doc = jwks_of(ring, &text);
    ok(doc && json_array_size(json_object_get(doc, "keys")) == 0,
       "JWKS of an HS256-only ring is an empty set");
    json_decref(doc);
    free(text);
    svct_keyring_free(ring);
    svct_keyring_free(NULL);
}

struct worker {
    const svct_keyring_t *ring;
    int failures;
};

static void *worker_run(void *arg)
{
    struct worker *w = arg;
    const svct_key_t *signer = svct_keyring_signer(w->ring);
    unsigned char msg[64], sig[SVCT_SIG_MAX];
    int i;

    for (i = 0; i < 25; i++) {
        size_t siglen;
        memset(msg, i, sizeof(msg));
        siglen = svct_key_sign(signer, msg, sizeof(msg), sig, sizeof(sig));
        if (!siglen || !svct_key_verify(signer, msg, sizeof(msg), sig, siglen))
            w->failures++;
        sig[0] ^= 0x80;
        if (svct_key_verify(signer, msg, sizeof(msg), sig, siglen))
            w->failures++;
    }
    return NULL;
}

static void test_threads(void)
{
    svct_alg_t alg;

    for (alg = SVCT_ALG_HS256; alg <= SVCT_ALG_EDDSA; alg++) {
        char err[512];
        svct_keyring_t *ring = svct_keyring_new();
        pthread_t tids[8];
        struct worker w[8];
        int i, failures = 0;

        svct_keyring_set_signer(ring, svct_key_generate(alg, err, sizeof(err)));
        for (i = 0; i < 8; i++) {
            w[i].ring = ring;
            w[i].failures = 0;
            pthread_create(&tids[i], NULL, worker_run, &w[i]);
        }
        for (i = 0; i < 8; i++) {
            pthread_join(tids[i], NULL);
            failures += w[i].failures;
        }
        is_int(failures, 0, "%s: 8 threads sign and verify with one shared key",
               svct_alg_name(alg));
        svct_keyring_free(ring);
    }
}

static void cleanup(void)
{
    static const char *const names[] = {"hs256.jwk",
                                        "es256.pem",
                                        "rs256.pem",
                                        "eddsa.pem",
                                        "rsa1024.pem",
                                        "p384.pem",
                                        "ed448.pem",
                                        "x25519.pem",
                                        "public.pem",
                                        "encrypted.pem",
                                        "traditional-ec.pem",
                                        "traditional-rsa.pem",
                                        "short.jwk",
                                        "nokid.jwk",
                                        "badkid.jwk",
                                        "badalg.jwk",
                                        "badk.jwk",
                                        "dup.jwk",
                                        "ec.jwk",
                                        "garbage",
                                        "empty",
                                        "nul.jwk",
                                        "big",
                                        "cert.pem"};
    char path[256];
    size_t i;

    for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        tmp_path(path, sizeof(path), names[i]);
        unlink(path);
    }
    rmdir(tmpdir);
}

int main(void)
{
    snprintf(tmpdir, sizeof(tmpdir), "/tmp/svct-test-key.XXXXXX");
    if (!mkdtemp(tmpdir)) {
        printf("Bail out! mkdtemp: %s\n", strerror(errno));
        return 1;
    }
    test_names();
    test_rfc_vectors();
    test_es256_edges();
    test_generate_and_files();
    test_refused_files();
    test_jwk_refused();
    test_keyring();
    test_threads();
    cleanup();
    return done_testing();
}
