/*
 * Unit tests of the one-header credentials parser: the accepted forms
 * (member names in any case, whitespace, escapes) and every refusal the
 * module logs (not JSON, not an object, duplicates in any case, non-string
 * or unknown members, \u0000, depth, size).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "credhdr.h"
#include "tap.h"

#define ID "0123456789abcdef0123456789abcdef.access"
#define SECRET "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"

static const char *why_of(const char *text)
{
    svct_credhdr_t c;
    const char *why = NULL;

    if (svct_credhdr_parse(text, strlen(text), &c, &why) == 0)
        return "(accepted)";
    ok(c.client_id[0] == '\0' && c.client_secret[0] == '\0', "nothing kept after a refusal");
    return why;
}

static void accepted(const char *text, const char *what)
{
    svct_credhdr_t c;
    const char *why = "";

    ok(svct_credhdr_parse(text, strlen(text), &c, &why) == 0 && strcmp(c.client_id, ID) == 0 &&
           strcmp(c.client_secret, SECRET) == 0,
       "accepted: %s (%s)", what, why);
}

static void forms(void)
{
    accepted("{\"cf-access-client-id\":\"" ID "\",\"cf-access-client-secret\":\"" SECRET "\"}",
             "Cloudflare's form");
    accepted("{\"CF-Access-Client-Id\":\"" ID "\",\"CF-Access-Client-Secret\":\"" SECRET "\"}",
             "the header names' case");
    accepted("{\"CF-ACCESS-CLIENT-SECRET\":\"" SECRET "\",\"cf-access-client-ID\":\"" ID "\"}",
             "any case, any order");
    accepted(" {\n\t\"cf-access-client-id\" : \"" ID
             "\" ,\r\n \"cf-access-client-secret\": \"" SECRET "\"\n} ",
             "whitespace");
    accepted("{\"cf-access-client-id\":\"\\u0030123456789abcdef0123456789abcdef.access\","
             "\"cf-access-client-secret\":\"" SECRET "\"}",
             "an escaped character");
}

static void refusals(void)
{
    char *big;
    size_t i;
    svct_credhdr_t c;
    const char *why = NULL;

    is_str(why_of(""), "empty", "empty");
    is_str(why_of("not json"), "not valid JSON", "not JSON");
    is_str(why_of(ID ":" SECRET), "not valid JSON", "the Basic form");
    is_str(why_of("{\"cf-access-client-id\":\"" ID "\""), "not valid JSON", "truncated");
    is_str(why_of("{\"cf-access-client-id\":\"" ID "\",\"cf-access-client-secret\":\"" SECRET
                  "\"} {}"),
           "not valid JSON", "trailing data");
    is_str(why_of("[\"" ID "\",\"" SECRET "\"]"), "not a JSON object", "an array");
    is_str(why_of("42"), "not a JSON object", "a number");
    is_str(why_of("\"" ID "\""), "not a JSON object", "a string");
    is_str(why_of("null"), "not a JSON object", "null");
    is_str(why_of("{}"), "no cf-access-client-id member", "an empty object");
    is_str(why_of("{\"cf-access-client-id\":\"" ID "\"}"), "no cf-access-client-secret member",
           "no secret");
    is_str(why_of("{\"cf-access-client-secret\":\"" SECRET "\"}"), "no cf-access-client-id member",
           "no id");
    is_str(why_of("{\"cf-access-client-id\":\"" ID "\",\"cf-access-client-id\":\"" ID
                  "\",\"cf-access-client-secret\":\"" SECRET "\"}"),
           "duplicate member", "the same member twice");
    is_str(why_of("{\"cf-access-client-id\":\"" ID "\",\"CF-Access-Client-Id\":\"" ID
                  "\",\"cf-access-client-secret\":\"" SECRET "\"}"),
           "duplicate member", "the same member in two spellings");
    is_str(why_of("{\"cf-access-client-id\":\"" ID "\",\"cf-access-client-secret\":\"" SECRET
                  "\",\"cf-access-client-secret\":\"x\"}"),
           "duplicate member", "a second secret");
    is_str(why_of("{\"cf-access-client-id\":42,\"cf-access-client-secret\":\"" SECRET "\"}"),
           "a member is not a string", "a number as the id");
    is_str(why_of("{\"cf-access-client-id\":\"" ID "\",\"cf-access-client-secret\":null}"),
           "a member is not a string", "null as the secret");
    is_str(
        why_of("{\"cf-access-client-id\":[\"" ID "\"],\"cf-access-client-secret\":\"" SECRET "\"}"),
        "a member is not a string", "an array as the id");
    is_str(why_of("{\"cf-access-client-id\":{},\"cf-access-client-secret\":\"" SECRET "\"}"),
           "a member is not a string", "an object as the id");
    {
        char longer[300];

        snprintf(longer, sizeof longer,
                 "{\"cf-access-client-id\":\"%0129d\",\"cf-access-client-secret\":\"x\"}", 0);
        is_str(why_of(longer), "a member longer than 128 bytes", "a 129-byte member");
    }
    is_str(why_of("{\"cf-access-client-id\":\"\",\"cf-access-client-secret\":\"" SECRET "\"}"),
           "an empty member", "an empty id");
    is_str(why_of("{\"cf-access-client-id\":\"" ID "\",\"cf-access-client-secret\":\"" SECRET
                  "\",\"extra\":\"x\"}"),
           "an unknown member", "an unknown member");
    is_str(
        why_of("{\"cf_access_client_id\":\"" ID "\",\"cf-access-client-secret\":\"" SECRET "\"}"),
        "an unknown member", "underscores are not the member name");
    is_str(why_of("{\"cf-access-client-id\":\"" ID "\\u0000\",\"cf-access-client-secret\":\"" SECRET
                  "\"}"),
           "a NUL character in a string", "\\u0000 in a value");
    is_str(why_of("{\"cf-access-client-id\\u0000\":\"" ID "\",\"cf-access-client-secret\":\"" SECRET
                  "\"}"),
           "a NUL character in a string", "\\u0000 in a name");
    is_str(why_of("{\"cf-access-client-id\":\"\xff\",\"cf-access-client-secret\":\"" SECRET "\"}"),
           "not UTF-8", "invalid UTF-8");
    is_str(why_of("{\"cf-access-client-id\":{\"a\":{}},\"cf-access-client-secret\":\"x\"}"),
           "nested deeper than 2", "depth 3");
    is_str(
        why_of("{\"cf-access-client-id\":\"{{{{[[[[\",\"cf-access-client-secret\":\"" SECRET "\"}"),
        "(accepted)", "brackets inside a string are not nesting");
    is_str(why_of("{\"cf-access-client-id\":\"\\\"{{{\",\"cf-access-client-secret\":\"x\"}"),
           "(accepted)", "an escaped quote does not end the string");

    ok(svct_credhdr_parse("{\"cf-access-client-id\":\"a\"\0}", 27, &c, &why) == -1 &&
           strcmp(why, "a NUL byte") == 0,
       "a NUL byte in the header");

    /* 100 KB of nesting, and sizes around the bound. */
    big = malloc(1024 * 1024 + 1);
    memset(big, '[', 100 * 1024);
    big[100 * 1024] = '\0';
    is_str(why_of(big), "longer than 1024 bytes", "100 KB of nesting");
    memset(big, '[', SVCT_CREDHDR_MAX);
    big[SVCT_CREDHDR_MAX] = '\0';
    is_str(why_of(big), "nested deeper than 2", "1 KB of nesting");
    memset(big, ' ', 1024 * 1024);
    big[1024 * 1024] = '\0';
    is_str(why_of(big), "longer than 1024 bytes", "1 MB");
    i = (size_t)snprintf(big, 2048,
                         "{\"cf-access-client-id\":\"" ID "\",\"cf-access-client-secret\":\"" SECRET
                         "\"}");
    memset(big + i, ' ', SVCT_CREDHDR_MAX - i);
    big[SVCT_CREDHDR_MAX] = '\0';
    accepted(big, "exactly 1024 bytes");
    big[SVCT_CREDHDR_MAX] = ' ';
    big[SVCT_CREDHDR_MAX + 1] = '\0';
    is_str(why_of(big), "longer than 1024 bytes", "1025 bytes");
    free(big);
}

int main(void)
{
    svct_credhdr_t c;

    forms();
    refusals();
    memset(&c, 'x', sizeof c);
    svct_credhdr_wipe(&c);
    ok(c.client_secret[0] == 0 && c.client_secret[SVCT_CREDHDR_FIELD_MAX] == 0, "wipe clears");
    return done_testing();
}
