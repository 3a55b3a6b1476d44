/*
 * The URL scope of a protected section (see scope.h).
 */
#include "scope.h"

#include <fnmatch.h>
#include <string.h>
#include <strings.h>

/* 1 when PREFIX[0..PLEN) is S or a leading run of S's path segments. */
static int is_path_prefix(const char *prefix, size_t plen, const char *s)
{
    if (strncmp(prefix, s, plen) != 0)
        return 0;
    return plen == 0 || prefix[plen - 1] == '/' || s[plen] == '\0' || s[plen] == '/';
}

/* The length of the leading segments of S that the pattern PAT (as many
 * segments, NUL-terminated) matches, as httpd's walks match wildcard
 * sections segment by segment; 0 if they do not. */
static size_t wildcard_prefix(const char *pat, const char *s)
{
    size_t segments = 0, len;
    const char *p;
    char head[1024];

    for (p = pat; *p; p++)
        segments += *p == '/';
    for (len = 0; s[len]; len++)
        if (s[len] == '/' && segments-- == 0)
            break;
    if ((segments > 0 && !s[len]) || len >= sizeof head)
        return 0;
    memcpy(head, s, len);
    head[len] = '\0';
    return fnmatch(pat, head, FNM_PATHNAME) == 0 ? len : 0;
}

/* The part of URI that maps to the directory DIR[0..DLEN) holding FILENAME:
 * URI less PATH_INFO, less the part of FILENAME below DIR. */
static int uri_of_dir(const char *dir, size_t dlen, const char *uri, const char *filename,
                      const char *path_info, size_t *scope_len)
{
    const char *rest = filename + dlen;
    size_t ulen = strlen(uri), rlen = strlen(rest), plen = path_info ? strlen(path_info) : 0;

    /* httpd's PATH_INFO is empty or begins a segment. */
    if (plen && path_info[0] == '/' && plen <= ulen && !strcmp(uri + ulen - plen, path_info))
        ulen -= plen;
    if (rlen > ulen || memcmp(uri + ulen - rlen, rest, rlen) != 0)
        return 0;
    *scope_len = ulen - rlen;
    /* The scope ends where a segment does. */
    return *scope_len == 0 || uri[*scope_len] == '/' || uri[*scope_len] == '\0' ||
           uri[*scope_len - 1] == '/';
}

int svct_scope_path(const char *section, const char *uri, const char *filename,
                    const char *path_info, char *out, size_t cap)
{
    char pat[1024];
    size_t slen = section ? strlen(section) : 0, scope_len = 0, n;
    int found = 0;

    if (cap)
        out[0] = '\0';
    /* Trailing slashes do not change what a section covers. */
    while (slen > 1 && section[slen - 1] == '/')
        slen--;
    if (!slen || section[0] != '/' || !uri || uri[0] != '/' || slen >= sizeof pat)
        return 0;
    memcpy(pat, section, slen);
    pat[slen] = '\0';
    if (!strpbrk(pat, "*?[")) {
        if (is_path_prefix(pat, slen, uri)) {
            scope_len = slen; /* a <Location> */
            found = 1;
        } else if (filename && is_path_prefix(pat, slen, filename)) {
            found = uri_of_dir(pat, slen, uri, filename, path_info, &scope_len);
        }
    } else if ((n = wildcard_prefix(pat, uri)) > 0) {
        scope_len = n; /* the URI's own segments, which the pattern matched */
        found = 1;
    } else if (filename && (n = wildcard_prefix(pat, filename)) > 0) {
        found = uri_of_dir(filename, n, uri, filename, path_info, &scope_len);
    }
    if (!found)
        return 0;
    /* The scope is a leading part of the URI (for a literal <Location>,
     * the section itself). */
    if (scope_len > strlen(uri))
        return 0;
    while (scope_len > 1 && uri[scope_len - 1] == '/')
        scope_len--;
    if (scope_len == 0) {
        /* A directory that the root of the site maps to. */
        uri = "/";
        scope_len = 1;
    }
    if (scope_len >= cap)
        return 0;
    memcpy(out, uri, scope_len);
    out[scope_len] = '\0';
    return 1;
}

int svct_scope_uri_dir(const char *uri, char *out, size_t cap)
{
    const char *slash = uri ? strrchr(uri, '/') : NULL;
    size_t len;

    if (cap)
        out[0] = '\0';
    if (!slash || uri[0] != '/')
        return 0;
    len = (size_t)(slash - uri);
    if (len == 0 || len >= cap)
        return 0;
    memcpy(out, uri, len);
    out[len] = '\0';
    return 1;
}

int svct_scope_url_within(const char *url, const char *host, const char *scope)
{
    size_t hlen = host ? strlen(host) : 0, slen = scope ? strlen(scope) : 0;
    const char *p;

    if (!url || !hlen || !slen || scope[0] != '/')
        return 0;
    if (!strncasecmp(url, "https://", 8))
        p = url + 8;
    else if (!strncasecmp(url, "http://", 7))
        p = url + 7;
    else
        return 0;
    if (strncasecmp(p, host, hlen) != 0)
        return 0;
    p += hlen;
    if (*p == ':') {
        for (p++; *p >= '0' && *p <= '9'; p++)
            ;
    }
    if (*p != '/')
        return 0;
    /* The path must be the scope or below it, and no ".." may climb out. */
    if (strstr(p, "/../") || (strlen(p) >= 3 && !strcmp(p + strlen(p) - 3, "/..")))
        return 0;
    if (slen == 1)
        return 1;
    return !strncmp(p, scope, slen) &&
           (p[slen] == '\0' || p[slen] == '/' || p[slen] == '?' || p[slen] == '#');
}
