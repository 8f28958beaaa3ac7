/* tests/unit/termsafe.c — the one terminal escaping function: what an
 * attacker's text (OSC 52, OSC 0, CSI, C1 CSI, bidi overrides, invalid
 * UTF-8) becomes, and that nothing else changes. */
#include "common/termsafe.h"
#include "common/utf8.h"
#include "tests/lib/tap.h"

#include <stdlib.h>
#include <string.h>

static void check(const char *in, size_t len, unsigned flags, const char *want, const char *name)
{
    strbuf sb;
    sb_init(&sb);
    sb_append_term_safe(&sb, in, len, flags);
    is_str(sb.data, want, "%s", name);
    sb_free(&sb);
}

#define CHECK(in, flags, want, name) check(in, sizeof in - 1, flags, want, name)

/* Valid UTF-8 without ESC, BEL or any other control but newline and tab,
 * without C1 and without bidi controls. */
static bool inert(const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t len = strlen(s), i = 0;
    while (i < len) {
        uint32_t cp;
        size_t n = utf8_decode(p + i, len - i, &cp);
        if (n == 0)
            return false;
        if ((cp < 0x20 && cp != '\n' && cp != '\t') || cp == 0x7f || (cp >= 0x80 && cp <= 0x9f) ||
            term_is_bidi(cp))
            return false;
        i += n;
    }
    return true;
}

int main(void)
{
    plan_no_plan();
    CHECK("plain text 123", 0, "plain text 123", "printable ASCII unchanged");
    CHECK("caf\xc3\xa9 \xe6\x97\xa5\xf0\x9f\x98\x80", 0, "caf\xc3\xa9 \xe6\x97\xa5\xf0\x9f\x98\x80",
          "valid UTF-8 unchanged");
    CHECK("\x1b]52;c;ZXZpbA==\x07", 0, "\\x1B]52;c;ZXZpbA==\\x07", "OSC 52 defused");
    CHECK("\x1b]0;owned\x07", 0, "\\x1B]0;owned\\x07", "OSC 0 (title) defused");
    CHECK("\x1b[2J", 0, "\\x1B[2J", "CSI 2J defused");
    CHECK("a\xc2\x9b"
          "2Jb",
          0, "a\\u009B2Jb", "C1 CSI (U+009B) escaped");
    CHECK("\xc2\x80\xc2\x9f", 0, "\\u0080\\u009F", "the C1 range's ends");
    CHECK("\xc2\xa0", 0, "\xc2\xa0", "U+00A0 is not C1");
    CHECK("x\x7fy", 0, "x\\x7Fy", "DEL escaped");
    CHECK("abc\xe2\x80\xae"
          "fed",
          0, "abc<U+202E>fed", "U+202E (RLO) shown visibly");
    CHECK("\xe2\x80\xaa\xe2\x80\xab\xe2\x80\xac\xe2\x80\xad", 0, "<U+202A><U+202B><U+202C><U+202D>",
          "U+202A..U+202D");
    CHECK("\xe2\x81\xa6\xe2\x81\xa9", 0, "<U+2066><U+2069>", "isolates U+2066..U+2069");
    CHECK("\xe2\x80\x8e\xe2\x80\x8f\xd8\x9c", 0, "<U+200E><U+200F><U+061C>", "LRM, RLM, ALM");
    CHECK("\xe2\x80\x8b", 0, "\xe2\x80\x8b", "U+200B (not a bidi control) unchanged");
    CHECK("a\xff"
          "b\xc3",
          0, "a\\xFFb\\xC3", "invalid bytes as \\xNN");
    CHECK("\xed\xa0\x80", 0, "\\xED\\xA0\\x80", "a surrogate is invalid: each byte escaped");
    CHECK("\xc0\xaf", 0, "\\xC0\\xAF", "an overlong form is invalid");
    CHECK("l1\nl2\tx\r", 0, "l1\\x0Al2\\x09x\\r", "newline and tab escaped unless kept");
    CHECK("l1\nl2\tx\r", TS_KEEP_NL | TS_KEEP_TAB, "l1\nl2\tx\\r", "kept with KEEP_NL|KEEP_TAB");
    CHECK("l1\nl2\tx\ry", TS_FLAT, "l1 l2 x y", "flattened to one line");
    check("a\0b", 3, 0, "a\\x00b", "an embedded NUL escaped");
    CHECK("\x9b"
          "2J\xe9t\xe9",
          TS_8BIT, "\\x9B2J\xe9t\xe9", "8-bit text: raw C1 byte escaped, Latin-1 letters kept");

    /* every byte value and pair: the output is always inert */
    bool all_inert = true;
    for (int a = 0; a < 256 && all_inert; a++)
        for (int b = 0; b < 256 && all_inert; b++) {
            char in[3] = {(char)a, (char)b, 0};
            char *out = term_escape(in, TS_KEEP_NL | TS_KEEP_TAB);
            all_inert = inert(out);
            if (!all_inert)
                diag("bytes %02x %02x -> %s", a, b, out);
            free(out);
        }
    ok(all_inert, "every pair of bytes comes out without ESC, BEL, C1 or bidi");

    ok(term_is_safe("hello", 5, 0), "term_is_safe: plain");
    ok(!term_is_safe("\x1b", 1, 0), "term_is_safe: ESC");
    ok(term_is_safe("a\nb", 3, TS_KEEP_NL), "term_is_safe: kept newline");
    ok(!term_is_safe("a\nb", 3, 0), "term_is_safe: newline not kept");
    ok(!term_is_safe("\xe2\x80\xae", 3, 0), "term_is_safe: bidi");
    char *e = term_escape(NULL, 0);
    is_str(e, "", "NULL gives an empty string");
    free(e);
    ok(term_classify_cp(0x202E) == TS_BIDI && term_classify_cp(0x9B) == TS_C1 &&
           term_classify_cp(0x1B) == TS_CONTROL && term_classify_cp('a') == TS_PRINT,
       "term_classify_cp");
    return done_testing();
}
