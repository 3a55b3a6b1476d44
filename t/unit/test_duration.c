/*
 * Unit tests of svct_duration_parse: every unit, "forever" only where
 * allowed, and the refusals that keep durations unambiguous.
 */
#include <stdint.h>

#include "duration.h"
#include "tap.h"

static void accepts(const char *text, int allow_forever, int64_t want)
{
    int64_t got = 12345;
    int rc = svct_duration_parse(text, allow_forever, &got);

    ok(rc == 0 && got == want, "\"%s\" is %lld seconds", text, (long long)want);
}

static void refuses(const char *text, int allow_forever)
{
    int64_t got = 12345;
    int rc = svct_duration_parse(text, allow_forever, &got);

    ok(rc == -1 && got == 12345, "\"%s\" is refused and leaves the result alone",
       text ? text : "(null)");
}

int main(void)
{
    accepts("1s", 0, 1);
    accepts("45s", 0, 45);
    accepts("1m", 0, 60);
    accepts("90m", 0, 5400);
    accepts("1h", 0, 3600);
    accepts("8760h", 0, INT64_C(31536000));
    accepts("1d", 0, 86400);
    accepts("90d", 0, INT64_C(7776000));
    accepts("1w", 0, 604800);
    accepts("1y", 0, INT64_C(31536000)); /* 365 days */
    accepts("2y", 1, INT64_C(63072000));
    accepts("007d", 0, 7 * 86400);
    accepts("forever", 1, SVCT_DURATION_FOREVER);
    accepts("9223372036854775807s", 0, INT64_MAX);
    accepts("106751991167300d", 0, INT64_C(106751991167300) * 86400);

    refuses("forever", 0);
    refuses(NULL, 1);
    refuses("", 1);
    refuses("d", 0);
    refuses("10", 0);
    refuses("10x", 0);
    refuses("10D", 0);
    refuses("10dd", 0);
    refuses("10d5h", 0);
    refuses("0s", 0);
    refuses("0d", 1);
    refuses("000h", 0);
    refuses("-1d", 0);
    refuses("+1d", 0);
    refuses(" 1d", 0);
    refuses("1d ", 0);
    refuses("1 d", 0);
    refuses("1.5d", 0);
    refuses("0x10s", 0);
    refuses("Forever", 1);
    refuses("forever ", 1);
    refuses("never", 1);
    refuses("9223372036854775808s", 0);
    refuses("99999999999999999999999s", 0);
    refuses("106751991167301d", 0);
    refuses("292471208678y", 0);
    return done_testing();
}
