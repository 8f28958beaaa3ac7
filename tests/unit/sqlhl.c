/* sqlhl.c — highlighting classes. */
#include "ui/sqlhl.h"
#include "../lib/tap.h"

#include <stdlib.h>
#include <string.h>

static char *classes(const char *sql)
{
    size_t n = strlen(sql);
    unsigned char *c = malloc(n + 1);
    sqlhl_classify(sql, n, c);
    char *s = malloc(n + 1);
    for (size_t i = 0; i < n; i++)
        s[i] = ".KSCN"[c[i]];
    s[n] = '\0';
    free(c);
    return s;
}

static void check(const char *sql, const char *want, const char *name)
{
    char *got = classes(sql);
    is_str(got, want, "%s", name);
    free(got);
}

int main(void)
{
    plan_no_plan();
    check("select 1", "KKKKKK.N", "keyword and number");
    check("SELECT x FROM t", "KKKKKK...KKKK..", "keywords any case, names plain");
    check("'a;b' -- c", "SSSSS.CCCC", "string and line comment");
    check("/* a */ 1", "CCCCCCC.N", "block comment");
    check("$$x'y$$ 2", "SSSSSSS.N", "dollar-quoted body");
    check("$f$ select $f$", "SSSSSSSSSSSSSS", "a keyword inside a dollar quote is a string");
    check("E'\\'' 3.5e2", "SSSSS.NNNNN", "E'' escapes and a float");
    check("\"select\"", "........", "a quoted identifier is not a keyword");
    check("/* open", "CCCCCCC", "an unterminated comment runs to the end");
    check("'open", "SSSSS", "an unterminated string runs to the end");
    ok(sqlhl_is_keyword("wHeRe", 5), "is_keyword ignores case");
    ok(!sqlhl_is_keyword("orders", 6), "a table name is no keyword");
    int n = 0;
    for (; sqlhl_keywords[n + 1]; n++)
        if (strcmp(sqlhl_keywords[n], sqlhl_keywords[n + 1]) >= 0)
            break;
    ok(sqlhl_keywords[n + 1] == NULL, "the keyword list is sorted (bsearch needs it)");
    return done_testing();
}
