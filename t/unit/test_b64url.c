/*
 * Unit tests for the strict base64url codec: RFC 4648 vectors, and every
 * spelling the decoder must refuse so that a token has one encoding only.
 */
#include <stdlib.h>
#include <string.h>

#include "b64url.h"
#include "tap.h"

static void test_vectors(void)
{
    /* RFC 4648 section 10, padding removed. */
    static const char *const vec[][2] = {
        {"", ""},           {"f", "Zg"},          {"fo", "Zm8"},         {"foo", "Zm9v"},
        {"foob", "Zm9vYg"}, {"fooba", "Zm9vYmE"}, {"foobar", "Zm9vYmFy"}};
    char enc[32];
    unsigned char dec[32];
    size_t i, n;

    for (i = 0; i < sizeof(vec) / sizeof(vec[0]); i++) {
        n = svct_b64url_encode((const unsigned char *)vec[i][0], strlen(vec[i][0]), enc,
                               sizeof(enc));
        is_int(n, strlen(vec[i][1]), "encode length of '%s'", vec[i][0]);
        is_str(enc, vec[i][1], "encode '%s'", vec[i][0]);
        n = svct_b64url_decode(vec[i][1], strlen(vec[i][1]), dec, sizeof(dec));
        ok(n == strlen(vec[i][0]) && memcmp(dec, vec[i][0], n) == 0, "decode '%s'", vec[i][1]);
    }
}

static void test_alphabet(void)
{
    /* Bytes whose encoding needs the two URL-safe characters. */
    static const unsigned char bin[] = {0xfb, 0xff, 0xbf, 0xfb, 0xef, 0xbe};
    char enc[16];
    unsigned char dec[16];
    size_t n;

    svct_b64url_encode(bin, sizeof(bin), enc, sizeof(enc));
    is_str(enc, "-_-_----", "the alphabet uses '-' and '_'");
    n = svct_b64url_decode(enc, strlen(enc), dec, sizeof(dec));
    ok(n == sizeof(bin) && memcmp(dec, bin, n) == 0, "and decodes back");
    ok(svct_b64url_decode("+/", 2, dec, sizeof(dec)) == (size_t)-1, "'+' and '/' are refused");
}

static void test_roundtrip(void)
{
    unsigned char bin[256], dec[256];
    char enc[400];
    size_t len, n;
    int all = 1;

    for (len = 0; len < sizeof(bin); len++)
        bin[len] = (unsigned char)(len * 37 + 11);
    for (len = 0; len <= sizeof(bin); len++) {
        n = svct_b64url_encode(bin, len, enc, sizeof(enc));
        if (n != SVCT_B64URL_ENCODED_LEN(len) || strlen(enc) != n)
            all = 0;
        if (svct_b64url_decode(enc, n, dec, sizeof(dec)) != len || memcmp(dec, bin, len) != 0)
            all = 0;
        if (n && svct_b64url_decode(enc, n, dec, SVCT_B64URL_DECODED_MAX(n)) != len)
            all = 0;
    }
    ok(all, "every length from 0 to 256 round-trips, and DECODED_MAX is enough");
}

static void test_refused(void)
{
    static const char *const bad[] = {
        "Zg==",        /* padding */
        "Zg=",         /* padding */
        "Zm9v\n",      /* whitespace */
        "Zm 9v",       /* whitespace */
        " Zm9v",       /* whitespace */
        "Zm9v\t",      /* whitespace */
        "Z",           /* len % 4 == 1 can never be produced */
        "Zm9vY",       /* idem */
        "Zh",          /* non-zero trailing bits ('f' is "Zg") */
        "Zm9",         /* trailing bits: "fo" is "Zm8" */
        "Zm+v",        /* standard base64 */
        "Zm/v",        /* standard base64 */
        "Zm9v.",       /* JWS separator */
        "Zm\xc3\xa9v", /* non-ASCII */
        "Zm%3D",       /* percent-encoded */
    };
    unsigned char dec[16];
    size_t i;

    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        ok(svct_b64url_decode(bad[i], strlen(bad[i]), dec, sizeof(dec)) == (size_t)-1,
           "refused: bad input #%zu", i);
    ok(svct_b64url_decode("Zm\0v", 4, dec, sizeof(dec)) == (size_t)-1, "refused: embedded NUL");
    ok(svct_b64url_decode("", 0, dec, 0) == 0, "empty input decodes to nothing");
}

static void test_capacity(void)
{
    unsigned char dec[8];
    char enc[8];

    ok(svct_b64url_encode((const unsigned char *)"foobar", 6, enc, 8) == (size_t)-1,
       "encode: no room for the NUL is refused");
    ok(svct_b64url_encode((const unsigned char *)"fooba", 5, enc, 8) == 7,
       "encode: exact length plus NUL is fine");
    ok(svct_b64url_decode("Zm9vYmFy", 8, dec, 5) == (size_t)-1, "decode: too small is refused");
    ok(svct_b64url_decode("Zm9vYmFy", 8, dec, 6) == 6, "decode: exactly enough is fine");
    ok(svct_b64url_decode("Zm9vYg", 6, dec, 4) == 4, "decode: partial group, exact room");
    ok(svct_b64url_decode("Zm9vYg", 6, dec, 3) == (size_t)-1, "decode: partial group, short");
}

int main(void)
{
    test_vectors();
    test_alphabet();
    test_roundtrip();
    test_refused();
    test_capacity();
    return done_testing();
}
