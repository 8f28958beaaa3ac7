/* monitor_explain.c — the pure parts of EXPLAIN as the statement's author:
 * identifier quoting (PQescapeIdentifier's rules), $n values inlined as
 * literals outside quotes and comments, and the names a text calls. */
#include "common/sqlquote.h"
#include "monitor/monitor.h"

#include "../lib/tap.h"

#include <stdlib.h>

static void test_quote_ident(void)
{
    char *q = sql_quote_ident("attacker");
    is_str(q, "\"attacker\"", "a plain name is double-quoted");
    free(q);
    q = sql_quote_ident("a\"; alter role x superuser; --");
    is_str(q, "\"a\"\"; alter role x superuser; --\"", "an embedded quote is doubled");
    free(q);
    q = sql_quote_ident("Mixed Case");
    is_str(q, "\"Mixed Case\"", "case and blanks kept");
    free(q);
}

static void test_inline(void)
{
    const char *v[3] = {"5", "it's", NULL};
    char *s = mon_explain_inline_params("select $1, $2, $3", 3, v);
    is_str(s, "select '5', 'it''s', NULL", "values become quoted literals, NULL stays NULL");
    free(s);
    s = mon_explain_inline_params("select '$1', $$ $1 $$, $1 /* $1 */ -- $1\n", 1, v);
    is_str(s, "select '$1', $$ $1 $$, '5' /* $1 */ -- $1\n",
           "$n inside strings, dollar quotes and comments is left alone");
    free(s);
    const char *b[1] = {"a\\'b"};
    s = mon_explain_inline_params("select $1", 1, b);
    is_str(s, "select 'a\\''b'", "a backslash is an ordinary character (standard strings)");
    free(s);
    s = mon_explain_inline_params("select $1 + $12", 1, v);
    is_str(s, "select '5' + $12", "a $n without a value is left for the server to report");
    free(s);
}

static void test_candidates(void)
{
    char *f, *o;
    mon_explain_candidates("select * from t where i = Leak(1) and public.\"Odd\"\"Name\"(2) "
                           "and x === 3 and y in (1, 2) and 'evil(' = z",
                           &f, &o);
    is_str(f, "{\"leak\",\"Odd\\\"Name\",\"in\"}",
           "names before '(' (unquoted folded to lower case), not inside strings");
    is_str(o, "{\"*\",\"=\",\"===\",\"=\"}", "operators, not punctuation");
    free(f);
    free(o);
    mon_explain_candidates("select 1", &f, &o);
    is_str(f, "{}", "no call: an empty array");
    is_str(o, "{}", "no operator: an empty array");
    free(f);
    free(o);
}

static void test_setup(void)
{
    char *s = mon_explain_setup_sql("at\"tacker", true, 60000);
    ok(strstr(s, "OWNER TO \"at\"\"tacker\";") != NULL,
       "the function is given to the quoted author");
    ok(strstr(s, "SECURITY DEFINER") != NULL, "a SECURITY DEFINER function (no SET ROLE escape)");
    ok(strncmp(s, "BEGIN;", 6) == 0, "inside a transaction");
    ok(strstr(s, "statement_timeout = 60000") != NULL, "with a statement_timeout");
    ok(strstr(s, "transaction_read_only = on") != NULL, "read only when asked");
    free(s);
}

int main(void)
{
    plan_no_plan();
    test_quote_ident();
    test_inline();
    test_candidates();
    test_setup();
    return done_testing();
}
