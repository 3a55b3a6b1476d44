/*
 * Which names a new token may have, and how a name is shown in a log line.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "name.h"
#include "record.h"

/* Code point ranges that look like nothing or like a space, or that change
 * how the text around them is shown: Unicode's Zs, Zl, Zp and Cf
 * categories, the Hangul fillers and the non-characters of the BMP. */
static const struct {
    uint32_t lo, hi;
} svct_name_invisible[] = {
    {0x00a0, 0x00a0},   {0x00ad, 0x00ad},   {0x034f, 0x034f},   {0x0600, 0x0605},
    {0x061c, 0x061c},   {0x06dd, 0x06dd},   {0x070f, 0x070f},   {0x0890, 0x0891},
    {0x08e2, 0x08e2},   {0x115f, 0x1160},   {0x1680, 0x1680},   {0x17b4, 0x17b5},
    {0x180b, 0x180f},   {0x2000, 0x200f},   {0x2028, 0x202f},   {0x205f, 0x206f},
    {0x3000, 0x3000},   {0x3164, 0x3164},   {0xfdd0, 0xfdef},   {0xfe00, 0xfe0f},
    {0xfeff, 0xfeff},   {0xffa0, 0xffa0},   {0xfff0, 0xfffb},   {0x110bd, 0x110bd},
    {0x110cd, 0x110cd}, {0x13430, 0x1343f}, {0x1bca0, 0x1bca3}, {0x1d173, 0x1d17a},
    {0xe0000, 0xe0fff},
};

/* The code point at S (valid UTF-8, as svct_name_valid checked) and its
 * length in bytes. */
static uint32_t svct_name_decode(const unsigned char *s, size_t *n)
{
    if (s[0] < 0x80) {
        *n = 1;
        return s[0];
    }
    if (s[0] < 0xe0) {
        *n = 2;
        return ((uint32_t)(s[0] & 0x1f) << 6) | (s[1] & 0x3f);
    }
    if (s[0] < 0xf0) {
        *n = 3;
        return ((uint32_t)(s[0] & 0x0f) << 12) | ((uint32_t)(s[1] & 0x3f) << 6) | (s[2] & 0x3f);
    }
    *n = 4;
    return ((uint32_t)(s[0] & 0x07) << 18) | ((uint32_t)(s[1] & 0x3f) << 12) |
           ((uint32_t)(s[2] & 0x3f) << 6) | (s[3] & 0x3f);
}

static int svct_name_char_ok(uint32_t c)
{
    size_t i;

    if (c < 0x80)
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
               (c && strchr(SVCT_NAME_PUNCT, (int)c));
    if ((c & 0xfffe) == 0xfffe) /* U+xFFFE and U+xFFFF of every plane */
        return 0;
    for (i = 0; i < sizeof svct_name_invisible / sizeof svct_name_invisible[0]; i++)
        if (c >= svct_name_invisible[i].lo && c <= svct_name_invisible[i].hi)
            return 0;
    return 1;
}

int svct_name_creatable(const char *name, size_t len)
{
    size_t i, n;

    if (!svct_name_valid(name, len) || (len == 1 && name[0] == '-'))
        return 0;
    for (i = 0; i < len; i += n)
        if (!svct_name_char_ok(svct_name_decode((const unsigned char *)name + i, &n)))
            return 0;
    return 1;
}

char *svct_name_escape(const char *name, char *out, size_t cap)
{
    const unsigned char *s = (const unsigned char *)name;
    size_t i, n, used = 0;
    char esc[16];

    if (cap == 0)
        return out;
    for (i = 0; s[i]; i += n) {
        uint32_t c = svct_name_decode(s + i, &n);
        const char *piece = (const char *)s + i;
        size_t plen = n;

        if (c != ' ' && !svct_name_char_ok(c)) {
            plen = (size_t)snprintf(esc, sizeof esc, c < 0x80 ? "\\x%02X" : "\\u{%04X}",
                                    (unsigned)c);
            piece = esc;
        }
        if (used + plen >= cap)
            break;
        memcpy(out + used, piece, plen);
        used += plen;
    }
    out[used] = '\0';
    return out;
}
