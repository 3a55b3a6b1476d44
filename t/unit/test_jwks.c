/*
 * Unit tests of the JWK Set document (src/jwks.c): what it holds for each
 * kind of keyring, its ETag, and the keyring of key files with every refusal
 * (unreadable file, HS256 key, a kid given twice) and its message.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "jwks.h"
#include "tap.h"

static char tmpdir[64];

static const char *path_of(const char *name)
{
    static char buf[16][128];
    static int next;
    char *out = buf[next++ % 16];

    snprintf(out, sizeof(buf[0]), "%s/%s", tmpdir, name);
    return out;
}

/* A new key of ALG written to NAME in tmpdir; its kid into KID. */
static void make_key_file(svct_alg_t alg, const char *name, char kid[SVCT_KID_MAX + 1])
{
    char err[256];
    svct_key_t *key = svct_key_generate(alg, err, sizeof(err));

    if (!key || svct_key_write_file(key, path_of(name), err, sizeof(err)) != 0) {
        printf("Bail out! %s\n", err);
        exit(1);
    }
    snprintf(kid, SVCT_KID_MAX + 1, "%s", svct_key_kid(key));
    svct_key_free(key);
}

/* The kids of the document's keys, in order, joined by ',' into OUT. */
static void kids_of(const char *json, char *out, size_t cap)
{
    json_t *doc = json_loads(json, 0, NULL), *k;
    size_t i;

    out[0] = '\0';
    json_array_foreach(json_object_get(doc, "keys"), i, k)
    {
        if (i)
            strncat(out, ",", cap - strlen(out) - 1);
        strncat(out, json_string_value(json_object_get(k, "kid")), cap - strlen(out) - 1);
    }
    json_decref(doc);
}

static void test_documents(void)
{
    char es[SVCT_KID_MAX + 1], rs[SVCT_KID_MAX + 1], ed[SVCT_KID_MAX + 1], hs[SVCT_KID_MAX + 1];
    char err[512], kids[512], want[512];
    const char *files[3];
    svct_keyring_t *ring;
    svct_jwks_t a, b;

    make_key_file(SVCT_ALG_ES256, "es.pem", es);
    make_key_file(SVCT_ALG_RS256, "rs.pem", rs);
    make_key_file(SVCT_ALG_EDDSA, "ed.pem", ed);
    make_key_file(SVCT_ALG_HS256, "hs.jwk", hs);

    files[0] = path_of("es.pem");
    files[1] = path_of("rs.pem");
    files[2] = path_of("ed.pem");
    ring = svct_jwks_keyring_from_files(files, 3, 1, err, sizeof(err));
    ok(ring != NULL, "ES256, RS256 and EdDSA key files make a keyring");
    ok(svct_jwks_make(ring, &a) == 0 && svct_jwks_make(ring, &b) == 0, "its document is made");
    is_int(a.len, strlen(a.json), "len is the document's length");
    kids_of(a.json, kids, sizeof(kids));
    snprintf(want, sizeof(want), "%s,%s,%s", es, rs, ed);
    is_str(kids, want, "the signing key first, then the others in order");
    ok(strstr(a.json, "\"d\"") == NULL, "no private member d");
    ok(a.etag[0] == '"' && a.etag[strlen(a.etag) - 1] == '"' && strlen(a.etag) == 24,
       "the ETag is a quoted 22-character tag: %s", a.etag);
    is_str(a.etag, b.etag, "the same keys give the same ETag");
    svct_jwks_clear(&b);
    svct_keyring_free(ring);

    /* Other keys, another tag. */
    ring = svct_jwks_keyring_from_files(files, 2, 1, err, sizeof(err));
    ok(ring && svct_jwks_make(ring, &b) == 0, "two of the keys");
    ok(strcmp(a.etag, b.etag) != 0, "other keys give another ETag");
    svct_jwks_clear(&a);
    svct_jwks_clear(&b);
    ok(a.json == NULL && b.json == NULL, "clear forgets the document");
    svct_keyring_free(ring);

    /* HS256: nothing public. Refused when asked to, left out otherwise. */
    files[0] = path_of("hs.jwk");
    files[1] = path_of("es.pem");
    ring = svct_jwks_keyring_from_files(files, 2, 1, err, sizeof(err));
    ok(ring == NULL, "an HS256 key file is refused when it has to be published");
    snprintf(want, sizeof(want), "%s is an HS256 key", path_of("hs.jwk"));
    ok(strncmp(err, want, strlen(want)) == 0, "and the message names the file: %s", err);
    ring = svct_jwks_keyring_from_files(files, 1, 0, err, sizeof(err));
    ok(ring && svct_jwks_make(ring, &a) == 0, "an HS256 signing key alone");
    is_str(a.json, "{\"keys\":[]}", "publishes an empty set");
    svct_jwks_clear(&a);
    svct_keyring_free(ring);
    ring = svct_jwks_keyring_from_files(files, 2, 0, err, sizeof(err));
    ok(ring && svct_jwks_make(ring, &a) == 0, "an HS256 signing key and an ES256 verify key");
    kids_of(a.json, kids, sizeof(kids));
    is_str(kids, es, "publishes only the ES256 key");
    svct_jwks_clear(&a);
    svct_keyring_free(ring);
}

static void test_refusals(void)
{
    char es[SVCT_KID_MAX + 1], kid[SVCT_KID_MAX + 1], err[512], want[512];
    const char *files[3];
    svct_keyring_t *ring;
    FILE *in, *out;
    int c;

    make_key_file(SVCT_ALG_ES256, "one.pem", es);
    make_key_file(SVCT_ALG_EDDSA, "two.pem", kid);
    /* A copy: another file, the same key, so the same kid. */
    in = fopen(path_of("one.pem"), "r");
    out = fopen(path_of("copy.pem"), "w");
    while (in && out && (c = getc(in)) != EOF)
        putc(c, out);
    if (in)
        fclose(in);
    if (out)
        fclose(out);

    files[0] = path_of("one.pem");
    files[1] = path_of("one.pem");
    ring = svct_jwks_keyring_from_files(files, 2, 1, err, sizeof(err));
    ok(ring == NULL, "the same file as signing and verify key is refused");
    snprintf(want, sizeof(want), "%s has the kid %s of %s: a key may be given only once", files[1],
             es, files[0]);
    is_str(err, want, "with a message naming the kid and both files");

    files[0] = path_of("two.pem");
    files[1] = path_of("one.pem");
    files[2] = path_of("one.pem");
    ring = svct_jwks_keyring_from_files(files, 3, 1, err, sizeof(err));
    ok(ring == NULL, "the same verify key twice is refused");
    ok(strstr(err, es) != NULL, "naming its kid: %s", err);

    files[2] = path_of("copy.pem");
    ring = svct_jwks_keyring_from_files(files, 3, 1, err, sizeof(err));
    ok(ring == NULL, "two files holding one key are refused");
    snprintf(want, sizeof(want), "%s has the kid %s of %s", path_of("copy.pem"), es,
             path_of("one.pem"));
    ok(strncmp(err, want, strlen(want)) == 0, "naming both files: %s", err);

    files[0] = path_of("nope.pem");
    ring = svct_jwks_keyring_from_files(files, 1, 1, err, sizeof(err));
    ok(ring == NULL && strstr(err, "nope.pem") != NULL, "a missing file is named: %s", err);

    ok(svct_jwks_make(NULL, &(svct_jwks_t){0}) == -1, "no keyring, no document");
    unlink(path_of("one.pem"));
    unlink(path_of("two.pem"));
    unlink(path_of("copy.pem"));
}

int main(void)
{
    snprintf(tmpdir, sizeof(tmpdir), "/tmp/svct-test-jwks.XXXXXX");
    if (!mkdtemp(tmpdir)) {
        printf("Bail out! mkdtemp: %s\n", strerror(errno));
        return 1;
    }
    test_documents();
    test_refusals();
    unlink(path_of("es.pem"));
    unlink(path_of("rs.pem"));
    unlink(path_of("ed.pem"));
    unlink(path_of("hs.jwk"));
    rmdir(tmpdir);
    return done_testing();
}
