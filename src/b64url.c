/*
 * Strict base64url without padding, as JOSE uses it. The decoder accepts
 * exactly one spelling of each byte string, so a token cannot be altered in
 * its encoding while keeping its signature valid.
 */
#include "b64url.h"

static const char svct_b64url_alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/* -1 for every byte outside the alphabet, including '=', whitespace and NUL. */
static int svct_b64url_value(unsigned char c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == '-')
        return 62;
    if (c == '_')
        return 63;
    return -1;
}

size_t svct_b64url_encode(const unsigned char *in, size_t len, char *out, size_t cap)
{
    size_t i, o = 0;

    if (len > ((size_t)-1 - 2) / 4 || cap < SVCT_B64URL_ENCODED_LEN(len) + 1)
        return (size_t)-1;
    for (i = 0; i + 2 < len; i += 3) {
        unsigned long v = (unsigned long)in[i] << 16 | (unsigned long)in[i + 1] << 8 | in[i + 2];
        out[o++] = svct_b64url_alphabet[(v >> 18) & 63];
        out[o++] = svct_b64url_alphabet[(v >> 12) & 63];
        out[o++] = svct_b64url_alphabet[(v >> 6) & 63];
        out[o++] = svct_b64url_alphabet[v & 63];
    }
    if (len - i == 1) {
        unsigned long v = (unsigned long)in[i] << 16;
        out[o++] = svct_b64url_alphabet[(v >> 18) & 63];
        out[o++] = svct_b64url_alphabet[(v >> 12) & 63];
    } else if (len - i == 2) {
        unsigned long v = (unsigned long)in[i] << 16 | (unsigned long)in[i + 1] << 8;
        out[o++] = svct_b64url_alphabet[(v >> 18) & 63];
        out[o++] = svct_b64url_alphabet[(v >> 12) & 63];
        out[o++] = svct_b64url_alphabet[(v >> 6) & 63];
    }
    out[o] = '\0';
    return o;
}

size_t svct_b64url_decode(const char *in, size_t len, unsigned char *out, size_t cap)
{
    size_t i, o = 0, rem = len % 4;
    unsigned long v = 0;
    int bits = 0;

    /* One leftover character carries only 6 bits: no byte can end there. */
    if (rem == 1)
        return (size_t)-1;
    if (len / 4 * 3 + (rem ? rem - 1 : 0) > cap)
        return (size_t)-1;
    for (i = 0; i < len; i++) {
        int d = svct_b64url_value((unsigned char)in[i]);
        if (d < 0)
            return (size_t)-1;
        v = (v << 6) | (unsigned long)d;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out[o++] = (unsigned char)(v >> bits);
            v &= (1UL << bits) - 1;
        }
    }
    /* Leftover bits must be zero, or two encodings would decode alike. */
    if (v != 0)
        return (size_t)-1;
    return o;
}
