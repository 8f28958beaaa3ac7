/* jsonparse.c — the strict JSON reader on good and hostile input, and the
 * plan tree's refusal of JSON that is not a plan. Real plans are built live
 * in tests/integration/plan.c. */
#include "common/jsonparse.h"
#include "common/xalloc.h"
#include "monitor/plan.h"
#include "tests/lib/tap.h"

#include <stdlib.h>
#include <string.h>

static bool parses(const char *s, size_t len)
{
    char *err = NULL;
    json_value *v = json_parse(s, len, &err);
    bool r = v != NULL;
    if (!v && !err)
        diag("no error text for %.40s", s);
    json_free(v);
    free(err);
    return r;
}

#define GOOD(s) ok(parses(s, strlen(s)), "accepts %s", s)
#define BAD(s) ok(!parses(s, sizeof(s) - 1), "refuses %s", #s)

static void test_values(void)
{
    char *err = NULL;
    const char *t = " {\"a\": [1, -2.5e3, true, false, null], \"b\": \"x\\u00e9\\ud83d\\ude00\\n\","
                    " \"c\": {}} ";
    json_value *v = json_parse(t, strlen(t), &err);
    ok(v && v->kind == JSON_OBJECT && v->n == 3, "an object with three members");
    const json_value *a = json_get(v, "a");
    ok(a && a->kind == JSON_ARRAY && a->n == 5, "an array of five");
    ok(a && a->items[1].kind == JSON_NUMBER && a->items[1].number == -2500, "-2.5e3");
    ok(a && a->items[2].kind == JSON_BOOL && a->items[2].boolean, "true");
    ok(a && a->items[4].kind == JSON_NULL, "null");
    is_str(json_get_string(v, "b"), "x\xc3\xa9\xf0\x9f\x98\x80\n", "escapes and a surrogate pair");
    ok(json_get_number(v, "missing", 7) == 7, "missing member gives the default");
    ok(json_get_string(v, "a") == NULL, "a member of another kind is not a string");
    json_free(v);
    free(err);
    GOOD("[]");
    GOOD("0");
    GOOD("\"\"");
    GOOD("[[[[1]]]]");
}

static void test_hostile(void)
{
    BAD("");
    BAD("   ");
    BAD("[1,]");
    BAD("{\"a\":1,}");
    BAD("{a:1}");
    BAD("[1 2]");
    BAD("01");
    BAD("1.");
    BAD("-");
    BAD("1e");
    BAD("+1");
    BAD("NaN");
    BAD("Infinity");
    BAD("1e999");
    BAD("tru");
    BAD("nul");
    BAD("\"abc");
    BAD("\"a\\");
    BAD("\"\\x\"");
    BAD("\"\\u12\"");
    BAD("\"\\ud800\"");
    BAD("\"\\udc00\"");
    BAD("\"\\ud800\\u0041\"");
    BAD("\"\\u0000\"");
    BAD("\"a\tb\"");
    BAD("\"\x1b]52;c;x\x07\"");
    BAD("\"\xff\"");
    BAD("\"\xc0\xaf\"");
    BAD("\"\xed\xa0\x80\"");
    BAD("\"\xf4\x90\x80\x80\"");
    BAD("\"\xe2\x82\"");
    BAD("[1] x");
    BAD("[1]\0");
    BAD("/* c */ 1");
    BAD("{\"a\" 1}");
    BAD("{\"a\":}");
    BAD("{1:2}");
    /* escaped control bytes are data, not a parse error */
    GOOD("\"\\u001b]52;c;x\\u0007\"");

    /* nesting: JSON_MAX_DEPTH levels are accepted, one more is refused */
    size_t deep = JSON_MAX_DEPTH + 1;
    char *s = xcalloc(2 * deep + 3, 1);
    memset(s, '[', deep);
    memset(s + deep, ']', deep);
    ok(!parses(s, 2 * deep), "refuses %zu nested arrays", deep);
    ok(parses(s + 1, 2 * deep - 2), "accepts %zu nested arrays", deep - 1);
    free(s);
    /* a million opening brackets: refused without running out of stack */
    size_t huge = 1000000;
    s = xcalloc(huge + 1, 1);
    memset(s, '[', huge);
    ok(!parses(s, huge), "refuses a million nested arrays");
    memset(s, '{', huge);
    ok(!parses(s, huge), "refuses a million nested objects");
    free(s);
    /* the length is respected: no read past it (ASan would see one) */
    char *exact = xcalloc(4, 1);
    memcpy(exact, "[12", 3);
    ok(!parses(exact, 3), "stops at the given length");
    free(exact);
    const char *t = "\"abc\"garbage";
    ok(parses(t, 5), "a prefix that is a value parses");
}

static void test_not_a_plan(void)
{
    static const char *const cases[] = {
        "{}",
        "[]",
        "[{}]",
        "[{\"Plan\": 1}]",
        "[{\"Plan\": {}}]",
        "[{\"Plan\": {\"Node Type\": 5}}]",
        "[{\"Plan\": {\"Node Type\": \"Result\", \"Plans\": [{\"Node Type\": \"A\"}, 3]}}]",
        "[{\"Plan\": {\"Node Type\": \"Result\", \"Plans\": [{\"Plans\": []}]}}]",
        NULL,
    };
    for (int i = 0; cases[i]; i++) {
        char *err = NULL;
        plan *p = plan_parse(cases[i], strlen(cases[i]), &err);
        ok(!p && err, "not a plan: %s (%s)", cases[i], err ? err : "no error");
        plan_free(p);
        free(err);
    }
    /* a planted relation name reaches the text only escaped */
    const char *t = "[{\"Plan\": {\"Node Type\": \"Seq Scan\", \"Relation Name\": "
                    "\"x\\u001b]0;pwned\\u0007\\u202e\", \"Plan Rows\": 5, \"Total Cost\": 1}}]";
    char *err = NULL;
    plan *p = plan_parse(t, strlen(t), &err);
    ok(p != NULL, "a one-node plan");
    if (p) {
        strbuf sb;
        sb_init(&sb);
        plan_format_tree(p, true, &sb);
        ok(!strchr(sb.data, '\x1b') && !strchr(sb.data, '\a') && !strstr(sb.data, "\xe2\x80\xae"),
           "no control byte or bidi override in the tree");
        ok(strstr(sb.data, "\\x1B]0;pwned\\x07<U+202E>") != NULL, "shown escaped");
        sb_free(&sb);
    }
    plan_free(p);
    free(err);
}

int main(void)
{
    plan_no_plan();
    test_values();
    test_hostile();
    test_not_a_plan();
    return done_testing();
}
