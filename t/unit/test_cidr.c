/*
 * Unit tests of the --allow-from ranges: strict parsing, the canonical
 * spelling, lists, and matching client addresses of both families,
 * IPv4-mapped IPv6 included.
 */
#include <stdio.h>
#include <string.h>

#include "cidr.h"
#include "tap.h"

/* The canonical text of TEXT, or "(bad)". */
static const char *canon(const char *text)
{
    static char buf[SVCT_CIDR_TEXT_MAX];
    svct_cidr_t c;

    if (svct_cidr_parse(text, strlen(text), &c) != 0 || svct_cidr_format(&c, buf, sizeof buf) == 0)
        return "(bad)";
    return buf;
}

static void parsing(void)
{
    is_str(canon("10.0.0.0/8"), "10.0.0.0/8", "IPv4 range");
    is_str(canon("192.0.2.7"), "192.0.2.7/32", "bare IPv4 address is one host");
    is_str(canon("0.0.0.0/0"), "0.0.0.0/0", "every IPv4 address");
    is_str(canon("192.0.2.128/25"), "192.0.2.128/25", "prefix inside a byte");
    is_str(canon("2001:db8::/32"), "2001:db8::/32", "IPv6 range");
    is_str(canon("2001:DB8:0:0::/32"), "2001:db8::/32", "IPv6 spelled two ways, printed one");
    is_str(canon("::1"), "::1/128", "bare IPv6 address");
    is_str(canon("::/0"), "::/0", "every IPv6 address");
    is_str(canon("::ffff:10.0.0.0/104"), "10.0.0.0/8", "IPv4-mapped range is the IPv4 range");
    is_str(canon("::ffff:192.0.2.7"), "192.0.2.7/32", "IPv4-mapped address");
    is_str(canon("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128"),
           "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128", "longest IPv6");

    is_str(canon(""), "(bad)", "empty");
    is_str(canon("10.0.0.0/"), "(bad)", "slash without a prefix");
    is_str(canon("10.0.0.0/33"), "(bad)", "IPv4 prefix over 32");
    is_str(canon("2001:db8::/129"), "(bad)", "IPv6 prefix over 128");
    is_str(canon("10.0.0.0/08"), "(bad)", "leading zero in the prefix");
    is_str(canon("10.0.0.0/+8"), "(bad)", "signed prefix");
    is_str(canon("10.0.0.0/-1"), "(bad)", "negative prefix");
    is_str(canon("10.0.0.0/8/8"), "(bad)", "two slashes");
    is_str(canon("10.0.0.0/1000"), "(bad)", "four digits");
    is_str(canon("10.1.0.0/8"), "(bad)", "host bits set");
    is_str(canon("2001:db8::1/32"), "(bad)", "IPv6 host bits set");
    is_str(canon("10.0.0"), "(bad)", "three octets");
    is_str(canon("010.0.0.0/8"), "(bad)", "octal-looking octet");
    is_str(canon("256.0.0.0/8"), "(bad)", "octet over 255");
    is_str(canon(" 10.0.0.0/8"), "(bad)", "leading space");
    is_str(canon("10.0.0.0/8 "), "(bad)", "trailing space");
    is_str(canon("localhost"), "(bad)", "a host name");
    is_str(canon("any"), "(bad)", "any is a list keyword, not a CIDR");
    is_str(canon("::ffff:10.0.0.0/95"), "(bad)", "a mapped range wider than IPv4");
    is_str(canon("fe80::1%eth0"), "(bad)", "zone index");
    ok(svct_cidr_parse("10.0.0.0/8\0x", 12, &(svct_cidr_t){0}) != 0, "NUL inside");
    ok(svct_cidr_parse(NULL, 3, &(svct_cidr_t){0}) != 0, "NULL");

    {
        svct_cidr_t c = {4, 33, {0}};
        char buf[SVCT_CIDR_TEXT_MAX];

        ok(!svct_cidr_valid(&c), "a 33-bit IPv4 prefix is not valid");
        is_int(svct_cidr_format(&c, buf, sizeof buf), 0, "nor printed");
        ok(svct_cidr_parse("10.0.0.0/8", 10, &c) == 0, "parse");
        is_int(svct_cidr_format(&c, buf, 10), 0, "format refuses a buffer one byte short");
        is_int(svct_cidr_format(&c, buf, 11), 10, "format fits an exact buffer");
    }
}

static void lists(void)
{
    svct_cidr_t list[SVCT_CIDR_MAX];
    char text[2048];
    const char *bad = NULL;
    size_t bad_len = 0;
    int n = -1, i;

    is_int(svct_cidr_list_parse("any", list, &n, &bad, &bad_len), SVCT_CIDR_LIST_OK, "any");
    is_int(n, 0, "any is no range");
    is_int(svct_cidr_list_parse("10.0.0.0/8,2001:db8::/32,192.0.2.7", list, &n, &bad, &bad_len),
           SVCT_CIDR_LIST_OK, "three ranges");
    is_int(n, 3, "three");
    is_int(svct_cidr_list_parse("10.0.0.0/8,10.0.0.1/8", list, &n, &bad, &bad_len),
           SVCT_CIDR_LIST_BAD, "a bad second range");
    ok(bad_len == 10 && memcmp(bad, "10.0.0.1/8", 10) == 0, "the bad one is pointed at");
    is_int(svct_cidr_list_parse("", list, &n, &bad, &bad_len), SVCT_CIDR_LIST_EMPTY, "empty");
    is_int(svct_cidr_list_parse("10.0.0.0/8,", list, &n, &bad, &bad_len), SVCT_CIDR_LIST_EMPTY,
           "trailing comma");
    is_int(svct_cidr_list_parse("10.0.0.0/8,,::1", list, &n, &bad, &bad_len), SVCT_CIDR_LIST_EMPTY,
           "empty item");
    is_int(svct_cidr_list_parse("any,10.0.0.0/8", list, &n, &bad, &bad_len), SVCT_CIDR_LIST_BAD,
           "any inside a list");

    text[0] = '\0';
    for (i = 0; i < SVCT_CIDR_MAX; i++)
        snprintf(text + strlen(text), sizeof text - strlen(text), "%s10.%d.0.0/16", i ? "," : "",
                 i);
    is_int(svct_cidr_list_parse(text, list, &n, &bad, &bad_len), SVCT_CIDR_LIST_OK, "32 ranges");
    is_int(n, SVCT_CIDR_MAX, "all 32 kept");
    strcat(text, ",10.200.0.0/16");
    is_int(svct_cidr_list_parse(text, list, &n, &bad, &bad_len), SVCT_CIDR_LIST_TOO_MANY,
           "33 ranges");
}

static void matching(void)
{
    svct_cidr_t list[SVCT_CIDR_MAX];
    const char *bad;
    size_t bad_len;
    int n;

    memset(list, 0, sizeof list);
    ok(svct_cidr_list_allows(list, 0, "203.0.113.1"), "no range: any address");
    ok(svct_cidr_list_allows(list, 0, NULL), "no range: even an unknown one");

    svct_cidr_list_parse("10.0.0.0/8", list, &n, &bad, &bad_len);
    ok(svct_cidr_list_allows(list, n, "10.0.0.0"), "first address of 10/8");
    ok(svct_cidr_list_allows(list, n, "10.255.255.255"), "last address of 10/8");
    ok(!svct_cidr_list_allows(list, n, "11.0.0.0"), "next address");
    ok(!svct_cidr_list_allows(list, n, "9.255.255.255"), "previous address");
    ok(!svct_cidr_list_allows(list, n, "127.0.0.1"), "loopback is not in 10/8");
    ok(svct_cidr_list_allows(list, n, "::ffff:10.1.2.3"), "IPv4-mapped client inside 10/8");
    ok(!svct_cidr_list_allows(list, n, "::ffff:127.0.0.1"), "IPv4-mapped client outside");
    ok(!svct_cidr_list_allows(list, n, "::a01:203"), "IPv4-compatible IPv6 is IPv6");
    ok(!svct_cidr_list_allows(list, n, "10.1.2.3.4"), "garbage address");
    ok(!svct_cidr_list_allows(list, n, ""), "empty address");
    ok(!svct_cidr_list_allows(list, n, NULL), "no address");

    svct_cidr_list_parse("192.0.2.128/25,2001:db8::/33,::1", list, &n, &bad, &bad_len);
    ok(svct_cidr_list_allows(list, n, "192.0.2.200"), "inside /25");
    ok(!svct_cidr_list_allows(list, n, "192.0.2.127"), "just below /25");
    ok(svct_cidr_list_allows(list, n, "2001:db8:7fff::1"), "inside /33");
    ok(!svct_cidr_list_allows(list, n, "2001:db8:8000::"), "just past /33");
    ok(svct_cidr_list_allows(list, n, "::1"), "IPv6 host");
    ok(!svct_cidr_list_allows(list, n, "::2"), "next IPv6 host");
    ok(!svct_cidr_list_allows(list, n, "127.0.0.1"), "IPv4 loopback is not ::1");

    svct_cidr_list_parse("0.0.0.0/0", list, &n, &bad, &bad_len);
    ok(svct_cidr_list_allows(list, n, "203.0.113.1"), "0/0 admits any IPv4");
    ok(!svct_cidr_list_allows(list, n, "2001:db8::1"), "0/0 is not IPv6");
    svct_cidr_list_parse("::/0", list, &n, &bad, &bad_len);
    ok(svct_cidr_list_allows(list, n, "2001:db8::1"), "::/0 admits any IPv6");
}

int main(void)
{
    parsing();
    lists();
    matching();
    return done_testing();
}
