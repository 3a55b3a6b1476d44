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
static const char fuzz_jwk_es[] = "{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"7JYi51UhGrAImuMB-_NPNUTwKzMs9i0avn1-BQTWeOo\",\"y\":\"TWuJGkEOtMDjR3XgKbk_MgdjLp3-Clt_A7OQaIyQvFA\",\"d\":\"m_z6WxRSqZOfvB4UjE0LGZG8c-3317UdJ5EHaURFWuU\",\"kid\":\"es\"}";
static const char fuzz_jwk_rs[] = "{\"kty\":\"RSA\",\"key_ops\":[\"sign\"],\"n\":\"ooBJ0-4Gv2NG7PE3TJe3A0rtd-bERwjR4v1ugPyFQ-UoSr6gcFW_VzBxVLJ9ek5Jw_ABZXi6tdRFvX34TbgyrMWRzETTMNXiA15_Pgu0teBuE6fIfWyef34KTm4rUd_Rq2s5j_VSNr4XArwOrfVv72zrAEfnFrOAUcApAFRvDID0mQz00l6Yp-JgHxQBODattf98Bt0kno555Uo6Y4W4pvcFM5F6cmKEunEHTGigVVkMFWpmBDC0GKRG7DVH5GrOx3ZQwotU2awZoJp8_q9OdB5fmTqaCdcLCCdiuWxaaXkQF5qvygDYD5kHNRGwVqVFYrvwlhuI5aL-Wk-C0x4YCQ\",\"e\":\"AQAB\",\"d\":\"DnG3jkNcPW8cRvOuggwCyCPE_alJJVTE_kefZs77ZAR2q0UsQuv2SvBbBIeslF5o22YmI6BCfWbZz50GwRbIR1f07JqqCI9cbIb96bSV6qxBMJVTgoWRBZ1dGmlbx6Zsz09DwbZxST0mk7dGWUNloJs2fNMHWRrZwzqA0n8O02YvBjrQSItPhuvSTfbL1EeuZEXMRCAsaHiM7V1w78gJQ0q--vwOnIVFuW8W9ImJ2TiudiCZlSh3FQAOYJO-WwxvRX1pl7wMECQhwZb1T3RfywdFTSl62Phw7kuOPijnx9Jj17zkEQxWhswnHs8TP9u5zHn_r211JkXMk_yc_2hIcQ\",\"p\":\"5SmTy7y9RIHkkfU4az1QJJBUGgT7gSFzzXTUsAHXotMNTNguSoEAIKKRuu6tPZ7WdKUGkxUVgdW6BbO1O25VwdVwX9tpJhrXhWFHhG9E7qkkLfaQvcYzF_EdgLRZSaO3GqdQdeQb5lWYm6yazpvToQXq-jcJB4DbKyW2ytVNxRk\",\"q\":\"tYgquO4vUGRQI3uChy77LsIoOxSRA2kF2QrYl4GMHQJsb4BcT6E7iEHIWkC9NXhuGAbmsifavrUwj-66AUZ1t4u54ODSOKs7qH23sBTG6xrcvF0lRTmitmKZKRvkahDK-hMkb50A7cmYLz3FJuRl6c9PImAOBmxvUzN9UFQF2HE\",\"dp\":\"hbhnN8Ggp7MsD0eKbnlOpKdbi_tQTx-YFVGRMktA6xBAeJDFIlB4JJL4ep3_lS90cIhDd9wburFeZSliHZXakMrdUfIUP1n2XSxQsSTEkoc8R13TRAm9ksDtuEaEu4W-uNzdBI3hAdz8ugpUIy-mpBVx8iPfLvOv8FOHgIBLazE\",\"dq\":\"NR_LOOFjcUhZ93hOo5cJJQ7mzRtgsLnMX08AQZ5EzbyG1T6gRSFvFZoCsv7dIEfFGDz0yFBHgKXvtz9qqbLgAj3ewMOqYbEivVVFKz95UxZCYNF1dcO_LVa_cbta5ftSG0r8z7kHq47ifXi7OH2AoaLsiqfHkvOqxJN96cMdDtE\",\"qi\":\"iTdyqdwoG-tkc1l9H0gAZGf0hikyehgrmYhzCF1ADEMYL3nMxWyP9blDVJjbD6CtR8-leHid6RZgMmtrKp5pd9ViGBjh2eejG1mz9qf7hcAmAaB9KlB0_yoJGt1xUjF7FGLJGh2tYXr_tMpGTibArEkAwhqKulnvKk-FMlNrpCA\",\"kid\":\"rs\"}";
static const char fuzz_jwk_ed[] = "{\"x\":\"2kFU4knu-WhXDYmaVD4arYW8nC2su9htci59iWfrEto\",\"d\":\"Nm8oTQI031OQVa_kxl6GANbUZbbTIaK6M8nwpWhdxmk\",\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"kid\":\"ed\"}";

#endif
