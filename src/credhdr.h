/*
 * The one-header form of the credentials (ServiceTokenCredentialsHeader),
 * for clients that can send only one custom header, as Cloudflare's
 * read_service_tokens_from_header:
 *
 *   {"cf-access-client-id":"...","cf-access-client-secret":"..."}
 *
 * Member names match in any case (Cloudflare's own mode takes lowercase
 * only, a trap its users fall into). Everything else is strict: the value is
 * client input of any shape, so it is bounded before jansson sees it, and
 * anything but exactly those two string members is refused with a reason
 * fit for the error log (never a piece of the input, which holds a secret).
 * No httpd or APR types: the module, the tests and the fuzzer share it.
 */
#ifndef SVCT_CREDHDR_H
#define SVCT_CREDHDR_H

#include <stddef.h>

/* Longest header value accepted: the JSON of a real Client ID and Secret is
 * about 160 bytes; this leaves room for whitespace, escapes and pretty
 * printing, and keeps the parser's work small. */
#define SVCT_CREDHDR_MAX 1024
/* Deepest nesting of arrays and objects looked at: a correct value has 1;
 * 2 lets a nested value be refused for what it is (not a string). */
#define SVCT_CREDHDR_MAX_DEPTH 2
/* Longest member value kept; a Client ID has 39 bytes, a secret 64. */
#define SVCT_CREDHDR_FIELD_MAX 128

typedef struct svct_credhdr {
    char client_id[SVCT_CREDHDR_FIELD_MAX + 1];
    char client_secret[SVCT_CREDHDR_FIELD_MAX + 1];
} svct_credhdr_t;

/* Parses VALUE[0..LEN) into *OUT. Returns 0, or -1 with *WHY set to a short
 * reason ("not valid JSON", "duplicate member", ...); *OUT then holds
 * nothing. The shapes of the ID and secret are checked by the caller, as for
 * the two headers. */
int svct_credhdr_parse(const char *value, size_t len, svct_credhdr_t *out, const char **why);

/* Overwrites the secret (and ID) held in C. */
void svct_credhdr_wipe(svct_credhdr_t *c);

#endif
