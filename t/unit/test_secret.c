/*
 * Unit tests of Client ID / secret generation, their shape checks, hex
 * coding, the SHA-256 the store keeps, and constant-time comparison.
 */
#include <pthread.h>
#include <string.h>

#include "secret.h"
#include "tap.h"

/* Each thread hashes its own inputs, and checks every result against the
 * digests the main thread computed: no thread may see another's state. */
#define HASH_THREADS 4
#define HASH_ROUNDS 2000
#define HASH_INPUTS 20 /* per thread, used in turn */

typedef struct {
    int index;
    const unsigned char (*want)[SVCT_HASH_LEN];
    int wrong;
} hash_job_t;

static void hash_input(int thread, int round, char *buf)
{
    memset(buf, 'a' + thread, SVCT_SECRET_LEN);
    buf[round % SVCT_SECRET_LEN] = (char)('0' + round % 10);
}

static void *hash_worker(void *arg)
{
    hash_job_t *job = arg;
    char in[SVCT_SECRET_LEN];
    unsigned char h[SVCT_HASH_LEN];
    int r;

    for (r = 0; r < HASH_ROUNDS; r++) {
        hash_input(job->index, r % HASH_INPUTS, in);
        if (svct_secret_hash_checked(in, sizeof in, h) != 0 ||
            memcmp(h, job->want[r % HASH_INPUTS], SVCT_HASH_LEN) != 0)
            job->wrong++;
    }
    return NULL;
}

static void threaded_hashes(void)
{
    static unsigned char want[HASH_THREADS][HASH_INPUTS][SVCT_HASH_LEN];
    hash_job_t jobs[HASH_THREADS];
    pthread_t tids[HASH_THREADS];
    char in[SVCT_SECRET_LEN];
    int t, r, started = 0, wrong = 0;

    for (t = 0; t < HASH_THREADS; t++)
        for (r = 0; r < HASH_INPUTS; r++) {
            hash_input(t, r, in);
            svct_secret_hash(in, sizeof in, want[t][r]);
        }
    for (t = 0; t < HASH_THREADS; t++) {
        jobs[t].index = t;
        jobs[t].want = (const unsigned char(*)[SVCT_HASH_LEN])want[t];
        jobs[t].wrong = 0;
        if (pthread_create(&tids[t], NULL, hash_worker, &jobs[t]) == 0)
            started++;
    }
    for (t = 0; t < started; t++) {
        pthread_join(tids[t], NULL);
        wrong += jobs[t].wrong;
    }
    is_int(started, HASH_THREADS, "hashing threads started");
    is_int(wrong, 0, "%d threads x %d hashes at once, all correct",
           HASH_THREADS, HASH_ROUNDS);
}

int main(void)
{
    char id[SVCT_CLIENT_ID_LEN + 1], id2[SVCT_CLIENT_ID_LEN + 1];
    char s1[SVCT_SECRET_LEN + 1], s2[SVCT_SECRET_LEN + 1];
    char hex[2 * SVCT_HASH_LEN + 1];
    unsigned char h[SVCT_HASH_LEN], bin[4];
    const unsigned char raw[4] = {0x00, 0x9f, 0xa0, 0xff};

    /* Generation */
    is_int(svct_client_id_new(id), 0, "client id generated");
    is_int(strlen(id), SVCT_CLIENT_ID_LEN, "client id has %d chars", SVCT_CLIENT_ID_LEN);
    ok(svct_client_id_valid(id, strlen(id)), "new client id has the Client ID shape");
    ok(strcmp(id + 32, ".access") == 0, "client id ends in .access");
    is_int(svct_client_id_new(id2), 0, "second client id generated");
    ok(strcmp(id, id2) != 0, "two client ids differ");
    is_int(svct_secret_new(s1), 0, "secret generated");
    is_int(strlen(s1), SVCT_SECRET_LEN, "secret has 64 chars");
    ok(svct_secret_valid(s1, strlen(s1)), "new secret has the secret shape");
    is_int(svct_secret_new(s2), 0, "second secret generated");
    ok(strcmp(s1, s2) != 0, "two secrets differ");
    ok(!svct_client_id_valid(s1, strlen(s1)), "a secret is not a client id");
    ok(!svct_secret_valid(id, strlen(id)), "a client id is not a secret");

    /* Client ID shape */
    ok(svct_client_id_valid("0123456789abcdef0123456789abcdef.access", 39), "valid id");
    ok(!svct_client_id_valid("0123456789ABCDEF0123456789abcdef.access", 39), "uppercase id");
    ok(!svct_client_id_valid("0123456789abcdef0123456789abcdeg.access", 39), "non-hex id");
    ok(!svct_client_id_valid("0123456789abcdef0123456789abcde.access", 38), "short id");
    ok(!svct_client_id_valid("0123456789abcdef0123456789abcdef0.access", 40), "long id");
    ok(!svct_client_id_valid("0123456789abcdef0123456789abcdef.accesS", 39), "bad suffix");
    {
        /* Every byte value, at the start, middle and end of a secret and
         * of a Client ID's hex part: only 0-9 and a-f pass. */
        char sec[SVCT_SECRET_LEN + 1], cid[] = "0123456789abcdef0123456789abcdef.access";
        int c, wrong = 0;

        for (c = 0; c < 256; c++) {
            int digit = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
            size_t at[3] = {0, SVCT_SECRET_LEN / 2, SVCT_SECRET_LEN - 1}, j;

            for (j = 0; j < 3; j++) {
                memset(sec, '7', SVCT_SECRET_LEN);
                sec[SVCT_SECRET_LEN] = '\0';
                sec[at[j]] = (char)c;
                wrong += svct_secret_valid(sec, SVCT_SECRET_LEN) != digit;
                memcpy(cid, "0123456789abcdef0123456789abcdef", 32);
                cid[at[j] * 31 / (SVCT_SECRET_LEN - 1)] = (char)c;
                wrong += svct_client_id_valid(cid, 39) != digit;
            }
        }
        is_int(wrong, 0, "every byte value judged as a hex digit or not, in a secret and a Client ID");
    }
    ok(!svct_client_id_valid("0123456789abcdef0123456789abcdef.access", 38), "length counts");
    ok(!svct_client_id_valid("0123456789abcdef0123456789abcdef\0access", 39), "NUL inside");
    ok(!svct_client_id_valid(NULL, 39), "NULL id");

    /* Secret shape */
    memset(s2, 'a', SVCT_SECRET_LEN);
    s2[SVCT_SECRET_LEN] = '\0';
    ok(svct_secret_valid(s2, SVCT_SECRET_LEN), "64 hex chars");
    ok(!svct_secret_valid(s2, SVCT_SECRET_LEN - 1), "63 chars");
    s2[10] = 'A';
    ok(!svct_secret_valid(s2, SVCT_SECRET_LEN), "uppercase in secret");
    s2[10] = ' ';
    ok(!svct_secret_valid(s2, SVCT_SECRET_LEN), "space in secret");
    ok(!svct_secret_valid(NULL, SVCT_SECRET_LEN), "NULL secret");

    /* Hex */
    svct_hex_encode(raw, 4, hex);
    is_str(hex, "009fa0ff", "hex encode is lowercase");
    ok(svct_hex_decode("009fa0ff", 8, bin, 4) == 0 && memcmp(bin, raw, 4) == 0, "hex round trip");
    is_int(svct_hex_decode("009FA0FF", 8, bin, 4), -1, "uppercase hex refused");
    is_int(svct_hex_decode("009fa0f", 7, bin, 4), -1, "odd length refused");
    is_int(svct_hex_decode("009fa0ff00", 10, bin, 4), -1, "too long refused");
    is_int(svct_hex_decode("009fa0fg", 8, bin, 4), -1, "non-hex refused");
    is_int(svct_hex_decode(NULL, 8, bin, 4), -1, "NULL refused");

    /* SHA-256, FIPS 180-2 test vectors */
    svct_secret_hash("abc", 3, h);
    svct_hex_encode(h, SVCT_HASH_LEN, hex);
    is_str(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", "sha256(abc)");
    is_int(svct_secret_hash_checked("", 0, h), 0, "hash of empty input");
    svct_hex_encode(h, SVCT_HASH_LEN, hex);
    is_str(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", "sha256()");
    /* The kept context is reset between hashes: nothing of one input
     * reaches the next, whatever their lengths. */
    svct_secret_hash("abc", 3, h);
    svct_secret_hash("", 0, h);
    svct_hex_encode(h, SVCT_HASH_LEN, hex);
    is_str(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
           "sha256() right after sha256(abc)");
    threaded_hashes();

    /* Constant-time compare */
    ok(svct_ct_equal("abcdef", "abcdef", 6), "equal buffers");
    ok(!svct_ct_equal("abcdef", "abcdeg", 6), "last byte differs");
    ok(!svct_ct_equal("xbcdef", "abcdef", 6), "first byte differs");
    ok(svct_ct_equal("a", "b", 0), "empty buffers are equal");
    {
        /* Every length around the 8-byte steps, and a one-bit difference
         * at every position: in a word or in the tail. */
        unsigned char x[72], y[72];
        size_t len, pos;
        int all = 1;

        for (len = 0; len <= sizeof x; len++) {
            memset(x, 0xa5, sizeof x);
            memset(y, 0xa5, sizeof y);
            y[sizeof y - 1] ^= len < sizeof y ? 1 : 0; /* beyond LEN: ignored */
            if (!svct_ct_equal(x, y, len))
                all = 0;
            for (pos = 0; pos < len; pos++) {
                memcpy(y, x, sizeof y);
                y[pos] ^= 0x10;
                if (svct_ct_equal(x, y, len))
                    all = 0;
            }
        }
        ok(all, "compare in words: lengths 0-72, a difference at any position is seen");
    }
    return done_testing();
}
