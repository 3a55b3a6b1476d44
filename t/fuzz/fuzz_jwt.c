/*
 * libFuzzer target for svct_jwt_verify, the code that sees every session a
 * client sends. The first byte of the input picks how the rest is used:
 *
 *   0: the rest is the token, verified as it is (shape, header, base64url,
 *      signature checks on hostile bytes);
 *   1: the rest is "HEADER\nCLAIMS": both are base64url-encoded and signed
 *      with the HS256 key of the ring, so that fuzzed claims get past the
 *      signature and reach the claim rules;
 *   2: the rest is "HEADER\nCLAIMS\nSIG": SIG (raw bytes) is the signature,
 *      as for ECDSA r/s = 0 or >= n, or RSA signatures of the wrong size.
 *
 * Whatever the input, verification must not crash, and when it succeeds the
 * session it returns must satisfy every rule.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "b64url.h"
#include "jwt.h"
#include "key.h"
#include "record.h"
#include "secret.h"
#include "fuzz_keys.h"

#define ISS "https://fuzz.example"
#define AUD "app"
#define NOW 1700000000

static svct_keyring_t *ring;
static const svct_key_t *hs_key;

static svct_key_t *key_of(const char *text)
{
    char err[256];
    svct_key_t *k = svct_key_parse(text, strlen(text), err, sizeof(err));

    if (!k) {
        fprintf(stderr, "fuzz_jwt: %s\n", err);
        abort();
    }
    return k;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    svct_key_t *hs = key_of(fuzz_jwk_hs);

    (void)argc;
    (void)argv;
    ring = svct_keyring_new();
    if (!ring || svct_keyring_set_signer(ring, hs) != 0 ||
        svct_keyring_add_verifier(ring, key_of(fuzz_pem_es)) != 0 ||
        svct_keyring_add_verifier(ring, key_of(fuzz_pem_rs)) != 0 ||
        svct_keyring_add_verifier(ring, key_of(fuzz_pem_ed)) != 0)
        abort();
    hs_key = hs;
    return 0;
}

static const svct_jwt_expect_t expect = {ISS, AUD, NOW, 10};

static void verify(const char *tok, size_t len)
{
    svct_session_t s;
    const char *why = NULL;

    if (svct_jwt_verify(ring, tok, len, &expect, &s, &why) == 0) {
        /* What a success promises the module. */
        if (!svct_client_id_valid(s.client_id, strlen(s.client_id)) || !(NOW < s.exp + 10) ||
            s.nbf > NOW + 10 || s.iat > NOW + 10 ||
            (s.name[0] && !svct_name_valid(s.name, strlen(s.name))) ||
            (s.store_tag[0] && !svct_store_tag_valid(s.store_tag, strlen(s.store_tag))))
            abort();
    } else if (!why || !*why) {
        abort();
    }
}

/* Appends the base64url of IN[0..LEN) and SEP to OUT at *POS. */
static int put(char *out, size_t cap, size_t *pos, const void *in, size_t len, char sep)
{
    size_t n = svct_b64url_encode(in, len, out + *pos, cap - *pos);

    if (n == (size_t)-1 || *pos + n + 1 >= cap)
        return -1;
    *pos += n;
    if (sep)
        out[(*pos)++] = sep;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* Room for a little more than SVCT_JWT_MAX, so the size limit is hit too. */
    static char tok[SVCT_JWT_MAX + 64];
    unsigned char sig[SVCT_SIG_MAX];
    const char *in = (const char *)data + 1, *nl1, *nl2 = NULL;
    size_t len = size ? size - 1 : 0, pos = 0, siglen;
    int mode;

    if (size == 0)
        return 0;
    mode = data[0] % 3;
    if (mode == 0) {
        char *copy = malloc(len ? len : 1);

        /* An exact-size heap copy, so that ASan sees any read past the end. */
        memcpy(copy, in, len);
        verify(copy, len);
        free(copy);
        return 0;
    }
    nl1 = memchr(in, '\n', len);
    if (!nl1)
        return 0;
    if (mode == 2) {
        nl2 = memchr(nl1 + 1, '\n', len - (size_t)(nl1 + 1 - in));
        if (!nl2)
            return 0;
    }
    if (put(tok, sizeof(tok), &pos, in, (size_t)(nl1 - in), '.') ||
        put(tok, sizeof(tok), &pos, nl1 + 1, (size_t)((mode == 2 ? nl2 : in + len) - (nl1 + 1)),
            '.'))
        return 0;
    if (mode == 1) {
        siglen = svct_key_sign(hs_key, (const unsigned char *)tok, pos - 1, sig, sizeof(sig));
        if (!siglen)
            abort();
        if (put(tok, sizeof(tok), &pos, sig, siglen, 0))
            return 0;
    } else if (put(tok, sizeof(tok), &pos, nl2 + 1, len - (size_t)(nl2 + 1 - in), 0)) {
        return 0;
    }
    verify(tok, pos);
    return 0;
}
