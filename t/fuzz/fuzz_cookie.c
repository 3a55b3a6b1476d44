/*
 * libFuzzer target for the header and cookie code that runs on every
 * request before anything is authenticated: svct_cookie_next over a hostile
 * Cookie header, svct_header_name_matches (the scrub of credential headers)
 * against a reference, svct_scope_path and svct_cookie_build.
 *
 * Input: the first byte picks the part; the rest is the data.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cookie.h"
#include "scope.h"

#define NAME "CF_Authorization"

static int ref_match(const char *a, size_t len, const char *want)
{
    size_t i;

    if (strlen(want) != len)
        return 0;
    for (i = 0; i < len; i++) {
        unsigned char x = (unsigned char)a[i], y = (unsigned char)want[i];
        x = (x >= 'A' && x <= 'Z') ? x + 32 : x == '_' ? '-' : x;
        y = (y >= 'A' && y <= 'Z') ? y + 32 : y == '_' ? '-' : y;
        if (x != y)
            return 0;
    }
    return 1;
}

static void cookies(const char *hdr)
{
    const char *pos = hdr, *value, *last = hdr;
    size_t len, hlen = strlen(hdr);
    int n = 0;

    while (svct_cookie_next(&pos, NAME, &value, &len)) {
        if (value < hdr + sizeof(NAME) || value + len > hdr + hlen || len > SVCT_COOKIE_MAX ||
            memcmp(value - sizeof(NAME), NAME "=", sizeof(NAME)) != 0 || pos <= last ||
            pos > hdr + hlen || memchr(value, ';', len))
            abort();
        last = pos;
        if (++n > (int)hlen)
            abort(); /* no progress */
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s;
    size_t len;

    if (size == 0)
        return 0;
    len = size - 1;
    s = malloc(size);
    memcpy(s, data + 1, len);
    s[len] = '\0';
    switch (data[0] % 4) {
    case 0:
        cookies(s);
        break;
    case 1: {
        static const char *const want[] = {"CF-Access-Client-Secret", "Cf-Access-Jwt-Assertion",
                                           "CF-Access-Client-Id", ""};
        size_t i;

        for (i = 0; i < sizeof(want) / sizeof(*want); i++)
            if (svct_header_name_matches(s, len, want[i]) != ref_match(s, len, want[i]))
                abort();
        break;
    }
    case 2: {
        /* SECTION \0 URI \0 FILENAME \0 PATH_INFO */
        const char *sec = s, *uri = NULL, *file = NULL, *info = NULL;
        char out[64];
        size_t l = strlen(sec), n;

        if (l < len) {
            uri = sec + l + 1;
            l += strlen(uri) + 1;
            if (l < len) {
                file = s + l + 1;
                l += strlen(file) + 1;
                if (l < len)
                    info = s + l + 1;
            }
        }
        /* A scope is "/" or a leading run of the URI's segments; never a
         * made-up one. */
        if (svct_scope_path(sec, uri, file, info, out, sizeof(out))) {
            n = strlen(out);
            if (out[0] != '/' || n >= sizeof(out) ||
                (strcmp(out, "/") &&
                 (strncmp(out, uri, n) || (uri[n] != '\0' && uri[n] != '/') || out[n - 1] == '/')))
                abort();
        } else if (out[0] != '\0') {
            abort();
        }
        break;
    }
    case 3: {
        /* VALUE \0 PATH */
        char out[SVCT_COOKIE_MAX + 512];
        svct_cookie_attrs_t a = {NULL, (int)(len & 1), (int64_t)len - 8};
        size_t l = strlen(s), n;

        if (l < len)
            a.path = s + l + 1;
        n = svct_cookie_build(out, sizeof(out), NAME, s, &a);
        if (n) {
            if (n != strlen(out) || strncmp(out, NAME "=", sizeof(NAME)) != 0 ||
                strpbrk(out, "\r\n") || strchr(out + sizeof(NAME), ';') - out - sizeof(NAME) != l)
                abort();
        }
        break;
    }
    }
    free(s);
    return 0;
}
