/*
 * Fixed keys for the fuzz targets, so that a crashing input replays the same
 * way on every run and the fuzzer can learn the kids. Made once for the
 * fuzzers only; they protect nothing.
 */
#ifndef SVCT_FUZZ_KEYS_H
#define SVCT_FUZZ_KEYS_H

static const char fuzz_jwk_hs[] =
    "{\"kty\":\"oct\",\"alg\":\"HS256\",\"kid\":\"hs\","
    "\"k\":\"c3ZjdG9rZW4tZnV6ei1obWFjLWtleS0zMi1ieXRlcy14eA\"}";
static const char fuzz_pem_es[] =
    "-----BEGIN PRIVATE KEY-----\n"
    "MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgm/z6WxRSqZOfvB4U\n"
    "jE0LGZG8c+3317UdJ5EHaURFWuWhRANCAATsliLnVSEasAia4wH78081RPArMyz2\n"
    "LRq+fX4FBNZ46k1riRpBDrTA40d14Cm5PzIHYy6d/gpbfwOzkGiMkLxQ\n"
    "-----END PRIVATE KEY-----\n";
static const char fuzz_pem_rs[] =
    "-----BEGIN PRIVATE KEY-----\n"
    "MIIEvgIBADANBgkqhkiG9w0BAQEFAASCBKgwggSkAgEAAoIBAQCigEnT7ga/Y0bs\n"
    "8TdMl7cDSu135sRHCNHi/W6A/IVD5ShKvqBwVb9XMHFUsn16TknD8AFleLq11EW9\n"
    "ffhNuDKsxZHMRNMw1eIDXn8+C7S14G4Tp8h9bJ5/fgpObitR39GrazmP9VI2vhcC\n"
    "vA6t9W/vbOsAR+cWs4BRwCkAVG8MgPSZDPTSXpin4mAfFAE4Nq21/3wG3SSejnnl\n"
    "Sjpjhbim9wUzkXpyYoS6cQdMaKBVWQwVamYEMLQYpEbsNUfkas7HdlDCi1TZrBmg\n"
    "mnz+r050Hl+ZOpoJ1wsIJ2K5bFppeRAXmq/KANgPmQc1EbBWpUViu/CWG4jlov5a\n"
    "T4LTHhgJAgMBAAECggEADnG3jkNcPW8cRvOuggwCyCPE/alJJVTE/kefZs77ZAR2\n"
    "q0UsQuv2SvBbBIeslF5o22YmI6BCfWbZz50GwRbIR1f07JqqCI9cbIb96bSV6qxB\n"
    "MJVTgoWRBZ1dGmlbx6Zsz09DwbZxST0mk7dGWUNloJs2fNMHWRrZwzqA0n8O02Yv\n"
    "BjrQSItPhuvSTfbL1EeuZEXMRCAsaHiM7V1w78gJQ0q++vwOnIVFuW8W9ImJ2Tiu\n"
    "diCZlSh3FQAOYJO+WwxvRX1pl7wMECQhwZb1T3RfywdFTSl62Phw7kuOPijnx9Jj\n"
    "17zkEQxWhswnHs8TP9u5zHn/r211JkXMk/yc/2hIcQKBgQDlKZPLvL1EgeSR9Thr\n"
    "PVAkkFQaBPuBIXPNdNSwAdei0w1M2C5KgQAgopG67q09ntZ0pQaTFRWB1boFs7U7\n"
    "blXB1XBf22kmGteFYUeEb0TuqSQt9pC9xjMX8R2AtFlJo7cap1B15BvmVZibrJrO\n"
    "m9OhBer6NwkHgNsrJbbK1U3FGQKBgQC1iCq47i9QZFAje4KHLvsuwig7FJEDaQXZ\n"
    "CtiXgYwdAmxvgFxPoTuIQchaQL01eG4YBuayJ9q+tTCP7roBRnW3i7ng4NI4qzuo\n"
    "fbewFMbrGty8XSVFOaK2YpkpG+RqEMr6EyRvnQDtyZgvPcUm5GXpz08iYA4GbG9T\n"
    "M31QVAXYcQKBgQCFuGc3waCnsywPR4pueU6kp1uL+1BPH5gVUZEyS0DrEEB4kMUi\n"
    "UHgkkvh6nf+VL3RwiEN33Bu6sV5lKWIdldqQyt1R8hQ/WfZdLFCxJMSShzxHXdNE\n"
    "Cb2SwO24RoS7hb643N0EjeEB3Py6ClQjL6akFXHyI98u86/wU4eAgEtrMQKBgDUf\n"
    "yzjhY3FIWfd4TqOXCSUO5s0bYLC5zF9PAEGeRM28htU+oEUhbxWaArL+3SBHxRg8\n"
    "9MhQR4Cl77c/aqmy4AI93sDDqmGxIr1VRSs/eVMWQmDRdXXDvy1Wv3G7WuX7UhtK\n"
    "/M+5B6uO4n14uzh9gKGi7Iqnx5LzqsSTfenDHQ7RAoGBAIk3cqncKBvrZHNZfR9I\n"
    "AGRn9IYpMnoYK5mIcwhdQAxDGC95zMVsj/W5Q1SY2w+grUfPpXh4nekWYDJrayqe\n"
    "aXfVYhgY4dnnoxtZs/an+4XAJgGgfSpQdP8qCRrdcVIxexRiyRodrWF6/7TKRk4m\n"
    "wKxJAMIairpZ7ypPhTJTa6Qg\n"
    "-----END PRIVATE KEY-----\n";
static const char fuzz_pem_ed[] =
    "-----BEGIN PRIVATE KEY-----\n"
    "MC4CAQAwBQYDK2VwBCIEIDZvKE0CNN9TkFWv5MZehgDW1GW20yGiujPJ8KVoXcZp\n"
    "-----END PRIVATE KEY-----\n";

#endif
