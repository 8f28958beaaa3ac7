/* sqlsplit.c — statement boundaries on tricky scripts. Every expectation
 * here was checked against psql 15 (-f with log_statement=all): psql sends
 * the same statements, apart from empty ones (";;"), which we drop. */
#include "common/sqlsplit.h"
#include "tests/lib/tap.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* Splits `text` and compares with `want` (NULL-terminated): "LINE|TEXT". */
static void check_split(const char *name, const char *text, const char *const *want,
                        bool want_unterminated)
{
    sql_stmt *st = NULL;
    bool unterminated = !want_unterminated;
    size_t n = sql_split(text, strlen(text), &st, &unterminated);
    size_t nwant = 0;
    while (want[nwant])
        nwant++;
    bool same = n == nwant && unterminated == want_unterminated;
    for (size_t i = 0; same && i < n; i++) {
        char got[4096];
        snprintf(got, sizeof got, "%d|%.*s", st[i].line, (int)(st[i].end - st[i].start),
                 text + st[i].start);
        if (strcmp(got, want[i]) != 0)
            same = false;
    }
    ok(same, "%s", name);
    if (!same) {
        diag("  got %zu statements (unterminated=%d), want %zu (unterminated=%d):", n, unterminated,
             nwant, want_unterminated);
        for (size_t i = 0; i < n; i++)
            diag("    %d|%.*s", st[i].line, (int)(st[i].end - st[i].start), text + st[i].start);
    }
    free(st);
}

#define SPLIT(name, text, unterm, ...)                                                             \
    do {                                                                                           \
        static const char *const want_[] = {__VA_ARGS__, NULL};                                    \
        check_split(name, text, want_, unterm);                                                    \
    } while (0)

int main(void)
{
    plan_no_plan();

    SPLIT("simple statements and lines", "select 1; select 2;\n\nselect 3\n", false, "1|select 1",
          "1|select 2", "3|select 3");
    SPLIT("leading -- comment dropped, line of the statement", "-- header\n-- more\nselect 1;",
          false, "3|select 1");
    SPLIT("leading block comment kept (optimizer hints)", "/*+ SeqScan(t) */ select 5;", false,
          "1|/*+ SeqScan(t) */ select 5");
    SPLIT("';' inside quotes, E'' escapes and identifiers",
          "select 'a;b', E'it\\'s;', \"we;ird\" from x; select 2;", false,
          "1|select 'a;b', E'it\\'s;', \"we;ird\" from x", "1|select 2");
    SPLIT("doubled quotes", "select 'x''y;' ; select E'\\\\'';' ;", false, "1|select 'x''y;'",
          "1|select E'\\\\'';'");
    SPLIT("backslash is plain in standard strings", "select 'a\\'; select 2;", false,
          "1|select 'a\\'", "1|select 2");
    SPLIT("string continuation across a newline", "select 'a'\n  'b;c'; select 2;", false,
          "1|select 'a'\n  'b;c'", "2|select 2");
    SPLIT("U& strings and identifiers, B'' and X''",
          "select U&'d\\0061t;', U&\"x;y\"; select B'1;0', X'1;f';", false,
          "1|select U&'d\\0061t;', U&\"x;y\"", "1|select B'1;0', X'1;f'");
    SPLIT("dollar quotes with tags", "select $$a;b$$, $fn$ $$ ; $fn$; select 2;", false,
          "1|select $$a;b$$, $fn$ $$ ; $fn$", "1|select 2");
    SPLIT("nested dollar tags", "select $x$ nested $y$ ; $y$ $x$; select 2;", false,
          "1|select $x$ nested $y$ ; $y$ $x$", "1|select 2");
    SPLIT("plpgsql body in dollar quotes",
          "create function f() returns int as $body$ begin return 1; end; $body$ language "
          "plpgsql;\nselect 2;",
          false,
          "1|create function f() returns int as $body$ begin return 1; end; $body$ language "
          "plpgsql",
          "2|select 2");
    SPLIT("$1 is a parameter, a$b an identifier, x$$y too",
          "select $1; select a$b; select 1 as x$$y, 2 as \"$$\"; select 5;", false, "1|select $1",
          "1|select a$b", "1|select 1 as x$$y, 2 as \"$$\"", "1|select 5");
    SPLIT("a lone $ is not a quote", "select $a; select 4;", false, "1|select $a", "1|select 4");
    SPLIT("$1$x$1$ is a parameter then a dollar quote", "select $1$x$1$; select 2;", true,
          "1|select $1$x$1$; select 2;");
    SPLIT("non-ASCII dollar tags", "select $_$;$_$, $\xc3\xa9$;$\xc3\xa9$; select 2;", false,
          "1|select $_$;$_$, $\xc3\xa9$;$\xc3\xa9$", "1|select 2");
    SPLIT("nested block comments", "/* outer /* nested ; */ still ; */ select 3; select 4;", false,
          "1|/* outer /* nested ; */ still ; */ select 3", "1|select 4");
    SPLIT("-- comment hides ';' until the newline", "select 4 -- comment ; here\n;\nselect 5;",
          false, "1|select 4 -- comment ; here", "3|select 5");
    SPLIT("-- comment right before ';' on its line", "select 1--x;\n;select 2", false,
          "1|select 1--x;", "2|select 2");
    SPLIT("CR line ends a -- comment", "select 1;\r\nselect 2 --x\r;select 3;", false, "1|select 1",
          "2|select 2 --x", "2|select 3");
    SPLIT("parentheses: rule bodies are not split",
          "create rule r1 as on insert to t1 do instead (select 1; select 2); select 3;", false,
          "1|create rule r1 as on insert to t1 do instead (select 1; select 2)", "1|select 3");
    SPLIT("quoted parentheses do not count", "select ')' ; select '(' ;", false, "1|select ')'",
          "1|select '('");
    SPLIT("unbalanced '(' swallows the rest, as in psql", "select (1;\nselect 2);\nselect 3;",
          false, "1|select (1;\nselect 2)", "3|select 3");
    SPLIT("BEGIN ATOMIC body",
          "create function f1(int) returns int language sql begin atomic select 1; select $1 + "
          "1; end; select 9;",
          false,
          "1|create function f1(int) returns int language sql begin atomic select 1; select $1 "
          "+ 1; end",
          "1|select 9");
    SPLIT("BEGIN ATOMIC with CASE ... END inside",
          "create or replace procedure p1() language sql\nbegin atomic\n  select case when "
          "true then 1 else 2 end;\n  select 2;\nend;\nselect 'after';",
          false,
          "1|create or replace procedure p1() language sql\nbegin atomic\n  select case when "
          "true then 1 else 2 end;\n  select 2;\nend",
          "6|select 'after'");
    SPLIT("BEGIN ATOMIC in capitals, ';' right after ATOMIC",
          "CREATE OR REPLACE FUNCTION F() RETURNS INT LANGUAGE SQL BEGIN ATOMIC; SELECT 1; "
          "END; SELECT 6;",
          false,
          "1|CREATE OR REPLACE FUNCTION F() RETURNS INT LANGUAGE SQL BEGIN ATOMIC; SELECT 1; "
          "END",
          "1|SELECT 6");
    SPLIT("BEGIN as a name outside CREATE FUNCTION does not nest",
          "select 1 as begin; select 2 as end; create table begin_t(x int); drop table "
          "begin_t;",
          false, "1|select 1 as begin", "1|select 2 as end", "1|create table begin_t(x int)",
          "1|drop table begin_t");
    SPLIT("begin inside the argument list does not nest",
          "create function f8(begin int) returns int language sql return 1; select 7;", false,
          "1|create function f8(begin int) returns int language sql return 1", "1|select 7");
    SPLIT("RETURN CASE ... END without BEGIN",
          "create function f9() returns int language sql return case when true then 1 end; "
          "select 8;",
          false, "1|create function f9() returns int language sql return case when true then 1 end",
          "1|select 8");
    SPLIT("a view selecting a column named begin",
          "create temp view v1 as select 1 as begin; select 10;", false,
          "1|create temp view v1 as select 1 as begin", "1|select 10");
    SPLIT("transaction BEGIN; ... END; splits normally", "begin; select 1; end;", false, "1|begin",
          "1|select 1", "1|end");
    SPLIT("empty statements and comment-only statements are dropped",
          ";;\n/* a */ /* b */\n;  \n-- x\n", false, NULL);
    SPLIT("no final ';'", "select 1;\nselect 2  \n\n", false, "1|select 1", "2|select 2");
    SPLIT("unterminated quote: the tail is still returned", "select 1; select 'abc;\n", true,
          "1|select 1", "1|select 'abc;\n");
    SPLIT("unterminated dollar quote", "select 1 $$ ;", true, "1|select 1 $$ ;");
    SPLIT("unterminated block comment", "select 3; /* trailing\n", true, "1|select 3",
          "1|/* trailing\n");
    SPLIT("unterminated quoted identifier", "select \"abc", true, "1|select \"abc");
    SPLIT("empty text", "", false, NULL);

    /* sql_stmt_at */
    const char *script = "select 1;  select 2;\n\nselect 3";
    sql_stmt *st;
    size_t n = sql_split(script, strlen(script), &st, NULL);
    is_int(n, 3, "three statements for sql_stmt_at");
    is_int(sql_stmt_at(st, n, 0), 0, "cursor at the start is in statement 0");
    is_int(sql_stmt_at(st, n, 8), 0, "cursor on the ';' is in statement 0");
    is_int(sql_stmt_at(st, n, 9), 0, "cursor just after ';' belongs to the statement before");
    is_int(sql_stmt_at(st, n, 11), 1, "cursor at the start of statement 1");
    is_int(sql_stmt_at(st, n, 21), 1, "blank line after statement 1 belongs to it");
    is_int(sql_stmt_at(st, n, strlen(script)), 2, "cursor at the very end is in the last");
    is_int(sql_stmt_at(st, 0, 3), -1, "no statements: -1");
    free(st);
    n = sql_split("\n\n  select 1;", 13, &st, NULL);
    is_int(sql_stmt_at(st, n, 0), -1, "cursor before the first statement: -1");
    free(st);

    /* sql_line_of */
    is_int(sql_line_of("a\nb\nc", 0), 1, "line of offset 0");
    is_int(sql_line_of("a\nb\nc", 2), 2, "line after one newline");
    is_int(sql_line_of("a\nb\nc", 4), 3, "line after two newlines");

    /* sql_starts_with */
    const char *copy = "  -- load\n /* c */ CoPy t from stdin";
    ok(sql_starts_with(copy, strlen(copy), "COPY"), "starts_with skips comments, any case");
    ok(!sql_starts_with("copyx t", 7, "copy"), "starts_with needs a whole word");
    ok(!sql_starts_with("cop", 3, "copy"), "starts_with: a shorter word does not match");
    ok(!sql_starts_with("select copy", 11, "copy"), "starts_with looks at the first word only");
    ok(sql_starts_with("begin /*x*/ atomic", 18, "BEGIN ATOMIC"), "starts_with several words");
    ok(!sql_starts_with("begin", 5, "begin atomic"), "starts_with several words: missing one");
    ok(!sql_starts_with("'copy'", 6, "copy"), "starts_with: a string is not a word");
    ok(sql_starts_with("copy", 4, "copy"), "starts_with at the end of text");
    ok(!sql_starts_with("", 0, "copy"), "starts_with on empty text");
    ok(sql_starts_with("COPY x; select", 4, "copy"), "starts_with honours len");

    /* sql_param_count */
    is_int(sql_param_count("select 1", 8), 0, "no parameters");
    const char *pq = "select $1, $3 -- $9\n, '$7', \"$8\", $$ $6 $$, $2, a$5";
    is_int(sql_param_count(pq, strlen(pq)), 3, "highest $n outside quotes, comments, names");
    is_int(sql_param_count("select $12+$2", 13), 12, "multi-digit parameter");
    is_int(sql_param_count("select $99999999999999", 22), 65536, "absurd parameter is capped");

    /* sql_meta_command: psql's backslash commands, outside quotes and comments */
    const char *m1 = "select 1;\n\\set x 1\nselect 2;";
    is_int(sql_meta_command(m1, strlen(m1)), 10, "\\set on its own line");
    const char *m2 = "select '\\x', E'\\\\', $$\\q$$, \"a\\b\" -- \\no\n;/* \\c */";
    is_int(sql_meta_command(m2, strlen(m2)), -1, "backslashes in quotes and comments are SQL");
    const char *m3 = "select 1 \\gexec";
    is_int(sql_meta_command(m3, strlen(m3)), 9, "\\gexec after a statement");
    is_int(sql_meta_command("select 1", 8), -1, "plain SQL has none");

    return done_testing();
}
