/*
 * The one-header credentials parser: a bound and a nesting check first, so
 * that jansson only ever parses a small, shallow document, then jansson with
 * duplicate keys and \u0000 refused, then a walk over the members.
 */
#include <string.h>
#include <strings.h>

#include <jansson.h>
#include <openssl/crypto.h>

#include "credhdr.h"

#define SVCT_MEMBER_ID "cf-access-client-id"
#define SVCT_MEMBER_SECRET "cf-access-client-secret"

/* 1 when arrays and objects outside strings nest deeper than
 * SVCT_CREDHDR_MAX_DEPTH. Malformed input is left to jansson. */
static int too_deep(const char *s, size_t len)
{
    int depth = 0, in_string = 0;
    size_t i;

    for (i = 0; i < len; i++) {
        if (in_string) {
            if (s[i] == '\\')
                i++;
            else if (s[i] == '"')
                in_string = 0;
        } else if (s[i] == '"') {
            in_string = 1;
        } else if (s[i] == '{' || s[i] == '[') {
            if (++depth > SVCT_CREDHDR_MAX_DEPTH)
                return 1;
        } else if (s[i] == '}' || s[i] == ']') {
            depth--;
        }
    }
    return 0;
}

static const char *load_error(const json_error_t *err)
{
    switch (json_error_code(err)) {
    case json_error_duplicate_key:
        return "duplicate member";
    case json_error_null_character:
    case json_error_null_byte_in_key:
        return "a NUL character in a string";
    case json_error_invalid_utf8:
        return "not UTF-8";
    default:
        return "not valid JSON";
    }
}

/* Copies the string VALUE into DST (SVCT_CREDHDR_FIELD_MAX + 1 bytes). */
static const char *take_string(json_t *value, char *dst)
{
    size_t len;

    if (!json_is_string(value))
        return "a member is not a string";
    len = json_string_length(value);
    if (len == 0)
        return "an empty member";
    if (len > SVCT_CREDHDR_FIELD_MAX)
        return "a member longer than 128 bytes";
    memcpy(dst, json_string_value(value), len);
    dst[len] = '\0';
    return NULL;
}

static const char *take_members(json_t *root, svct_credhdr_t *out)
{
    const char *key, *why;
    json_t *value;
    int have_id = 0, have_secret = 0;

    if (!json_is_object(root))
        return "not a JSON object";
    json_object_foreach(root, key, value)
    {
        int *seen;
        char *dst;

        /* Member names are ours, matched in any case, so "CF-Access-Client-Id"
         * beside "cf-access-client-id" is a duplicate jansson cannot see. */
        if (strcasecmp(key, SVCT_MEMBER_ID) == 0) {
            seen = &have_id;
            dst = out->client_id;
        } else if (strcasecmp(key, SVCT_MEMBER_SECRET) == 0) {
            seen = &have_secret;
            dst = out->client_secret;
        } else {
            return "an unknown member";
        }
        if (*seen)
            return "duplicate member";
        *seen = 1;
        if ((why = take_string(value, dst)) != NULL)
            return why;
    }
    if (!have_id)
        return "no " SVCT_MEMBER_ID " member";
    if (!have_secret)
        return "no " SVCT_MEMBER_SECRET " member";
    return NULL;
}

/* jansson frees its strings without clearing them: the secret is cleared
 * here first. */
static void wipe_strings(json_t *root)
{
    const char *key;
    json_t *value;

    if (!json_is_object(root))
        return;
    json_object_foreach(root, key, value)
    {
        if (json_is_string(value))
            OPENSSL_cleanse((char *)json_string_value(value), json_string_length(value));
    }
}

int svct_credhdr_parse(const char *value, size_t len, svct_credhdr_t *out, const char **why)
{
    json_error_t err;
    json_t *root;
    const char *reason;

    memset(out, 0, sizeof *out);
    if (value == NULL || len == 0)
        reason = "empty";
    else if (len > SVCT_CREDHDR_MAX)
        reason = "longer than 1024 bytes";
    else if (memchr(value, '\0', len))
        reason = "a NUL byte";
    else if (too_deep(value, len))
        reason = "nested deeper than 2";
    else if ((root = json_loadb(value, len, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &err)) ==
             NULL)
        reason = load_error(&err);
    else {
        reason = take_members(root, out);
        wipe_strings(root);
        json_decref(root);
    }
    if (reason) {
        svct_credhdr_wipe(out);
        *why = reason;
        return -1;
    }
    return 0;
}

void svct_credhdr_wipe(svct_credhdr_t *c)
{
    OPENSSL_cleanse(c, sizeof *c);
}
