/*
 * Base64url without padding (RFC 4648 section 5, as JOSE uses it). The
 * decoder is strict: no padding, no whitespace, no characters outside the
 * alphabet, and no non-zero bits left over in the last character.
 */
#ifndef SVCT_B64URL_H
#define SVCT_B64URL_H

#include <stddef.h>

#define SVCT_B64URL_ENCODED_LEN(n) (((n) * 4 + 2) / 3)
#define SVCT_B64URL_DECODED_MAX(n) (((n) * 3) / 4)

/* Writes the encoding of IN[0..LEN) and a NUL into OUT (CAP bytes).
 * Returns the encoded length, or (size_t)-1 if CAP is too small. */
size_t svct_b64url_encode(const unsigned char *in, size_t len, char *out, size_t cap);

/* Decodes IN[0..LEN) into OUT (CAP bytes). Returns the decoded length, or
 * (size_t)-1 if the input is not strict base64url or does not fit. */
size_t svct_b64url_decode(const char *in, size_t len, unsigned char *out, size_t cap);

#endif
