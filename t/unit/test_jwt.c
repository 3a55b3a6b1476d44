/*
 * Unit tests for session JWTs: round trips for every algorithm, key
 * rotation, and one hand-made bad token per verification rule. Tokens that
 * break a claim rule are signed with the test's own key, so that only the
 * rule under test can refuse them.
 *
 * With arguments, the binary is also the small command-line signer and
 * verifier that t/cli/jwt_interop.t uses against PyJWT:
 *   test_jwt sign KEYFILE ISS AUD CLIENT_ID NAME IAT EXP
 *   test_jwt verify KEYFILE ISS AUD NOW [LEEWAY] < token
 *   test_jwt kid KEYFILE
 *   test_jwt jwks KEYFILE...
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "b64url.h"
#include "jwt.h"
#include "key.h"
#include "tap.h"

#define ISS "https://team.example.com"
#define AUD "aud-tag-1"
#define CID "0123456789abcdef0123456789abcdef.access"
#define T0 1700000000
#define NOW (T0 + 10)

static const svct_jwt_expect_t expect = {ISS, AUD, NOW, 60};

/* The claims of a good token; each bad-claim test changes one member. */
static const char base_claims[] = "{\"aud\":[\"" AUD "\"],\"iss\":\"" ISS "\",\"iat\":1700000000,"
                                  "\"nbf\":1700000000,\"exp\":1700003600,\"type\":\"app\","
                                  "\"common_name\":\"" CID "\",\"sub\":\"\",\"name\":\"ci-bot\"}";

static svct_session_t session_new(const char *name, int64_t iat, int64_t exp)
{
    svct_session_t s;

    memset(&s, 0, sizeof(s));
    snprintf(s.client_id, sizeof(s.client_id), "%s", CID);
    snprintf(s.name, sizeof(s.name), "%s", name);
    s.iat = s.nbf = iat;
    s.exp = exp;
    return s;
}

/* OUT := b64(HDR) "." b64(CLAIMS) "." b64(sig by KEY). KEY NULL: SIG as given. */
static void make_raw(char *out, size_t cap, const svct_key_t *key, const char *hdr, size_t hlen,
                     const char *claims, size_t clen, const char *sig)
{
    unsigned char s[SVCT_SIG_MAX];
    size_t n = svct_b64url_encode((const unsigned char *)hdr, hlen, out, cap), slen;

    out[n++] = '.';
    n += svct_b64url_encode((const unsigned char *)claims, clen, out + n, cap - n);
    if (key) {
        slen = svct_key_sign(key, (const unsigned char *)out, n, s, sizeof(s));
        out[n++] = '.';
        svct_b64url_encode(s, slen, out + n, cap - n);
    } else {
        snprintf(out + n, cap - n, ".%s", sig);
    }
}

static void make(char *out, size_t cap, const svct_key_t *key, const char *hdr, const char *claims)
{
    make_raw(out, cap, key, hdr, strlen(hdr), claims, strlen(claims), NULL);
}

/* A header for KEY with MEMBER set to VALUE (JSON text), or removed if NULL. */
static char *header_with(const svct_key_t *key, const char *member, const char *value)
{
    json_t *h = json_pack("{s:s,s:s,s:s}", "alg", svct_alg_name(svct_key_alg(key)), "kid",
                          svct_key_kid(key), "typ", "JWT");
    char *text;

    if (member && value)
        json_object_set_new(h, member, json_loads(value, JSON_DECODE_ANY, NULL));
    else if (member)
        json_object_del(h, member);
    text = json_dumps(h, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(h);
    return text;
}

static char *claims_with(const char *member, const char *value)
{
    json_t *c = json_loads(base_claims, JSON_PRESERVE_ORDER, NULL);
    char *text;

    if (value)
        json_object_set_new(c, member, json_loads(value, JSON_DECODE_ANY, NULL));
    else
        json_object_del(c, member);
    text = json_dumps(c, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(c);
    return text;
}

static void refused_e(const svct_keyring_t *ring, const char *token, size_t len,
                      const svct_jwt_expect_t *e, const char *want, const char *what)
{
    svct_session_t s;
    const char *why = NULL;
    int rc;

    memset(&s, 0x5a, sizeof(s));
    rc = svct_jwt_verify(ring, token, len, e, &s, &why);
    ok(rc == -1 && why && strcmp(why, want) == 0 && s.client_id[0] == '\0' && s.exp == 0,
       "refused (%s): %s", want, what);
    if (rc != -1 || !why || strcmp(why, want) != 0)
        printf("#   rc %d, why '%s'\n", rc, why ? why : "(null)");
}

static void refused(const svct_keyring_t *ring, const char *token, size_t len, const char *want,
                    const char *what)
{
    refused_e(ring, token, len, &expect, want, what);
}

static void refused_s(const svct_keyring_t *ring, const char *token, const char *want,
                      const char *what)
{
    refused(ring, token, strlen(token), want, what);
}

static int accepted(const svct_keyring_t *ring, const char *token, const svct_jwt_expect_t *e,
                    svct_session_t *s)
{
    const char *why = NULL;
    int rc = svct_jwt_verify(ring, token, strlen(token), e ? e : &expect, s, &why);

    if (rc != 0)
        printf("#   refused: %s\n", why ? why : "(null)");
    return rc == 0;
}

static void test_roundtrip(void)
{
    svct_alg_t alg;

    for (alg = SVCT_ALG_HS256; alg <= SVCT_ALG_EDDSA; alg++) {
        char err[512], tok[SVCT_JWT_MAX + 1], *dot;
        const char *an = svct_alg_name(alg);
        svct_keyring_t *ring = svct_keyring_new();
        svct_key_t *key = svct_key_generate(alg, err, sizeof(err));
        svct_session_t in = session_new("ci-bot", T0, T0 + 3600), out;
        unsigned char hdr[256];
        size_t n, hlen;

        svct_keyring_set_signer(ring, key);
        n = svct_jwt_sign(ring, ISS, AUD, &in, tok, sizeof(tok));
        ok(n > 0 && n == strlen(tok), "%s: signed", an);
        ok(accepted(ring, tok, NULL, &out), "%s: verifies", an);
        is_str(out.client_id, CID, "%s: client id", an);
        is_str(out.name, "ci-bot", "%s: name", an);
        ok(out.iat == T0 && out.nbf == T0 && out.exp == T0 + 3600, "%s: times", an);

        dot = strchr(tok, '.');
        hlen = svct_b64url_decode(tok, (size_t)(dot - tok), hdr, sizeof(hdr) - 1);
        hdr[hlen == (size_t)-1 ? 0 : hlen] = '\0';
        {
            char want[200];
            snprintf(want, sizeof(want), "{\"alg\":\"%s\",\"kid\":\"%s\",\"typ\":\"JWT\"}", an,
                     svct_key_kid(key));
            is_str((char *)hdr, want, "%s: header is alg, kid, typ", an);
        }
        ok(svct_jwt_sign(ring, ISS, AUD, &in, tok, n) == 0, "%s: a buffer one byte short fails",
           an);
        ok(svct_jwt_sign(ring, ISS, AUD, &in, tok, n + 1) == n, "%s: an exact buffer is enough",
           an);
        svct_keyring_free(ring);
    }
}

static void test_claims_layout(void)
{
    char err[512], tok[SVCT_JWT_MAX + 1], *p1, *p2;
    unsigned char buf[2048];
    svct_keyring_t *ring = svct_keyring_new();
    svct_session_t in = session_new("", T0, T0 + 60), out;
    json_t *c;
    size_t n;

    svct_keyring_set_signer(ring, svct_key_generate(SVCT_ALG_HS256, err, sizeof(err)));
    svct_jwt_sign(ring, ISS, AUD, &in, tok, sizeof(tok));
    p1 = strchr(tok, '.') + 1;
    p2 = strchr(p1, '.');
    n = svct_b64url_decode(p1, (size_t)(p2 - p1), buf, sizeof(buf));
    c = json_loadb((const char *)buf, n, 0, NULL);
    ok(json_is_array(json_object_get(c, "aud")) &&
           json_array_size(json_object_get(c, "aud")) == 1 &&
           strcmp(json_string_value(json_array_get(json_object_get(c, "aud"), 0)), AUD) == 0,
       "claims: aud is an array holding the audience");
    ok(strcmp(json_string_value(json_object_get(c, "type")), "app") == 0, "claims: type app");
    ok(strcmp(json_string_value(json_object_get(c, "sub")), "") == 0, "claims: sub is empty");
    ok(strcmp(json_string_value(json_object_get(c, "iss")), ISS) == 0, "claims: iss");
    ok(strcmp(json_string_value(json_object_get(c, "common_name")), CID) == 0,
       "claims: common_name is the Client ID");
    ok(json_is_integer(json_object_get(c, "iat")) && json_is_integer(json_object_get(c, "nbf")) &&
           json_is_integer(json_object_get(c, "exp")),
       "claims: iat, nbf, exp are integers");
    ok(json_object_get(c, "name") == NULL, "claims: no name claim for an empty name");
    json_decref(c);
    ok(accepted(ring, tok, NULL, &out) && out.name[0] == '\0', "a token without name verifies");

    in = session_new("ci-bot", T0, T0 + 60);
    snprintf(in.client_id, sizeof(in.client_id), "not-a-client-id");
    ok(svct_jwt_sign(ring, ISS, AUD, &in, tok, sizeof(tok)) == 0, "sign: bad client id refused");
    in = session_new("bad\nname", T0, T0 + 60);
    ok(svct_jwt_sign(ring, ISS, AUD, &in, tok, sizeof(tok)) == 0, "sign: bad name refused");
    in = session_new("ci-bot", -1, T0);
    ok(svct_jwt_sign(ring, ISS, AUD, &in, tok, sizeof(tok)) == 0, "sign: negative time refused");
    in = session_new("ci-bot", T0, T0 + 60);
    ok(svct_jwt_sign(ring, ISS, AUD, NULL, tok, sizeof(tok)) == 0, "sign: no session");
    ok(svct_jwt_sign(ring, NULL, AUD, &in, tok, sizeof(tok)) == 0, "sign: no issuer");
    svct_keyring_free(ring);
    ring = svct_keyring_new();
    ok(svct_jwt_sign(ring, ISS, AUD, &in, tok, sizeof(tok)) == 0, "sign: a ring without signer");
    svct_keyring_free(ring);
}

static void test_rotation(void)
{
    char err[512], tok[SVCT_JWT_MAX + 1];
    svct_key_t *old = svct_key_generate(SVCT_ALG_ES256, err, sizeof(err));
    svct_key_t *new = svct_key_generate(SVCT_ALG_EDDSA, err, sizeof(err));
    char oldkid[SVCT_KID_MAX + 1], oldpath[] = "/tmp/svct-test-jwt-old.XXXXXX";
    svct_keyring_t *ring = svct_keyring_new();
    svct_session_t in = session_new("ci-bot", T0, T0 + 3600), out;
    int fd = mkstemp(oldpath);

    /* The old key goes through its file, as a restart with a new config would. */
    close(fd);
    unlink(oldpath);
    svct_key_write_file(old, oldpath, err, sizeof(err));
    snprintf(oldkid, sizeof(oldkid), "%s", svct_key_kid(old));
    svct_keyring_set_signer(ring, old);
    svct_jwt_sign(ring, ISS, AUD, &in, tok, sizeof(tok));
    svct_keyring_free(ring);

    ring = svct_keyring_new();
    svct_keyring_set_signer(ring, new);
    refused_s(ring, tok, "unknown kid", "a token of a key no longer in the ring");
    svct_keyring_add_verifier(ring, svct_key_load_file(oldpath, err, sizeof(err)));
    ok(accepted(ring, tok, NULL, &out) && strcmp(out.client_id, CID) == 0,
       "rotation: a token of the old, now verify-only key still verifies");
    svct_jwt_sign(ring, ISS, AUD, &in, tok, sizeof(tok));
    ok(strstr(tok, ".") && accepted(ring, tok, NULL, &out), "rotation: new tokens verify too");
    {
        char hdr[256];
        size_t n = svct_b64url_decode(tok, (size_t)(strchr(tok, '.') - tok), (unsigned char *)hdr,
                                      sizeof(hdr) - 1);
        hdr[n == (size_t)-1 ? 0 : n] = '\0';
        ok(strstr(hdr, "EdDSA") && !strstr(hdr, oldkid),
           "rotation: new tokens are signed by the new key");
    }
    svct_keyring_free(ring);
    unlink(oldpath);
}

/* One header member set (VALUE, JSON) or left out (NULL), and the reason
 * svct_jwt_verify must give; NULL: the token is accepted. */
typedef struct {
    int es_kid; /* the kid of the ES256 key rather than the HS256 signer's */
    const char *member, *value, *reason, *what;
} header_case_t;

static const header_case_t member_cases[] = {
    {0, "alg", NULL, "missing alg", "no alg"},
    {0, "alg", "256", "bad alg", "alg not a string"},
    {0, "alg", "\"ES256\"", "alg mismatch", "alg ES256 on an HS256 key"},
    {0, "alg", "\"hs256\"", "alg mismatch", "alg in lower case"},
    {1, "alg", "\"HS256\"", "alg mismatch", "alg HS256 on an ES256 kid"},
    {0, "kid", NULL, "missing kid", "no kid"},
    {0, "kid", "\"unknown-key\"", "unknown kid", "a kid not in the ring"},
    {0, "kid", "\"\"", "bad kid", "an empty kid"},
    {0, "kid", "42", "bad kid", "a numeric kid"},
    {0, "jwk", "{\"kty\":\"oct\",\"k\":\"AAAA\"}", "key in header", "an embedded jwk object"},
    {0, "crit", "[\"exp\"]", "crit header", "crit [exp]"},
    {0, "crit", "[]", "crit header", "crit []"},
    {0, "typ", "\"JWS\"", "bad typ", "typ JWS"},
    {0, "typ", "1", "bad typ", "typ not a string"},
    {0, "typ", NULL, NULL, "typ may be left out"},
};

static const struct {
    const char *header, *what;
} malformed[] = {
    /* \u0000 in JSON is refused by the parser. */
    {"{\"alg\":\"HS256\",\"kid\":\"a\\u0000b\"}", "a kid with an escaped NUL"},
    {"{\"alg\":\"HS256\",\"kid\":\"%s\",\"alg\":\"none\"}", "a duplicate alg"},
    {"{\"alg\":\"HS256\",\"kid\":\"%s\"", "truncated header JSON"},
    {"{\"alg\":\"HS256\",\"kid\":\"%s\"} x", "trailing garbage after the header"},
    {"[\"HS256\"]", "a header that is an array"},
    {"\"HS256\"", "a header that is a string"},
    {"null", "a header that is null"},
    {"{\"a\":[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]}", "deep nesting"},
};

/* Header rules, and the attacks that target the algorithm choice. */
static void test_header_rules(void)
{
    char err[512], tok[SVCT_JWT_MAX * 2], *h;
    svct_key_t *hs = svct_key_generate(SVCT_ALG_HS256, err, sizeof(err));
    svct_key_t *es = svct_key_generate(SVCT_ALG_ES256, err, sizeof(err));
    svct_keyring_t *ring = svct_keyring_new();
    static const char *const nones[] = {"none", "None", "NONE", "nOnE"};
    static const char *const keyhdr[] = {"jku", "x5u", "jwk", "x5c", "x5t", "x5t#S256"};
    svct_session_t s;
    size_t i;

    svct_keyring_set_signer(ring, hs);
    svct_keyring_add_verifier(ring, es);

    h = header_with(hs, NULL, NULL);
    make(tok, sizeof(tok), hs, h, base_claims);
    ok(accepted(ring, tok, NULL, &s), "the reference token verifies");
    free(h);

    for (i = 0; i < 4; i++) {
        char v[16], what[64];
        snprintf(v, sizeof(v), "\"%s\"", nones[i]);
        h = header_with(hs, "alg", v);
        make_raw(tok, sizeof(tok), NULL, h, strlen(h), base_claims, strlen(base_claims), "");
        snprintf(what, sizeof(what), "alg %s with an empty signature", nones[i]);
        refused_s(ring, tok, "malformed", what);
        make(tok, sizeof(tok), hs, h, base_claims);
        snprintf(what, sizeof(what), "alg %s with a signature", nones[i]);
        refused_s(ring, tok, "alg none", what);
        free(h);
    }
    for (i = 0; i < sizeof(member_cases) / sizeof(member_cases[0]); i++) {
        const header_case_t *c = &member_cases[i];

        h = header_with(c->es_kid ? es : hs, c->member, c->value);
        make(tok, sizeof(tok), hs, h, base_claims);
        if (c->reason)
            refused_s(ring, tok, c->reason, c->what);
        else
            ok(accepted(ring, tok, NULL, &s), "%s", c->what);
        free(h);
    }
    for (i = 0; i < sizeof(keyhdr) / sizeof(keyhdr[0]); i++) {
        char what[64];
        h = header_with(hs, keyhdr[i], "\"https://attacker.example/k\"");
        make(tok, sizeof(tok), hs, h, base_claims);
        snprintf(what, sizeof(what), "a %s header", keyhdr[i]);
        refused_s(ring, tok, "key in header", what);
        free(h);
    }
    {
        char big[2100];
        big[0] = '"';
        memset(big + 1, 'k', 2000);
        big[2001] = '"';
        big[2002] = '\0';
        h = header_with(hs, "kid", big);
        make(tok, sizeof(tok), hs, h, base_claims);
        refused_s(ring, tok, "bad kid", "a 2000-character kid");
        free(h);
        big[66] = '"';
        big[67] = '\0';
        h = header_with(hs, "kid", big);
        make(tok, sizeof(tok), hs, h, base_claims);
        refused_s(ring, tok, "bad kid", "a 65-character kid");
        free(h);
    }
    /* Whole headers that are not one JSON object with unique members; %s is
     * the signing key's kid. */
    for (i = 0; i < sizeof(malformed) / sizeof(malformed[0]); i++) {
        char hdr[300];

        snprintf(hdr, sizeof(hdr), malformed[i].header, svct_key_kid(hs));
        make(tok, sizeof(tok), hs, hdr, base_claims);
        refused_s(ring, tok, "malformed header", malformed[i].what);
    }
    {
        char hdr[300];

        snprintf(hdr, sizeof(hdr), "{\"alg\":\"HS256\",\"kid\":\"%s\"}", svct_key_kid(hs));
        make_raw(tok, sizeof(tok), hs, hdr, strlen(hdr) + 1, base_claims, strlen(base_claims),
                 NULL);
        refused_s(ring, tok, "malformed header", "a NUL after the header");
    }
    svct_keyring_free(ring);
}

/* HS256 tokens keyed with the public key's PEM, against RS256 and ES256
 * rings: the classic algorithm confusion. */
static void test_confusion(void)
{
    static const svct_alg_t algs[] = {SVCT_ALG_RS256, SVCT_ALG_ES256};
    size_t i;

    for (i = 0; i < 2; i++) {
        char err[512], tok[SVCT_JWT_MAX * 2], path[] = "/tmp/svct-test-jwt-pem.XXXXXX";
        char pem[4096], *h, jwkjson[8192], k[6000];
        svct_key_t *asym = svct_key_generate(algs[i], err, sizeof(err)), *hmac;
        svct_keyring_t *ring = svct_keyring_new();
        EVP_PKEY *pkey;
        BIO *bio;
        size_t pemlen;
        int fd = mkstemp(path);

        close(fd);
        unlink(path);
        svct_key_write_file(asym, path, err, sizeof(err));
        bio = BIO_new_file(path, "r");
        pkey = PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL);
        BIO_free(bio);
        bio = BIO_new(BIO_s_mem());
        PEM_write_bio_PUBKEY(bio, pkey);
        pemlen = (size_t)BIO_read(bio, pem, sizeof(pem));
        BIO_free(bio);
        EVP_PKEY_free(pkey);
        unlink(path);

        svct_b64url_encode((const unsigned char *)pem, pemlen, k, sizeof(k));
        snprintf(jwkjson, sizeof(jwkjson), "{\"kty\":\"oct\",\"kid\":\"%s\",\"k\":\"%s\"}",
                 svct_key_kid(asym), k);
        hmac = svct_key_parse(jwkjson, strlen(jwkjson), err, sizeof(err));
        svct_keyring_set_signer(ring, asym);
        h = header_with(asym, "alg", "\"HS256\"");
        make(tok, sizeof(tok), hmac, h, base_claims);
        refused_s(ring, tok, "alg mismatch",
                  algs[i] == SVCT_ALG_RS256 ? "HS256 keyed with the RSA public PEM"
                                            : "HS256 keyed with the EC public PEM");
        free(h);
        /* Even with the key's own alg in the header, the HMAC is no signature. */
        h = header_with(asym, NULL, NULL);
        make(tok, sizeof(tok), hmac, h, base_claims);
        refused_s(ring, tok, "bad signature", "an HMAC presented as an RS/ES signature");
        free(h);
        svct_key_free(hmac);
        svct_keyring_free(ring);
    }
}

static void test_es256_signatures(void)
{
    static const unsigned char n[32] = {0xFF, 0xFF, 0xFF, 0xFF, 0x00, 0x00, 0x00, 0x00,
                                        0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
                                        0xBC, 0xE6, 0xFA, 0xAD, 0xA7, 0x17, 0x9E, 0x84,
                                        0xF3, 0xB9, 0xCA, 0xC2, 0xFC, 0x63, 0x25, 0x51};
    char err[512], tok[SVCT_JWT_MAX + 1], *dot, sigtxt[200], *h;
    svct_key_t *es = svct_key_generate(SVCT_ALG_ES256, err, sizeof(err));
    svct_keyring_t *ring = svct_keyring_new();
    unsigned char sig[80], bad[80];
    svct_session_t s;
    size_t siglen;

    svct_keyring_set_signer(ring, es);
    h = header_with(es, NULL, NULL);
    make(tok, sizeof(tok), es, h, base_claims);
    free(h);
    ok(accepted(ring, tok, NULL, &s), "ES256: the reference token verifies");
    dot = strrchr(tok, '.') + 1;
    siglen = svct_b64url_decode(dot, strlen(dot), sig, sizeof(sig));
    is_int(siglen, 64, "ES256: the signature is r||s, 64 bytes");

#define WITH_SIG(buf, len, want, what)                                                             \
    do {                                                                                           \
        svct_b64url_encode(buf, len, sigtxt, sizeof(sigtxt));                                      \
        strcpy(dot, sigtxt);                                                                       \
        refused_s(ring, tok, want, what);                                                          \
    } while (0)

    memcpy(bad, sig, 64);
    memset(bad, 0, 32);
    WITH_SIG(bad, 64, "bad signature", "ES256 r = 0");
    memcpy(bad, sig, 64);
    memset(bad + 32, 0, 32);
    WITH_SIG(bad, 64, "bad signature", "ES256 s = 0");
    memcpy(bad, sig, 64);
    memcpy(bad, n, 32);
    WITH_SIG(bad, 64, "bad signature", "ES256 r = n");
    memcpy(bad, sig, 64);
    memcpy(bad + 32, n, 32);
    WITH_SIG(bad, 64, "bad signature", "ES256 s = n");
    memcpy(bad, sig, 64);
    memset(bad + 32, 0xff, 32);
    WITH_SIG(bad, 64, "bad signature", "ES256 s > n");
    WITH_SIG(sig, 63, "bad signature", "ES256 63-byte signature");
    memcpy(bad, sig, 64);
    bad[64] = 0;
    WITH_SIG(bad, 65, "bad signature", "ES256 65-byte signature");
    WITH_SIG(sig, 32, "bad signature", "ES256 32-byte signature");
#undef WITH_SIG
    svct_keyring_free(ring);
}

static void test_shape(void)
{
    char err[512], tok[SVCT_JWT_MAX * 2], t2[SVCT_JWT_MAX * 2], *h;
    svct_key_t *hs = svct_key_generate(SVCT_ALG_HS256, err, sizeof(err));
    svct_keyring_t *ring = svct_keyring_new();
    char *d1, *d2;
    size_t len;

    svct_keyring_set_signer(ring, hs);
    h = header_with(hs, NULL, NULL);
    make(tok, sizeof(tok), hs, h, base_claims);
    free(h);
    len = strlen(tok);
    d1 = strchr(tok, '.');
    d2 = strchr(d1 + 1, '.');

    refused(ring, tok, 0, "malformed", "an empty token");
    refused_s(ring, "..", "malformed", "two dots only");
    refused_s(ring, "abc", "malformed", "one segment");
    snprintf(t2, sizeof(t2), "%.*s", (int)(d2 - tok), tok);
    refused_s(ring, t2, "malformed", "two segments");
    snprintf(t2, sizeof(t2), "%s.", tok);
    refused_s(ring, t2, "malformed", "a trailing dot (four segments, one empty)");
    snprintf(t2, sizeof(t2), "%s.AAAA", tok);
    refused_s(ring, t2, "malformed", "four segments");
    snprintf(t2, sizeof(t2), "%s", d1);
    refused_s(ring, t2, "malformed", "an empty header");
    snprintf(t2, sizeof(t2), "%.*s.%s", (int)(d1 - tok), tok, d2);
    refused_s(ring, t2, "malformed", "an empty payload");
    snprintf(t2, sizeof(t2), "%.*s.", (int)(d2 - tok), tok);
    refused_s(ring, t2, "malformed", "an empty signature");
    snprintf(t2, sizeof(t2), "%s=", tok);
    refused_s(ring, t2, "malformed signature", "padding '=' on the signature");
    snprintf(t2, sizeof(t2), "%.*s=%s", (int)(d1 - tok), tok, d1);
    refused_s(ring, t2, "malformed header", "padding '=' on the header");
    snprintf(t2, sizeof(t2), "%.*s=%s", (int)(d2 - tok), tok, d2);
    refused_s(ring, t2, "bad signature", "padding '=' on the payload (signed input changed)");
    snprintf(t2, sizeof(t2), "%s", tok);
    t2[3] = '+';
    refused_s(ring, t2, "malformed header", "a '+' in the header");
    snprintf(t2, sizeof(t2), "%s", tok);
    t2[len - 2] = '/';
    refused_s(ring, t2, "malformed signature", "a '/' in the signature");
    snprintf(t2, sizeof(t2), "%s", tok);
    t2[len - 2] = ' ';
    refused_s(ring, t2, "malformed signature", "a space in the signature");
    snprintf(t2, sizeof(t2), "%s\n", tok);
    refused_s(ring, t2, "malformed signature", "a trailing newline");
    snprintf(t2, sizeof(t2), " %s", tok);
    refused_s(ring, t2, "malformed header", "a leading space");
    memcpy(t2, tok, len + 1);
    t2[5] = '\0';
    refused(ring, t2, len, "malformed header", "a NUL byte inside the token");
    {
        /* Header of len % 4 == 1: no byte string encodes to that. */
        snprintf(t2, sizeof(t2), "eyJhb%s", d1);
        refused_s(ring, t2, "malformed header", "an impossible header length");
    }
    {
        char big[SVCT_JWT_MAX + 2];
        memset(big, 'A', sizeof(big) - 1);
        big[sizeof(big) - 1] = '\0';
        big[100] = '.';
        big[200] = '.';
        refused(ring, big, SVCT_JWT_MAX + 1, "too large", "a token of SVCT_JWT_MAX + 1 bytes");
        refused(ring, big, (size_t)-1, "too large", "a length of SIZE_MAX");
    }
    {
        /* A valid token padded out by a long claim, just over the limit. */
        char *c, filler[SVCT_JWT_MAX];
        memset(filler, 'x', 3002);
        filler[0] = filler[3001] = '"';
        filler[3002] = '\0';
        c = claims_with("pad", filler);
        h = header_with(hs, NULL, NULL);
        make(t2, sizeof(t2), hs, h, c);
        ok(strlen(t2) > SVCT_JWT_MAX, "(the padded token is %zu bytes)", strlen(t2));
        refused_s(ring, t2, "too large", "a validly signed token over the size limit");
        free(c);
        free(h);
    }
    {
        const char *why = NULL;
        svct_session_t s;
        ok(svct_jwt_verify(NULL, tok, len, &expect, &s, &why) == -1 && why,
           "verify: no ring is refused");
        ok(svct_jwt_verify(ring, NULL, len, &expect, &s, &why) == -1, "verify: no token");
        ok(svct_jwt_verify(ring, tok, len, NULL, &s, &why) == -1, "verify: no expectations");
        ok(svct_jwt_verify(ring, tok, len, &expect, NULL, &why) == -1, "verify: no session");
        ok(svct_jwt_verify(ring, tok, len, &expect, &s, NULL) == 0, "verify: WHY may be NULL");
    }

    /* Every one-character change and every truncation must fail. */
    {
        static const char subst[] = "A_-0a.=";
        size_t i, j, accepted_count = 0, total = 0;
        svct_session_t s;
        const char *why;

        for (i = 0; i < len; i++) {
            for (j = 0; j < sizeof(subst) - 1; j++) {
                if (tok[i] == subst[j])
                    continue;
                memcpy(t2, tok, len + 1);
                t2[i] = subst[j];
                total++;
                if (svct_jwt_verify(ring, t2, len, &expect, &s, &why) == 0)
                    accepted_count++;
            }
            total++;
            if (svct_jwt_verify(ring, tok, i, &expect, &s, &why) == 0)
                accepted_count++;
        }
        ok(accepted_count == 0, "none of %zu mutated or truncated tokens verifies", total);
    }
    svct_keyring_free(ring);
}

struct claim_case {
    const char *member;
    const char *value; /* JSON text; NULL removes the member */
    const char *why;
    const char *what;
};

/* Claims that are not one JSON object of unique members jansson reads. */
static const struct {
    const char *claims, *what;
} malformed_claims[] = {
    {"{\"aud\":[\"" AUD "\"],\"iss\":\"" ISS "\",\"iat\":1700000000,"
     "\"nbf\":1700000000,\"exp\":1700003600,\"type\":\"app\","
     "\"common_name\":\"" CID "\",\"name\":\"ci\\u0000bot\"}",
     "an escaped NUL inside the name"},
    {"[1,2,3]", "claims that are an array"},
    {"\"claims\"", "claims that are a string"},
    {"{\"a\":{\"b\":{\"c\":{\"d\":{}}}}}", "claims nested too deep"},
    {"{\"exp\":1e400}", "a number too large for a double"},
    {"{\"exp\":99999999999999999999}", "an integer too large for 64 bits"},
    {"{\"name\":\"\xff\xfe\"}", "invalid UTF-8"},
};

static void test_claim_rules(void)
{
    static const struct claim_case cases[] = {
        {"exp", NULL, "missing exp", "no exp"},
        {"exp", "\"1700003600\"", "bad exp", "exp as a string"},
        {"exp", "1700003600.0", "bad exp", "exp as a real"},
        {"exp", "1.7e9", "bad exp", "exp in exponent form"},
        {"exp", "true", "bad exp", "exp as a bool"},
        {"exp", "null", "bad exp", "exp null"},
        {"exp", "[1700003600]", "bad exp", "exp as an array"},
        {"exp", "-1", "bad exp", "exp negative"},
        {"exp", "253402300800", "bad exp", "exp after the year 9999"},
        {"exp", "9223372036854775807", "bad exp", "exp INT64_MAX"},
        {"nbf", NULL, "missing nbf", "no nbf"},
        {"nbf", "\"1700000000\"", "bad nbf", "nbf as a string"},
        {"nbf", "1700000000.5", "bad nbf", "nbf as a real"},
        {"nbf", "false", "bad nbf", "nbf as a bool"},
        {"nbf", "-5", "bad nbf", "nbf negative"},
        {"iat", NULL, "missing iat", "no iat"},
        {"iat", "\"1700000000\"", "bad iat", "iat as a string"},
        {"iat", "1700000000.0", "bad iat", "iat as a real"},
        {"iat", "true", "bad iat", "iat as a bool"},
        {"iat", "99999999999999", "bad iat", "iat out of range"},
        {"iss", NULL, "missing iss", "no iss"},
        {"iss", "42", "bad iss", "iss as a number"},
        {"iss", "[\"" ISS "\"]", "bad iss", "iss as an array"},
        {"iss", "\"https://evil.example.com\"", "wrong issuer", "another issuer"},
        {"iss", "\"" ISS "/\"", "wrong issuer", "the issuer with a trailing slash"},
        {"iss", "\"https://team.example.co\"", "wrong issuer", "a prefix of the issuer"},
        {"aud", NULL, "missing aud", "no aud"},
        {"aud", "\"other\"", "wrong audience", "another audience (string)"},
        {"aud", "[\"other\",\"more\"]", "wrong audience", "an aud array without ours"},
        {"aud", "[]", "wrong audience", "an empty aud array"},
        {"aud", "[\"" AUD "\",7]", "bad aud", "an aud array with a number"},
        {"aud", "7", "bad aud", "aud as a number"},
        {"aud", "true", "bad aud", "aud as a bool"},
        {"aud", "{\"a\":\"" AUD "\"}", "bad aud", "aud as an object"},
        {"aud", "\"aud-tag-12\"", "wrong audience", "an audience that extends ours"},
        {"type", NULL, "missing type", "no type"},
        {"type", "\"App\"", "wrong type", "type App"},
        {"type", "\"user\"", "wrong type", "type user"},
        {"type", "1", "wrong type", "type as a number"},
        {"common_name", NULL, "missing common_name", "no common_name"},
        {"common_name", "\"someone\"", "bad common_name", "a common_name of the wrong shape"},
        {"common_name", "\"0123456789ABCDEF0123456789abcdef.access\"", "bad common_name",
         "a common_name in upper case"},
        {"common_name", "42", "bad common_name", "common_name as a number"},
        {"name", "\"bad\\nname\"", "bad name", "a name with a newline"},
        {"name", "\"\"", "bad name", "an empty name"},
        {"name", "17", "bad name", "name as a number"},
        {"sub", "0", "bad sub", "sub as a number"},
        {"exp", "1699990000", "expired", "exp long past"},
        {"exp", "1699999950", "expired", "exp = now - leeway"},
        {"nbf", "1700000071", "not yet valid", "nbf beyond now + leeway"},
        {"iat", "1700000071", "issued in the future", "iat beyond now + leeway"},
    };
    char err[512], tok[SVCT_JWT_MAX * 2], *h;
    svct_key_t *es = svct_key_generate(SVCT_ALG_ES256, err, sizeof(err));
    svct_keyring_t *ring = svct_keyring_new();
    svct_session_t s;
    size_t i;

    svct_keyring_set_signer(ring, es);
    h = header_with(es, NULL, NULL);
    make(tok, sizeof(tok), es, h, base_claims);
    ok(accepted(ring, tok, NULL, &s), "the reference claims verify");
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char *c = claims_with(cases[i].member, cases[i].value);
        make(tok, sizeof(tok), es, h, c);
        refused_s(ring, tok, cases[i].why, cases[i].what);
        free(c);
    }

    /* Within the leeway, and the other accepted shapes. */
    {
        static const struct claim_case good[] = {
            {"exp", "1699999951", NULL, "exp 59 s ago, within the 60 s leeway"},
            {"nbf", "1700000070", NULL, "nbf 60 s ahead, within the leeway"},
            {"iat", "1700000070", NULL, "iat 60 s ahead, within the leeway"},
            {"aud", "\"" AUD "\"", NULL, "aud as a plain string"},
            {"aud", "[\"x\",\"" AUD "\",\"y\"]", NULL, "aud array holding ours among others"},
            {"name", NULL, NULL, "no name claim"},
            {"sub", NULL, NULL, "no sub claim"},
            {"extra", "{\"nested\":[1,2]}", NULL, "an unknown extra claim"},
        };
        for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
            char *c = claims_with(good[i].member, good[i].value);
            make(tok, sizeof(tok), es, h, c);
            ok(accepted(ring, tok, NULL, &s), "accepted: %s", good[i].what);
            free(c);
        }
    }
    {
        svct_jwt_expect_t e = expect;
        char *c = claims_with("exp", "1700000100");
        make(tok, sizeof(tok), es, h, c);
        e.leeway = 0;
        e.now = 1700000099;
        ok(accepted(ring, tok, &e, &s), "with no leeway, valid one second before exp");
        e.now = 1700000100;
        refused_e(ring, tok, strlen(tok), &e, "expired", "with no leeway, expired at exp");
        e.leeway = -100;
        e.now = 1700000099;
        ok(accepted(ring, tok, &e, &s), "a negative leeway counts as none (still valid)");
        e.now = 1700000100;
        refused_e(ring, tok, strlen(tok), &e, "expired", "a negative leeway counts as none");
        e.now = 1700000100 + 86400 * 30;
        e.leeway = INT64_MAX;
        refused_e(ring, tok, strlen(tok), &e, "expired",
                  "a huge leeway is capped, and does not overflow");
        free(c);
    }

    /* Malformed claims, validly signed. */
    {
        const char *dup = "{\"aud\":[\"" AUD "\"],\"iss\":\"" ISS "\",\"iat\":1700000000,"
                          "\"nbf\":1700000000,\"exp\":1700003600,\"exp\":1900000000,"
                          "\"type\":\"app\",\"common_name\":\"" CID "\"}";
        make(tok, sizeof(tok), es, h, dup);
        refused_s(ring, tok, "malformed claims", "a duplicate exp");
        make_raw(tok, sizeof(tok), es, h, strlen(h), base_claims, strlen(base_claims) - 1, NULL);
        refused_s(ring, tok, "malformed claims", "truncated claims JSON");
        make_raw(tok, sizeof(tok), es, h, strlen(h), base_claims, strlen(base_claims) + 1, NULL);
        refused_s(ring, tok, "malformed claims", "a NUL after the claims");
        {
            char withnul[sizeof(base_claims) + 8];
            const char *p = strstr(base_claims, "ci-bot");
            size_t off = (size_t)(p - base_claims);
            memcpy(withnul, base_claims, sizeof(base_claims));
            withnul[off + 2] = '\0';
            make_raw(tok, sizeof(tok), es, h, strlen(h), withnul, strlen(base_claims), NULL);
            refused_s(ring, tok, "malformed claims", "a raw NUL inside the name");
        }
        for (i = 0; i < sizeof(malformed_claims) / sizeof(malformed_claims[0]); i++) {
            make(tok, sizeof(tok), es, h, malformed_claims[i].claims);
            refused_s(ring, tok, "malformed claims", malformed_claims[i].what);
        }
    }
    free(h);
    svct_keyring_free(ring);
}

/* --- the command-line helper for t/cli/jwt_interop.t --------------------- */

static svct_key_t *tool_key(const char *path)
{
    char err[4400];
    svct_key_t *key = svct_key_load_file(path, err, sizeof(err));

    if (!key)
        fprintf(stderr, "%s\n", err);
    return key;
}

static int tool(int argc, char **argv)
{
    svct_keyring_t *ring = svct_keyring_new();
    svct_key_t *key = argc > 2 ? tool_key(argv[2]) : NULL;
    int rc = 2, i;

    if (!key)
        goto done;
    if (strcmp(argv[1], "kid") == 0 && argc == 3) {
        printf("%s\n", svct_key_kid(key));
        svct_key_free(key);
        rc = 0;
    } else if (strcmp(argv[1], "jwks") == 0) {
        char *jwks;
        svct_keyring_set_signer(ring, key);
        for (i = 3; i < argc; i++)
            if (svct_keyring_add_verifier(ring, tool_key(argv[i])) != 0)
                goto done;
        jwks = svct_keyring_jwks(ring);
        printf("%s\n", jwks ? jwks : "");
        free(jwks);
        rc = jwks ? 0 : 1;
    } else if (strcmp(argv[1], "sign") == 0 && argc == 9) {
        char tok[SVCT_JWT_MAX + 1];
        svct_session_t s =
            session_new(argv[6], strtoll(argv[7], NULL, 10), strtoll(argv[8], NULL, 10));
        snprintf(s.client_id, sizeof(s.client_id), "%s", argv[5]);
        svct_keyring_set_signer(ring, key);
        rc = svct_jwt_sign(ring, argv[3], argv[4], &s, tok, sizeof(tok)) ? 0 : 1;
        if (rc == 0)
            printf("%s\n", tok);
    } else if (strcmp(argv[1], "verify") == 0 && (argc == 6 || argc == 7)) {
        char tok[SVCT_JWT_MAX * 2];
        const char *why = NULL;
        svct_jwt_expect_t e = {argv[3], argv[4], strtoll(argv[5], NULL, 10),
                               argc == 7 ? strtoll(argv[6], NULL, 10) : 0};
        svct_session_t s;
        size_t len = fread(tok, 1, sizeof(tok) - 1, stdin);

        while (len && (tok[len - 1] == '\n' || tok[len - 1] == '\r'))
            len--;
        svct_keyring_add_verifier(ring, key);
        if (svct_jwt_verify(ring, tok, len, &e, &s, &why) == 0) {
            printf("ok %s %s %lld %lld %lld\n", s.client_id, s.name[0] ? s.name : "-",
                   (long long)s.iat, (long long)s.nbf, (long long)s.exp);
            rc = 0;
        } else {
            printf("refused: %s\n", why);
            rc = 1;
        }
    } else {
        svct_key_free(key);
        fprintf(stderr, "usage: see the comment at the top of t/unit/test_jwt.c\n");
    }
done:
    svct_keyring_free(ring);
    return rc;
}

int main(int argc, char **argv)
{
    if (argc > 1)
        return tool(argc, argv);
    test_roundtrip();
    test_claims_layout();
    test_rotation();
    test_header_rules();
    test_confusion();
    test_es256_signatures();
    test_shape();
    test_claim_rules();
    return done_testing();
}
