/*
 * Session JWTs: signing the claims Cloudflare Access puts in a service-token
 * session, and verifying them while trusting nothing from the token.
 *
 * Verification order matters: size first, then the shape and the header,
 * then the signature with the key found by kid, and only then the claims, so
 * that unauthenticated input goes through as little code as possible.
 */
#include <string.h>
#include <strings.h>

#include <jansson.h>

#include "b64url.h"
#include "jwt.h"
#include "key.h"
#include "record.h"
#include "secret.h"

/* 9999-12-31T23:59:59Z: larger times are refused as absurd. */
#define SVCT_JWT_TIME_MAX INT64_C(253402300799)
/* Clock skew beyond a day is a configuration error, not skew. */
#define SVCT_JWT_LEEWAY_MAX 86400

const char *svct_session_times_check(const svct_session_t *s, int64_t now, int64_t leeway)
{
    if (leeway < 0)
        leeway = 0;
    if (leeway > SVCT_JWT_LEEWAY_MAX)
        leeway = SVCT_JWT_LEEWAY_MAX;
    if (!(now < s->exp + leeway))
        return "expired";
    if (!(s->nbf <= now + leeway))
        return "not yet valid";
    if (!(s->iat <= now + leeway))
        return "issued in the future";
    return NULL;
}

/* Our header is flat and our claims hold one array: deeper is hostile. */
#define SVCT_JWT_DEPTH_MAX 4

/* Header members that would let the token choose its own key, or ask for
 * processing we do not do. */
static const char *const svct_jwt_refused_headers[] = {"jku", "x5u", "jwk",
                                                       "x5c", "x5t", "x5t#S256"};

static size_t svct_jwt_part(const char *json, size_t jlen, char *out, size_t cap)
{
    return svct_b64url_encode((const unsigned char *)json, jlen, out, cap);
}

size_t svct_jwt_sign(const svct_keyring_t *ring, const char *iss, const char *aud,
                     const svct_session_t *session, char *out, size_t cap)
{
    const svct_key_t *key = svct_keyring_signer(ring);
    json_t *header = NULL, *claims = NULL;
    char *hjson = NULL, *cjson = NULL;
    unsigned char sig[SVCT_SIG_MAX];
    size_t len = 0, n, siglen, namelen, taglen;

    if (!key || !iss || !aud || !session || !out || cap == 0)
        return 0;
    if (cap > SVCT_JWT_MAX + 1)
        cap = SVCT_JWT_MAX + 1;
    namelen = strnlen(session->name, sizeof(session->name));
    taglen = strnlen(session->store_tag, sizeof(session->store_tag));
    /* Never issue a token that verification would refuse. */
    if (!svct_client_id_valid(session->client_id,
                              strnlen(session->client_id, sizeof(session->client_id))) ||
        (namelen && !svct_name_valid(session->name, namelen)) ||
        (taglen && !svct_store_tag_valid(session->store_tag, taglen)) || session->iat < 0 ||
        session->nbf < 0 || session->exp < 0 || session->iat > SVCT_JWT_TIME_MAX ||
        session->nbf > SVCT_JWT_TIME_MAX || session->exp > SVCT_JWT_TIME_MAX ||
        session->revoked_before < 0 || session->revoked_before > SVCT_JWT_TIME_MAX)
        goto done;
    header = json_pack("{s:s,s:s,s:s}", "alg", svct_alg_name(svct_key_alg(key)), "kid",
                       svct_key_kid(key), "typ", "JWT");
    claims = json_pack("{s:[s],s:s,s:I,s:I,s:I,s:s,s:s,s:s}", "aud", aud, "iss", iss, "iat",
                       (json_int_t)session->iat, "nbf", (json_int_t)session->nbf, "exp",
                       (json_int_t)session->exp, "type", "app", "common_name", session->client_id,
                       "sub", "");
    if (!header || !claims ||
        (namelen && json_object_set_new(claims, "name", json_stringn(session->name, namelen))) ||
        (taglen &&
         json_object_set_new(claims, "svct_store", json_stringn(session->store_tag, taglen))) ||
        (session->revoked_before &&
         json_object_set_new(claims, "revoked_before",
                             json_integer((json_int_t)session->revoked_before))))
        goto done;
    hjson = json_dumps(header, JSON_COMPACT | JSON_PRESERVE_ORDER);
    cjson = json_dumps(claims, JSON_COMPACT | JSON_PRESERVE_ORDER);
    if (!hjson || !cjson)
        goto done;

    if ((n = svct_jwt_part(hjson, strlen(hjson), out, cap)) == (size_t)-1 || n + 1 >= cap)
        goto fail;
    out[n++] = '.';
    len = n;
    if ((n = svct_jwt_part(cjson, strlen(cjson), out + len, cap - len)) == (size_t)-1)
        goto fail;
    len += n;
    siglen = svct_key_sign(key, (const unsigned char *)out, len, sig, sizeof(sig));
    if (!siglen || len + 1 >= cap)
        goto fail;
    out[len++] = '.';
    if ((n = svct_b64url_encode(sig, siglen, out + len, cap - len)) == (size_t)-1)
        goto fail;
    len += n;
    goto done;
fail:
    len = 0;
    out[0] = '\0';
done:
    free(hjson);
    free(cjson);
    json_decref(header);
    json_decref(claims);
    return len;
}

/* Refuses nesting deeper than MAX before jansson recurses into it. */
static int svct_json_depth_ok(const unsigned char *s, size_t len, int max)
{
    int depth = 0, in_string = 0;
    size_t i;

    for (i = 0; i < len; i++) {
        unsigned char c = s[i];
        if (in_string) {
            if (c == '\\')
                i++;
            else if (c == '"')
                in_string = 0;
        } else if (c == '"') {
            in_string = 1;
        } else if (c == '{' || c == '[') {
            if (++depth > max)
                return 0;
        } else if (c == '}' || c == ']') {
            depth--;
        }
    }
    return 1;
}

/* Decodes one base64url segment and parses it as a JSON object, strictly:
 * no duplicate members, no NUL anywhere, nothing after the object. */
static json_t *svct_jwt_object(const char *seg, size_t seglen, unsigned char *buf, size_t cap)
{
    size_t len = svct_b64url_decode(seg, seglen, buf, cap);
    json_t *obj;

    if (len == (size_t)-1 || len == 0 || memchr(buf, '\0', len) ||
        !svct_json_depth_ok(buf, len, SVCT_JWT_DEPTH_MAX))
        return NULL;
    obj = json_loadb((const char *)buf, len, JSON_REJECT_DUPLICATES, NULL);
    if (obj && !json_is_object(obj)) {
        json_decref(obj);
        obj = NULL;
    }
    return obj;
}

static const char *svct_jwt_check_header(const svct_keyring_t *ring, json_t *header,
                                         const svct_key_t **keyp)
{
    json_t *alg = json_object_get(header, "alg"), *kid = json_object_get(header, "kid");
    json_t *typ = json_object_get(header, "typ");
    const svct_key_t *key;
    const char *want;
    size_t i;

    if (!alg)
        return "missing alg";
    if (!json_is_string(alg))
        return "bad alg";
    if (json_string_length(alg) == 4 && strncasecmp(json_string_value(alg), "none", 4) == 0)
        return "alg none";
    if (json_object_get(header, "crit"))
        return "crit header";
    for (i = 0; i < sizeof(svct_jwt_refused_headers) / sizeof(*svct_jwt_refused_headers); i++)
        if (json_object_get(header, svct_jwt_refused_headers[i]))
            return "key in header";
    if (typ && (!json_is_string(typ) || strcmp(json_string_value(typ), "JWT") != 0))
        return "bad typ";
    if (!kid)
        return "missing kid";
    if (!json_is_string(kid) || json_string_length(kid) == 0 ||
        json_string_length(kid) > SVCT_KID_MAX)
        return "bad kid";
    key = svct_keyring_find(ring, json_string_value(kid), json_string_length(kid));
    if (!key)
        return "unknown kid";
    /* The key decides the algorithm; the header only has to agree. */
    want = svct_alg_name(svct_key_alg(key));
    if (!want || strcmp(json_string_value(alg), want) != 0)
        return "alg mismatch";
    *keyp = key;
    return NULL;
}

/* A NumericDate: a JSON integer (not a real, not a string) in a sane range. */
static const char *svct_jwt_time(json_t *claims, const char *name, int64_t *out,
                                 const char *missing, const char *bad)
{
    json_t *v = json_object_get(claims, name);
    json_int_t t;

    if (!v)
        return missing;
    if (!json_is_integer(v))
        return bad;
    t = json_integer_value(v);
    if (t < 0 || t > SVCT_JWT_TIME_MAX)
        return bad;
    *out = (int64_t)t;
    return NULL;
}

static int svct_jwt_aud_has(json_t *aud, const char *want)
{
    size_t i, wlen = strlen(want);
    json_t *v;
    int found = 0;

    if (json_is_string(aud))
        return json_string_length(aud) == wlen && strcmp(json_string_value(aud), want) == 0;
    if (!json_is_array(aud))
        return -1;
    json_array_foreach(aud, i, v)
    {
        if (!json_is_string(v))
            return -1;
        if (json_string_length(v) == wlen && strcmp(json_string_value(v), want) == 0)
            found = 1;
    }
    return found;
}

static const char *svct_jwt_check_claims(json_t *claims, const svct_jwt_expect_t *expect,
                                         svct_session_t *s)
{
    json_t *iss = json_object_get(claims, "iss"), *aud = json_object_get(claims, "aud");
    json_t *type = json_object_get(claims, "type"), *cn = json_object_get(claims, "common_name");
    json_t *name = json_object_get(claims, "name"), *sub = json_object_get(claims, "sub");
    json_t *store = json_object_get(claims, "svct_store");
    int64_t leeway = expect->leeway, now = expect->now;
    const char *why;
    int has;

    if ((why = svct_jwt_time(claims, "exp", &s->exp, "missing exp", "bad exp")) ||
        (why = svct_jwt_time(claims, "nbf", &s->nbf, "missing nbf", "bad nbf")) ||
        (why = svct_jwt_time(claims, "iat", &s->iat, "missing iat", "bad iat")))
        return why;
    if (!iss)
        return "missing iss";
    if (!json_is_string(iss))
        return "bad iss";
    if (json_string_length(iss) != strlen(expect->iss) ||
        strcmp(json_string_value(iss), expect->iss) != 0)
        return "wrong issuer";
    if (!aud)
        return "missing aud";
    has = svct_jwt_aud_has(aud, expect->aud);
    if (has < 0)
        return "bad aud";
    if (!has)
        return "wrong audience";
    if (!type)
        return "missing type";
    if (!json_is_string(type) || strcmp(json_string_value(type), "app") != 0)
        return "wrong type";
    if (!cn)
        return "missing common_name";
    if (!json_is_string(cn) || json_string_length(cn) != SVCT_CLIENT_ID_LEN ||
        !svct_client_id_valid(json_string_value(cn), json_string_length(cn)))
        return "bad common_name";
    memcpy(s->client_id, json_string_value(cn), SVCT_CLIENT_ID_LEN + 1);
    if (name) {
        size_t len = json_string_length(name);
        if (!json_is_string(name) || len > SVCT_NAME_MAX_BYTES ||
            !svct_name_valid(json_string_value(name), len))
            return "bad name";
        memcpy(s->name, json_string_value(name), len + 1);
    }
    if (sub && !json_is_string(sub))
        return "bad sub";
    /* Whether the tag is the checking store's is for the caller to say
     * (authn.c): here only its shape. */
    if (store) {
        if (!json_is_string(store) ||
            !svct_store_tag_valid(json_string_value(store), json_string_length(store)))
            return "bad svct_store";
        memcpy(s->store_tag, json_string_value(store), SVCT_STORE_TAG_LEN + 1);
    }
    if (json_object_get(claims, "revoked_before") &&
        (why = svct_jwt_time(claims, "revoked_before", &s->revoked_before, NULL,
                             "bad revoked_before")))
        return why;

    return svct_session_times_check(s, now, leeway);
}

/* svct_jwt_verify, or svct_jwt_precheck when CHECK_SIG is 0. */
static int svct_jwt_check(const svct_keyring_t *ring, const char *token, size_t len,
                          const svct_jwt_expect_t *expect, svct_session_t *session,
                          const char **why, int check_sig)
{
    /* Each decoded part is shorter than the token, itself at most SVCT_JWT_MAX. */
    unsigned char buf[SVCT_B64URL_DECODED_MAX(SVCT_JWT_MAX) + 1];
    unsigned char sig[SVCT_SIG_MAX];
    const char *dot1, *dot2, *reason = NULL, *dummy;
    const svct_key_t *key = NULL;
    json_t *header = NULL, *claims = NULL;
    svct_session_t s;
    size_t siglen;

    if (!why)
        why = &dummy;
    memset(&s, 0, sizeof(s));
    if (session)
        memset(session, 0, sizeof(*session));
    if (!ring || !token || !expect || !expect->iss || !expect->aud || !session) {
        *why = "internal error: no keyring, token, expected issuer and audience, or session";
        return -1;
    }
    if (len > SVCT_JWT_MAX) {
        *why = "too large";
        return -1;
    }
    dot1 = memchr(token, '.', len);
    dot2 = dot1 ? memchr(dot1 + 1, '.', len - (size_t)(dot1 + 1 - token)) : NULL;
    if (!dot2 || memchr(dot2 + 1, '.', len - (size_t)(dot2 + 1 - token)) || dot1 == token ||
        dot2 == dot1 + 1 || dot2 + 1 == token + len) {
        *why = "malformed";
        return -1;
    }
    header = svct_jwt_object(token, (size_t)(dot1 - token), buf, sizeof(buf));
    if (!header) {
        reason = "malformed header";
        goto done;
    }
    if ((reason = svct_jwt_check_header(ring, header, &key)))
        goto done;
    siglen = svct_b64url_decode(dot2 + 1, len - (size_t)(dot2 + 1 - token), sig, sizeof(sig));
    if (siglen == (size_t)-1) {
        reason = "malformed signature";
        goto done;
    }
    if (check_sig &&
        !svct_key_verify(key, (const unsigned char *)token, (size_t)(dot2 - token), sig, siglen)) {
        reason = "bad signature";
        goto done;
    }
    claims = svct_jwt_object(dot1 + 1, (size_t)(dot2 - dot1 - 1), buf, sizeof(buf));
    if (!claims) {
        reason = "malformed claims";
        goto done;
    }
    if ((reason = svct_jwt_check_claims(claims, expect, &s)))
        goto done;
    *session = s;
done:
    json_decref(header);
    json_decref(claims);
    if (reason) {
        *why = reason;
        return -1;
    }
    return 0;
}

int svct_jwt_verify(const svct_keyring_t *ring, const char *token, size_t len,
                    const svct_jwt_expect_t *expect, svct_session_t *session, const char **why)
{
    return svct_jwt_check(ring, token, len, expect, session, why, 1);
}

int svct_jwt_precheck(const svct_keyring_t *ring, const char *token, size_t len,
                      const svct_jwt_expect_t *expect, const char **why)
{
    svct_session_t unverified;

    return svct_jwt_check(ring, token, len, expect, &unverified, why, 0);
}
