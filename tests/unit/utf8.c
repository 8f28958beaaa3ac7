/* utf8.c — the shared UTF-8 helpers and the capped string list. */
#include "common/strlist.h"
#include "common/utf8.h"
#include "tests/lib/tap.h"

#include <stdlib.h>
#include <string.h>

int main(void)
{
    plan_no_plan();
    uint32_t cp = 0;
    is_int(utf8_decode((const unsigned char *)"\xc3\xa9", 2, &cp), 2, "é is 2 bytes");
    is_int(cp, 0xE9, "U+00E9");
    is_int(utf8_decode((const unsigned char *)"\xc0\x80", 2, &cp), 0, "overlong NUL refused");
    is_int(utf8_decode((const unsigned char *)"\xed\xa0\x80", 3, &cp), 0, "surrogate refused");
    is_int(utf8_decode((const unsigned char *)"\xe2\x82", 2, &cp), 0, "cut sequence refused");
    is_int(utf8_char_len("a"), 1, "ASCII: 1");
    is_int(utf8_char_len("\xe2\x88\x85x"), 3, "U+2205: 3");
    is_int(utf8_char_len("\xf0\x9f\x98\x80"), 4, "emoji: 4");
    is_int(utf8_char_len("\xff\x80"), 1, "a bad byte advances by 1");
    is_int(utf8_char_len("\xe2\x88"), 1, "a sequence cut by the NUL: 1");
    is_int(utf8_char_len(""), 1, "the NUL itself: 1");
    const char *s = "a\xe2\x88\x85";
    is_int(utf8_char_start(s, 3), 1, "from its last byte back to the lead byte");
    is_int(utf8_char_start(s, 1), 1, "a lead byte stays");
    is_int(utf8_char_start(s, 0), 0, "ASCII stays");
    is_int(utf8_char_start("\x80\x80", 1), 0, "never below 0");
    /* the encoder round-trips through the decoder at each length's edges */
    static const uint32_t cps[] = {0x41, 0x7F, 0x80, 0x7FF, 0x800, 0xFFFD, 0x10000, 0x10FFFF};
    for (size_t i = 0; i < sizeof cps / sizeof cps[0]; i++) {
        char o[4];
        size_t n = utf8_encode(cps[i], o);
        uint32_t back = 0;
        ok(n == utf8_decode((const unsigned char *)o, n, &back) && back == cps[i],
           "U+%04X: %zu bytes, decoded back", (unsigned)cps[i], n);
    }

    char **items = NULL;
    int n = 0, cap = 0;
    for (int i = 0; i < 5; i++) {
        char v[8];
        snprintf(v, sizeof v, "e%d", i);
        strlist_push_capped(&items, &n, &cap, 3, v);
    }
    is_int(n, 3, "a capped list keeps max entries");
    ok(strcmp(items[0], "e2") == 0 && strcmp(items[2], "e4") == 0, "the newest, oldest first");
    for (int i = 0; i < n; i++)
        free(items[i]);
    free(items);
    return done_testing();
}
