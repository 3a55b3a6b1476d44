/*
 * A 256-entry table of byte properties written out by the compiler from a
 * predicate: per-byte checks on the request path become one load each, and
 * the table cannot drift from the grammar it is made from.
 *
 *   #define IS_X(c) ((c) >= 'a' && (c) <= 'z')
 *   static const unsigned char is_x[256] = SVCT_BYTE_TABLE(IS_X);
 */
#ifndef SVCT_BYTE_TABLE_H
#define SVCT_BYTE_TABLE_H

#define SVCT_BYTES4_(F, c) F(c), F((c) + 1), F((c) + 2), F((c) + 3)
#define SVCT_BYTES16_(F, c)                                                                      \
    SVCT_BYTES4_(F, c), SVCT_BYTES4_(F, (c) + 4), SVCT_BYTES4_(F, (c) + 8),                       \
        SVCT_BYTES4_(F, (c) + 12)
#define SVCT_BYTES64_(F, c)                                                                      \
    SVCT_BYTES16_(F, c), SVCT_BYTES16_(F, (c) + 16), SVCT_BYTES16_(F, (c) + 32),                  \
        SVCT_BYTES16_(F, (c) + 48)
#define SVCT_BYTE_TABLE(F)                                                                       \
    {SVCT_BYTES64_(F, 0), SVCT_BYTES64_(F, 64), SVCT_BYTES64_(F, 128), SVCT_BYTES64_(F, 192)}

#endif
