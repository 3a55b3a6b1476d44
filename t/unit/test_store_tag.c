/* Unit tests of src/store_tag.c: a store's tag depends on its identity
 * only, and two DBM stores never share one. */
#include "tap.h"
#include "store_tag.h"

static void tag_of(const char *path, const char *type, char out[SVCT_STORE_TAG_LEN + 1])
{
    char id[512];
    size_t n = svct_store_dbm_identity(path, type, id, sizeof id);

    out[0] = '\0';
    if (n)
        svct_store_tag(id, n, out);
}

int main(void)
{
    char a[SVCT_STORE_TAG_LEN + 1], b[SVCT_STORE_TAG_LEN + 1], id[16];

    tag_of("/srv/tokens.db", NULL, a);
    ok(svct_store_tag_valid(a, strlen(a)), "a tag has the shape of one");
    tag_of("/srv/tokens.db", "default", b);
    is_str(a, b, "no type is the type default");
    tag_of("/srv/tokens.db", "sdbm", b);
    ok(strcmp(a, b) != 0, "another DBM type, another tag");
    tag_of("/srv/tokens.db", "SDBM", a);
    is_str(a, b, "the type is matched in any case");
    tag_of("/srv/tokens.dc", NULL, b);
    tag_of("/srv/tokens.db", NULL, a);
    ok(strcmp(a, b) != 0, "another path, another tag");
    tag_of("/srv/tokens.db", "nosuch", b);
    is_str(b, "", "an unknown type has no identity");
    is_int(svct_store_dbm_identity("/a", NULL, id, 10), 0, "an identity that does not fit");
    is_int(svct_store_dbm_identity("/a", NULL, id, sizeof id), 14, "dbm, type, path, NULs");
    svct_store_tag("dbd:0123", 8, a);
    svct_store_tag("dbd:0124", 8, b);
    ok(strcmp(a, b) != 0, "any identity: the tag of a random one");
    ok(!svct_store_tag_valid("AAAAAAAAAAAAAAAAAAAAA", 21), "21 characters are no tag");
    ok(!svct_store_tag_valid("AAAAAAAAAAAAAAAAAAAAA=", 22), "nor is padding");
    ok(svct_store_tag_valid("Az09-_AAAAAAAAAAAAAAAA", 22), "base64url characters are");
    return done_testing();
}
