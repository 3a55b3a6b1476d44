/*
 * Session cookie building and Cookie header parsing (RFC 6265), and the
 * header-name comparison used to scrub credentials from a request.
 */
#include "cookie.h"

#include <stdio.h>
#include <string.h>

/* RFC 6265 cookie-octet: what a cookie value may hold without quoting. */
static int is_cookie_octet(unsigned char c)
{
    return c == 0x21 || (c >= 0x23 && c <= 0x2B) || (c >= 0x2D && c <= 0x3A) ||
           (c >= 0x3C && c <= 0x5B) || (c >= 0x5D && c <= 0x7E);
}

/* RFC 7230 token characters, for the cookie name. */
static int is_token_char(unsigned char c)
{
    if (c <= 0x20 || c >= 0x7F)
        return 0;
    return strchr("()<>@,;:\\\"/[]?={}", c) == NULL;
}

static int all_bytes(const char *s, int (*pred)(unsigned char))
{
    for (; *s; s++)
        if (!pred((unsigned char)*s))
            return 0;
    return 1;
}

/* A path attribute ends at ';' and may not hold control characters. */
static int is_path_char(unsigned char c)
{
    return c > 0x20 && c < 0x7F && c != ';';
}

size_t svct_cookie_build(char *out, size_t cap, const char *name, const char *value,
                         const svct_cookie_attrs_t *attrs)
{
    const char *path = attrs->path && *attrs->path ? attrs->path : "/";
    char max_age[32] = "";
    int n;

    if (!*name || !all_bytes(name, is_token_char) || !all_bytes(value, is_cookie_octet) ||
        !all_bytes(path, is_path_char) || strlen(value) > SVCT_COOKIE_MAX)
        return 0;
    if (attrs->max_age > 0)
        snprintf(max_age, sizeof max_age, "; Max-Age=%lld", (long long)attrs->max_age);
    n = snprintf(out, cap, "%s=%s; Path=%s%s; HttpOnly; SameSite=Lax%s", name, value, path,
                 max_age, attrs->secure ? "; Secure" : "");
    if (n < 0 || (size_t)n >= cap)
        return 0;
    return (size_t)n;
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

static unsigned char fold(unsigned char c)
{
    if (c >= 'A' && c <= 'Z')
        return (unsigned char)(c - 'A' + 'a');
    return c == '_' ? '-' : c;
}

int svct_header_name_matches(const char *name, size_t len, const char *want)
{
    size_t i;

    for (i = 0; i < len; i++) {
        if (!want[i] || fold((unsigned char)name[i]) != fold((unsigned char)want[i]))
            return 0;
    }
    return want[len] == '\0';
}
