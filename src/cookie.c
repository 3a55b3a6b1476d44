/*
 * Session cookie building and Cookie header parsing (RFC 6265), and the
 * header-name comparison used to scrub credentials from a request.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* strchrnul(), where the build does not ask for it already */
#endif

#include "cookie.h"
#include "byte_table.h"

#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

/* Character classes, one bit each, looked up once per byte: the cookie
 * value is a whole JWT and is checked on every exchange. The table is made
 * by the compiler from the grammar below. */
enum { COOKIE_OCTET = 1, TOKEN_CHAR = 2, PATH_CHAR = 4 };

/* RFC 6265 cookie-octet: what a cookie value may hold without quoting. */
#define IS_COOKIE_OCTET(c)                                                                       \
    ((c) == 0x21 || ((c) >= 0x23 && (c) <= 0x2B) || ((c) >= 0x2D && (c) <= 0x3A) ||            \
     ((c) >= 0x3C && (c) <= 0x5B) || ((c) >= 0x5D && (c) <= 0x7E))
/* RFC 7230 separators; a token, for the cookie name, is visible ASCII
 * without them. */
#define IS_SEPARATOR(c)                                                                          \
    ((c) == '(' || (c) == ')' || (c) == '<' || (c) == '>' || (c) == '@' || (c) == ',' ||        \
     (c) == ';' || (c) == ':' || (c) == '\\' || (c) == '"' || (c) == '/' || (c) == '[' ||      \
     (c) == ']' || (c) == '?' || (c) == '=' || (c) == '{' || (c) == '}')
#define IS_VISIBLE(c) ((c) > 0x20 && (c) < 0x7F)
/* A path attribute ends at ';' and may not hold control characters. */
#define CLASS_OF(c)                                                                              \
    ((IS_COOKIE_OCTET(c) ? COOKIE_OCTET : 0) |                                                   \
     (IS_VISIBLE(c) && !IS_SEPARATOR(c) ? TOKEN_CHAR : 0) |                                      \
     (IS_VISIBLE(c) && (c) != ';' ? PATH_CHAR : 0))

/* Byte 0 has no class: it ends every string that class_len() looks at. */
static const unsigned char char_classes[256] = SVCT_BYTE_TABLE(CLASS_OF);

#ifdef __SSE2__
/* Looks for bytes of P[0..LEN) that are not cookie-octets, sixteen at a time:
 * the value is a JWT of some hundred bytes, checked on every exchange. Of
 * the bytes below 0x7F, only controls, space, '"', ',', ';' and '\\' are
 * not; a signed compare also catches every byte from 0x80 up. Returns how
 * many leading bytes it vouched for (a multiple of 16), or (size_t)-1. */
static size_t cookie_octets_sse2(const unsigned char *p, size_t len)
{
    const __m128i lowest = _mm_set1_epi8(0x21), del = _mm_set1_epi8(0x7F),
                  dquote = _mm_set1_epi8('"'), comma = _mm_set1_epi8(','),
                  semi = _mm_set1_epi8(';'), bslash = _mm_set1_epi8('\\');
    size_t i = 0;

    for (; i + 16 <= len; i += 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(p + i));
        __m128i bad = _mm_or_si128(
            _mm_or_si128(_mm_cmplt_epi8(v, lowest), _mm_cmpeq_epi8(v, del)),
            _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, dquote), _mm_cmpeq_epi8(v, comma)),
                         _mm_or_si128(_mm_cmpeq_epi8(v, semi), _mm_cmpeq_epi8(v, bslash))));

        if (_mm_movemask_epi8(bad))
            return (size_t)-1;
    }
    return i;
}
#endif

/* strlen(S) if every byte of S is of class K, else (size_t)-1. Eight
 * lookups per step, independent of each other, so that a JWT of some
 * hundred bytes is not checked one dependent load at a time. */
static size_t class_len(const char *s, unsigned char k)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t len = strlen(s), i = 0;
    unsigned char all = k;

#ifdef __SSE2__
    if (k == COOKIE_OCTET && (i = cookie_octets_sse2(p, len)) == (size_t)-1)
        return (size_t)-1;
#endif
    for (; i + 8 <= len; i += 8)
        all &= char_classes[p[i]] & char_classes[p[i + 1]] & char_classes[p[i + 2]] &
               char_classes[p[i + 3]] & char_classes[p[i + 4]] & char_classes[p[i + 5]] &
               char_classes[p[i + 6]] & char_classes[p[i + 7]];
    for (; i < len; i++)
        all &= char_classes[p[i]];
    return all & k ? len : (size_t)-1;
}

/* "; Max-Age=N" into OUT (32 bytes); its length. */
static size_t max_age_attr(char *out, long long n)
{
    char digits[24];
    size_t nd = 0, len = sizeof "; Max-Age=" - 1;

    do {
        digits[nd++] = (char)('0' + n % 10);
        n /= 10;
    } while (n > 0);
    memcpy(out, "; Max-Age=", len);
    while (nd > 0)
        out[len++] = digits[--nd];
    return len;
}

static char *append(char *at, const char *s, size_t len)
{
    memcpy(at, s, len);
    return at + len;
}

#define APPEND_LIT(at, lit) append((at), (lit), sizeof(lit) - 1)

size_t svct_cookie_build(char *out, size_t cap, const char *name, const char *value,
                         const svct_cookie_attrs_t *attrs)
{
    const char *path = attrs->path && *attrs->path ? attrs->path : "/";
    char max_age[32];
    size_t name_len, value_len, path_len, age_len = 0, need;
    char *at = out;

    name_len = class_len(name, TOKEN_CHAR);
    value_len = class_len(value, COOKIE_OCTET);
    path_len = class_len(path, PATH_CHAR);
    if (!name_len || name_len == (size_t)-1 || value_len == (size_t)-1 ||
        path_len == (size_t)-1 || value_len > SVCT_COOKIE_MAX)
        return 0;
    if (attrs->max_age > 0)
        age_len = max_age_attr(max_age, (long long)attrs->max_age);
    need = name_len + 1 + value_len + sizeof "; Path=" - 1 + path_len + age_len +
           sizeof "; HttpOnly; SameSite=Lax" - 1 + (attrs->secure ? sizeof "; Secure" - 1 : 0);
    if (need >= cap)
        return 0;
    at = append(at, name, name_len);
    *at++ = '=';
    at = append(at, value, value_len);
    at = APPEND_LIT(at, "; Path=");
    at = append(at, path, path_len);
    at = append(at, max_age, age_len);
    at = APPEND_LIT(at, "; HttpOnly; SameSite=Lax");
    if (attrs->secure)
        at = APPEND_LIT(at, "; Secure");
    *at = '\0';
    return need;
}

/* The first ';' of S or its end, in one pass where the C library can. */
static const char *semicolon_or_end(const char *s)
{
#ifdef __GLIBC__
    return strchrnul(s, ';');
#else
    const char *semi = strchr(s, ';');

    return semi ? semi : s + strlen(s);
#endif
}

int svct_cookie_next(const char **pos, const char *name, const char **value, size_t *len)
{
    size_t namelen = strlen(name);
    const char *p = *pos;

    while (*p) {
        const char *pair, *eq, *end;

        while (*p == ' ' || *p == '\t' || *p == ';')
            p++;
        if (!*p)
            break;
        pair = p;
        end = semicolon_or_end(pair);
        p = end;
        eq = memchr(pair, '=', (size_t)(end - pair));
        if (!eq || (size_t)(eq - pair) != namelen || memcmp(pair, name, namelen) != 0)
            continue;
        /* Trailing white space before ';' is not part of the value. */
        while (end > eq + 1 && (end[-1] == ' ' || end[-1] == '\t'))
            end--;
        if ((size_t)(end - eq - 1) > SVCT_COOKIE_MAX)
            continue;
        *value = eq + 1;
        *len = (size_t)(end - eq - 1);
        *pos = p;
        return 1;
    }
    *pos = p;
    return 0;
}

/* 1 when PREFIX is S or a leading run of S's path segments. */
static int is_path_prefix(const char *prefix, size_t plen, const char *s)
{
    if (strncmp(prefix, s, plen) != 0)
        return 0;
    return plen == 0 || prefix[plen - 1] == '/' || s[plen] == '\0' || s[plen] == '/';
}

void svct_cookie_scope_path(const char *section, const char *uri, const char *filename,
                            char *out, size_t cap)
{
    size_t slen = section ? strlen(section) : 0;
    size_t ulen = uri ? strlen(uri) : 0;
    const char *scope = NULL;
    size_t scope_len = 0;

    /* Trailing slashes do not change what a section covers. */
    while (slen > 1 && section[slen - 1] == '/')
        slen--;
    if (slen && section[0] == '/' && uri && is_path_prefix(section, slen, uri)) {
        scope = section; /* a <Location> */
        scope_len = slen;
    } else if (slen && section[0] == '/' && filename && is_path_prefix(section, slen, filename)) {
        /* A <Directory> or .htaccess: the part of the file name below the
         * directory is the part of the URI below the scope. */
        const char *rest = filename + slen;
        size_t rlen = strlen(rest);

        if (rlen <= ulen && memcmp(uri + ulen - rlen, rest, rlen) == 0) {
            scope = uri;
            scope_len = ulen - rlen;
        }
    }
    while (scope_len > 1 && scope[scope_len - 1] == '/')
        scope_len--;
    if (!scope || scope_len == 0 || scope_len >= cap || scope[0] != '/') {
        scope = "/";
        scope_len = 1;
    }
    memcpy(out, scope, scope_len);
    out[scope_len] = '\0';
}

int svct_header_name_matches(const char *name, size_t len, const char *want)
{
    size_t i;

    for (i = 0; i < len; i++) {
        if (!want[i] ||
            svct_header_fold((unsigned char)name[i]) != svct_header_fold((unsigned char)want[i]))
            return 0;
    }
    return want[len] == '\0';
}
