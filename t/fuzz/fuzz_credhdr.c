/*
 * libFuzzer target for svct_credhdr_parse, the parser of the one-header
 * credentials (ServiceTokenCredentialsHeader), which reads raw client input.
 * What it accepts must be two non-empty strings within bounds, and the same
 * credentials written back as JSON must parse to exactly the same.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "credhdr.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    svct_credhdr_t c, again;
    const char *why = NULL;
    json_t *doc;
    char *text;

    if (svct_credhdr_parse((const char *)data, size, &c, &why) != 0) {
        if (why == NULL || c.client_id[0] != '\0' || c.client_secret[0] != '\0')
            abort();
        return 0;
    }
    if (c.client_id[0] == '\0' || c.client_secret[0] == '\0' ||
        strlen(c.client_id) > SVCT_CREDHDR_FIELD_MAX ||
        strlen(c.client_secret) > SVCT_CREDHDR_FIELD_MAX)
        abort();
    doc = json_pack("{s:s,s:s}", "CF-Access-Client-Id", c.client_id, "cf-access-client-secret",
                    c.client_secret);
    text = doc ? json_dumps(doc, JSON_COMPACT) : NULL;
    if (text == NULL || svct_credhdr_parse(text, strlen(text), &again, &why) != 0 ||
        strcmp(again.client_id, c.client_id) != 0 ||
        strcmp(again.client_secret, c.client_secret) != 0)
        abort();
    free(text);
    json_decref(doc);
    return 0;
}
