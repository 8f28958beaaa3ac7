/* sqlscript.c — the script reader (sql_script_*) against what psql 15 -f
 * sends, one case per class of difference found on PostgreSQL's regression
 * scripts (../shared/FINDINGS.md): the ';' sent, empty lines dropped,
 * standard_conforming_strings off, `\;`, inline COPY data, psql's FILE:N
 * (the line of the ';') and a trailing comment-only text. */
#include "common/sqlsplit.h"
#include "tests/lib/tap.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Reads `text` with standard_conforming_strings `std` and returns every
 * statement as "END_LINE|SQL", COPY data as "data:START-LINE|DATA", joined
 * by "\n--\n" (malloc'd). */
static char *read_all(const char *text, bool std)
{
    sql_script sc;
    sql_script_init(&sc, text, strlen(text));
    sc.lx.std_strings = std; /* from line 1 on, as run_script starts a text */
    size_t cap = 4096, used = 0;
    char *out = calloc(1, cap);
    for (;;) {
        sql_script_stmt st;
        sql_script_kind k = sql_script_next(&sc, &st);
        if (k == SQL_SCRIPT_END)
            break;
        if (k == SQL_SCRIPT_META) {
            used += (size_t)snprintf(out + used, cap - used, "%smeta:%d", used ? "\n--\n" : "",
                                     st.end_line);
            sql_script_stmt_free(&st);
            break;
        }
        used += (size_t)snprintf(out + used, cap - used, "%s%d|%s", used ? "\n--\n" : "",
                                 st.end_line, st.sql);
        if (sql_is_copy_from_stdin(st.sql, st.len)) {
            size_t ds, dl;
            int dend;
            sql_script_copy_data(&sc, &st, &ds, &dl, &dend);
            used += (size_t)snprintf(out + used, cap - used, "\n--\ndata:%d|%.*s", dend, (int)dl,
                                     text + ds);
        }
        sql_script_stmt_free(&st);
    }
    return out;
}

static void check(const char *name, const char *text, bool std, const char *want)
{
    char *got = read_all(text, std);
    ok(strcmp(got, want) == 0, "%s", name);
    if (strcmp(got, want) != 0)
        diag("  got:\n%s\n  want:\n%s", got, want);
    free(got);
}

int main(void)
{
    check("the ';' is sent with the statement", "select 1;\nselect 1 +;\n", true,
          "1|select 1;\n--\n2|select 1 +;");
    check("empty lines inside a statement are dropped", "prepare p as\n\n\nselect 1;\n", true,
          "4|prepare p as\nselect 1;");
    check("empty lines inside a quote are kept", "select 'a\n\nb';\n", true, "3|select 'a\n\nb';");
    check("standard_conforming_strings off: \\' does not end a literal",
          "select 'ab\\';c';\nselect 2;\n", false, "1|select 'ab\\';c';\n--\n2|select 2;");
    check("standard_conforming_strings on: \\ is plain", "select 'ab\\';\nselect 2;\n", true,
          "1|select 'ab\\';\n--\n2|select 2;");
    check("\\; sends the parts together as one query", "select 1\\; select 2;\nselect 3;\n", true,
          "1|select 1; select 2;\n--\n2|select 3;");
    check("COPY FROM STDIN: the data up to \\. is not SQL",
          "copy t from stdin;\n1\tx\n2\t;y\n\\.\nselect 1;\n", true,
          "1|copy t from stdin;\n--\ndata:4|1\tx\n2\t;y\n\n--\n5|select 1;");
    check("FILE:N is the line of the ';' (psql's prefix)", "select\n  1\n;\n", true,
          "3|select\n  1\n;");
    check("a trailing block comment is sent (an empty query)", "select 1;\n/* done */\n", true,
          "1|select 1;\n--\n2|/* done */");
    check("a trailing -- comment is not", "select 1;\n-- done\n", true, "1|select 1;");
    check("a meta-command is found at its line", "select 1;\n\\set x 1\n", true,
          "1|select 1;\n--\nmeta:2");
    return done_testing();
}
