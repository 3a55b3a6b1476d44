/*
 * A token store's tag: what binds a session to the store that issued it.
 *
 * Every session carries the tag of the store whose record admitted the
 * exchange (claim "svct_store"), and a location accepts a session only if
 * the tag is that of its own store. A Client ID is not secret, so without
 * this anyone who can make a store (a tenant with .htaccess) could put a
 * record under another token's Client ID in it, exchange a secret of their
 * own there, and present the session where the real store checks it.
 *
 * The tag is a hash of the store's identity: for a DBM store its type and
 * absolute path, which no one else's store can have; for a store that keeps
 * a random identity of its own (a SQL database), that identity. The claim is
 * readable by every backend that sees the assertion, and learning it helps
 * nobody: the check recomputes the tag from the checking location's own
 * store, never from anything the session or another store says.
 */
#ifndef SVCT_STORE_TAG_H
#define SVCT_STORE_TAG_H

#include <stddef.h>

/* 128 bits of SHA-256, base64url: 22 characters. */
#define SVCT_STORE_TAG_LEN 22

/* Writes the tag of the store IDENTITY[0..LEN) into OUT, NUL-terminated.
 * Returns 0, or -1 if hashing failed. */
int svct_store_tag(const char *identity, size_t len, char out[SVCT_STORE_TAG_LEN + 1]);

/* The identity of the DBM store at PATH (absolute) of type DBMTYPE (NULL
 * for "default"), for svct_store_tag, written into OUT (CAP bytes). Returns
 * its length, or 0 if it does not fit or the type is unknown. */
size_t svct_store_dbm_identity(const char *path, const char *dbmtype, char *out, size_t cap);

/* 1 when S[0..LEN) has the shape of a tag. Inline, so that the JWT code
 * that checks the claim needs nothing else of this file. */
static inline int svct_store_tag_valid(const char *s, size_t len)
{
    size_t i;

    if (len != SVCT_STORE_TAG_LEN)
        return 0;
    for (i = 0; i < len; i++)
        if (!((s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= 'a' && s[i] <= 'z') ||
              (s[i] >= '0' && s[i] <= '9') || s[i] == '-' || s[i] == '_'))
            return 0;
    return 1;
}

#endif
