/* tests/unit/json.c — the one JSON string writer: escapes, UTF-8, invalid bytes. */
#include "common/json.h"
#include "tests/lib/tap.h"

static void check(const char *in, size_t len, const char *want, const char *name)
{
    strbuf sb;
    sb_init(&sb);
    json_append_string(&sb, in, len);
    is_str(sb.data, want, "%s", name);
    sb_free(&sb);
}

int main(void)
{
    plan_no_plan();
    check("plain", 5, "\"plain\"", "plain ASCII is quoted");
    check("a\"b\\c", 5, "\"a\\\"b\\\\c\"", "quote and backslash escaped");
    check("l1\nl2\tx\r", 8, "\"l1\\nl2\\tx\\r\"", "newline, tab, CR escaped");
    check("\x01", 1, "\"\\u0001\"", "other control characters as \\u00XX");
    check("caf\xc3\xa9 \xe4\xb8\xad", 9, "\"caf\xc3\xa9 \xe4\xb8\xad\"", "valid UTF-8 kept as is");
    check("a\xff"
          "b",
          3, "\"a\\ufffdb\"", "an invalid byte becomes U+FFFD: always valid JSON");
    check("\xc3", 1, "\"\\ufffd\"", "a truncated sequence too");
    check("x\0y", 3, "\"x\\u0000y\"", "an embedded NUL within len is escaped");
    check("\xc2\x9b"
          "2J",
          4, "\"\\u009b2J\"", "C1 CSI (U+009B) as \\u009b");
    check("a\xe2\x80\xae"
          "b",
          5, "\"a\\u202eb\"", "a bidi override as \\u202e");
    check("\x1b]52;c;x\x07\x7f", 10, "\"\\u001b]52;c;x\\u0007\\u007f\"", "ESC, BEL, DEL escaped");
    check("\xc2\xa0", 2, "\"\xc2\xa0\"", "U+00A0 kept");
    ok(json_number_ok("12.5") && json_number_ok("-3"), "numbers are JSON numbers");
    ok(!json_number_ok("NaN") && !json_number_ok("Infinity") && !json_number_ok("-Infinity"),
       "NaN and infinities are not");
    return done_testing();
}
