/*
 * Session cookie building and Cookie header parsing (RFC 6265), and the
 * header-name comparison used to scrub credentials from a request.
 */
#include "cookie.h"
#include "byteset.h"

#include <stdio.h>
#include <string.h>

/* RFC 6265 cookie-octet: what a value may hold without quoting. The value
 * is a whole JWT, so a table rather than five compares per byte. */
static const unsigned char cookie_octet[256] = {
    [0x21] = 1, [0x23 ... 0x2B] = 1, [0x2D ... 0x3A] = 1, [0x3C ... 0x5B] = 1, [0x5D ... 0x7E] = 1};

/* RFC 7230 token, for the cookie name: visible ASCII without separators. */
static int name_valid(const char *name)
{
    for (; *name; name++)
        if (*name <= 0x20 || *name >= 0x7F || strchr("()<>@,;:\\\"/[]?={}", *name))
            return 0;
    return 1;
}

/* A path attribute ends at ';' and may not hold control characters. */
static int path_valid(const char *path)
{
    for (; *path; path++)
        if (*path <= 0x20 || *path >= 0x7F || *path == ';')
            return 0;
    return 1;
}

size_t svct_cookie_build(char *out, size_t cap, const char *name, const char *value,
                         const svct_cookie_attrs_t *attrs)
{
    static const char attrs_fixed[] = "; HttpOnly; SameSite=Lax";
    const char *path = attrs->path && *attrs->path ? attrs->path : "/";
    const char *secure = attrs->secure ? "; Secure" : "";
    size_t name_len = strlen(name), value_len = strlen(value), path_len = strlen(path);
    char max_age[32] = "";
    size_t age_len = 0, need;
    char *at = out;

    if (!name_len || !name_valid(name) || value_len > SVCT_COOKIE_MAX ||
        !svct_byteset_all(cookie_octet, value, value_len) || !path_valid(path))
        return 0;
    if (attrs->max_age > 0)
        age_len =
            (size_t)snprintf(max_age, sizeof(max_age), "; Max-Age=%lld", (long long)attrs->max_age);
    /* The JWT is the bulk of it: copied, not formatted. */
    need = name_len + 1 + value_len + strlen("; Path=") + path_len + age_len + strlen(attrs_fixed) +
           strlen(secure);
    if (need >= cap)
        return 0;
    memcpy(at, name, name_len);
    at += name_len;
    *at++ = '=';
    memcpy(at, value, value_len);
    at += value_len;
    memcpy(at, "; Path=", strlen("; Path="));
    at += strlen("; Path=");
    memcpy(at, path, path_len);
    at += path_len;
    memcpy(at, max_age, age_len);
    at += age_len;
    memcpy(at, attrs_fixed, strlen(attrs_fixed));
    at += strlen(attrs_fixed);
    memcpy(at, secure, strlen(secure) + 1);
    return need;
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
        end = strchr(pair, ';');
        if (!end)
            end = pair + strlen(pair);
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

/* A header name's byte as svct_header_name_matches compares it: lowercase,
 * '_' as '-'. */
static unsigned char svct_header_fold(unsigned char c)
{
    if (c >= 'A' && c <= 'Z')
        return (unsigned char)(c - 'A' + 'a');
    return c == '_' ? '-' : c;
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
